import type { IncomingMessage } from 'node:http';
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
