import { describe, expect, it } from 'vitest';
import { parseHcsCredentials } from '../src/api/index.js';

const complete = {
  accessKey: 'AKEXAMPLE',
  secretKey: 'very-secret-value',
  projectID: '0123456789abcdef',
  region: 'cn-global-1',
  externalGlobalDomain: 'hcs.example.internal',
};

describe('parseHcsCredentials', () => {
  it('reads the documented keys and defaults the scheme to https', () => {
    const result = parseHcsCredentials(complete);
    expect(result).toEqual({
      ok: true,
      credentials: { ...complete, schema: 'https', allowPlainHTTP: false },
    });
    expect(parseHcsCredentials({ ...complete, schema: 'http', allowPlainHTTP: 'true' })).toMatchObject({
      credentials: { schema: 'http', allowPlainHTTP: true },
    });
    expect(parseHcsCredentials({ ...complete, schema: 'http' })).toEqual({
      ok: false,
      problems: [
        'schema uses plain http://, which sends the credential unencrypted: use https://, or set allowPlainHTTP: "true" in the Secret to accept that',
      ],
    });
  });

  it('names every missing or invalid key and never echoes a value', () => {
    const result = parseHcsCredentials({
      ...complete,
      secretKey: '',
      externalGlobalDomain: 'https://hcs.example',
      accessKey: undefined as never,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(
      expect.arrayContaining([
        'accessKey is missing',
        'secretKey is invalid',
        'externalGlobalDomain is invalid',
      ]),
    );
    expect(JSON.stringify(result)).not.toContain('very-secret-value');
    expect(parseHcsCredentials(undefined)).toMatchObject({ ok: false });
  });
});
