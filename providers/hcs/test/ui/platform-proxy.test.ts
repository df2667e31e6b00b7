import { createServer } from 'node:net';
import type { HcsSimulator } from '@immutable-infra/hcs-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_ADDRESS_VARIABLE, operations } from '../../src/ui/platform-proxy.js';
import { startSimulator, TEST_DOMAIN } from '../cloud/simulator.js';

// The platform proxy as Fleet Essentials runs it: the operations with a credential Secret's
// values, against hcs-sim's default inventory, every regional name sent to the simulator.

let sim: HcsSimulator;

beforeAll(async () => {
  process.env[GATEWAY_ADDRESS_VARIABLE] = '127.0.0.1';
  sim = await startSimulator();
});

afterAll(async () => {
  delete process.env[GATEWAY_ADDRESS_VARIABLE];
  await sim?.close();
});

/** The documented Secret's values for the simulator, over plain HTTP (consented). */
function secret(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    accessKey: sim.accessKey,
    secretKey: sim.secretKey,
    projectID: sim.projectId,
    region: sim.region,
    externalGlobalDomain: `${TEST_DOMAIN}:${new URL(sim.url).port}`,
    schema: 'http',
    allowPlainHTTP: 'true',
    ...overrides,
  };
}

function request(credential: Record<string, string>) {
  return { credential, params: {}, signal: new AbortController().signal };
}

/** Fails when anything in `value` (a result, a verdict, an error's words) carries one of the Secret's values. */
function expectNoSecretValue(value: unknown, credential: Record<string, string>): void {
  const text = JSON.stringify(value, Object.getOwnPropertyNames(value ?? {}));
  for (const [key, secretValue] of Object.entries(credential))
    if (secretValue.length >= 4 && secretValue !== 'true') expect(text, key).not.toContain(secretValue);
}

/** A loopback port nothing listens on: taken, then given back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('connection test', () => {
  it('signs in with the key and finds the project, without any value of the Secret', async () => {
    const credential = secret();
    const verdict = await operations.testConnection(request(credential));
    expect(verdict).toEqual({
      ok: true,
      message: 'the access key may use the project; 1 availability zone available',
    });
    expectNoSecretValue(verdict, credential);
  });

  it('a wrong secret key: HCS refuses the signature, said in words without the key', async () => {
    const credential = secret({ secretKey: 'Not-The-Secret-Key-4u' });
    const verdict = await operations.testConnection(request(credential));
    expect(verdict).toMatchObject({ ok: false, reason: 'LoginFailed', message: 'wrong user or key for HCS' });
    expectNoSecretValue(verdict, credential);
  });

  it('a project the key may not use is named as such', async () => {
    const credential = secret({ projectID: '0123456789abcdef0123456789abcdef' });
    const verdict = await operations.testConnection(request(credential));
    expect(verdict).toEqual({
      ok: false,
      reason: 'ProjectNotFound',
      message: 'the access key works, but may not use the project projectID names (it may use 1 project)',
    });
    expectNoSecretValue(verdict, credential);
  });

  it('a Secret missing keys is refused before any call, naming the keys', async () => {
    const verdict = await operations.testConnection(
      request({ accessKey: 'AK-only-here', schema: 'http', allowPlainHTTP: 'true' }),
    );
    expect(verdict.ok).toBe(false);
    expect(verdict.reason).toBe('InvalidCredential');
    for (const key of ['secretKey', 'projectID', 'region', 'externalGlobalDomain'])
      expect(verdict.message).toContain(key);
    expect(verdict.message).not.toContain('AK-only-here');
  });

  it('plain HTTP without consent is refused, naming allowPlainHTTP', async () => {
    const { allowPlainHTTP: _, ...credential } = secret();
    const verdict = await operations.testConnection(request(credential));
    expect(verdict).toMatchObject({ ok: false, reason: 'InvalidCredential' });
    expect(verdict.message).toContain('allowPlainHTTP');
  });

  it('nothing listening: unreachable', async () => {
    const credential = secret({ externalGlobalDomain: `${TEST_DOMAIN}:${await closedPort()}` });
    const verdict = await operations.testConnection(request(credential));
    expect(verdict).toMatchObject({ ok: false, reason: 'Unreachable' });
    expectNoSecretValue(verdict, credential);
  });
});

describe('what the forms list', () => {
  it('the machine catalog: zones, flavors, images, disk types and key pairs of the project', async () => {
    const credential = secret();
    const catalog = await operations.machineCatalog(request(credential));
    expect(catalog).toEqual({
      availabilityZones: ['az1'],
      flavors: [
        { name: 's6.2xlarge.2', vcpus: 8, ramMiB: 16_384 },
        { name: 's6.large.2', vcpus: 2, ramMiB: 4096 },
        { name: 's6.xlarge.2', vcpus: 4, ramMiB: 8192 },
      ],
      images: [
        { name: 'microos-k8s-1.33.4', minDiskGiB: 40 },
        { name: 'microos-k8s-1.34.1', minDiskGiB: 40 },
      ],
      volumeTypes: ['SAS', 'SSD'],
      keyPairs: ['cluster-key'],
    });
    expectNoSecretValue(catalog, credential);
  });

  it('the networks: each VPC with its subnets and security groups', async () => {
    const credential = secret();
    const vpcs = await operations.networks(request(credential));
    expect(vpcs).toEqual([
      {
        id: expect.any(String),
        name: 'cluster-vpc',
        cidr: expect.any(String),
        subnets: [
          expect.objectContaining({ name: 'control-plane', cidr: '192.168.10.0/24', vpc: 'cluster-vpc' }),
          expect.objectContaining({ name: 'workers', cidr: '192.168.20.0/24', vpc: 'cluster-vpc' }),
        ],
        securityGroups: [{ id: expect.any(String), name: 'cluster-sg' }],
      },
    ]);
    expectNoSecretValue(vpcs, credential);
  });

  it('a listing with a refused key fails with the reason the browser shows', async () => {
    const credential = secret({ secretKey: 'Not-The-Secret-Key-4u' });
    await expect(operations.networks(request(credential))).rejects.toMatchObject({
      reason: 'LoginFailed',
      message: 'wrong user or key for HCS',
    });
  });
});
