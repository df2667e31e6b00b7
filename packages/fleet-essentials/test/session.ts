import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';

/** What a signed-in request carries: the session cookie and the CSRF token the session answered with. */
// A type, not an interface, so it passes as request headers (which want an index signature).
export type SessionHeaders = {
  cookie: string;
  'x-csrf-token': string;
};

/** Signs in with a user's own bearer token, as the sign-in page does. */
export async function signIn(app: FastifyInstance, token: string): Promise<SessionHeaders> {
  const response = await app.inject({ method: 'POST', url: '/api/session', payload: { token } });
  expect(response.statusCode, response.body).toBe(200);
  const cookie = String(response.headers['set-cookie']).split(';')[0] as string;
  return { cookie, 'x-csrf-token': response.json().csrfToken as string };
}
