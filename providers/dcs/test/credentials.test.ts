import { describe, expect, it } from 'vitest';
import { parseCredentials } from '../src/api/index.js';

describe('parseCredentials', () => {
  it('accepts the documented keys, with userType in any case', () => {
    const result = parseCredentials({
      authUser: 'cluster-api',
      authKey: 'secret-value',
      endpoint: 'https://192.0.2.10:7443',
      site: 'EC1C108C',
      userType: 'Interconnect',
    });
    expect(result).toEqual({
      ok: true,
      credentials: {
        authUser: 'cluster-api',
        authKey: 'secret-value',
        endpoint: 'https://192.0.2.10:7443',
        site: 'EC1C108C',
        userType: 'interconnect',
        allowPlainHTTP: false,
      },
    });
  });

  it('names every missing or invalid key and never echoes a value', () => {
    const result = parseCredentials({ authKey: 'hunter2-secret', endpoint: 'not a url', userType: '2' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(['authUser is missing', 'endpoint is invalid', 'userType is invalid']);
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });
});
