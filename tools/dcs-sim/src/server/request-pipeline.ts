import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RateLimiter, Scheduler, SeededRandom } from '@immutable-infra/simulator-kit';
import { requestHeader as header } from '@immutable-infra/simulator-kit';
import { DcsError, ErrorCode } from '../model/dcs-error.js';
import type { ResolvedFaults } from '../model/faults.js';
import { readJsonBody } from './request-body.js';
import type { RouteAnswer, Router } from './router.js';
import type { SessionStore } from './session.js';

export interface PipelineDependencies {
  router: Router;
  sessions: SessionStore;
  siteId: string;
  faults(): ResolvedFaults;
  random: SeededRandom;
  scheduler: Scheduler;
  rateLimiter: RateLimiter;
}

const MUTATING = new Set(['POST', 'PUT', 'DELETE']);

/**
 * The order every request goes through: faults (latency, then a dropped or failed call), route
 * lookup, site and token checks, the JSON body, the handler. `/_sim/*` skips the faults so tests
 * can always inspect and repair the simulator.
 */
export function createRequestListener(deps: PipelineDependencies) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(deps, req, res).then(
      (answer) => {
        if (answer) send(res, answer);
      },
      (error: unknown) => send(res, errorAnswer(error)),
    );
  };
}

/** The answer, or undefined when the request is deliberately left hanging. */
async function handle(
  deps: PipelineDependencies,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<RouteAnswer | undefined> {
  const url = new URL(req.url ?? '/', 'http://dcs-sim');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const isSim = path.startsWith('/_sim/');
  const isLogin = path === '/service/session' && method === 'POST';

  if (!isSim) {
    const faults = deps.faults();
    if (faults.latencyMs > 0) await deps.scheduler.delay(faults.latencyMs);
    if (deps.random.chance(faults.timeoutRate)) return undefined;
    if (!isLogin && deps.random.chance(faults.throttleRate)) throw DcsError.throttled(1);
    if (!isLogin && deps.random.chance(faults.errorRate))
      throw new DcsError(503, ErrorCode.serviceUnavailable, 'the system is busy, try again later');
  }

  const match = deps.router.match(method, path);
  if (match.kind === 'none') throw new DcsError(404, ErrorCode.notFound, `no API at ${method} ${path}`);
  if (match.kind === 'wrong-method')
    throw new DcsError(405, ErrorCode.notFound, `${method} is not allowed on ${path}`);

  const { route, params } = match;
  if (params.site !== undefined && params.site !== deps.siteId)
    throw DcsError.notFound(`site ${params.site}`);
  const session = route.public ? undefined : deps.sessions.authenticate(header(req, 'x-auth-token'));
  const { rateLimit, lostReplyRate } = deps.faults();
  if (session && rateLimit) {
    const waitSeconds = deps.rateLimiter.take(session.userName, rateLimit);
    if (waitSeconds > 0) throw DcsError.throttled(waitSeconds);
  }
  const body = route.streamsBody ? undefined : await readJsonBody(req);
  if (res.destroyed) return undefined;
  const answer = await route.handle({ req, params, query: url.searchParams, body, session });
  if (!isSim && !isLogin && MUTATING.has(method) && deps.random.chance(lostReplyRate)) {
    // The platform has acted; the client only sees its connection drop before any reply byte.
    res.destroy();
    return undefined;
  }
  return answer;
}

function errorAnswer(error: unknown): RouteAnswer {
  if (error instanceof DcsError)
    return {
      status: error.httpStatus,
      body: { errorCode: error.errorCode, errorDes: error.errorDes },
      ...(error.retryAfterSeconds === undefined
        ? {}
        : { headers: { 'Retry-After': String(error.retryAfterSeconds) } }),
    };
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { errorCode: ErrorCode.internal, errorDes: `internal error: ${message}` } };
}

function send(res: ServerResponse, answer: RouteAnswer): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(answer.body ?? {});
  res.writeHead(answer.status ?? 200, {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    ...answer.headers,
  });
  res.end(text);
}
