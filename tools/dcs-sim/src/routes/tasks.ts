import { DcsError } from '../model/dcs-error.js';
import type { Route } from '../server/router.js';
import type { SimContext } from './context.js';

/** `GET <taskUri>`, the poll every asynchronous change is followed by. */
export function taskRoutes(ctx: SimContext): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/service/sites/:site/tasks/:task',
      handle: ({ params }) => {
        const task = params.task === undefined ? undefined : ctx.tasks.get(params.task);
        if (!task) throw DcsError.notFound(`task ${params.task}`);
        return { body: ctx.tasks.view(task) };
      },
    },
  ];
}
