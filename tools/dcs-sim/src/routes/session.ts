import { requestHeader as header } from '@immutable-infra/simulator-kit';
import type { Route } from '../server/router.js';
import { SESSION_VALIDITY_SECONDS } from '../server/session.js';
import type { SimContext } from './context.js';

/** Login, logout and version discovery. */
export function sessionRoutes(ctx: SimContext): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/service/session',
      public: true,
      handle: ({ req }) => {
        const session = ctx.sessions.login({
          user: header(req, 'X-Auth-User'),
          key: header(req, 'X-Auth-Key'),
          userType: header(req, 'X-Auth-UserType'),
          // The real header name is misspelt this way; see notes/wire-api.md §1.
          plainKey: header(req, 'X-ENCRIPT-ALGORITHM') === '1',
        });
        return {
          headers: { 'X-Auth-Token': session.token },
          body: { validity: SESSION_VALIDITY_SECONDS, userName: session.userName, userId: session.userId },
        };
      },
    },
    {
      method: 'DELETE',
      pattern: '/service/session',
      handle: ({ session }) => {
        if (session) ctx.sessions.logout(session.token);
        return { body: {} };
      },
    },
    {
      method: 'GET',
      pattern: '/service/versions',
      public: true,
      handle: () => ({ body: { versions: [{ version: '8.0' }] } }),
    },
  ];
}
