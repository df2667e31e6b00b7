import { definePlatformProvider } from '@immutable-infra/provider-kit';
import packageJson from '../package.json' with { type: 'json' };
import { BaremetalMachineTemplate } from './api/baremetal-machine-template.js';
import { baremetalClusterHooks } from './controllers/baremetal-cluster-controller.js';
import { type BaremetalHostOptions, baremetalHostHooks } from './controllers/baremetal-host-controller.js';
import { baremetalMachineHooks } from './controllers/baremetal-machine-controller.js';
import { machineInventoryWatch } from './controllers/inventory-watch.js';
import { machineInventoryPoolHooks } from './controllers/machine-inventory-pool-controller.js';

export interface BaremetalProviderOptions {
  /**
   * Where the `elemental-image-catalog` ConfigMap lives: `POD_NAMESPACE` (the manifests set it from
   * the pod), else `cpaas-system`, where the documentation installs the provider.
   */
  imageCatalogNamespace?: string;
  /** How often a running plan is looked at again besides its inventory's watch events, 5 s by default. */
  pollMs?: number;
  /**
   * How often a pool counts its inventories again without a change seen; 10 min by default.
   * MachineInventories are watched: this is only the safety net for an event missed.
   */
  poolRecheckMs?: number;
  /**
   * How often a running machine looks at its host again, and a machine waiting for a free host at
   * its pool, without a change seen; 10 min by default (the inventories are watched).
   */
  resyncMs?: number;
  /**
   * The alive version an Internal VIP's ModuleInfo asks for instead of the platform's choice (the
   * documented `--plugin-alive-version`); the environment variable BAREMETAL_PLUGIN_ALIVE_VERSION
   * when left out. Its ModuleConfig must still exist and be ready.
   */
  pluginAliveVersion?: string | undefined;
  /** How BaremetalHosts (SeedImage booted over Redfish) are polled; see BaremetalHostOptions. */
  hosts?: BaremetalHostOptions;
}

/** The bare-metal provider; `iinfra manager --provider @immutable-infra/provider-baremetal` loads the default export. */
export function createBaremetalProvider(options: BaremetalProviderOptions = {}) {
  // The manager's flags are the same for every provider: a provider's own setting comes from its environment.
  const alive = { option: options.pluginAliveVersion, environmentVariable: 'BAREMETAL_PLUGIN_ALIVE_VERSION' };
  return definePlatformProvider(packageJson, alive, (settings) => ({
    infraCluster: baremetalClusterHooks(settings.aliveVersion),
    infraMachine: baremetalMachineHooks({
      imageCatalogNamespace: options.imageCatalogNamespace ?? process.env.POD_NAMESPACE ?? 'cpaas-system',
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
      ...(options.resyncMs !== undefined ? { resyncMs: options.resyncMs } : {}),
    }),
    infraMachineTemplate: BaremetalMachineTemplate,
    extraKinds: [
      machineInventoryPoolHooks(
        options.poolRecheckMs !== undefined ? { recheckMs: options.poolRecheckMs } : {},
      ),
      baremetalHostHooks(options.hosts),
    ],
    // A host's inventory changes (Ready, plan state, allocation) wake its pools and machines.
    watches: [machineInventoryWatch],
  }));
}
