/**
 * Every value format the public HCS documentation shows (credential Secret,
 * machine configuration pool, machine template, HCSCluster), applied to our
 * schemas and to the CRDs generated from them on a real API server; plus
 * malformed values that must be refused naming the field. The values are
 * ours, shaped as the pages show them.
 */
import { infrastructureSpecVerdicts } from '@immutable-infra/testkit/vitest';
import { describe, expect, it } from 'vitest';
import {
  HCSClusterSpec,
  HCSMachineConfigPoolSpec,
  HCSMachineSpec,
  parseHcsCredentials,
} from '../src/api/index.js';

/** Where a value format is shown. */
const PAGE = {
  infrastructure: 'infrastructure/huawei-cloud-stack',
  createCluster: 'create-cluster/huawei-cloud-stack',
  manageNodes: 'manage-nodes/huawei-cloud-stack',
  fqdn: 'how-to/migrate-hcs-node-fqdn-hostname',
} as const;

interface Documented {
  field: string;
  value: unknown;
  page: string;
}

const secret = {
  accessKey: 'AKEXAMPLE',
  secretKey: 'not-a-real-key',
  projectID: '0123456789abcdef',
  region: 'cn-global-1',
  externalGlobalDomain: 'hcs.example.internal',
};

const documentedCredentialValues: Documented[] = [
  { field: 'region', value: 'cn-global-1', page: PAGE.createCluster },
  { field: 'externalGlobalDomain', value: 'hcs.example.com', page: PAGE.infrastructure },
  { field: 'externalGlobalDomain', value: 'hcs.example.com:443', page: PAGE.infrastructure },
  { field: 'schema', value: undefined, page: PAGE.infrastructure },
  { field: 'schema', value: 'https', page: PAGE.infrastructure },
  { field: 'schema', value: 'http', page: PAGE.infrastructure },
  { field: 'schema', value: 'HTTPS', page: PAGE.infrastructure },
  // "If omitted, the provider uses https": an empty value is read as omitted.
  { field: 'schema', value: '', page: PAGE.infrastructure },
];

const poolEntry = { hostname: 'master-1', networks: [{ subnetName: 'subnet-a', ipAddress: '192.168.1.11' }] };

const documentedHostnames: Documented[] = [
  { field: 'hostname', value: 'master-1', page: PAGE.createCluster },
  { field: 'hostname', value: 'worker-1', page: PAGE.manageNodes },
  { field: 'hostname', value: 'master-1.example.org', page: PAGE.fqdn },
  { field: 'hostname', value: `${'a'.repeat(63)}.example.org`, page: PAGE.createCluster },
];

const badHostnames: Documented[] = [
  { field: 'hostname', value: 'Master-1', page: 'uppercase' },
  { field: 'hostname', value: 'master_1', page: 'underscore' },
  { field: 'hostname', value: 'master-1.', page: 'ends with a dot' },
  { field: 'hostname', value: 'master..1', page: 'empty label' },
  { field: 'hostname', value: 'master-.example.org', page: 'label ends with a hyphen' },
  { field: 'hostname', value: 'master.-1', page: 'label starts with a hyphen' },
  { field: 'hostname', value: `${'a'.repeat(64)}.example.org`, page: 'label longer than 63' },
  { field: 'hostname', value: `${'a'.repeat(63)}.`.repeat(4).slice(0, 254), page: 'longer than 253' },
];

const persistentDisk = {
  slot: 0,
  size: 100,
  type: 'SSD',
  mountPath: '/var/cpaas',
  format: 'xfs',
  mountOptions: ['defaults', 'noatime'],
};

const machineSpec = {
  imageName: 'microos-4.2.1-new',
  flavorName: 'c3.xlarge.2',
  availabilityZone: 'az1',
  rootVolume: { type: 'SSD', size: 100 },
  configPoolRef: { name: 'demo' },
  dataVolumes: [
    { size: 10, type: 'SSD', mountPath: '/var/lib/etcd', format: 'xfs' },
    { size: 100, type: 'SATA', mountPath: '/var/lib/kubelet', format: 'ext4' },
  ],
};

const clusterSpec = (vipDomainName?: string) => ({
  controlPlaneLoadBalancer: {
    vipAddress: '192.168.1.100',
    vipSubnetName: 'subnet-a',
    ...(vipDomainName === undefined ? {} : { vipDomainName }),
    elbVirsubnetL4Ips: [{ subnetName: 'subnet-a', ips: ['192.168.1.101', '192.168.1.102'] }],
    elbVirsubnetL7Ips: [{ subnetName: 'subnet-a', ips: ['192.168.1.103', '192.168.1.104'] }],
  },
  networkType: 'kube-ovn',
  network: {
    vpc: { name: 'vpc-a' },
    subnets: [
      { name: 'subnet-a' },
      // The full subnet object the documentation asks for when a subnet joins a Ready cluster.
      {
        name: 'subnet-b',
        id: '6f3c2a10-5d4e-4b6a-9c1f-0e2d3b4a5c6d',
        neutronSubnetId: '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
        cidr: '192.168.2.0/24',
        gatewayIp: '192.168.2.1',
        primaryDNS: '100.125.1.250',
        secondaryDNS: '100.125.21.250',
      },
    ],
    securityGroup: { name: 'sg-a' },
  },
  identityRef: { name: 'hcs-credential' },
});

const documentedVipDomainNames: Documented[] = [
  { field: 'vipDomainName', value: undefined, page: PAGE.createCluster },
  { field: 'vipDomainName', value: 'demo-api.example.internal', page: PAGE.createCluster },
  { field: 'vipDomainName', value: 'API.Example.com', page: PAGE.infrastructure },
];

const badVipDomainNames = ['https://api.example.com', 'api.example.com:6443', 'api example.com'];

/** The fields a zod error names, each once. */
const fieldsOf = (error: { issues: { path: PropertyKey[] }[] }) => [
  ...new Set(error.issues.map((issue) => issue.path.join('.'))),
];

describe('documented values pass our schemas (zod)', () => {
  // The documented `schema: http` is taken when the Secret accepts plain HTTP in so many words.
  it.each(documentedCredentialValues)('credential Secret $field = $value ($page)', ({ field, value }) => {
    const data: Record<string, string> = { ...secret };
    if (value !== undefined) data[field] = value as string;
    if (field === 'schema' && String(value).toLowerCase() === 'http') data.allowPlainHTTP = 'true';
    const result = parseHcsCredentials(data);
    expect(result.ok ? 'accepted' : result.problems).toBe('accepted');
  });

  it('the scheme is read in any case, empty meaning https; other schemes are refused naming the key', () => {
    expect(parseHcsCredentials({ ...secret, schema: 'HTTP', allowPlainHTTP: 'true' })).toMatchObject({
      credentials: { schema: 'http' },
    });
    expect(parseHcsCredentials({ ...secret, schema: '' })).toMatchObject({
      credentials: { schema: 'https' },
    });
    expect(parseHcsCredentials({ ...secret, schema: 'ftp' })).toEqual({
      ok: false,
      problems: ['schema is invalid'],
    });
  });

  it.each(documentedHostnames)('pool $field = $value ($page)', ({ value }) => {
    const result = HCSMachineConfigPoolSpec.safeParse({
      configs: [{ ...poolEntry, hostname: value, persistentDisks: [persistentDisk] }],
    });
    expect(result.success ? 'accepted' : fieldsOf(result.error)).toBe('accepted');
  });

  it.each(badHostnames)('pool $field = $value is refused ($page), naming the field', ({ value }) => {
    const result = HCSMachineConfigPoolSpec.safeParse({ configs: [{ ...poolEntry, hostname: value }] });
    expect(result.success ? [] : fieldsOf(result.error)).toEqual(['configs.0.hostname']);
  });

  it('the documented machine template spec passes', () => {
    const result = HCSMachineSpec.safeParse(machineSpec);
    expect(result.success ? 'accepted' : fieldsOf(result.error)).toBe('accepted');
  });

  it.each(documentedVipDomainNames)('HCSCluster $field = $value ($page)', ({ value }) => {
    const result = HCSClusterSpec.safeParse(clusterSpec(value as string | undefined));
    expect(result.success ? 'accepted' : fieldsOf(result.error)).toBe('accepted');
  });

  it('an explicit controlPlaneEndpoint needs both host and port', () => {
    const result = HCSClusterSpec.safeParse({
      ...clusterSpec(),
      controlPlaneEndpoint: { host: '192.168.1.100' },
    });
    expect(result.success ? [] : fieldsOf(result.error)).toEqual(['controlPlaneEndpoint.port']);
  });

  it.each(badVipDomainNames)('HCSCluster vipDomainName = %s is refused naming the field', (value) => {
    const result = HCSClusterSpec.safeParse(clusterSpec(value));
    expect(result.success ? [] : fieldsOf(result.error)).toEqual(['controlPlaneLoadBalancer.vipDomainName']);
  });
});

describe('documented values pass the generated CRDs (API server)', () => {
  const create = infrastructureSpecVerdicts('hcs-doc-values');

  it('accept every documented hostname, with a persistent disk', async () => {
    for (const { value } of documentedHostnames) {
      const spec = { configs: [{ ...poolEntry, hostname: value, persistentDisks: [persistentDisk] }] };
      expect(`${value}: ${await create('HCSMachineConfigPool', spec)}`).toBe(`${value}: accepted`);
    }
  });

  it('refuse malformed hostnames, naming the field', async () => {
    for (const { value } of badHostnames) {
      const message = await create('HCSMachineConfigPool', { configs: [{ ...poolEntry, hostname: value }] });
      expect(message, String(value)).toContain('422');
      expect(message, String(value)).toContain('spec.configs[0].hostname');
    }
  });

  it('accept the documented machine template and clusters', async () => {
    expect(await create('HCSMachineTemplate', { template: { spec: machineSpec } })).toBe('accepted');
    for (const { value } of documentedVipDomainNames)
      expect(await create('HCSCluster', clusterSpec(value as string | undefined))).toBe('accepted');
  });

  it('refuse a VIP domain name with a scheme, a port or a space, naming the field', async () => {
    for (const value of badVipDomainNames)
      expect(await create('HCSCluster', clusterSpec(value)), value).toContain(
        'spec.controlPlaneLoadBalancer.vipDomainName',
      );
  });
});
