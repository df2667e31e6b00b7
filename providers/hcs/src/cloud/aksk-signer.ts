import { createHash, createHmac } from 'node:crypto';

/** First word of the `Authorization` header of Huawei Cloud's access-key signing. */
export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';

export interface RequestToSign {
  method: string;
  url: URL;
  /** Every header that is sent, by any case; all of them are signed. */
  headers: Record<string, string>;
  body: Uint8Array;
}

/** RFC 3986 percent-encoding (`encodeURIComponent` leaves `! ' ( ) *` alone, the signer does not). */
function encode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

function canonicalUri(pathname: string): string {
  const path = pathname
    .split('/')
    .map((segment) => encode(decodeURIComponent(segment)))
    .join('/');
  return path.endsWith('/') ? path : `${path}/`;
}

function canonicalQuery(params: URLSearchParams): string {
  const keys = [...new Set(params.keys())].sort();
  return keys
    .flatMap((key) =>
      params
        .getAll(key)
        .sort()
        .map((value) => `${encode(key)}=${encode(value)}`),
    )
    .join('&');
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** `X-Sdk-Date` for a time: `20261124T103824Z`. */
export function sdkDate(at: Date): string {
  return `${at.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
}

/**
 * The `Authorization` value for a request, as Huawei Cloud's SDKs compute it: a canonical request
 * (method, URI with a trailing slash, sorted query, lower-cased signed headers, body hash), hashed
 * into `algorithm \n X-Sdk-Date \n hash`, signed with HMAC-SHA256 under the secret key. The headers
 * must already hold `X-Sdk-Date` and `Host`.
 */
export function signRequest(request: RequestToSign, accessKey: string, secretKey: string): string {
  const lower = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value.trim()]),
  );
  const names = Object.keys(lower).sort();
  const date = lower['x-sdk-date'];
  if (!date) throw new Error('X-Sdk-Date must be set before signing');
  const canonical = [
    request.method,
    canonicalUri(request.url.pathname),
    canonicalQuery(request.url.searchParams),
    names.map((name) => `${name}:${lower[name]}\n`).join(''),
    names.join(';'),
    sha256(request.body),
  ].join('\n');
  const stringToSign = [SIGNING_ALGORITHM, date, sha256(canonical)].join('\n');
  const signature = createHmac('sha256', secretKey).update(stringToSign).digest('hex');
  return `${SIGNING_ALGORITHM} Access=${accessKey}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
}
