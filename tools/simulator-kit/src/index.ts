export {
  type ListeningSimulator,
  nonNegativeNumberArgument,
  portArgument,
  runCommandLine,
  serveUntilSignalled,
} from './command-line.js';
export { CreationLag } from './creation-lag.js';
export { requestHeader } from './headers.js';
export { type HttpListenOptions, listenHttp, type RunningHttpServer } from './http-server.js';
export { type RateLimit, RateLimiter } from './rate-limiter.js';
export { type RoutePattern, RouteTable, type RouteTableMatch } from './route-table.js';
export { Scheduler } from './scheduler.js';
export { SeededRandom } from './seeded-random.js';
