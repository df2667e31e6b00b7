import { createHash } from 'node:crypto';
import { isPlatformFailure } from '@immutable-infra/core';
import type { DcsSimulator } from '@immutable-infra/dcs-sim';
import {
  type CredentialPool,
  type CredentialPoolOptions,
  type ErrorAnswer,
  type ErrorAnswerReading,
  JsonTransport,
} from '../src/index.js';

/** The simulator's default user (tools/dcs-sim defaultInventory). */
export const DCS_USER = 'cluster-api';
export const DCS_PASSWORD = 'Huawei@123';

/** What a DCS credential Secret holds, as the provider will hand it to the kit. */
export interface DcsTestCredential {
  endpoint: string;
  user: string;
  key: string;
  caBundle?: string | undefined;
}

export interface DcsTestSession {
  token: string;
}

/** DCS's error body `{errorCode, errorDes}`, read the way the DCS provider classifies it. */
export function readDcsError({ body }: ErrorAnswer): ErrorAnswerReading | undefined {
  const { errorCode, errorDes } = (body ?? {}) as { errorCode?: unknown; errorDes?: unknown };
  if (errorCode === undefined) return undefined;
  const code = String(errorCode);
  const kind = code === '10000003' ? 'LoginRefused' : code === '10100116' ? 'AccountLocked' : undefined;
  return { platformCode: code, message: typeof errorDes === 'string' ? errorDes : undefined, kind };
}

export const isDcsSessionExpired = (error: unknown) =>
  isPlatformFailure(error) && error.details.platformCode === '10000002';

/** One transport per endpoint (the rate limit is the VRM's), sessions per account from the pool. */
export function dcsTransport(sim: DcsSimulator): JsonTransport {
  return new JsonTransport({
    endpoint: sim.url,
    caBundle: sim.caCertificate,
    defaultHeaders: { Accept: 'application/json;version=8.0;charset=UTF-8' },
    readErrorAnswer: readDcsError,
    linkPathPrefixes: ['/service/sites/'],
  });
}

export function dcsPoolOptions(
  transport: JsonTransport,
  overrides: Partial<CredentialPoolOptions<DcsTestCredential, DcsTestSession>> = {},
): CredentialPoolOptions<DcsTestCredential, DcsTestSession> {
  return {
    accountOf: (credential) => ({ endpoint: credential.endpoint, user: credential.user }),
    async login(credential) {
      const keyHash = createHash('sha256').update(credential.key).digest('hex');
      const response = await transport.request({
        method: 'POST',
        path: '/service/session',
        headers: {
          'X-Auth-User': credential.user,
          'X-Auth-Key': keyHash,
          'X-Auth-UserType': '2',
          'X-Auth-AuthType': '0',
        },
      });
      const token = response.headers['x-auth-token'];
      if (!token) throw new Error('the login answer has no X-Auth-Token header');
      return { token };
    },
    async logout(session) {
      await transport.request({
        method: 'DELETE',
        path: '/service/session',
        headers: { 'X-Auth-Token': session.token },
      });
    },
    isSessionExpired: isDcsSessionExpired,
    ...overrides,
  };
}

export function dcsCredential(sim: DcsSimulator, key = DCS_PASSWORD): DcsTestCredential {
  return { endpoint: sim.url, user: DCS_USER, key, caBundle: sim.caCertificate };
}

/** A call every reconcile makes: list the sites with the account's session. */
export function listSites(
  transport: JsonTransport,
  pool: CredentialPool<DcsTestCredential, DcsTestSession>,
  credential: DcsTestCredential,
) {
  return pool.use(credential, (session) =>
    transport.request<{ sites: unknown[] }>({
      method: 'GET',
      path: '/service/sites',
      headers: { 'X-Auth-Token': session.token },
    }),
  );
}
