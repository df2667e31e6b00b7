import { Writable } from 'node:stream';
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
});
