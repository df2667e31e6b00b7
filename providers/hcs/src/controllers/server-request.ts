import type { HCSMachineObject } from '../api/hcs-machine.js';
import type { HcsCloud } from '../cloud/hcs-client.js';
import type { HcsCreateServerRequest } from '../cloud/hcs-types.js';
import type { ClusterNetwork } from './cluster-network.js';
import { OWNER_KEY, OWNER_UID_KEY } from './names.js';
import type { PoolConfigEntry } from './pool-claims.js';

export type ServerRequestResult =
  | { ok: true; request: HcsCreateServerRequest }
  | { ok: false; reason: string; message: string };

/** The addresses a machine's NICs get: the pool entry's, or none (ECS picks) on the first cluster subnet. */
export function plannedNics(network: ClusterNetwork, entry: PoolConfigEntry | undefined) {
  if (!entry) return { ok: true as const, nics: [{ subnet_id: network.subnets[0]?.id ?? '' }] };
  const problems: string[] = [];
  const nics = entry.networks.flatMap((nic, index) => {
    const subnet = nic.subnetId
      ? network.subnets.find((s) => s.id === nic.subnetId)
      : network.subnets.find((s) => s.name === (nic.subnetName ?? nic.subenetName));
    if (!subnet) {
      problems.push(
        `pool entry ${entry.hostname} networks[${index}]: subnet ${nic.subnetId ?? nic.subnetName ?? nic.subenetName} is not in the HCSCluster's spec.network.subnets`,
      );
      return [];
    }
    return [{ subnet_id: subnet.id, ip_address: nic.ipAddress }];
  });
  return problems.length > 0 ? { ok: false as const, problems } : { ok: true as const, nics };
}

/**
 * The create body of a machine's server: image and flavor resolved by name (every missing one is
 * named), the pool entry's NICs and IPs, root and data volumes, key pair, security group, server
 * group, and metadata naming the HCSMachine by UID so no other server is ever adopted.
 */
export async function buildServerRequest(
  cloud: HcsCloud,
  machine: Pick<HCSMachineObject, 'metadata' | 'spec'>,
  input: {
    name: string;
    network: ClusterNetwork;
    entry: PoolConfigEntry | undefined;
    availabilityZone: string;
    userData: string;
    serverGroupId: string | undefined;
  },
): Promise<ServerRequestResult> {
  const spec = machine.spec;
  const problems: string[] = [];
  const image = spec.imageName ? await cloud.findImage(spec.imageName) : undefined;
  if (!spec.imageName) problems.push('spec.imageName is required');
  else if (!image) problems.push(`spec.imageName: image ${spec.imageName} not found`);
  const flavor = spec.flavorName
    ? (await cloud.listFlavors()).find((f) => f.name === spec.flavorName)
    : undefined;
  if (!spec.flavorName) problems.push('spec.flavorName is required');
  else if (!flavor) problems.push(`spec.flavorName: flavor ${spec.flavorName} not found`);
  const nics = plannedNics(input.network, input.entry);
  if (!nics.ok) problems.push(...nics.problems);
  if (!spec.rootVolume) problems.push('spec.rootVolume is required');
  if (problems.length > 0 || !image || !flavor || !nics.ok || !spec.rootVolume)
    return { ok: false, reason: 'InvalidMachineSpec', message: problems.join('; ') };
  const { namespace, name, uid } = machine.metadata;
  return {
    ok: true,
    request: {
      name: input.name,
      imageRef: image.id,
      flavorRef: flavor.id,
      vpcid: input.network.vpc.id,
      nics: nics.nics,
      root_volume: { volumetype: spec.rootVolume.type, size: spec.rootVolume.size },
      ...(spec.dataVolumes?.length
        ? { data_volumes: spec.dataVolumes.map((v) => ({ volumetype: v.type, size: v.size })) }
        : {}),
      availability_zone: input.availabilityZone,
      ...(input.network.securityGroup ? { security_groups: [{ id: input.network.securityGroup.id }] } : {}),
      ...(spec.keyPairName ? { key_name: spec.keyPairName } : {}),
      user_data: Buffer.from(input.userData, 'utf8').toString('base64'),
      metadata: { [OWNER_UID_KEY]: uid ?? '', [OWNER_KEY]: `hcsmachine/${namespace ?? 'default'}/${name}` },
      server_tags: [{ key: 'iinfra-machine', value: name }],
      ...(input.serverGroupId ? { 'os:scheduler_hints': { group: input.serverGroupId } } : {}),
    },
  };
}
