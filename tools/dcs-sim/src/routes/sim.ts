import type { Route } from '../server/router.js';
import type { SimContext } from './context.js';

/** Simulator-only endpoints for tests: no token, no faults. */
export function simRoutes(ctx: SimContext): Route[] {
  return [
    { method: 'GET', pattern: '/_sim/state', public: true, handle: () => ({ body: ctx.state() }) },
    {
      method: 'POST',
      pattern: '/_sim/faults',
      public: true,
      handle: ({ body }) => ({ body: ctx.setFaults(body) }),
    },
  ];
}
