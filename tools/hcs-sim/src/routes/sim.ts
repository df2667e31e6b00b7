import type { Route } from '../server/router.js';
import type { SimContext } from './context.js';

/** Simulator-only endpoints for tests: no credentials, no faults. */
export function simRoutes(ctx: SimContext): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/_sim/state',
      service: 'sim',
      operation: 'sim.state',
      public: true,
      handle: () => ({ body: ctx.state() }),
    },
    {
      method: 'POST',
      pattern: '/_sim/faults',
      service: 'sim',
      operation: 'sim.faults',
      public: true,
      handle: ({ body }) => ({ body: ctx.setFaults(body) }),
    },
    {
      method: 'POST',
      pattern: '/_sim/quotas',
      service: 'sim',
      operation: 'sim.quotas',
      public: true,
      handle: ({ body }) => ({ body: ctx.setQuotas(body) }),
    },
  ];
}
