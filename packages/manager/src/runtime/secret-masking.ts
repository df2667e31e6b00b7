import { createHash } from 'node:crypto';
import { isSecretName, rememberedSecretValues } from '@immutable-infra/core';

export const REDACTED = '[REDACTED]';

// The forms a remembered value may take in text: as is, its SHA-256 (DCS logs in with the key's
// hash), base64 (Secret data, Basic auth) and URL-encoded. Computed once per value.
const formsByValue = new Map<string, readonly string[]>();

function formsOf(value: string): readonly string[] {
  let forms = formsByValue.get(value);
  if (!forms) {
    const sha256 = createHash('sha256').update(value, 'utf8').digest('hex');
    forms = [
      ...new Set([
        value,
        sha256,
        sha256.toUpperCase(),
        Buffer.from(value, 'utf8').toString('base64'),
        Buffer.from(value, 'utf8').toString('base64url'),
        encodeURIComponent(value),
      ]),
    ].sort((a, b) => b.length - a.length);
    formsByValue.set(value, forms);
  }
  return forms;
}

/** `text` with every remembered secret value, in every form, replaced by `[REDACTED]`. */
export function maskSecretValues(text: string): string {
  let masked = text;
  for (const value of rememberedSecretValues()) {
    for (const form of formsOf(value)) if (masked.includes(form)) masked = masked.split(form).join(REDACTED);
  }
  return masked;
}

/**
 * A copy of `value` fit for a log or a status: fields with secret names (passwords, keys, tokens,
 * `Authorization`) replaced, and remembered secret values masked in every string, however deep.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskSecretValues(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  if (value instanceof Error) return maskSecretValues(String(value));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = isSecretName(key) ? REDACTED : redactSecrets(v, depth + 1);
  }
  return out;
}
