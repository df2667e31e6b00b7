/**
 * Every value format the public DCS documentation shows (credential Secret,
 * IP pool, machine template, DCSCluster, and the UI forms), applied to our
 * schemas, to the CRDs generated from them on a real API server, and to the
 * form validators; plus malformed values that must be refused naming the
 * field. The values are ours, shaped as the pages show them.
 */
import { infrastructureSpecVerdicts } from '@immutable-infra/testkit/vitest';
import { parseApiServerAddress } from '@immutable-infra/ui-kit';
import { describe, expect, it } from 'vitest';
import { DCSClusterSpec, DCSIpHostnamePoolSpec, DCSMachineSpec, parseCredentials } from '../src/api/index.js';
import { validateCredential } from '../src/ui/credentials/credential-form.js';
import { validatePoolSpec } from '../src/ui/ip-pool/pool-rules.js';
import { defaultDisks, validateMachineTemplate } from '../src/ui/machine-templates/template-rules.js';

/** Where a value format is shown. */
const PAGE = {
  infrastructure: 'infrastructure/huawei-dcs',
  createCluster: 'create-cluster/huawei-dcs',
  manageNodes: 'manage-nodes/huawei-dcs',
} as const;

interface Documented {
  field: string;
  value: unknown;
  page: string;
}

const secret = {
  authUser: 'cluster-api',
  authKey: 'not-a-real-key',
  endpoint: 'https://192.0.2.10:7443',
  site: 'EC1C108C',
};

const documentedCredentialValues: Documented[] = [
  { field: 'endpoint', value: 'https://dcs.example.com:7443', page: PAGE.infrastructure },
  { field: 'endpoint', value: 'http://192.0.2.10:7443', page: PAGE.infrastructure },
  { field: 'endpoint', value: 'https://192.0.2.10:7443/', page: PAGE.infrastructure },
  { field: 'userType', value: undefined, page: PAGE.infrastructure },
  // "interconnect (default; used when the key is absent or empty)"
  { field: 'userType', value: '', page: PAGE.infrastructure },
  { field: 'userType', value: 'interconnect', page: PAGE.infrastructure },
  { field: 'userType', value: 'domain', page: PAGE.infrastructure },
  { field: 'userType', value: 'Domain', page: PAGE.infrastructure },
  { field: 'userType', value: 'DOMAIN', page: PAGE.infrastructure },
  { field: 'site', value: 'EC1C108C', page: PAGE.infrastructure },
];

const nic = { ip: '10.0.1.11', mask: '255.255.255.0', gateway: '10.0.1.1' };

const documentedPoolValues: Documented[] = [
  { field: 'mask', value: '255.255.255.0', page: PAGE.infrastructure },
  { field: 'mask', value: '255.255.254.0', page: PAGE.infrastructure },
  { field: 'mask', value: '24', page: PAGE.infrastructure },
  { field: 'dns', value: '10.0.0.2', page: PAGE.infrastructure },
  { field: 'dns', value: '10.0.0.2,10.0.0.3', page: PAGE.infrastructure },
  { field: 'dns', value: '10.0.0.2, 10.0.0.3', page: PAGE.manageNodes },
  { field: 'dns', value: '10.0.0.2;10.0.0.3', page: PAGE.infrastructure },
  { field: 'dns', value: '10.0.0.2; 10.0.0.3', page: PAGE.infrastructure },
  { field: 'hostname', value: 'cp-1', page: PAGE.infrastructure },
  { field: 'hostname', value: 'worker-1', page: PAGE.manageNodes },
  { field: 'hostname', value: 'node-1.example.org', page: PAGE.infrastructure },
  { field: 'machineName', value: 'demo-cp-1', page: PAGE.infrastructure },
];

const badPoolValues: Documented[] = [
  { field: 'mask', value: '255.0.255.0', page: 'non-contiguous' },
  { field: 'mask', value: '255.255.255.1', page: 'non-contiguous' },
  { field: 'mask', value: '/24', page: 'slash' },
  { field: 'mask', value: '255.255.255.0/24', page: 'slash' },
  { field: 'mask', value: '33', page: 'too long' },
  { field: 'dns', value: '10.0.0.2 10.0.0.3', page: 'no separator' },
  { field: 'dns', value: '10.0.0.2,', page: 'trailing separator' },
  { field: 'dns', value: 'dns.example.com', page: 'a name, not an address' },
  { field: 'hostname', value: 'CP_1', page: 'uppercase and underscore' },
  { field: 'hostname', value: 'Worker-1', page: 'uppercase' },
  { field: 'hostname', value: '-cp-1', page: 'starts with a hyphen' },
  { field: 'hostname', value: 'cp..1', page: 'empty label' },
  { field: 'hostname', value: 'x'.repeat(64), page: 'too long' },
];

const loadBalancer = { type: 'external', host: 'lb.example.com', port: 6443 };
const cluster = (controlPlaneLoadBalancer: Record<string, unknown>) => ({
  controlPlaneLoadBalancer,
  credentialSecretRef: { name: 'dcs-auth' },
  controlPlaneEndpoint: { host: controlPlaneLoadBalancer.host, port: controlPlaneLoadBalancer.port },
  controlPlaneHA: { enabled: true },
  networkType: 'kube-ovn',
  site: 'EC1C108C',
});

const documentedLoadBalancers: Documented[] = [
  { field: 'controlPlaneLoadBalancer', value: loadBalancer, page: PAGE.createCluster },
  {
    field: 'controlPlaneLoadBalancer',
    value: { type: 'external', host: '10.226.82.150', port: 6443 },
    page: PAGE.createCluster,
  },
  {
    field: 'controlPlaneLoadBalancer',
    value: { type: 'internal', host: '10.0.1.100', port: 6443, vrid: 42, interface: 'eth0' },
    page: PAGE.createCluster,
  },
  {
    field: 'controlPlaneLoadBalancer',
    value: { type: 'internal', host: '10.0.1.100', port: 65535, vrid: 255, interface: 'eth1' },
    page: PAGE.createCluster,
  },
];

const machineSpec = {
  vmTemplateName: 'alaudaos-k8s-v1.33',
  location: { type: 'folder', name: 'k8s-vms' },
  resource: { type: 'cluster', name: 'dcs-cluster-1' },
  vmConfig: {
    dvSwitchName: 'dvs-1',
    portGroupName: 'pg-1',
    dcsMachineCpuSpec: { quantity: 4 },
    dcsMachineMemorySpec: { quantity: 8192 },
    dcsMachineDiskSpec: [
      { quantity: 0, datastoreClusterName: 'ds-cluster', systemVolume: true },
      { quantity: 100, datastoreClusterName: 'ds-cluster', path: '/var/lib/kubelet', format: 'xfs' },
      { quantity: 100, datastoreClusterName: 'ds-cluster', path: '/var/lib/containerd', format: 'xfs' },
      { quantity: 10, datastoreName: 'ds-1', path: '/var/lib/etcd', format: 'ext4' },
    ],
  },
  ipHostPoolRef: { name: 'demo-cp-pool' },
};

const persistentDisk = {
  slot: 0,
  quantityGB: 40,
  datastoreClusterName: 'ds-cluster',
  isThin: true,
  path: '/var/cpaas',
  format: 'xfs',
  mountOptions: ['defaults'],
};

/** The fields a zod error names, each once. */
const fieldsOf = (error: { issues: { path: PropertyKey[] }[] }) => [
  ...new Set(error.issues.map((issue) => issue.path.join('.'))),
];

describe('documented values pass our schemas (zod)', () => {
  // A documented http:// endpoint is taken when the Secret accepts plain HTTP in so many words.
  it.each(documentedCredentialValues)('credential Secret $field = $value ($page)', ({ field, value }) => {
    const data: Record<string, string> = { ...secret };
    if (value !== undefined) data[field] = value as string;
    if (String(value).startsWith('http:')) data.allowPlainHTTP = 'true';
    const result = parseCredentials(data);
    expect(result.ok ? 'accepted' : result.problems).toBe('accepted');
  });

  it('an http:// endpoint without allowPlainHTTP is refused naming the endpoint and the key to set', () => {
    expect(parseCredentials({ ...secret, endpoint: 'http://192.0.2.10:7443' })).toEqual({
      ok: false,
      problems: [
        'endpoint uses plain http://, which sends the credential unencrypted: use https://, or set allowPlainHTTP: "true" in the Secret to accept that',
      ],
    });
    expect(parseCredentials({ ...secret, endpoint: 'HTTP://192.0.2.10:7443' })).toMatchObject({ ok: false });
  });

  it('an empty or absent userType means interconnect; other spellings are refused naming the key', () => {
    const read = (userType: string) => parseCredentials({ ...secret, userType });
    expect(read('')).toMatchObject({ ok: true, credentials: { userType: 'interconnect' } });
    expect(read('DOMAIN')).toMatchObject({ ok: true, credentials: { userType: 'domain' } });
    for (const refused of ['1', '2', 'ldap'])
      expect(read(refused)).toEqual({ ok: false, problems: ['userType is invalid'] });
  });

  it.each(documentedPoolValues)('IP pool entry $field = $value ($page)', ({ field, value }) => {
    const entry = { ...nic, [field]: value };
    const result = DCSIpHostnamePoolSpec.safeParse({
      pool: [{ ...entry, additionNic: [{ ...nic, ip: '10.0.2.11', [field]: value }] }],
    });
    expect(result.success ? 'accepted' : fieldsOf(result.error)).toBe('accepted');
  });

  it.each(badPoolValues)(
    'IP pool entry $field = $value is refused ($page), naming the field',
    ({ field, value }) => {
      const result = DCSIpHostnamePoolSpec.safeParse({ pool: [{ ...nic, [field]: value }] });
      expect(result.success ? [] : fieldsOf(result.error)).toEqual([`pool.0.${field}`]);
    },
  );

  it('the documented persistent disk and additional NIC pass', () => {
    const result = DCSIpHostnamePoolSpec.safeParse({
      pool: [
        {
          ...nic,
          dns: '10.0.0.2',
          hostname: 'worker-1',
          machineName: 'demo-worker-1',
          additionNic: [
            { ...nic, ip: '10.0.2.21', dvSwitchName: 'dvs-storage', portGroupName: 'pg-storage' },
          ],
          persistentDisk: [persistentDisk],
        },
      ],
    });
    expect(result.success ? 'accepted' : fieldsOf(result.error)).toBe('accepted');
  });

  it.each(documentedLoadBalancers)('DCSCluster $field = $value ($page)', ({ value }) => {
    const result = DCSClusterSpec.safeParse(cluster(value as Record<string, unknown>));
    expect(result.success ? 'accepted' : fieldsOf(result.error)).toBe('accepted');
  });

  it('a load balancer host with a scheme or a port is refused naming the field', () => {
    for (const host of ['https://lb.example.com', 'lb.example.com:6443', 'lb example.com']) {
      const result = DCSClusterSpec.safeParse(cluster({ ...loadBalancer, host }));
      expect(result.success ? [] : fieldsOf(result.error), host).toEqual(['controlPlaneLoadBalancer.host']);
    }
  });

  it('the documented machine template spec passes (folder or cluster location, cluster or host resource)', () => {
    for (const spec of [
      machineSpec,
      { ...machineSpec, location: { type: 'cluster', name: 'dcs-cluster-2' }, resource: undefined },
      { ...machineSpec, resource: { type: 'host', name: 'host-1' } },
    ]) {
      const result = DCSMachineSpec.safeParse(spec);
      expect(result.success ? 'accepted' : fieldsOf(result.error)).toBe('accepted');
    }
  });
});

describe('documented values pass the UI forms', () => {
  const formProblems = (entry: Record<string, unknown>) =>
    Object.fromEntries(validatePoolSpec({ pool: [entry as never] }).map((p) => [p.field, p.message]));

  it.each(documentedPoolValues)('IP pool form $field = $value ($page)', ({ field, value }) => {
    expect(formProblems({ ...nic, [field]: value })).toEqual({});
  });

  it.each(badPoolValues)('IP pool form refuses $field = $value ($page) on that field', ({ field, value }) => {
    expect(Object.keys(formProblems({ ...nic, [field]: value }))).toEqual([`pool.0.${field}`]);
  });

  it('a non-contiguous dotted mask is named as such', () => {
    expect(formProblems({ ...nic, mask: '255.0.255.0' })['pool.0.mask']).toMatch(/contiguous/);
  });

  it('the credential form takes the documented endpoints and an unset user type', () => {
    for (const endpoint of ['https://dcs.example.com:7443', 'http://192.0.2.10:7443']) {
      const allowPlainHTTP = endpoint.startsWith('http:') ? 'true' : '';
      const input = { ...secret, endpoint, name: 'dcs-cred', displayName: '', userType: '', allowPlainHTTP };
      expect(validateCredential(input, true)).toEqual([]);
    }
    const plain = {
      ...secret,
      endpoint: 'http://192.0.2.10:7443',
      name: 'dcs-cred',
      displayName: '',
      userType: '',
    };
    expect(validateCredential(plain, true)).toEqual([
      {
        field: 'endpoint',
        message:
          'plain http:// sends the password unencrypted: use https://, or tick "Allow plain HTTP" to accept that',
      },
    ]);
  });

  it('the machine template form takes the documented shape, by datastore cluster or by datastore', () => {
    for (const type of ['control-plane', 'worker'] as const)
      for (const datastoreKind of ['cluster', 'name'] as const) {
        const draft = {
          name: 'demo-cp-template',
          type,
          vmTemplateName: 'alaudaos-k8s-v1.33',
          folder: 'k8s-vms',
          cpu: 4,
          memoryMB: 8192,
          disks: defaultDisks(type, 'ds-cluster', datastoreKind),
          ipPool: 'demo-cp-pool',
        };
        expect(validateMachineTemplate(draft, { pools: ['demo-cp-pool'] })).toEqual([]);
      }
  });

  it('the cluster wizard takes the documented Cluster API address', () => {
    for (const address of ['https://lb.example.com:6443', 'https://10.226.82.150:6443'])
      expect(parseApiServerAddress(address)).toMatchObject({ ok: true, port: 6443 });
  });
});

describe('documented values pass the generated CRDs (API server)', () => {
  const create = infrastructureSpecVerdicts('dcs-doc-values');

  it('accept every documented IP pool value', async () => {
    for (const { field, value } of documentedPoolValues) {
      const entry = { ...nic, [field]: value, persistentDisk: [persistentDisk] };
      expect(`${field}=${value}: ${await create('DCSIpHostnamePool', { pool: [entry] })}`).toBe(
        `${field}=${value}: accepted`,
      );
    }
  });

  it('refuse malformed IP pool values, naming the field', async () => {
    for (const { field, value } of badPoolValues) {
      const message = await create('DCSIpHostnamePool', { pool: [{ ...nic, [field]: value }] });
      expect(message, `${field}=${value}`).toContain('422');
      expect(message, `${field}=${value}`).toContain(`spec.pool[0].${field}`);
    }
  });

  it('accept every documented load balancer, and the machine template', async () => {
    for (const { value } of documentedLoadBalancers)
      expect(await create('DCSCluster', cluster(value as Record<string, unknown>))).toBe('accepted');
    expect(await create('DCSMachineTemplate', { template: { spec: machineSpec } })).toBe('accepted');
  });

  it('refuse a self-built VIP given as a domain name, naming the field', async () => {
    const message = await create(
      'DCSCluster',
      cluster({ type: 'internal', host: 'vip.example.com', port: 6443, vrid: 42 }),
    );
    expect(message).toContain('spec.controlPlaneLoadBalancer.host');
    expect(message).toContain('IPv4');
  });

  it('refuse a load balancer host with a scheme, and ports and vrids out of range, naming the field', async () => {
    const refused = async (lb: Record<string, unknown>, field: string) => {
      const message = await create('DCSCluster', cluster({ ...loadBalancer, ...lb }));
      expect(message, JSON.stringify(lb)).toContain(`spec.controlPlaneLoadBalancer.${field}`);
    };
    await refused({ host: 'https://lb.example.com' }, 'host');
    await refused({ port: 0 }, 'port');
    await refused({ port: 65536 }, 'port');
    await refused({ type: 'internal', host: '10.0.1.100', vrid: 256 }, 'vrid');
    await refused({ type: 'internal', host: '10.0.1.100', vrid: 42, interface: 'a'.repeat(16) }, 'interface');
    await refused({ type: 'Internal' }, 'type');
  });
});
