import { createHmac } from 'node:crypto';

/**
 * OBS's own signature (API reference, "Authentication"): HMAC-SHA1 with the secret key over
 * `Verb \n Content-MD5 \n Content-Type \n Date \n CanonicalizedHeaders CanonicalizedResource`,
 * Base64. The same access key that signs the other HCS services' requests signs OBS's.
 */
export interface ObsRequestToSign {
  method: string;
  bucket: string;
  /** The object key, unencoded. */
  key: string;
  /** Every header that is sent, by any case; Content-MD5, Content-Type and `x-obs-*` are signed. */
  headers: Record<string, string>;
}

/** An object key in a URL path: each segment percent-encoded, `/` kept (as the OBS SDKs encode it). */
export function encodeObjectKey(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');
}

function stringToSign(request: ObsRequestToSign, dateLine: string): string {
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const obsHeaders = Object.keys(headers)
    .filter((name) => name.startsWith('x-obs-'))
    .sort()
    .map((name) => `${name}:${headers[name]}\n`)
    .join('');
  return [
    request.method,
    headers['content-md5'] ?? '',
    headers['content-type'] ?? '',
    dateLine,
    `${obsHeaders}/${request.bucket}/${encodeObjectKey(request.key)}`,
  ].join('\n');
}

const hmac = (secretKey: string, text: string) =>
  createHmac('sha1', secretKey).update(text, 'utf8').digest('base64');

/**
 * The `x-obs-date` and `Authorization: OBS ak:signature` headers of a request. With `x-obs-date`
 * the Date line of the string to sign is empty, as the reference says.
 */
export function signObsRequest(
  request: ObsRequestToSign,
  accessKey: string,
  secretKey: string,
  now: Date,
): Record<string, string> {
  const date = now.toUTCString();
  const signed = { ...request, headers: { ...request.headers, 'x-obs-date': date } };
  return {
    'x-obs-date': date,
    authorization: `OBS ${accessKey}:${hmac(secretKey, stringToSign(signed, ''))}`,
  };
}

/**
 * A pre-signed (query-string authenticated) GET URL: `AccessKeyId`, `Expires` (seconds since the
 * epoch) and `Signature`; the Date line of the string to sign is `Expires`. Whoever holds the URL
 * can read the object until then: the URL is as secret as the object.
 */
export function presignObsGet(
  objectUrl: URL,
  request: Pick<ObsRequestToSign, 'bucket' | 'key'>,
  accessKey: string,
  secretKey: string,
  expiresAt: Date,
): URL {
  const expires = String(Math.floor(expiresAt.getTime() / 1000));
  const signature = hmac(secretKey, stringToSign({ ...request, method: 'GET', headers: {} }, expires));
  const url = new URL(objectUrl);
  url.search = new URLSearchParams({
    AccessKeyId: accessKey,
    Expires: expires,
    Signature: signature,
  }).toString();
  return url;
}
