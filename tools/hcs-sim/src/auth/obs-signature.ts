import { createHmac, timingSafeEqual } from 'node:crypto';
import { MAX_CLOCK_SKEW_MS } from './identity.js';

/**
 * OBS accepts two header families with the same HMAC-SHA1 algorithm: its own (`Authorization: OBS
 * ak:sig`, `x-obs-*` headers, query `AccessKeyId`) and the AWS S3 V2 one (`Authorization: AWS
 * ak:sig`, `x-amz-*`, query `AWSAccessKeyId`). The answer headers follow the family the caller used.
 */
export interface ObsDialect {
  name: 'obs' | 'aws';
  authPrefix: 'OBS' | 'AWS';
  headerPrefix: 'x-obs-' | 'x-amz-';
  queryAccessKey: 'AccessKeyId' | 'AWSAccessKeyId';
}

export const OBS_DIALECT: ObsDialect = {
  name: 'obs',
  authPrefix: 'OBS',
  headerPrefix: 'x-obs-',
  queryAccessKey: 'AccessKeyId',
};
export const AWS_DIALECT: ObsDialect = {
  name: 'aws',
  authPrefix: 'AWS',
  headerPrefix: 'x-amz-',
  queryAccessKey: 'AWSAccessKeyId',
};

/**
 * The query parameters that are sub-resources and so part of the CanonicalizedResource (the OBS
 * API reference's list, as the SDKs carry it); any other parameter is not signed.
 */
const SUB_RESOURCES = new Set([
  'acl',
  'append',
  'apiversion',
  'cors',
  'delete',
  'lifecycle',
  'location',
  'logging',
  'metadata',
  'notification',
  'policy',
  'position',
  'quota',
  'replication',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'response-content-language',
  'response-content-type',
  'response-expires',
  'restore',
  'storageclass',
  'storagepolicy',
  'tagging',
  'torrent',
  'uploadid',
  'uploads',
  'versionid',
  'versioning',
  'versions',
  'website',
]);

export interface ObsSignedRequest {
  method: string;
  /** `/bucket/key` as sent (percent-encoded), whatever the addressing style. */
  resourcePath: string;
  query: URLSearchParams;
  /** Lower-cased names. */
  headers: Record<string, string | undefined>;
}

/**
 * StringToSign = Verb \n Content-MD5 \n Content-Type \n Date-or-Expires \n CanonicalizedHeaders
 * CanonicalizedResource. `dateLine` is the Date header (empty when `x-obs-date`/`x-amz-date` is
 * sent) or, for a pre-signed URL, its Expires.
 */
export function obsStringToSign(request: ObsSignedRequest, dialect: ObsDialect, dateLine: string): string {
  const canonicalHeaders = Object.entries(request.headers)
    .filter(([name, value]) => name.startsWith(dialect.headerPrefix) && value !== undefined)
    .map(([name, value]) => [name, name.startsWith(`${dialect.headerPrefix}meta-`) ? value?.trim() : value])
    .sort(([a], [b]) => ((a ?? '') < (b ?? '') ? -1 : 1))
    .map(([name, value]) => `${name}:${value}\n`)
    .join('');
  const subResources = [...request.query.entries()]
    .filter(([name]) => SUB_RESOURCES.has(name.toLowerCase()))
    .map(([name, value]) => (value ? `${name}=${value}` : name))
    .sort();
  const resource = request.resourcePath + (subResources.length ? `?${subResources.join('&')}` : '');
  return [
    request.method,
    request.headers['content-md5'] ?? '',
    request.headers['content-type'] ?? '',
    dateLine,
    `${canonicalHeaders}${resource}`,
  ].join('\n');
}

export const obsSignature = (stringToSign: string, secretKey: string) =>
  createHmac('sha1', secretKey).update(stringToSign, 'utf8').digest('base64');

export function sameSignature(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** How a request carries its credentials: a signed header, a pre-signed URL's query, or nothing. */
export type ObsCredentials =
  | { kind: 'header'; dialect: ObsDialect; accessKey: string; signature: string }
  | { kind: 'query'; dialect: ObsDialect; accessKey: string; signature: string; expires: string }
  | { kind: 'anonymous'; dialect: ObsDialect }
  | { kind: 'malformed'; dialect: ObsDialect };

export function obsCredentialsOf(
  authorization: string | undefined,
  query: URLSearchParams,
  headers: Record<string, string | undefined>,
): ObsCredentials {
  if (authorization !== undefined) {
    const match = /^(OBS|AWS) ([^:\s]+):(\S+)$/.exec(authorization.trim());
    const dialect = authorization.startsWith('AWS') ? AWS_DIALECT : OBS_DIALECT;
    if (!match) return { kind: 'malformed', dialect };
    return { kind: 'header', dialect, accessKey: match[2] ?? '', signature: match[3] ?? '' };
  }
  for (const dialect of [OBS_DIALECT, AWS_DIALECT]) {
    const accessKey = query.get(dialect.queryAccessKey);
    if (accessKey === null) continue;
    const signature = query.get('Signature');
    const expires = query.get('Expires');
    if (!signature || !expires) return { kind: 'malformed', dialect };
    return { kind: 'query', dialect, accessKey, signature, expires };
  }
  const amz = Object.keys(headers).some((name) => name.startsWith('x-amz-'));
  return { kind: 'anonymous', dialect: amz ? AWS_DIALECT : OBS_DIALECT };
}

/** When a header-signed request was made: `x-obs-date`/`x-amz-date` if sent, else `Date`. */
export function signedAt(
  headers: Record<string, string | undefined>,
  dialect: ObsDialect,
): number | undefined {
  const text = headers[`${dialect.headerPrefix}date`] ?? headers.date;
  const time = text ? Date.parse(text) : Number.NaN;
  return Number.isNaN(time) ? undefined : time;
}

export const withinClockSkew = (time: number, now = Date.now()) => Math.abs(now - time) <= MAX_CLOCK_SKEW_MS;
