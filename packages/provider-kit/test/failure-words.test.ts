import { PlatformFailure, type Step, stepPlan } from '@immutable-infra/core';
import { describe, expect, it } from 'vitest';
import {
  describeFailure,
  describeFailureWithAdvice,
  failureKind,
  JsonTransport,
  reportingFailures,
  tolerating,
} from '../src/index.js';
import { json, startHttpsServer } from './https-server.js';

const answered = new PlatformFailure(
  'QuotaExceeded',
  'POST /v1/{project_id}/cloudservers: HTTP 403 Ecs.0001: instances: 5 of 5 used',
  { httpStatus: 403, platformCode: 'Ecs.0001', operation: 'POST /v1/{project_id}/cloudservers' },
);

describe('platform failures in words', () => {
  it('words an answer as the platform answering the operation, with its code and words', () => {
    expect(describeFailure(answered, 'HCS')).toBe(
      'HCS POST /v1/{project_id}/cloudservers answered 403 Ecs.0001: instances: 5 of 5 used',
    );
    const bare = new PlatformFailure('NotFound', 'GET /vms/1: HTTP 404', {
      httpStatus: 404,
      operation: 'GET /vms/1',
    });
    expect(describeFailure(bare, 'DCS')).toBe('DCS GET /vms/1 answered 404');
  });

  it('keeps the message of a failure without an answer, and of any other error', () => {
    const timeout = new PlatformFailure('Timeout', 'GET /vpcs: https://vpc.example did not answer in time', {
      operation: 'GET /vpcs',
    });
    expect(describeFailure(timeout, 'HCS')).toBe('GET /vpcs: https://vpc.example did not answer in time');
    expect(describeFailure(new Error('kube said no'), 'HCS')).toBe('kube said no');
    expect(describeFailure('plain', 'HCS')).toBe('plain');
  });

  it('tells the kind of a failure, and nothing for other errors', () => {
    expect(failureKind(answered)).toBe('QuotaExceeded');
    expect(failureKind(new Error('QuotaExceeded'))).toBeUndefined();
  });

  it('tolerates only the named kinds', async () => {
    const gone = new PlatformFailure('NotFound', 'DELETE /pools/1: HTTP 404', { httpStatus: 404 });
    expect(await tolerating(Promise.reject(gone), 'NotFound')).toBeUndefined();
    expect(await tolerating(Promise.resolve(7), 'NotFound')).toBe(7);
    await expect(tolerating(Promise.reject(answered), 'NotFound', 'Conflict')).rejects.toBe(answered);
    await expect(tolerating(Promise.reject(new Error('NotFound')), 'NotFound')).rejects.toThrow('NotFound');
  });
});

describe('reportingFailures', () => {
  interface Run {
    seen: string[];
    skip: boolean;
  }
  const steps: Step<Run>[] = [
    { name: 'Skipped', when: (run) => !run.skip, run: async () => ({ type: 'done' }) },
    {
      name: 'Quota',
      run: async () => {
        throw answered;
      },
    },
  ];

  it('reports what a step throws with the step, throws it on, and keeps names and when', async () => {
    const run: Run = { seen: [], skip: true };
    const wrapped = reportingFailures(steps, (r, error, step) =>
      r.seen.push(`${step}: ${failureKind(error)}`),
    );
    expect(wrapped.map((s) => s.name)).toEqual(['Skipped', 'Quota']);
    expect(wrapped[0]?.when?.(run)).toBe(false);
    const plan = stepPlan(run, wrapped);
    expect(await plan.steps[0]?.run()).toEqual({ type: 'done' });
    await expect(plan.steps[1]?.run()).rejects.toBe(answered);
    expect(run.seen).toEqual(['Quota: QuotaExceeded']);
  });
});

describe('describeFailureWithAdvice', () => {
  const words = (error: unknown, secrets?: string[]) =>
    describeFailureWithAdvice(error, { platform: 'ACME', secrets });

  it('words an error answer read through the transport as describeFailure does', async () => {
    const platform = await startHttpsServer((_req, res) =>
      json(res, 500, { code: 'E42', text: 'the datastore is full' }),
    );
    const transport = new JsonTransport({
      endpoint: platform.url,
      caBundle: platform.caBundle,
      maxAttempts: 1,
      readErrorAnswer: ({ body }) => {
        const { code, text } = body as { code: string; text: string };
        return { platformCode: code, message: text };
      },
    });
    try {
      const failure = await transport.request({ method: 'GET', path: '/volumes' }).catch((e: unknown) => e);
      expect(words(failure)).toBe('ACME GET /volumes answered 500 E42: the datastore is full');
    } finally {
      await transport.close();
      await platform.close();
    }
  });

  it('says what an operator should do about transport and login failures', () => {
    const tls = new PlatformFailure(
      'TLSFailure',
      'GET /: the TLS handshake with https://p:443 failed (CERT)',
    );
    expect(words(tls)).toMatch(/^TLS verification failed \(GET \/: the TLS handshake with https:\/\/p:443/);
    expect(words(tls)).toContain('CA certificate');
    const unreachable = new PlatformFailure('Unreachable', 'GET /: https://p:443 could not be reached');
    expect(words(unreachable)).toBe('ACME unreachable: GET /: https://p:443 could not be reached');
    expect(words(new PlatformFailure('LoginRefused', 'POST /session: HTTP 401', { httpStatus: 401 }))).toBe(
      'wrong user or key for ACME',
    );
    const held = new PlatformFailure('AccountLocked', 'login not tried until ...', {
      retryAfter: new Date('2030-01-01T00:00:00Z'),
    });
    expect(words(held)).toBe(
      'ACME account locked after failed logins; wait for it to unlock; no new login until 2030-01-01T00:00:00.000Z so the account is not locked',
    );
  });

  it('keeps the message of a failure that was no answer, and of any other error, with secrets masked', () => {
    expect(words(new PlatformFailure('NotFound', 'ACME port group "pg-1" not found'))).toBe(
      'ACME port group "pg-1" not found',
    );
    const leaked = words(new Error('login with hunter2 failed'), ['hunter2']);
    expect(leaked).not.toContain('hunter2');
    expect(leaked).toContain('login with');
  });
});
