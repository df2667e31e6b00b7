/**
 * Keeps credential values away from the browser: Secrets read through the
 * host come back with every `data`/`stringData` value emptied (keys kept, so a
 * form can show which fields are set), and any text the host forwards can be
 * cleaned of known credential values.
 */

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function emptyValues(map: unknown): unknown {
  if (!isObject(map)) return map;
  return Object.fromEntries(Object.keys(map).map((key) => [key, '']));
}

function scrubSecret(secret: Json): Json {
  const out: Json = { ...secret };
  if ('data' in out) out.data = emptyValues(out.data);
  if ('stringData' in out) out.stringData = emptyValues(out.stringData);
  const metadata = out.metadata;
  if (isObject(metadata) && isObject(metadata.annotations) && LAST_APPLIED in metadata.annotations) {
    // kubectl apply keeps the whole object, values included, in this annotation.
    const { [LAST_APPLIED]: _, ...annotations } = metadata.annotations;
    out.metadata = { ...metadata, annotations };
  }
  return out;
}

/**
 * Returns `body` with every Secret in it scrubbed: a Secret, a SecretList's
 * items (which carry no `kind`), and Secrets nested anywhere (a List of mixed
 * kinds). `secretsPath` says the request addressed the secrets resource, so an
 * object there is treated as a Secret even without `kind`.
 */
export function scrubSecrets(body: unknown, secretsPath = false): unknown {
  if (Array.isArray(body)) return body.map((item) => scrubSecrets(item, secretsPath));
  if (!isObject(body)) return body;
  if (body.kind === 'Secret' || (secretsPath && body.kind === undefined && isObject(body.metadata))) {
    return scrubSecret(body);
  }
  const listOfSecrets = body.kind === 'SecretList' || (secretsPath && Array.isArray(body.items));
  const out: Json = {};
  for (const [key, value] of Object.entries(body)) {
    out[key] = key === 'items' && listOfSecrets ? scrubSecrets(value, true) : scrubSecrets(value, false);
  }
  return out;
}

/** Whether a Kubernetes API path addresses the core secrets resource (`/api/v1/[namespaces/x/]secrets...`). */
export function isSecretsPath(path: string): boolean {
  return /^\/api\/v1\/(namespaces\/[^/]+\/)?secrets(\/|$|\?)/.test(path);
}

/**
 * Every form in which a credential value could appear in text: as is, base64,
 * and URL-encoded. Very short values are left out, since they would match
 * ordinary words and make every message unreadable, and so are the words of
 * a flag (`true`, `false`).
 */
export function credentialForms(values: Iterable<string>): string[] {
  const forms = new Set<string>();
  for (const value of values) {
    if (value.length < 4) continue;
    // A flag's word (allowPlainHTTP: "true") is no secret, and every JSON result may hold it.
    if (/^\s*(true|false)\s*$/i.test(value)) continue;
    forms.add(value);
    forms.add(Buffer.from(value, 'utf8').toString('base64'));
    forms.add(encodeURIComponent(value));
    forms.add(JSON.stringify(value).slice(1, -1));
  }
  // Longest first, so a value inside another is not replaced half-way.
  return [...forms].sort((a, b) => b.length - a.length);
}

export function redact(text: string, forms: readonly string[]): string {
  let out = text;
  for (const form of forms) out = out.split(form).join('[redacted]');
  return out;
}

export function containsAny(text: string, forms: readonly string[]): boolean {
  return forms.some((form) => text.includes(form));
}

/** The values of a Secret manifest a browser sent (data is base64, stringData plain). */
export function secretValuesOf(object: unknown): string[] {
  if (!isObject(object) || object.kind !== 'Secret') return [];
  const values: string[] = [];
  if (isObject(object.stringData)) {
    for (const v of Object.values(object.stringData)) if (typeof v === 'string') values.push(v);
  }
  if (isObject(object.data)) {
    for (const v of Object.values(object.data)) {
      if (typeof v === 'string') values.push(v, Buffer.from(v, 'base64').toString('utf8'));
    }
  }
  return values;
}
