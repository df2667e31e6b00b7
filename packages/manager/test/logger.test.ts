import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { rememberSecretValue } from '@immutable-infra/core';
import { describe, expect, it } from 'vitest';
import { createLogger, redactSecrets } from '../src/runtime/logger.js';

describe('the manager log', () => {
  it('redacts secret-looking values at any depth', () => {
    expect(
      redactSecrets({
        endpoint: 'https://dcs.example:7443',
        authUser: 'admin',
        authKey: 'hunter2',
        nested: { password: 'p', token: 't', items: [{ secretKey: 's', name: 'keep' }] },
      }),
    ).toEqual({
      endpoint: 'https://dcs.example:7443',
      authUser: 'admin',
      authKey: '[REDACTED]',
      nested: {
        password: '[REDACTED]',
        token: '[REDACTED]',
        items: [{ secretKey: '[REDACTED]', name: 'keep' }],
      },
    });
  });

  it('writes one JSON object per line without the secret', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(...String(chunk).trim().split('\n'));
        callback();
      },
    });
    const log = createLogger({ level: 'info', destination }).child({ provider: 'dcs' });
    log.info('connected', { authKey: 'hunter2', endpoint: 'https://dcs.example' });
    await new Promise((resolve) => setImmediate(resolve));
    const record = JSON.parse(lines[0] ?? '{}');
    expect(record).toMatchObject({ level: 'info', msg: 'connected', provider: 'dcs', authKey: '[REDACTED]' });
    expect(lines.join('\n')).not.toContain('hunter2');
  });

  it('masks remembered secret values, their SHA-256 and base64, in messages and any field', async () => {
    const key = 'Vx9-logger-s3cret';
    const sha = createHash('sha256').update(key).digest('hex');
    rememberSecretValue(key);
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(...String(chunk).trim().split('\n'));
        callback();
      },
    });
    const log = createLogger({ level: 'info', destination });
    log.warn(`login refused for key ${key}`, {
      detail: `sent X-Auth-Key ${sha}`,
      basic: Buffer.from(key).toString('base64'),
      nested: [{ url: `https://vrm/?k=${encodeURIComponent(key)}` }],
    });
    await new Promise((resolve) => setImmediate(resolve));
    const text = lines.join('\n');
    expect(text).toContain('login refused for key [REDACTED]');
    for (const form of [key, sha, Buffer.from(key).toString('base64')]) expect(text).not.toContain(form);
  });

  it('hides auth headers by name and leaves mask, task and disk alone', () => {
    expect(
      redactSecrets({
        'X-Auth-Key': 'abc',
        'x-auth-token': 'def',
        Authorization: 'Bearer x',
        mask: '255.255.255.0',
        task: 'urn:sites:1:tasks:17',
        disk: 'vol-1',
      }),
    ).toEqual({
      'X-Auth-Key': '[REDACTED]',
      'x-auth-token': '[REDACTED]',
      Authorization: '[REDACTED]',
      mask: '255.255.255.0',
      task: 'urn:sites:1:tasks:17',
      disk: 'vol-1',
    });
  });
});
