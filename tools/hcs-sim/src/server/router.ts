import type { IncomingMessage } from 'node:http';
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

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'wrong-method' }
  | { kind: 'none' };

/** Matches a method and path against the route table, segment by segment. */
export class Router {
  private readonly routes: { route: Route; segments: string[] }[];

  constructor(routes: Route[]) {
    this.routes = routes.map((route) => ({ route, segments: route.pattern.split('/').filter(Boolean) }));
  }

  match(method: string, path: string): RouteMatch {
    const parts = path.split('/').filter(Boolean);
    let pathKnown = false;
    for (const { route, segments } of this.routes) {
      const params = matchSegments(segments, parts);
      if (!params) continue;
      if (route.method === method) return { kind: 'found', route, params };
      pathKnown = true;
    }
    return pathKnown ? { kind: 'wrong-method' } : { kind: 'none' };
  }

  operations(): string[] {
    return this.routes.map(({ route }) => route.operation);
  }
}

function matchSegments(segments: string[], parts: string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of segments.entries()) {
    const part = parts[i] ?? '';
    if (segment.startsWith(':')) {
      try {
        params[segment.slice(1)] = decodeURIComponent(part);
      } catch {
        return undefined;
      }
    } else if (segment !== part) {
      return undefined;
    }
  }
  return params;
}
