import { describe, expect, it } from 'vitest';
import { PASSWORD, rawRequest, sha256Hex, startSim, USER } from './support/dcs-http.js';

describe('HTTPS', () => {
  it('serves HTTPS with a certificate the exposed CA verifies', async () => {
    const sim = await startSim({ tls: true });
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.caCertificate).toContain('BEGIN CERTIFICATE');
    const login = {
      url: `${sim.url}/service/session`,
      method: 'POST',
      headers: { 'X-Auth-User': USER, 'X-Auth-Key': sha256Hex(PASSWORD), 'X-Auth-UserType': '2' },
    };
    const answer = await rawRequest({ ...login, ca: sim.caCertificate ?? '' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-auth-token')).toBeTruthy();
    // Without the CA the self-made certificate is not trusted.
    await expect(rawRequest(login)).rejects.toThrow(/certificate/i);
  });
});
