import { createHash, createHmac } from 'node:crypto';

/** The algorithm name of Huawei Cloud's API signing, the first word of the `Authorization` header. */
export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';
/** The literal a client sends in `X-Sdk-Content-Sha256` to leave the body out of the signature. */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** What the signature covers, as the server sees the request. */
export interface SignedRequest {
  method: string;
  /** The path as sent, still percent-encoded, without the query. */
  rawPath: string;
  query: URLSearchParams;
  /** Header values by lower-cased name. */
  headers: Record<string, string | undefined>;
  /** Lower-cased names, in the order of `SignedHeaders`. */
  signedHeaders: string[];
  body: Buffer;
}

/** The parts of `Authorization: SDK-HMAC-SHA256 Access=..., SignedHeaders=a;b, Signature=...`. */
export interface AuthorizationParts {
  access: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses the `Authorization` header; undefined when it is not an SDK-HMAC-SHA256 one or is malformed. */
export function parseAuthorization(value: string | undefined): AuthorizationParts | undefined {
  if (!value?.startsWith(`${SIGNING_ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of value.slice(SIGNING_ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const access = fields.get('Access');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!access || !signedHeaders || !signature) return undefined;
  return { access, signedHeaders: signedHeaders.split(';').filter(Boolean), signature };
}

/**
 * RFC 3986 percent-encoding: everything except `A-Z a-z 0-9 - _ . ~` is escaped, upper-case hex.
 * `encodeURIComponent` also leaves `! ' ( ) *` alone, so those are escaped here.
 */
export function signingEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/** Each path segment decoded then re-encoded, with a trailing slash added when missing. */
export function canonicalUri(rawPath: string): string {
  const encoded = rawPath
    .split('/')
    .map((segment) => signingEncode(safeDecode(segment)))
    .join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

/** Keys sorted, each `key=value` encoded; repeated keys contribute each value, values sorted. */
export function canonicalQueryString(query: URLSearchParams): string {
  const keys = [...new Set(query.keys())].sort();
  const pairs: string[] = [];
  for (const key of keys) {
    for (const value of query.getAll(key).sort()) pairs.push(`${signingEncode(key)}=${signingEncode(value)}`);
  }
  return pairs.join('&');
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The canonical request: method, URI, query, `name:value` lines, signed header names, payload hash. */
export function canonicalRequest(request: SignedRequest): string {
  const names = [...request.signedHeaders].sort();
  const headerLines = names.map((name) => `${name}:${request.headers[name] ?? ''}\n`).join('');
  const contentHash = request.headers['x-sdk-content-sha256'];
  const payloadHash = contentHash === UNSIGNED_PAYLOAD ? UNSIGNED_PAYLOAD : sha256Hex(request.body);
  return [
    request.method,
    canonicalUri(request.rawPath),
    canonicalQueryString(request.query),
    headerLines,
    names.join(';'),
    payloadHash,
  ].join('\n');
}

/** Hex HMAC-SHA256, keyed with the secret key, of `algorithm \n X-Sdk-Date \n sha256(canonical request)`. */
export function computeSignature(request: SignedRequest, secretKey: string, sdkDate: string): string {
  const stringToSign = [SIGNING_ALGORITHM, sdkDate, sha256Hex(canonicalRequest(request))].join('\n');
  return createHmac('sha256', secretKey).update(stringToSign).digest('hex');
}

/** `20261124T103824Z` as a time in ms; undefined when the text is not in that shape. */
export function parseSdkDate(value: string | undefined): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/** The X-Sdk-Date text for a time. */
export function formatSdkDate(ms: number): string {
  return `${new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
