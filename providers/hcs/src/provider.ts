import { definePlatformProvider } from '@immutable-infra/provider-kit';
import packageJson from '../package.json' with { type: 'json' };
import { HCSMachineTemplate } from './api/hcs-machine-template.js';
import { hcsConnections } from './cloud/hcs-connections.js';
import type { HcsHttpOptions } from './cloud/hcs-http.js';
import { hcsClusterHooks } from './controllers/hcs-cluster-controller.js';
import { hcsMachineHooks } from './controllers/hcs-machine-controller.js';
import { hcsPoolHooks } from './controllers/hcs-pool-controller.js';

export interface HcsProviderOptions {
  /** Transport settings shared by every credential: timeout, rate limit, host-name lookup. */
  http?: HcsHttpOptions;
  /** The longest HCS takes to list a server, volume or ELB part it created; a create is not repeated within it. 30 s by default. */
  listingLagMs?: number;
}

/** The HCS provider; `iinfra manager --provider @immutable-infra/provider-hcs` loads the default export. */
export function createHcsProvider(options: HcsProviderOptions = {}) {
  const connections = hcsConnections(options.http);
  // package.json is the one source: `iinfra provider install` reads the same facts from the registry.
  return definePlatformProvider(packageJson, {}, (settings) => ({
    infraCluster: hcsClusterHooks(connections, settings.credentialFinalizer, options.listingLagMs),
    infraMachine: hcsMachineHooks(connections, options.listingLagMs),
    infraMachineTemplate: HCSMachineTemplate,
    extraKinds: [hcsPoolHooks(connections)],
  }));
}
