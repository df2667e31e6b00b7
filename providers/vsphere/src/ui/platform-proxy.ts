/**
 * The vSphere extension's server side: Fleet Essentials imports this module in
 * its own Node process and runs an operation with the values of the
 * credential Secret the user picked. Results are vCenter facts (its about
 * information, datacenters and what is in them, a connection verdict) and
 * never a value of the Secret: the host refuses a result that carries one.
 */
import type {
  ConnectionTestResult,
  PlatformOperationRequest,
  PlatformProxyModule,
} from '@immutable-infra/core';
import {
  classifyPlatformCallFailure,
  connectionVerdict,
  declaredOperation,
  mentionsCredential,
  platformCaller,
  thumbprintOf,
  unusableCredential,
} from '@immutable-infra/provider-kit';
import { VCENTER_SERVER, VCENTER_SERVER_MESSAGE } from '../api/common.js';
import { VsphereClient } from '../cloud/vsphere-client.js';
import { VsphereInventory } from '../cloud/vsphere-inventory.js';
import { VsphereSessions } from '../cloud/vsphere-session.js';
import { VSPHERE_CREDENTIAL_KEYS } from './credentials/credential-keys.js';
import { datacenterInventory, datacenters } from './platform-inventory.js';
import { vspherePlatformOperations } from './platform-operations.js';

// One pool for every call the host makes: a listing reuses the login of the connection test
// before it, and a refused login is not retried during the back-off (vCenter locks accounts).
const pooled = { sessions: new VsphereSessions() };

/** Logs every pooled session out (host shutdown, tests); later calls log in afresh. */
export async function closePlatformSessions(): Promise<void> {
  const closing = pooled.sessions.close();
  pooled.sessions = new VsphereSessions();
  await closing;
}

interface Connected {
  client: VsphereClient;
  inventory: VsphereInventory;
}

/** Checks the Secret's values and returns a client on the pooled session for them. */
function connect(request: PlatformOperationRequest): Connected {
  const { server = '', username = '', password = '', caBundle = '', thumbprint = '' } = request.credential;
  const problems = VSPHERE_CREDENTIAL_KEYS.filter((key) => !request.credential[key]).map(
    (key) => `${key} is missing`,
  );
  const host = server.replace(/^https:\/\//, '').replace(/\/(sdk)?$/, '');
  if (host && !VCENTER_SERVER.test(host)) problems.push(`server must be ${VCENTER_SERVER_MESSAGE}`);
  let pinned: string | undefined;
  if (thumbprint.trim())
    try {
      pinned = thumbprintOf(thumbprint);
    } catch (error) {
      problems.push(`thumbprint: ${(error as Error).message}`);
    }
  if (problems.length > 0) throw unusableCredential(problems);
  const session = pooled.sessions.session({
    server: `https://${host}`,
    username,
    password,
    ...(caBundle.trim() ? { caCertificate: caBundle } : {}),
    ...(pinned ? { thumbprint: pinned } : {}),
  });
  const client = new VsphereClient(session);
  return { client, inventory: new VsphereInventory(client) };
}

/**
 * Runs an operation's calls on the credential's pooled session; any failure
 * becomes a classified error, every value of the Secret (the server's address
 * too) masked from its words.
 */
const platformCall = platformCaller({
  connect,
  classify: (error, request) =>
    classifyPlatformCallFailure(error, { platform: 'vCenter', secrets: Object.values(request.credential) }),
});

/** Logs in (through the pool's back-off) and reports what vCenter says it is. */
function testConnection(
  request: PlatformOperationRequest,
): Promise<
  ConnectionTestResult & { about?: { fullName: string; apiVersion: string; instanceUuid?: string } }
> {
  return connectionVerdict(() =>
    platformCall(request, async ({ client }) => {
      await client.session.verify(request.signal);
      const { about } = await client.serviceContent(request.signal);
      const fullName = mentionsCredential(about.fullName, request.credential) ? 'vCenter' : about.fullName;
      return {
        ok: true,
        message: `logged in to ${fullName || 'vCenter'} (API ${about.apiVersion})`,
        about: {
          fullName,
          apiVersion: about.apiVersion,
          ...(about.instanceUuid ? { instanceUuid: about.instanceUuid } : {}),
        },
      };
    }),
  );
}

const declarations = vspherePlatformOperations;

/** What the forms ask of vCenter; each returns plain facts. Params and results: platform-operations.ts. */
export const operations = {
  testConnection: declaredOperation(declarations.testConnection, (_params, request) =>
    testConnection(request),
  ),
  listDatacenters: declaredOperation(declarations.listDatacenters, (_params, request) =>
    platformCall(request, ({ client }) => datacenters(client, request.signal)),
  ),
  datacenterInventory: declaredOperation(declarations.datacenterInventory, ({ datacenter }, request) =>
    platformCall(request, async ({ client, inventory }) =>
      datacenterInventory(client, await inventory.datacenter(datacenter, request.signal), request.signal),
    ),
  ),
};

export type VspherePlatformOperation = keyof typeof operations;

// The host's structural contract, checked here without a run-time import.
operations satisfies PlatformProxyModule['operations'];
