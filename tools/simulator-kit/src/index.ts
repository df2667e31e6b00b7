export {
  type ListeningSimulator,
  nonNegativeNumberArgument,
  portArgument,
  runCommandLine,
  serveUntilSignalled,
} from './command-line.js';
export { requestHeader } from './headers.js';
export { type HttpListenOptions, listenHttp, type RunningHttpServer } from './http-server.js';
export { type RoutePattern, RouteTable, type RouteTableMatch } from './route-table.js';
export { Scheduler } from './scheduler.js';
export { SeededRandom } from './seeded-random.js';
