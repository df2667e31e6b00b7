import { describe, expect, it } from 'vitest';
import { HCSMachineSpec } from '../../src/api/hcs-machine.js';
import { HCSMachineConfigPoolSpec } from '../../src/api/hcs-machine-config-pool.js';
import { emptyEntry, poolDraftOf, poolSpecOf, validatePool } from '../../src/ui/config-pools/pool-rules.js';
import { validateHcsCredential } from '../../src/ui/credentials/credential-form.js';
import {
  emptyTemplate,
  machineSpecOf,
  templateDraftOf,
  validateMachineTemplate,
} from '../../src/ui/machine-templates/template-rules.js';
import { subnetChoices } from '../../src/ui/platform-choices.js';

// The forms' rules as pure functions: every problem named by its field, and what they write
// accepted by the kinds' own schemas (the CRDs are generated from them).

const fieldsOf = (problems: { field: string }[]) => problems.map((p) => p.field);

describe('credential rules', () => {
  const complete = {
    name: 'hcs-auth',
    accessKey: 'AK',
    secretKey: 'SK',
    projectID: 'p',
    region: 'cn-global-1',
    externalGlobalDomain: 'hcs.example.com',
    schema: 'https',
  };

  it('a complete https credential has no problem; each documented key is required on create', () => {
    expect(validateHcsCredential(complete, true)).toEqual([]);
    expect(fieldsOf(validateHcsCredential({ schema: 'https' }, true))).toEqual([
      'name',
      'accessKey',
      'secretKey',
      'projectID',
      'region',
      'externalGlobalDomain',
    ]);
  });

  it('on update empty keys keep the stored values; what is typed is still checked, never echoed', () => {
    expect(validateHcsCredential({ name: 'hcs-auth' }, false)).toEqual([]);
    const problems = validateHcsCredential({ externalGlobalDomain: 'https://secret-host/x' }, false);
    expect(problems).toEqual([
      {
        field: 'externalGlobalDomain',
        message: 'a domain name, optionally with :port, without a scheme or a path',
      },
    ]);
  });

  it('http needs the consent; a CA bundle must be PEM', () => {
    expect(fieldsOf(validateHcsCredential({ ...complete, schema: 'http' }, true))).toEqual(['schema']);
    expect(validateHcsCredential({ ...complete, schema: 'http', allowPlainHTTP: 'true' }, true)).toEqual([]);
    expect(fieldsOf(validateHcsCredential({ ...complete, caBundle: 'not pem' }, true))).toEqual(['caBundle']);
  });
});

describe('config pool rules', () => {
  const entry = (hostname: string, ip: string) => ({
    hostname,
    networks: [{ subnet: 'name:control-plane' as const, ipAddress: ip }],
    persistentDisks: [],
  });
  const subnets = [{ choice: 'name:control-plane' as const, name: 'control-plane', cidr: '192.168.10.0/24' }];

  it('collects every problem of every entry, each by its path', () => {
    const problems = validatePool(
      {
        name: 'Bad_Name',
        entries: [
          entry('master-1', '192.168.10.11'),
          {
            ...entry('master-1', '192.168.10.11'),
            persistentDisks: [{ size: 5, type: '', mountPath: 'var', format: 'zfs' }],
          },
          { ...emptyEntry(), hostname: 'UPPER' },
        ],
      },
      true,
      subnets,
    );
    expect(problems).toEqual([
      { field: 'name', message: expect.any(String) },
      { field: 'configs.1.hostname', message: 'master-1 is already entry 1' },
      { field: 'configs.1.networks.0.ipAddress', message: '192.168.10.11 is already used by master-1' },
      { field: 'configs.1.persistentDisks.0.size', message: 'a whole number of GB from 10 to 32768' },
      { field: 'configs.1.persistentDisks.0.type', message: 'choose the disk type' },
      { field: 'configs.1.persistentDisks.0.mountPath', message: 'an absolute path such as /var/cpaas' },
      { field: 'configs.1.persistentDisks.0.format', message: 'xfs or ext4' },
      { field: 'configs.2.hostname', message: expect.any(String) },
      { field: 'configs.2.networks.0.subnet', message: 'choose the subnet' },
      { field: 'configs.2.networks.0.ipAddress', message: 'the IP address is required' },
    ]);
    expect(fieldsOf(validatePool({ name: 'p', entries: [] }, true))).toEqual(['configs']);
  });

  it('writes subnetName or subnetId as chosen, keeps a deprecated subenetName that still agrees, and the schema accepts it', () => {
    const stored = {
      configs: [
        {
          hostname: 'master-1',
          networks: [{ subenetName: 'control-plane', ipAddress: '192.168.10.11' }],
          persistentDisks: [
            { slot: 0, size: 40, type: 'SSD', mountPath: '/var/cpaas', mountOptions: ['noatime'] },
          ],
        },
      ],
    };
    const draft = poolDraftOf('lab', stored);
    expect(draft.entries[0]?.networks[0]?.subnet).toBe('name:control-plane');
    draft.entries.push({
      ...entry('master-2', '192.168.10.12'),
      networks: [{ subnet: 'id:abc', ipAddress: '192.168.10.12' }],
    });
    expect(validatePool(draft, false, subnets)).toEqual([]);
    const spec = poolSpecOf(draft, stored);
    expect(spec).toEqual({
      configs: [
        {
          hostname: 'master-1',
          networks: [
            { subnetName: 'control-plane', subenetName: 'control-plane', ipAddress: '192.168.10.11' },
          ],
          persistentDisks: [
            {
              slot: 0,
              size: 40,
              type: 'SSD',
              mountPath: '/var/cpaas',
              format: 'xfs',
              mountOptions: ['noatime'],
            },
          ],
        },
        { hostname: 'master-2', networks: [{ subnetId: 'abc', ipAddress: '192.168.10.12' }] },
      ],
    });
    expect(HCSMachineConfigPoolSpec.safeParse(spec).success).toBe(true);
  });

  it('a subnet name two VPCs share is offered by id', () => {
    const subnet = (id: string, name: string, vpc: string) => ({
      id,
      name,
      cidr: '10.0.0.0/24',
      gatewayIp: '',
      vpc,
    });
    const vpc = (name: string, subnets: ReturnType<typeof subnet>[]) => ({
      id: name,
      name,
      cidr: '',
      subnets,
      securityGroups: [],
    });
    const choices = subnetChoices([
      vpc('a', [subnet('1', 'nodes', 'a'), subnet('2', 'lb', 'a')]),
      vpc('b', [subnet('3', 'nodes', 'b')]),
    ]);
    expect(choices.map((c) => c.value)).toEqual(['id:1', 'name:lb', 'id:3']);
  });
});

describe('machine template rules', () => {
  const valid = {
    ...emptyTemplate(),
    name: 'lab-control-plane',
    imageName: 'microos-4.2.1',
    flavorName: 'c3.xlarge.2',
    rootVolume: { type: 'SSD', size: 100 },
    configPool: 'lab',
    dataVolumes: [{ size: 10, type: 'SSD', mountPath: '/var/lib/etcd', format: 'xfs' }],
  };

  it('the documented required fields, each by its path, and the image’s minimum disk', () => {
    expect(fieldsOf(validateMachineTemplate({ ...emptyTemplate(), name: 'x' }, true))).toEqual([
      'imageName',
      'flavorName',
      'rootVolume.type',
      'configPoolRef.name',
    ]);
    expect(
      validateMachineTemplate({ ...valid, rootVolume: { type: 'SSD', size: 20 } }, true, {
        imageMinDiskGiB: 40,
      }),
    ).toEqual([{ field: 'rootVolume.size', message: 'the image needs a system disk of at least 40 GB' }]);
    expect(
      fieldsOf(
        validateMachineTemplate(
          {
            ...valid,
            dataVolumes: [
              ...valid.dataVolumes,
              { size: 10, type: 'SSD', mountPath: '/var/lib/etcd', format: 'xfs' },
            ],
          },
          true,
        ),
      ),
    ).toEqual(['dataVolumes.1.mountPath']);
  });

  it('writes the documented spec, which the kind’s schema accepts, and reads it back', () => {
    expect(validateMachineTemplate(valid, true)).toEqual([]);
    const spec = machineSpecOf(valid);
    expect(spec).toEqual({
      imageName: 'microos-4.2.1',
      flavorName: 'c3.xlarge.2',
      rootVolume: { type: 'SSD', size: 100 },
      configPoolRef: { name: 'lab' },
      dataVolumes: [{ size: 10, type: 'SSD', mountPath: '/var/lib/etcd', format: 'xfs' }],
    });
    expect(HCSMachineSpec.safeParse(spec).success).toBe(true);
    expect(templateDraftOf('lab-control-plane', spec)).toEqual(valid);
  });
});
