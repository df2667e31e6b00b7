import type { IncomingMessage } from 'node:http';
import { RouteTable, type RouteTableMatch } from '@immutable-infra/simulator-kit';
import type { Principal } from '../auth/identity.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** The cloud service a route belongs to; it decides the error body shape. */
export type Service = 'iam' | 'ecs' | 'evs' | 'vpc' | 'ims' | 'elb' | 'sim';

export interface RouteRequest {
  req: IncomingMessage;
  /** Values of the `:name` segments of the pattern. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The JSON body, `{}` when the body was empty. */
  body: unknown;
  /** The caller; undefined on public routes. */
  principal: Principal | undefined;
}

export interface RouteAnswer {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: HttpMethod;
  /** Path with `:name` placeholders; `:project` is checked against the caller's project. */
  pattern: string;
  service: Service;
  /** Name used by the `operationErrors` fault and in the README's table, e.g. `ecs.createServers`. */
  operation: string;
  /** Answered without credentials (token issue, the /_sim endpoints). */
  public?: boolean;
  handle(request: RouteRequest): RouteAnswer | Promise<RouteAnswer>;
}

export type RouteMatch = RouteTableMatch<Route>;

export class Router extends RouteTable<Route> {
  operations(): string[] {
    return this.all().map((route) => route.operation);
  }
}
