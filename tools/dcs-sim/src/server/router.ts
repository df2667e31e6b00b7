import type { IncomingMessage } from 'node:http';
import { RouteTable, type RouteTableMatch } from '@immutable-infra/simulator-kit';
import type { Session } from './session.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteRequest {
  req: IncomingMessage;
  /** Values of the `:name` segments of the pattern. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The JSON body, `{}` when the body was empty; undefined for a route that streams its body. */
  body: unknown;
  /** The caller's session; undefined on public routes. */
  session: Session | undefined;
}

export interface RouteAnswer {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: HttpMethod;
  /** Path with `:name` placeholders, e.g. `/service/sites/:site/vms/:vm`. */
  pattern: string;
  /** Answered without a token (login, versions, the /_sim endpoints). */
  public?: boolean;
  /** The handler reads the request body itself (raw ISO bytes). */
  streamsBody?: boolean;
  handle(request: RouteRequest): RouteAnswer | Promise<RouteAnswer>;
}

export type RouteMatch = RouteTableMatch<Route>;

export class Router extends RouteTable<Route> {}
