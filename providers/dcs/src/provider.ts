import { definePlatformProvider } from '@immutable-infra/provider-kit';
import packageJson from '../package.json' with { type: 'json' };
import { DCSMachineTemplate } from './api/dcs-machine-template.js';
import { type DcsSessionOptions, DcsSessionPool } from './cloud/dcs-session.js';
import { dcsClusterHooks } from './controllers/dcs-cluster-controller.js';
import { dcsMachineHooks } from './controllers/dcs-machine-controller.js';
import { dcsPoolHooks } from './controllers/dcs-pool-controller.js';

export interface DcsProviderOptions {
  /** Session settings shared by every credential (timeouts, request rate). */
  sessions?: DcsSessionOptions;
  /** The longest DCS takes to list a VM or volume it created; a create is not repeated within it. 30 s by default. */
  listingLagMs?: number;
  /**
   * The alive version a self-built VIP's ModuleInfo asks for instead of the platform's choice (the
   * documented `--plugin-alive-version`); the environment variable DCS_PLUGIN_ALIVE_VERSION when left
   * out. Its ModuleConfig must still exist and be ready.
   */
  pluginAliveVersion?: string | undefined;
}

/** The DCS provider; `iinfra manager --provider @immutable-infra/provider-dcs` loads the default export. */
export function createDcsProvider(options: DcsProviderOptions = {}) {
  const sessions = new DcsSessionPool(options.sessions);
  const alive = { option: options.pluginAliveVersion, environmentVariable: 'DCS_PLUGIN_ALIVE_VERSION' };
  return definePlatformProvider(packageJson, alive, (settings) => ({
    infraCluster: dcsClusterHooks(sessions, settings),
    infraMachine: dcsMachineHooks(sessions, { listingLagMs: options.listingLagMs }),
    infraMachineTemplate: DCSMachineTemplate,
    extraKinds: [dcsPoolHooks(sessions)],
  }));
}
