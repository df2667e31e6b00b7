import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RateLimiter, Scheduler, SeededRandom } from '@immutable-infra/simulator-kit';
import { requestHeader as header } from '@immutable-infra/simulator-kit';
import type { Identity, Principal } from '../auth/identity.js';
import type { ResolvedFaults } from '../model/faults.js';
import { type ErrorStyle, Gateway, HcsError } from '../model/hcs-error.js';
import type { OperationFaults } from '../model/operation-faults.js';
import { isObsRequest } from '../routes/obs.js';
import { parseJson, readRawBody } from './request-body.js';
import type { Route, RouteAnswer, Router, Service } from './router.js';

export interface PipelineDependencies {
  router: Router;
  identity: Identity;
  projectId: string;
  faults(): ResolvedFaults;
  operationFaults: OperationFaults;
  random: SeededRandom;
  scheduler: Scheduler;
  rateLimiter: RateLimiter;
  /** Told of every change the cloud accepted (a mutating call that answered 2xx), in order. */
  onChange(operation: string, method: string, path: string): void;
  /** OBS: XML and raw object bodies with its own signatures, so it has its own handler. */
  obs(req: IncomingMessage, res: ServerResponse): void;
}

const MUTATING = new Set(['POST', 'PUT', 'DELETE']);

const STYLE: Record<Service, ErrorStyle> = {
  iam: 'keystone',
  ecs: 'nested',
  evs: 'nested',
  ims: 'nested',
  vpc: 'flat',
  elb: 'flat',
  sim: 'flat',
};

/**
 * The order every request goes through: gateway faults (latency, a dropped, throttled or failed
 * call), route lookup, credentials (token or AK/SK signature), project check, operation faults,
 * the JSON body, the handler. `/_sim/*` skips faults and credentials so tests can always inspect
 * and repair the simulator.
 */
export function createRequestListener(deps: PipelineDependencies) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (isObsRequest(req, new URL(req.url ?? '/', 'http://hcs-sim'))) {
      deps.obs(req, res);
      return;
    }
    const requestId = randomUUID().replace(/-/g, '');
    let service: Service | undefined;
    handle(deps, req, res, (s) => {
      service = s;
    }).then(
      (answer) => {
        if (answer) send(res, answer, requestId);
      },
      (error: unknown) => send(res, errorAnswer(error, service, requestId), requestId),
    );
  };
}

async function handle(
  deps: PipelineDependencies,
  req: IncomingMessage,
  res: ServerResponse,
  onService: (service: Service) => void,
): Promise<RouteAnswer | undefined> {
  const url = new URL(req.url ?? '/', 'http://hcs-sim');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const isSim = path.startsWith('/_sim/');

  if (!isSim) {
    const faults = deps.faults();
    if (faults.latencyMs > 0) await deps.scheduler.delay(faults.latencyMs);
    if (deps.random.chance(faults.timeoutRate)) return undefined;
    if (deps.random.chance(faults.throttleRate)) throw Gateway.throttled(1);
    if (deps.random.chance(faults.errorRate)) throw Gateway.backendUnavailable();
  }

  const match = deps.router.match(method, path);
  if (match.kind !== 'found') throw Gateway.noApi(method, path);
  const { route, params } = match;
  onService(route.service);

  const raw = await readRawBody(req);
  const principal = route.public ? undefined : authenticate(deps.identity, req, url, raw);
  const { rateLimit, lostReplyRate } = deps.faults();
  if (principal && rateLimit) {
    const waitSeconds = deps.rateLimiter.take(principal.userId, rateLimit);
    if (waitSeconds > 0) throw Gateway.throttled(waitSeconds);
  }
  if (principal) checkProject(route, params, principal, deps.projectId);
  if (!isSim) deps.operationFaults.check(route.operation);
  const body = parseJson(raw);
  if (res.destroyed) return undefined;
  const answer = await route.handle({ req, params, query: url.searchParams, body, principal });
  if (!isSim && MUTATING.has(method) && (answer.status ?? 200) < 300)
    deps.onChange(route.operation, method, path);
  const isTokenRequest = route.operation === 'iam.createToken';
  if (!isSim && !isTokenRequest && MUTATING.has(method) && deps.random.chance(lostReplyRate)) {
    // The cloud has acted; the client only sees its connection drop before any reply byte.
    res.destroy();
    return undefined;
  }
  return answer;
}

/** A token in `X-Auth-Token`, or an SDK-HMAC-SHA256 `Authorization`; neither is 401 `APIGW.0301`. */
function authenticate(identity: Identity, req: IncomingMessage, url: URL, raw: Buffer): Principal {
  const token = header(req, 'x-auth-token');
  if (token) return identity.authenticateToken(token);
  const authorization = header(req, 'authorization');
  if (!authorization) throw Gateway.badAkSk('no X-Auth-Token and no Authorization header');
  const headers: Record<string, string | undefined> = {};
  for (const name of Object.keys(req.headers)) headers[name] = header(req, name);
  const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
  return identity.authenticateSigned(authorization, {
    method: req.method ?? 'GET',
    rawPath,
    query: url.searchParams,
    headers,
    body: raw,
  });
}

/**
 * The project in the path must be the region's project and, when the credentials name one, the
 * same. ECS documents its own code for the mismatch (`Ecs.0023`); other services answer as the
 * gateway does for a project the caller may not use.
 */
function checkProject(
  route: Route,
  params: Record<string, string>,
  principal: Principal,
  projectId: string,
): void {
  const inPath = params.project;
  if (inPath === undefined) return;
  const mismatch =
    inPath !== projectId || (principal.projectId !== undefined && principal.projectId !== inPath);
  if (!mismatch) return;
  if (route.service === 'ecs')
    throw new HcsError(400, 'Ecs.0023', 'project_id in token mismatches with project_id in url.');
  throw Gateway.projectForbidden(inPath);
}

function errorAnswer(error: unknown, service: Service | undefined, requestId: string): RouteAnswer {
  if (!(error instanceof HcsError)) {
    const message = error instanceof Error ? error.message : String(error);
    return errorAnswer(
      new HcsError(500, 'APIGW.0601', `Internal server error: ${message}`, 'flat'),
      service,
      requestId,
    );
  }
  const style = error.style ?? (service ? STYLE[service] : 'flat');
  const body =
    style === 'nested'
      ? { error: { code: error.code, message: error.detail } }
      : style === 'keystone'
        ? { error: { code: error.httpStatus, message: error.detail, title: titleOf(error.httpStatus) } }
        : { error_code: error.code, error_msg: error.detail, request_id: requestId };
  return {
    status: error.httpStatus,
    body,
    ...(error.retryAfterSeconds === undefined
      ? {}
      : { headers: { 'Retry-After': String(error.retryAfterSeconds) } }),
  };
}

function titleOf(status: number): string {
  if (status === 401) return 'Unauthorized';
  if (status === 403) return 'Forbidden';
  if (status === 404) return 'Not Found';
  return 'Bad Request';
}

function send(res: ServerResponse, answer: RouteAnswer, requestId: string): void {
  if (res.destroyed || res.headersSent) return;
  const noBody = answer.status === 204;
  const text = noBody ? '' : JSON.stringify(answer.body ?? {});
  res.writeHead(answer.status ?? 200, {
    ...(noBody ? {} : { 'Content-Type': 'application/json;charset=UTF-8' }),
    'Content-Length': Buffer.byteLength(text),
    'X-Request-Id': requestId,
    ...answer.headers,
  });
  res.end(text);
}
