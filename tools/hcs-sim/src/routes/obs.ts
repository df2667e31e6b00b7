import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RateLimiter, Scheduler, SeededRandom } from '@immutable-infra/simulator-kit';
import {
  type ObsCredentials,
  type ObsDialect,
  obsCredentialsOf,
  obsSignature,
  obsStringToSign,
  sameSignature,
  signedAt,
  withinClockSkew,
} from '../auth/obs-signature.js';
import type { ResolvedFaults } from '../model/faults.js';
import { HcsError } from '../model/hcs-error.js';
import type { ObjectStorage } from '../model/object-storage.js';
import type { OperationFaults } from '../model/operation-faults.js';

/** Bootstrap data is kilobytes; a PUT beyond this is refused as OBS refuses one over its limit. */
const MAX_OBJECT_BYTES = 16 * 1024 * 1024;

export interface ObsDependencies {
  storage: ObjectStorage;
  accessKeys: readonly { accessKey: string; secretKey: string; user: string }[];
  userId(name: string): string;
  faults(): ResolvedFaults;
  operationFaults: OperationFaults;
  random: SeededRandom;
  scheduler: Scheduler;
  rateLimiter: RateLimiter;
  onChange(operation: string, method: string, path: string): void;
}

/** An OBS refusal: HTTP status, OBS error code and message, answered as an XML `<Error>`. */
class ObsError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    readonly detail: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(`${httpStatus} ${code}: ${detail}`);
  }
}

/** Where a request addressed its bucket and key. */
interface Addressed {
  bucket: string | undefined;
  key: string;
  /** `/bucket/key` as sent, for the CanonicalizedResource. */
  resourcePath: string;
}

/**
 * Whether a request is for OBS rather than the JSON services: the host is the region's OBS
 * endpoint (`obs.<region>.<domain>`, path-style) or a bucket under it (virtual-host style), or it
 * carries OBS/S3 credentials (a client pointed at the simulator's bare address). The JSON
 * services never use those schemes, so they cannot be mistaken for OBS calls.
 */
export function isObsRequest(req: IncomingMessage, url: URL): boolean {
  if (url.pathname.startsWith('/_sim/')) return false;
  const host = hostName(req);
  if (host.startsWith('obs.') || host.includes('.obs.')) return true;
  const authorization = req.headers.authorization;
  if (authorization && /^(OBS|AWS) /.test(authorization)) return true;
  return url.searchParams.has('AccessKeyId') || url.searchParams.has('AWSAccessKeyId');
}

function hostName(req: IncomingMessage): string {
  return (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
}

/**
 * Virtual-host style (`bucket.obs.<region>.<domain>/key`, what HCS's OBS endpoint and its SDKs use
 * by default) or path style (`obs.<region>.<domain>/bucket/key`, or the simulator's bare address).
 */
function addressed(req: IncomingMessage): Addressed {
  const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
  const virtual = /^(.+)\.obs\./.exec(hostName(req));
  if (virtual?.[1]) {
    return { bucket: virtual[1], key: decodeKey(rawPath.slice(1)), resourcePath: `/${virtual[1]}${rawPath}` };
  }
  const [, bucket = '', ...rest] = rawPath.split('/');
  return { bucket: bucket || undefined, key: decodeKey(rest.join('/')), resourcePath: rawPath };
}

function decodeKey(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ObsError(400, 'InvalidURI', 'Couldn’t parse the specified URI.');
  }
}

function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers))
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  return headers;
}

/**
 * OBS's object API: PUT, GET, HEAD and DELETE Object, HEAD Bucket (with `?apiversion`, the SDKs'
 * signature negotiation), signed in a header or pre-signed in the query, with OBS's XML errors.
 * The gateway faults (latency, unanswered, throttled, failed calls, lost replies, the per-user
 * rate limit) and `operationErrors` (`obs.putObject`, ...) apply as to every other service.
 */
export function createObsHandler(deps: ObsDependencies) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const requestId = randomBytes(16).toString('hex').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://hcs-sim');
    const credentials = obsCredentialsOf(req.headers.authorization, url.searchParams, headersOf(req));
    handleObs(deps, req, res, url, credentials).then(
      (answer) => {
        if (answer) send(req, res, answer, credentials.dialect, requestId);
      },
      (error: unknown) => send(req, res, errorAnswer(error, req), credentials.dialect, requestId),
    );
  };
}

interface ObsAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer;
}

async function handleObs(
  deps: ObsDependencies,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  credentials: ObsCredentials,
): Promise<ObsAnswer | undefined> {
  const faults = deps.faults();
  if (faults.latencyMs > 0) await deps.scheduler.delay(faults.latencyMs);
  if (deps.random.chance(faults.timeoutRate)) return undefined;
  if (deps.random.chance(faults.throttleRate))
    throw new ObsError(503, 'SlowDown', 'Please reduce your request rate.');
  if (deps.random.chance(faults.errorRate))
    throw new ObsError(503, 'ServiceUnavailable', 'Please reduce your request rate.');

  const method = req.method ?? 'GET';
  const target = addressed(req);
  const operation = operationOf(method, target);
  const body = await readObjectBody(req);
  const user = authenticate(deps, req, url, target, credentials);
  if (faults.rateLimit) {
    const waitSeconds = deps.rateLimiter.take(deps.userId(user), faults.rateLimit);
    if (waitSeconds > 0) throw new ObsError(503, 'SlowDown', 'Please reduce your request rate.');
  }
  try {
    deps.operationFaults.check(operation);
  } catch (error) {
    if (error instanceof HcsError) throw new ObsError(error.httpStatus, error.code, error.detail);
    throw error;
  }
  const bucket = target.bucket ?? '';
  if (!deps.storage.hasBucket(bucket))
    throw new ObsError(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
  const answer = objectOperation(deps.storage, method, bucket, target.key, url, req, body);
  if (res.destroyed) return undefined;
  if (method === 'PUT' || method === 'DELETE') {
    deps.onChange(operation, method, target.resourcePath);
    if (deps.random.chance(faults.lostReplyRate)) {
      // OBS has acted; the client only sees its connection drop before any reply byte.
      res.destroy();
      return undefined;
    }
  }
  return answer;
}

function operationOf(method: string, target: Addressed): string {
  if (!target.key) return method === 'HEAD' ? 'obs.headBucket' : `obs.${method.toLowerCase()}Bucket`;
  const verb = { PUT: 'put', GET: 'get', HEAD: 'head', DELETE: 'delete' }[method];
  if (!verb)
    throw new ObsError(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  return `obs.${verb}Object`;
}

async function readObjectBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_OBJECT_BYTES)
      throw new ObsError(
        400,
        'EntityTooLarge',
        'Your proposed upload exceeds the maximum allowed object size.',
      );
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The user behind the request's signature; every object here is private, so anonymous is refused. */
function authenticate(
  deps: ObsDependencies,
  req: IncomingMessage,
  url: URL,
  target: Addressed,
  credentials: ObsCredentials,
): string {
  if (credentials.kind === 'anonymous') throw new ObsError(403, 'AccessDenied', 'Access Denied');
  if (credentials.kind === 'malformed')
    throw new ObsError(400, 'InvalidArgument', 'Authorization header or query parameters are invalid.');
  const key = deps.accessKeys.find((k) => k.accessKey === credentials.accessKey);
  if (!key)
    throw new ObsError(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
      {
        AWSAccessKeyId: credentials.accessKey,
      },
    );
  const headers = headersOf(req);
  let dateLine: string;
  if (credentials.kind === 'query') {
    const expires = Number(credentials.expires);
    if (!Number.isInteger(expires))
      throw new ObsError(403, 'AccessDenied', 'Invalid date (should be seconds since epoch)');
    if (expires * 1000 < Date.now())
      throw new ObsError(403, 'AccessDenied', 'Request has expired', { Expires: credentials.expires });
    dateLine = credentials.expires;
  } else {
    const at = signedAt(headers, credentials.dialect);
    if (at === undefined)
      throw new ObsError(
        403,
        'AccessDenied',
        'AWS authentication requires a valid Date or x-amz-date header',
      );
    if (!withinClockSkew(at))
      throw new ObsError(
        403,
        'RequestTimeTooSkewed',
        'The difference between the request time and the current time is too large.',
      );
    dateLine = headers[`${credentials.dialect.headerPrefix}date`] !== undefined ? '' : (headers.date ?? '');
  }
  const stringToSign = obsStringToSign(
    { method: req.method ?? 'GET', resourcePath: target.resourcePath, query: url.searchParams, headers },
    credentials.dialect,
    dateLine,
  );
  if (!sameSignature(obsSignature(stringToSign, key.secretKey), credentials.signature))
    throw new ObsError(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { StringToSign: stringToSign },
    );
  return key.user;
}

function objectOperation(
  storage: ObjectStorage,
  method: string,
  bucket: string,
  key: string,
  url: URL,
  req: IncomingMessage,
  body: Buffer,
): ObsAnswer {
  if (!key) {
    if (method !== 'HEAD')
      throw new ObsError(
        405,
        'MethodNotAllowed',
        'The specified method is not allowed against this resource.',
      );
    // HEAD Bucket; with `?apiversion` it is the SDKs' signature negotiation: OBS says 3.0.
    return { status: 200, headers: url.searchParams.has('apiversion') ? { 'x-obs-api': '3.0' } : {} };
  }
  if (method === 'PUT') {
    const md5 = req.headers['content-md5'];
    if (md5 !== undefined && md5 !== createHash('md5').update(body).digest('base64'))
      throw new ObsError(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
    const stored = storage.put(bucket, key, body, req.headers['content-type'] ?? 'binary/octet-stream');
    return { status: 200, headers: { ETag: stored.etag } };
  }
  if (method === 'DELETE') {
    storage.delete(bucket, key);
    return { status: 204 };
  }
  const stored = storage.get(bucket, key);
  if (!stored) throw new ObsError(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
  const headers = {
    'Content-Type': url.searchParams.get('response-content-type') ?? stored.contentType,
    ETag: stored.etag,
    'Last-Modified': stored.lastModified.toUTCString(),
  };
  return method === 'HEAD'
    ? { status: 200, headers: { ...headers, 'Content-Length': String(stored.body.length) } }
    : { status: 200, headers, body: stored.body };
}

function errorAnswer(error: unknown, req: IncomingMessage): ObsAnswer {
  const refusal =
    error instanceof ObsError
      ? error
      : new ObsError(500, 'InternalError', 'We encountered an internal error. Please try again.');
  const extra = Object.entries(refusal.extra)
    .map(([name, value]) => `<${name}>${xmlText(value)}</${name}>`)
    .join('');
  const xml =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    `<Error><Code>${refusal.code}</Code><Message>${xmlText(refusal.detail)}</Message>` +
    `<RequestId>REQUESTID</RequestId><HostId>${xmlText(hostName(req))}</HostId>${extra}</Error>`;
  return {
    status: refusal.httpStatus,
    headers: { 'Content-Type': 'application/xml', 'x-sim-error-code': refusal.code },
    body: Buffer.from(xml),
  };
}

const xmlText = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Writes the answer. A HEAD answer never has a body (the error code is only in the status and, as
 * on OBS, in the `x-obs-error-code` header); request ids use the caller's header family.
 */
function send(
  req: IncomingMessage,
  res: ServerResponse,
  answer: ObsAnswer,
  dialect: ObsDialect,
  requestId: string,
): void {
  if (res.destroyed || res.headersSent) return;
  const { 'x-sim-error-code': errorCode, ...headers } = answer.headers ?? {};
  const isHead = req.method === 'HEAD';
  let body = answer.body ?? Buffer.alloc(0);
  if (body.length > 0 && errorCode) body = Buffer.from(body.toString().replace('REQUESTID', requestId));
  res.writeHead(answer.status, {
    Server: 'OBS',
    Date: new Date().toUTCString(),
    [`${dialect.headerPrefix}request-id`]: requestId,
    [`${dialect.headerPrefix}id-2`]: `32AAAQAAEAABAAAQAAEAABAAAQAAEAABCS${requestId.slice(0, 16)}`,
    ...(errorCode ? { [`${dialect.headerPrefix}error-code`]: errorCode } : {}),
    ...headers,
    ...(isHead ? {} : { 'Content-Length': String(body.length) }),
  });
  res.end(isHead ? undefined : body);
}
