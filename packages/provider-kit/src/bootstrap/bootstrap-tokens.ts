import { gunzipSync, gzipSync } from 'node:zlib';
import type { BootstrapData } from '@immutable-infra/core';

/**
 * The literal tokens the documentation tells users to put into kubelet arguments (`PROVIDER_ID`,
 * `NODE_IP`) and any a provider adds, with their values for one machine. A token whose value is
 * undefined is left as it is (HCS knows NODE_IP only once ECS has chosen the address).
 */
export type BootstrapTokenValues = Readonly<Record<string, string | undefined>>;

const TOKEN_NAME = /^[A-Z][A-Z0-9_]*$/;

/** Replaces each token where it stands as a whole word in the text. */
export function replaceTokens(text: string, values: BootstrapTokenValues): string {
  const names = Object.keys(values).filter((name) => values[name] !== undefined);
  if (names.length === 0) return text;
  for (const name of names)
    if (!TOKEN_NAME.test(name))
      throw new Error(`bootstrap token ${JSON.stringify(name)} must be upper-case letters, digits and _`);
  // Longest first, so NODE_IP_V6 is not read as NODE_IP followed by _V6.
  const pattern = new RegExp(`\\b(${names.sort((a, b) => b.length - a.length).join('|')})\\b`, 'g');
  return text.replace(pattern, (token) => values[token] ?? token);
}

interface IgnitionResource {
  source?: string;
  compression?: string;
}

interface IgnitionConfig {
  storage?: { files?: { contents?: IgnitionResource; append?: IgnitionResource[] }[] };
  systemd?: { units?: { contents?: string; dropins?: { contents?: string }[] }[] };
}

/**
 * The bootstrap data with the tokens replaced. cloud-config (and any other text format) is plain
 * text; Ignition keeps file contents in data URLs (percent-encoded or base64, maybe gzip), so each
 * is decoded, substituted and encoded again the same way, and systemd units are text.
 */
export function substituteBootstrapTokens(data: BootstrapData, values: BootstrapTokenValues): BootstrapData {
  if (data.format !== 'ignition') return { ...data, value: replaceTokens(data.value, values) };
  const config = JSON.parse(data.value) as IgnitionConfig;
  for (const file of config.storage?.files ?? []) {
    for (const part of [file.contents, ...(file.append ?? [])]) {
      if (part?.source) part.source = substituteInDataUrl(part.source, part.compression, values);
    }
  }
  for (const unit of config.systemd?.units ?? []) {
    if (unit.contents) unit.contents = replaceTokens(unit.contents, values);
    for (const dropin of unit.dropins ?? []) {
      if (dropin.contents) dropin.contents = replaceTokens(dropin.contents, values);
    }
  }
  return { ...data, value: JSON.stringify(config) };
}

function substituteInDataUrl(
  source: string,
  compression: string | undefined,
  values: BootstrapTokenValues,
): string {
  const match = /^data:([^,]*),(.*)$/s.exec(source);
  // A remote source (https://, s3://) is fetched by the guest; it is not ours to rewrite.
  if (!match) return source;
  const [, meta = '', payload = ''] = match;
  const base64 = meta.split(';').includes('base64');
  let bytes = base64 ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'utf8');
  const gzip = compression === 'gzip';
  if (gzip) bytes = gunzipSync(bytes);
  const original = bytes.toString('utf8');
  const replaced = replaceTokens(original, values);
  // Unchanged contents keep their exact bytes (gzip output differs between zlib versions).
  if (replaced === original) return source;
  const out = gzip ? gzipSync(Buffer.from(replaced, 'utf8')) : Buffer.from(replaced, 'utf8');
  return `data:${meta},${base64 ? out.toString('base64') : encodeURIComponent(out.toString('utf8'))}`;
}
