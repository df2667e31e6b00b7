import { describe, expect, it } from 'vitest';
import { AccountSessions, accountTransportLimits, credentialFingerprint } from '../src/index.js';

interface Credential {
  user: string;
  key: string;
}

function handles(closeReplacedAfterMs?: number) {
  const opened: { credential: Credential; closed: boolean; close(): Promise<void> }[] = [];
  const sessions = new AccountSessions({
    idOf: (credential: Credential) => credential.user,
    fingerprintOf: (credential) => credentialFingerprint([credential.key]),
    open: (credential) => {
      const handle = {
        credential,
        closed: false,
        async close() {
          handle.closed = true;
        },
      };
      opened.push(handle);
      return handle;
    },
    closeReplacedAfterMs,
  });
  return { sessions, opened };
}

describe('AccountSessions', () => {
  it('keeps one handle per account while its content is the same, and a new one once it changes', () => {
    const { sessions, opened } = handles();
    const first = sessions.session({ user: 'a', key: 'k1' });
    expect(sessions.session({ user: 'a', key: 'k1' })).toBe(first);
    sessions.session({ user: 'b', key: 'k1' });
    expect(sessions.size).toBe(2);
    const rotated = sessions.session({ user: 'a', key: 'k2' });
    expect(rotated).not.toBe(first);
    expect(rotated.credential.key).toBe('k2');
    expect(sessions.size).toBe(2);
    expect(opened).toHaveLength(3);
  });

  it('hands every handle, replaced ones too, to the drain and is empty afterwards', () => {
    const { sessions, opened } = handles();
    sessions.session({ user: 'a', key: 'k1' });
    sessions.session({ user: 'a', key: 'k2' });
    const drained = sessions.drain();
    expect(new Set(drained)).toEqual(new Set(opened));
    expect(sessions.size).toBe(0);
    expect(sessions.drain()).toEqual([]);
  });

  it('leaves a replaced handle to its timer when a delay is set, not to the drain', () => {
    const { sessions, opened } = handles(60_000);
    sessions.session({ user: 'a', key: 'k1' });
    const current = sessions.session({ user: 'a', key: 'k2' });
    expect(sessions.drain()).toEqual([current]);
    expect(opened[0]?.closed).toBe(false);
  });
});

describe('credentialFingerprint and accountTransportLimits', () => {
  it('tells contents apart without holding the key', () => {
    const one = credentialFingerprint(['secret', 'interconnect']);
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    expect(one).not.toContain('secret');
    expect(credentialFingerprint(['secret', 'interconnect'])).toBe(one);
    expect(credentialFingerprint(['secret', 'domain'])).not.toBe(one);
  });

  it("takes the account's limits over the defaults, field by field", () => {
    expect(accountTransportLimits({ burst: 5 }, { qps: 20, burst: 40 })).toEqual({
      qps: 20,
      burst: 5,
      maxConcurrentRequests: undefined,
    });
    expect(accountTransportLimits({ requestsPerSecond: 2, maxConcurrentRequests: 3 }, { qps: 20 })).toEqual({
      qps: 2,
      burst: undefined,
      maxConcurrentRequests: 3,
    });
  });
});
