import type { KubeClient } from '@immutable-infra/core';
import { isPlatformFailure } from '@immutable-infra/core';
import { type AddressPoolReference, labelSelectorQuery } from '@immutable-infra/provider-kit';
import { VSPHERE_API_VERSION } from '../api/common.js';
import type { VSphereClusterObject } from '../api/vsphere-cluster.js';
import type { VSphereDeploymentZoneObject } from '../api/vsphere-deployment-zone.js';
import type { VSphereFailureDomainObject } from '../api/vsphere-failure-domain.js';
import type { VsphereCloud } from './cloud-for-cluster.js';

/** A deployment zone with the failure domain it deploys into. */
export interface Zone {
  zone: VSphereDeploymentZoneObject;
  domain: VSphereFailureDomainObject;
}

/** Where a machine of a zone goes: what overrides the machine template's placement. */
export interface Placement {
  zone: string;
  datacenter: string;
  resourcePool?: string | undefined;
  folder?: string | undefined;
  datastore?: string | undefined;
  /** Networks for the NICs, in order (the failure domain's `topology.networks` or `networkConfigurations`). */
  networks?: readonly string[] | undefined;
  /** IPAM pools for the NICs, in order, used by a NIC naming none (`topology.networkConfigurations[].addressesFromPools`). */
  addressesFromPools?: readonly (readonly AddressPoolReference[] | undefined)[] | undefined;
}

const ref = (kind: string, name: string) => ({ apiVersion: VSPHERE_API_VERSION, kind, name });

/** A zone by name with its failure domain; undefined when either is missing. */
export async function zoneNamed(kube: KubeClient, name: string): Promise<Zone | undefined> {
  const zone = await kube.get<VSphereDeploymentZoneObject>(ref('VSphereDeploymentZone', name));
  const domainName = zone?.spec.failureDomain;
  const domain = domainName
    ? await kube.get<VSphereFailureDomainObject>(ref('VSphereFailureDomain', domainName))
    : undefined;
  return zone && domain ? { zone, domain } : undefined;
}

/**
 * The deployment zones a VSphereCluster's `failureDomainSelector` selects (none when it is unset,
 * every one when it is `{}`), on the cluster's vCenter (a zone naming no server is on any), with
 * their failure domains; a zone whose failure domain is missing is a problem, in words.
 */
export async function selectedZones(
  kube: KubeClient,
  cluster: Pick<VSphereClusterObject, 'spec'>,
): Promise<{ zones: Zone[]; problems: string[] }> {
  const selector = cluster.spec.failureDomainSelector;
  if (!selector) return { zones: [], problems: [] };
  const listed = await kube.list<VSphereDeploymentZoneObject>(VSPHERE_API_VERSION, 'VSphereDeploymentZone', {
    labelSelector: labelSelectorQuery(selector),
  });
  const zones: Zone[] = [];
  const problems: string[] = [];
  for (const zone of listed.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
    if (zone.spec.server && zone.spec.server !== cluster.spec.server) continue;
    const found = await zoneNamed(kube, zone.metadata.name);
    if (found) zones.push(found);
    else
      problems.push(
        `${zone.metadata.name}: VSphereFailureDomain ${zone.spec.failureDomain ?? '(none named)'} not found`,
      );
  }
  return { zones, problems };
}

/** Where a zone's machines go: its failure domain's topology and its placement constraint. */
export function placementOf({ zone, domain }: Zone): Placement {
  const topology = domain.spec.topology;
  const pool =
    zone.spec.placementConstraint.resourcePool ??
    (topology.computeCluster ? `${topology.computeCluster}/Resources` : undefined);
  return {
    zone: zone.metadata.name,
    datacenter: topology.datacenter,
    resourcePool: pool,
    folder: zone.spec.placementConstraint.folder,
    datastore: topology.datastore,
    // One or the other (a CEL rule): networkConfigurations name each NIC's network too, as in CAPV.
    networks: topology.networks ?? topology.networkConfigurations?.map((c) => c.networkName),
    addressesFromPools: topology.networkConfigurations?.map((c) => c.addressesFromPools),
  };
}

/** What of a zone's placement vCenter does not have, in words (empty when everything is there). */
export async function missingInVcenter(cloud: VsphereCloud, zone: Zone): Promise<string[]> {
  const placement = placementOf(zone);
  const name = zone.zone.metadata.name;
  let datacenter: Awaited<ReturnType<typeof cloud.inventory.datacenter>>;
  try {
    datacenter = await cloud.inventory.datacenter(placement.datacenter);
  } catch (error) {
    if (isPlatformFailure(error) && error.kind === 'NotFound')
      return [`${name}: datacenter ${placement.datacenter} not found`];
    throw error;
  }
  const checks: [string, 'host' | 'vm' | 'datastore' | 'network', string | undefined][] = [
    ['compute cluster', 'host', zone.domain.spec.topology.computeCluster],
    ['resource pool', 'host', placement.resourcePool],
    ['folder', 'vm', placement.folder],
    ['datastore', 'datastore', placement.datastore],
    ...(placement.networks ?? []).map((network): [string, 'network', string] => [
      'network',
      'network',
      network,
    ]),
  ];
  const missing: string[] = [];
  for (const [what, folder, value] of checks) {
    if (!value) continue;
    try {
      await cloud.inventory.find(datacenter, folder, value, what);
    } catch (error) {
      if (!(isPlatformFailure(error) && error.kind === 'NotFound')) throw error;
      missing.push(`${name}: ${what} ${value} not found in datacenter ${placement.datacenter}`);
    }
  }
  return missing;
}
