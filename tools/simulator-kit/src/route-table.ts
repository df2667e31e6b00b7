/** What the table needs of a simulator's route: a method and a path with `:name` placeholders. */
export interface RoutePattern {
  method: string;
  /** e.g. `/service/sites/:site/vms/:vm`; a placeholder matches one segment, URL-decoded. */
  pattern: string;
}

export type RouteTableMatch<R> =
  | { kind: 'found'; route: R; params: Record<string, string> }
  /** The path is served, but not with this method (an API answers 405, not 404). */
  | { kind: 'wrong-method' }
  | { kind: 'none' };

/** Matches a method and path against a simulator's routes, segment by segment, in table order. */
export class RouteTable<R extends RoutePattern> {
  private readonly routes: { route: R; segments: string[] }[];

  constructor(routes: readonly R[]) {
    this.routes = routes.map((route) => ({ route, segments: route.pattern.split('/').filter(Boolean) }));
  }

  /** Every route, in table order. */
  all(): R[] {
    return this.routes.map(({ route }) => route);
  }

  match(method: string, path: string): RouteTableMatch<R> {
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
