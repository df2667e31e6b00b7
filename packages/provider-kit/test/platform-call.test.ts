import { PlatformFailure, type PlatformOperationRequest } from '@immutable-infra/core';
import { describe, expect, it } from 'vitest';
import {
  classifyPlatformCallFailure,
  connectionVerdict,
  PlatformOperationError,
  platformCaller,
  unusableCredential,
} from '../src/index.js';
import { ThumbprintMismatch } from '../src/transport/certificate-pinning.js';

const credential = { server: 'vc.example.test', password: 'hunter2-secret' };

function request(signal = new AbortController().signal): PlatformOperationRequest {
  return { credential, params: {}, signal } as unknown as PlatformOperationRequest;
}

const classify = (error: unknown) =>
  classifyPlatformCallFailure(error, { platform: 'Example', secrets: Object.values(credential) });

describe('a platform call through the proxy', () => {
  it('names every problem of an unusable credential Secret', () => {
    const error = unusableCredential(['server is missing', 'password is missing']);
    expect(error).toMatchObject({
      reason: 'InvalidCredential',
      message: 'the credential Secret is not usable: server is missing; password is missing',
    });
  });

  it("reads a failure kind as the browser's reason, a timeout as Unreachable and the rest as PlatformError", () => {
    const reasons = (
      [
        'Unreachable',
        'Timeout',
        'TLSFailure',
        'LoginRefused',
        'AccountLocked',
        'NotFound',
        'Conflict',
        'QuotaExceeded',
      ] as const
    ).map((kind) => classify(new PlatformFailure(kind, `GET /x: ${kind}`)).reason);
    expect(reasons).toEqual([
      'Unreachable',
      'Unreachable',
      'TLSFailure',
      'LoginFailed',
      'AccountLocked',
      'NotFound',
      'PlatformError',
      'PlatformError',
    ]);
    expect(classify(new Error('boom')).reason).toBe('PlatformError');
  });

  it('masks every credential value and names a presented thumbprint', () => {
    const masked = classify(
      new PlatformFailure('PlatformError', 'login to vc.example.test with hunter2-secret'),
    );
    expect(masked.message).not.toContain('hunter2-secret');
    expect(masked.message).not.toContain('vc.example.test');
    const wrapped = new Error('handshake', { cause: new ThumbprintMismatch('AA:BB', 'CC:DD') });
    expect(classify(wrapped)).toMatchObject({
      reason: 'ThumbprintMismatch',
      message: expect.stringContaining('thumbprint AA:BB'),
    });
  });

  it('closes what it opened, passes classified errors on and classifies the rest', async () => {
    const closed: string[] = [];
    const call = platformCaller({
      connect: () => ({ id: 'c1' }),
      classify: (error, _request, connection) =>
        new PlatformOperationError('Classified', `${connection?.id}: ${(error as Error).message}`),
      close: async ({ id }) => {
        closed.push(id);
      },
    });
    await expect(call(request(), async ({ id }) => id)).resolves.toBe('c1');
    await expect(
      call(request(), async () => {
        throw new Error('refused');
      }),
    ).rejects.toMatchObject({ reason: 'Classified', message: 'c1: refused' });
    const own = new PlatformOperationError('ProjectNotFound', 'no such project');
    await expect(
      call(request(), async () => {
        throw own;
      }),
    ).rejects.toBe(own);
    expect(closed).toEqual(['c1', 'c1', 'c1']);
  });

  it("throws a cancelled request's error as it is", async () => {
    const controller = new AbortController();
    controller.abort();
    const call = platformCaller({
      connect: () => ({}),
      classify: () => new PlatformOperationError('X', 'x'),
    });
    const aborted = new Error('aborted');
    await expect(
      call(request(controller.signal), async () => {
        throw aborted;
      }),
    ).rejects.toBe(aborted);
  });

  it('turns a classified failure into a negative verdict, renaming its reason where asked', async () => {
    await expect(connectionVerdict(async () => ({ ok: true, message: 'logged in' }))).resolves.toEqual({
      ok: true,
      message: 'logged in',
    });
    const notFound = async () => {
      throw new PlatformOperationError('NotFound', 'no site s1');
    };
    await expect(
      connectionVerdict(notFound, (r) => (r === 'NotFound' ? 'SiteNotFound' : r)),
    ).resolves.toEqual({
      ok: false,
      reason: 'SiteNotFound',
      message: 'no site s1',
    });
    await expect(
      connectionVerdict(async () => {
        throw new TypeError('bug');
      }),
    ).rejects.toThrow('bug');
  });
});
