import type { HCSClusterObject } from '../api/hcs-cluster.js';
import type { HcsCloud } from '../cloud/hcs-client.js';
import type { HcsSecurityGroup, HcsSubnet, HcsVpc } from '../cloud/hcs-types.js';

export interface ClusterNetwork {
  vpc: HcsVpc;
  /** The cluster's subnets (spec.network.subnets), in their order. */
  subnets: HcsSubnet[];
  securityGroup: HcsSecurityGroup | undefined;
}

export type NetworkLookup =
  | { ok: true; network: ClusterNetwork }
  | { ok: false; reason: string; message: string };

/**
 * The VPC, subnets and security group an HCSCluster names, by id or name, through the account's
 * lookup cache: every machine of a cluster names the same network, and resolving it is three
 * list calls. Every problem is collected, so one look at the condition shows all of them; a
 * network not found is never kept, so a VPC made a moment ago is found at the next try.
 */
export async function resolveClusterNetwork(
  cloud: Pick<HcsCloud, 'listVpcs' | 'listSubnets' | 'listSecurityGroups' | 'lookedUp'>,
  spec: HCSClusterObject['spec'],
): Promise<NetworkLookup> {
  let failure: NetworkLookup | undefined;
  const network = await cloud.lookedUp(`network/${JSON.stringify(spec.network)}`, async () => {
    const found = await lookUpClusterNetwork(cloud, spec);
    if (found.ok) return found.network;
    failure = found;
    return undefined;
  });
  if (network) return { ok: true, network };
  // A miss someone else's call was already asking about: ask once more for this caller's words.
  return failure ?? lookUpClusterNetwork(cloud, spec);
}

async function lookUpClusterNetwork(
  cloud: Pick<HcsCloud, 'listVpcs' | 'listSubnets' | 'listSecurityGroups'>,
  spec: HCSClusterObject['spec'],
): Promise<NetworkLookup> {
  const wanted = spec.network.vpc;
  const vpcs = await cloud.listVpcs();
  const vpc = vpcs.find((v) => (wanted?.id ? v.id === wanted.id : v.name === wanted?.name));
  if (!vpc) {
    const which = wanted?.id ?? wanted?.name;
    return {
      ok: false,
      reason: 'VPCNotFound',
      message: which ? `spec.network.vpc: VPC ${which} not found` : 'spec.network.vpc: set name or id',
    };
  }
  const available = await cloud.listSubnets(vpc.id);
  const problems: string[] = [];
  const subnets: HcsSubnet[] = [];
  for (const [index, subnet] of (spec.network.subnets ?? []).entries()) {
    const found = available.find((s) => (subnet.id ? s.id === subnet.id : s.name === subnet.name));
    if (found) subnets.push(found);
    else
      problems.push(
        `spec.network.subnets[${index}]: subnet ${subnet.id ?? subnet.name ?? '(unnamed)'} not found in VPC ${vpc.name}`,
      );
  }
  if (subnets.length === 0 && problems.length === 0)
    problems.push('spec.network.subnets: name at least one subnet');
  let securityGroup: HcsSecurityGroup | undefined;
  const group = spec.network.securityGroup;
  if (group?.id || group?.name) {
    securityGroup = (await cloud.listSecurityGroups(vpc.id)).find((g) =>
      group.id ? g.id === group.id : g.name === group.name,
    );
    if (!securityGroup)
      problems.push(`spec.network.securityGroup: ${group.id ?? group.name} not found in VPC ${vpc.name}`);
  }
  if (problems.length > 0) return { ok: false, reason: 'SubnetNotFound', message: problems.join('; ') };
  return { ok: true, network: { vpc, subnets, securityGroup } };
}
