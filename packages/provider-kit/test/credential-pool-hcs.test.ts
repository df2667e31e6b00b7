import { isPlatformFailure, type PlatformFailure } from '@immutable-infra/core';
import { type HcsSimulator, startHcsSimulator } from '@immutable-infra/hcs-sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialPool, type ErrorAnswerReading, JsonTransport } from '../src/index.js';

/** An HCS IAM password credential (the token flow; the AK/SK flow has no login to hold back). */
interface IamCredential {
  endpoint: string;
  user: string;
  password: string;
  projectId: string;
}

interface IamSession {
  token: string;
}

/** IAM answers keystone's `{error:{code,message,title}}`; the gateway `{error_code,error_msg}`. */
function readHcsError({ body }: { body: unknown }): ErrorAnswerReading | undefined {
  const { error, error_code, error_msg } = (body ?? {}) as {
    error?: { code?: unknown; message?: unknown };
    error_code?: unknown;
    error_msg?: unknown;
  };
  if (error && typeof error.message === 'string') {
    const locked = error.message === 'The account is locked.';
    const refused = error.code === 401 && /password is wrong/.test(error.message);
    return { message: error.message, kind: locked ? 'AccountLocked' : refused ? 'LoginRefused' : undefined };
  }
  if (typeof error_code === 'string')
    return { platformCode: error_code, message: typeof error_msg === 'string' ? error_msg : undefined };
  return undefined;
}

async function failureOf(promise: Promise<unknown>): Promise<PlatformFailure> {
  try {
    await promise;
  } catch (error) {
    if (isPlatformFailure(error)) return error;
    throw error;
  }
  throw new Error('expected a PlatformFailure');
}

describe('CredentialPool against hcs-sim IAM tokens', () => {
  let sim: HcsSimulator;
  let transport: JsonTransport;
  let pool: CredentialPool<IamCredential, IamSession>;
  let now: number;

  beforeEach(async () => {
    sim = await startHcsSimulator({
      tls: true,
      faults: { lockAfterFailures: 3, lockWindowSeconds: 900, lockSeconds: 900 },
    });
    transport = new JsonTransport({
      endpoint: sim.url,
      caBundle: sim.caCertificate,
      readErrorAnswer: readHcsError,
    });
    now = Date.parse('2026-12-02T10:00:00Z');
    pool = new CredentialPool<IamCredential, IamSession>({
      accountOf: (c) => ({ endpoint: c.endpoint, user: c.user }),
      async login(c) {
        const answer = await transport.request({
          method: 'POST',
          path: '/v3/auth/tokens',
          body: {
            auth: {
              identity: { methods: ['password'], password: { user: { name: c.user, password: c.password } } },
              scope: { project: { id: c.projectId } },
            },
          },
        });
        return { token: answer.headers['x-subject-token'] ?? '' };
      },
      isSessionExpired: (error) => isPlatformFailure(error) && error.details.platformCode === 'APIGW.0307',
      loginBackoff: { maxRefusals: 2, windowMs: 900_000 },
      now: () => now,
    });
  });

  afterEach(async () => {
    await pool.close();
    await transport.close();
    await sim.close();
  });

  const credential = (password = 'Huawei@123'): IamCredential => ({
    endpoint: sim.url,
    user: 'cluster-api',
    password,
    projectId: sim.projectId,
  });
  const listSubnets = (c: IamCredential) =>
    pool.use(c, (session) =>
      transport.request<{ subnets: unknown[] }>({
        method: 'GET',
        path: `/v1/${sim.projectId}/subnets`,
        headers: { 'X-Auth-Token': session.token },
      }),
    );

  it('issues one token for many concurrent calls, and one more after the tokens expired', async () => {
    await Promise.all(Array.from({ length: 20 }, () => listSubnets(credential())));
    expect(sim.state().auth.tokensIssued).toBe(1);
    sim.setFaults({ expireTokens: true, lockAfterFailures: 3, lockWindowSeconds: 900, lockSeconds: 900 });
    await Promise.all(Array.from({ length: 5 }, () => listSubnets(credential())));
    expect(sim.state().auth.tokensIssued).toBe(2);
  });

  it("never lets wrong passwords trigger IAM's lockout; the right password then works", async () => {
    const attempts = Array.from({ length: 10 }, (_, i) => credential(`Wrong-${i}`)).flatMap((c) => [
      listSubnets(c),
      pool.verify(c),
    ]);
    const failures = await Promise.all(attempts.map(failureOf));
    expect(failures.every((f) => f.kind === 'LoginRefused')).toBe(true);
    expect(sim.state().auth.passwordFailures).toBeLessThanOrEqual(2);
    expect(sim.state().auth.accountLocks).toBe(0);
    now += 900_000;
    expect((await listSubnets(credential())).body.subnets).toHaveLength(2);
    expect(sim.state().auth.accountLocks).toBe(0);
  });

  it('holds every login back once IAM reports the account locked', async () => {
    // Someone else (another tool on the same account) got it locked.
    sim.setFaults({ lockAfterFailures: 1, lockWindowSeconds: 900, lockSeconds: 900 });
    await failureOf(listSubnets(credential('Typo')));
    const locked = await failureOf(listSubnets(credential('Other-Typo')));
    expect(locked.kind).toBe('AccountLocked');
    const before = sim.state().auth.passwordFailures;
    const held = await failureOf(listSubnets(credential()));
    expect(held).toMatchObject({ kind: 'AccountLocked', details: { retryAfter: new Date(now + 900_000) } });
    expect(sim.state().auth.passwordFailures).toBe(before);
  });
});
