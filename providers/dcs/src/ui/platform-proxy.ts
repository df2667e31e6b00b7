/**
 * The DCS extension's server side: Fleet Essentials imports this module in its
 * own Node process and runs an operation with the values of the credential
 * Secret the user picked. Results are platform facts (sites, templates,
 * datastores, networks, a connection verdict) and never a credential value.
 * Core is imported for types only, so one build works with several cores.
 */
import type { PlatformOperationRequest, PlatformProxyModule } from '@immutable-infra/core';
import {
  connectionVerdict,
  declaredOperation as declared,
  mentionsCredential,
  PlatformOperationError,
  platformCaller,
  unusableCredential,
} from '@immutable-infra/provider-kit';
import { parseCredentials } from '../api/credentials.js';
import { classifyDcsFailure, type DcsFailureKind } from '../cloud/dcs-api-error.js';
import { DcsClient } from '../cloud/dcs-client.js';
import { credentialFromSecret, type DcsSession, DcsSessionPool } from '../cloud/dcs-session.js';
import { DcsInventory } from './platform-inventory.js';
import { dcsPlatformOperations, MAX_VM_PLACEMENTS } from './platform-operations.js';

// One pool for every call the host makes: a listing reuses the login of the
// connection test before it, and a refused login is not retried during the
// back-off, so pressing "Test connection" again cannot lock the account.
let sessions = new DcsSessionPool();

/** Ends every pooled session (host shutdown, tests). */
export async function closePlatformSessions(): Promise<void> {
  const old = sessions;
  sessions = new DcsSessionPool();
  await old.closeAll();
}

/**
 * An operation failure the host passes on as `PlatformCallError` (reason, message).
 * @deprecated The provider kit's `PlatformOperationError`, which this now is.
 */
export const DcsPlatformCallError = PlatformOperationError;

const REASONS: Record<DcsFailureKind, string> = {
  unreachable: 'Unreachable',
  tls: 'TLSFailure',
  'bad-credentials': 'LoginFailed',
  'account-locked': 'AccountLocked',
  'session-expired': 'LoginFailed',
  'not-found': 'NotFound',
  busy: 'PlatformError',
  'stopped-only-delete': 'PlatformError',
  'unexpected-response': 'UnexpectedResponse',
  'dcs-error': 'PlatformError',
  other: 'PlatformError',
};

interface Connected {
  inventory: DcsInventory;
  client: DcsClient;
  session: DcsSession;
  site: string | undefined;
  secrets: string[];
}

/** Validates the Secret's values and returns the pooled session for them. */
function connect(request: PlatformOperationRequest): Connected {
  const data = request.credential;
  const parsed = parseCredentials({ ...data });
  if (!parsed.ok) throw unusableCredential(parsed.problems);
  const tls = data.caBundle ? { caCertificate: data.caBundle } : {};
  const session = sessions.session(credentialFromSecret(parsed.credentials, tls));
  const param = request.params.site;
  const site = typeof param === 'string' && param ? param : parsed.credentials.site;
  const client = new DcsClient(session, { siteId: site });
  return {
    session,
    client,
    site,
    inventory: new DcsInventory(session, client, request.signal),
    secrets: [parsed.credentials.authKey],
  };
}

/** Runs an operation's calls on the pooled session; any failure becomes a PlatformOperationError that names what failed. */
const platformCall = platformCaller({
  connect,
  classify(error, request, connected) {
    const failure = classifyDcsFailure(error, connected?.secrets ?? Object.values(request.credential));
    return new PlatformOperationError(REASONS[failure.kind], failure.reason);
  },
});

/**
 * Logs in and finds the site: the verdict says exactly which step failed
 * (unreachable, TLS, wrong user or key, locked account, unknown site).
 */
function testConnection(request: PlatformOperationRequest) {
  return connectionVerdict(
    () =>
      platformCall(request, async ({ client }) => {
        const site = await client.resolveSite();
        const sites = (await client.listSites()).length;
        const named = mentionsCredential(site.name, request.credential) ? '' : ` ${site.name}`;
        return {
          ok: true,
          message: `logged in; site${named} found (${sites} site${sites === 1 ? '' : 's'} on this VRM)`,
        };
      }),
    // A site lookup that found nothing is a configuration problem of its own.
    (reason) => (reason === 'NotFound' ? 'SiteNotFound' : reason),
  );
}

const declarations = dcsPlatformOperations;

/**
 * What the forms and the wizard ask of the platform; each returns plain facts.
 * Params and results are declared in platform-operations.ts.
 */
export const operations = {
  testConnection: declared(declarations.testConnection, (_params, request) => testConnection(request)),
  credentialSite: declared(declarations.credentialSite, (_params, request) =>
    platformCall(request, async ({ client, site: fromSecret }) => {
      const site = await client.resolveSite();
      if (fromSecret) return { source: 'credential' as const };
      return { source: 'only-site' as const, id: site.urn.split(':').pop() ?? site.urn };
    }),
  ),
  listVmTemplates: declared(declarations.listVmTemplates, (_params, request) =>
    platformCall(request, ({ inventory }) => inventory.vmTemplates()),
  ),
  listClusters: declared(declarations.listClusters, (_params, request) =>
    platformCall(request, ({ inventory }) => inventory.clusters()),
  ),
  listHosts: declared(declarations.listHosts, ({ cluster }, request) =>
    platformCall(request, ({ inventory }) => inventory.hosts(cluster || undefined)),
  ),
  vmPlacements: declared(declarations.vmPlacements, ({ vmUrns = [], vmNames = [] }, request) =>
    platformCall(request, ({ inventory }) =>
      inventory.vmPlacements(vmUrns.slice(0, MAX_VM_PLACEMENTS), vmNames.slice(0, MAX_VM_PLACEMENTS)),
    ),
  ),
  listFolders: declared(declarations.listFolders, (_params, request) =>
    platformCall(request, ({ inventory }) => inventory.folders()),
  ),
  listDatastores: declared(declarations.listDatastores, (_params, request) =>
    platformCall(request, ({ inventory }) => inventory.datastores()),
  ),
  listDatastoreClusters: declared(declarations.listDatastoreClusters, (_params, request) =>
    platformCall(request, ({ inventory }) => inventory.datastoreClusters()),
  ),
  listDvSwitches: declared(declarations.listDvSwitches, (_params, request) =>
    platformCall(request, ({ inventory }) => inventory.dvSwitches()),
  ),
  listPortGroups: declared(declarations.listPortGroups, ({ dvSwitch }, request) =>
    platformCall(request, ({ inventory }) => inventory.portGroups(dvSwitch)),
  ),
};

export type DcsPlatformOperation = keyof typeof operations;

// The host's structural contract, checked here without a run-time import.
operations satisfies PlatformProxyModule['operations'];
