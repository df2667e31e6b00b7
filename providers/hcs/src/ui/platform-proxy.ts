/**
 * The HCS extension's server side: Fleet Essentials imports this module in
 * its own Node process and runs an operation with the values of the
 * credential Secret the user picked. Results are facts of the project (its
 * catalog, networks, a connection verdict) and never a value of the Secret:
 * the host refuses a result that carries one.
 */
import type {
  ConnectionTestResult,
  PlatformOperationRequest,
  PlatformProxyModule,
} from '@immutable-infra/core';
import { isPlatformFailure } from '@immutable-infra/core';
import {
  declaredOperation,
  describeFailureWithAdvice,
  PlatformOperationError,
} from '@immutable-infra/provider-kit';
import { parseHcsCredentials } from '../api/credentials.js';
import { GATEWAY_ADDRESS_VARIABLE, gatewayLookup } from '../cloud/fixed-address-lookup.js';
import { HcsClient } from '../cloud/hcs-client.js';
import { credentialFromSecret } from '../cloud/hcs-connections.js';
import { HcsHttp } from '../cloud/hcs-http.js';
import { hcsPlatformOperations, type MachineCatalog, type VpcFact } from './platform-operations.js';

/** The gateway address variable, for embedders and tests of the proxy (see gatewayLookup). */
export { GATEWAY_ADDRESS_VARIABLE };

/** The failure kinds an HCS call ends in, as the browser's `PlatformCallError.reason`. */
const REASONS: Record<string, string> = {
  Unreachable: 'Unreachable',
  Timeout: 'Unreachable',
  TLSFailure: 'TLSFailure',
  LoginRefused: 'LoginFailed',
  AccountLocked: 'AccountLocked',
  Forbidden: 'Forbidden',
  NotFound: 'NotFound',
};

/** Checks the Secret's values (every problem named by key, never by value) and opens a signed transport. */
function connect(request: PlatformOperationRequest): { http: HcsHttp; client: HcsClient } {
  const parsed = parseHcsCredentials(request.credential);
  if (!parsed.ok)
    throw new PlatformOperationError(
      'InvalidCredential',
      `the credential Secret is not usable: ${parsed.problems.join('; ')}`,
    );
  const credential = credentialFromSecret(parsed.credentials);
  const lookup = gatewayLookup(credential.externalGlobalDomain);
  const http = new HcsHttp(credential, { timeoutMs: 15_000, ...(lookup ? { lookup } : {}) });
  return { http, client: new HcsClient(http, { signal: request.signal }) };
}

/** A failed HCS call as the reason and words a person acts on; every value of the Secret is masked. */
function classify(error: unknown, credential: Readonly<Record<string, string>>): PlatformOperationError {
  if (error instanceof PlatformOperationError) return error;
  const kind = isPlatformFailure(error) ? error.kind : undefined;
  const message = describeFailureWithAdvice(error, {
    platform: 'HCS',
    secrets: Object.values(credential),
  });
  return new PlatformOperationError((kind && REASONS[kind]) || 'PlatformError', message);
}

/** Runs `call` on a transport for the credential, closed afterwards; failures become classified errors. */
async function platformCall<T>(request: PlatformOperationRequest, call: (client: HcsClient) => Promise<T>) {
  let opened: HcsHttp | undefined;
  try {
    const { http, client } = connect(request);
    opened = http;
    return await call(client);
  } catch (error) {
    if (request.signal.aborted) throw error;
    throw classify(error, request.credential);
  } finally {
    await opened?.close();
  }
}

/** Signs an IAM call with the key and checks the Secret's project is one the key may use. */
async function testConnection(request: PlatformOperationRequest): Promise<ConnectionTestResult> {
  try {
    return await platformCall(request, async (client) => {
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
    });
  } catch (error) {
    if (error instanceof PlatformOperationError)
      return { ok: false, reason: error.reason, message: error.message };
    throw error;
  }
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
    platformCall(request, machineCatalog),
  ),
  networks: declaredOperation(declarations.networks, (_params, request) => platformCall(request, networks)),
};

export type HcsPlatformOperation = keyof typeof operations;

// The host's structural contract, checked here without a run-time import.
operations satisfies PlatformProxyModule['operations'];
