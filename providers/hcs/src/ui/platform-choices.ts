import type { HostApi } from '@immutable-infra/core';
import { type Choice, listCredentialSecrets, namedChoices, platformClient } from '@immutable-infra/ui-kit';
import type { KnownSubnet } from './config-pools/pool-rules.js';
import { HCS_CREDENTIAL_KEYS } from './credentials/credential-keys.js';
import type { HcsPlatformOperations, MachineCatalog, VpcFact } from './platform-operations.js';

/** The namespace's HCS credential Secrets, by name. */
export async function credentialChoices(api: HostApi, namespace: string): Promise<Choice[]> {
  const secrets = await listCredentialSecrets(api, namespace, HCS_CREDENTIAL_KEYS);
  return secrets.map((s) => ({ value: s.metadata.name, label: s.metadata.name }));
}

/** The platform operations with one credential. */
export function platformOf(api: HostApi, namespace: string, credential: string) {
  return platformClient<HcsPlatformOperations>(api, { namespace, name: credential });
}

/**
 * The subnets a NIC may name: by name (as new manifests should), or by id
 * where two VPCs have a subnet of that name (the name would be ambiguous).
 */
export function subnetChoices(vpcs: readonly VpcFact[]): (Choice & KnownSubnet)[] {
  const subnets = vpcs.flatMap((vpc) => vpc.subnets);
  const count = (name: string) => subnets.filter((s) => s.name === name).length;
  return subnets.map((s) => {
    const unique = count(s.name) === 1;
    const choice = unique ? (`name:${s.name}` as const) : (`id:${s.id}` as const);
    return {
      value: choice,
      choice,
      name: s.name,
      cidr: s.cidr,
      label: unique ? `${s.name} (${s.cidr}, VPC ${s.vpc})` : `${s.name} (${s.cidr}, VPC ${s.vpc}; by id)`,
    };
  });
}

/** What the machine template's dropdowns offer, from the catalog. */
export function catalogChoices(catalog: MachineCatalog) {
  return {
    availabilityZones: namedChoices(catalog.availabilityZones),
    flavors: catalog.flavors.map((f) => ({
      value: f.name,
      label: `${f.name} (${f.vcpus} vCPU, ${Math.round((f.ramMiB / 1024) * 10) / 10} GiB)`,
    })),
    images: catalog.images.map((i) => ({ value: i.name, label: `${i.name} (min. ${i.minDiskGiB} GB disk)` })),
    volumeTypes: namedChoices(catalog.volumeTypes),
    keyPairs: namedChoices(catalog.keyPairs),
  };
}
