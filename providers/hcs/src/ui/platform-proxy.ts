/**
 * The HCS extension's server side: Fleet Essentials imports this module in
 * its own Node process and runs an operation with the values of the
 * credential Secret the user picked. Results are facts of the project (its
 * catalog, networks, a connection verdict) and never a value of the Secret:
 * the host refuses a result that carries one.
 */
import type { PlatformOperationRequest, PlatformProxyModule } from '@immutable-infra/core';
import {
  classifyPlatformCallFailure,
  connectionVerdict,
  declaredOperation,
  PlatformOperationError,
  platformCaller,
  unusableCredential,
} from '@immutable-infra/provider-kit';
import { parseHcsCredentials } from '../api/credentials.js';
import { GATEWAY_ADDRESS_VARIABLE, gatewayLookup } from '../cloud/fixed-address-lookup.js';
import { HcsClient } from '../cloud/hcs-client.js';
import { credentialFromSecret } from '../cloud/hcs-connections.js';
import { HcsHttp } from '../cloud/hcs-http.js';
import { hcsPlatformOperations, type MachineCatalog, type VpcFact } from './platform-operations.js';

/** The gateway address variable, for embedders and tests of the proxy (see gatewayLookup). */
export { GATEWAY_ADDRESS_VARIABLE };

/**
 * Runs an operation's calls on a signed transport for the credential, closed
 * afterwards; failures become classified errors with every Secret value masked.
 */
const platformCall = platformCaller({
  connect(request: PlatformOperationRequest) {
    const parsed = parseHcsCredentials(request.credential);
    if (!parsed.ok) throw unusableCredential(parsed.problems);
    const credential = credentialFromSecret(parsed.credentials);
    const lookup = gatewayLookup(credential.externalGlobalDomain);
    const http = new HcsHttp(credential, { timeoutMs: 15_000, ...(lookup ? { lookup } : {}) });
    return { http, client: new HcsClient(http, { signal: request.signal }) };
  },
  classify: (error, request) =>
    classifyPlatformCallFailure(error, { platform: 'HCS', secrets: Object.values(request.credential) }),
  close: ({ http }) => http.close(),
});

/** Signs an IAM call with the key and checks the Secret's project is one the key may use. */
function testConnection(request: PlatformOperationRequest) {
  return connectionVerdict(() =>
    platformCall(request, async ({ client }) => {
      const projects = await client.listAuthProjects();
      const project = projects.find((p) => p.id === request.credential.projectID);
      if (!project)
        throw new PlatformOperationError(
          'ProjectNotFound',
          `the access key works, but may not use the project projectID names (it may use ${projects.length} project${projects.length === 1 ? '' : 's'})`,
        );
      const zones = await client.listAvailabilityZones();
      return {
        ok: true,
        // Neither the project's name nor its ID: HCS names projects after the region, a Secret value.
        message: `the access key may use the project; ${zones.length} availability zone${zones.length === 1 ? '' : 's'} available`,
      };
    }),
  );
}

const byName = <T extends { name: string }>(items: T[]) =>
  [...items].sort((a, b) => a.name.localeCompare(b.name));

async function machineCatalog(client: HcsClient): Promise<MachineCatalog> {
  const [availabilityZones, flavors, images, volumeTypes, keyPairs] = await Promise.all([
    client.listAvailabilityZones(),
    client.listFlavors(),
    client.listImages(),
    client.listVolumeTypes(),
    client.listKeyPairs(),
  ]);
  return {
    availabilityZones,
    flavors: byName(flavors).map((f) => ({ name: f.name, vcpus: Number(f.vcpus), ramMiB: f.ram })),
    images: byName(images).map((i) => ({ name: i.name, minDiskGiB: i.min_disk })),
    volumeTypes,
    keyPairs,
  };
}

async function networks(client: HcsClient): Promise<VpcFact[]> {
  const vpcs = byName(await client.listVpcs());
  return Promise.all(
    vpcs.map(async (vpc) => {
      const [subnets, groups] = await Promise.all([
        client.listSubnets(vpc.id),
        client.listSecurityGroups(vpc.id),
      ]);
      return {
        id: vpc.id,
        name: vpc.name,
        cidr: vpc.cidr,
        subnets: byName(subnets).map((s) => ({
          id: s.id,
          name: s.name,
          cidr: s.cidr,
          gatewayIp: s.gateway_ip,
          vpc: vpc.name,
        })),
        securityGroups: byName(groups).map((g) => ({ id: g.id, name: g.name })),
      };
    }),
  );
}

const declarations = hcsPlatformOperations;

/** What the forms ask of HCS; each returns plain facts. Params and results: platform-operations.ts. */
export const operations = {
  testConnection: declaredOperation(declarations.testConnection, (_params, request) =>
    testConnection(request),
  ),
  machineCatalog: declaredOperation(declarations.machineCatalog, (_params, request) =>
    platformCall(request, ({ client }) => machineCatalog(client)),
  ),
  networks: declaredOperation(declarations.networks, (_params, request) =>
    platformCall(request, ({ client }) => networks(client)),
  ),
};

export type HcsPlatformOperation = keyof typeof operations;

// The host's structural contract, checked here without a run-time import.
operations satisfies PlatformProxyModule['operations'];
