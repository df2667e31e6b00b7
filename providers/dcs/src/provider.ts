import { defineProvider } from '@immutable-infra/core';
import packageJson from '../package.json' with { type: 'json' };
import { DCSMachineTemplate } from './api/dcs-machine-template.js';
import { type DcsSessionOptions, DcsSessionPool } from './cloud/dcs-session.js';
import { dcsClusterHooks } from './controllers/dcs-cluster-controller.js';
import { dcsMachineHooks } from './controllers/dcs-machine-controller.js';
import { dcsPoolHooks } from './controllers/dcs-pool-controller.js';

export interface DcsProviderOptions {
  /** Session settings shared by every credential (timeouts, request rate). */
  sessions?: DcsSessionOptions;
}

/** The DCS provider; `iinfra manager --provider @immutable-infra/provider-dcs` loads the default export. */
export function createDcsProvider(options: DcsProviderOptions = {}) {
  const sessions = new DcsSessionPool(options.sessions);
  return defineProvider({
    manifest: {
      name: packageJson.name,
      version: packageJson.version,
      platform: 'huawei-dcs',
      displayName: 'Huawei DCS',
      coreRange: packageJson.peerDependencies['@immutable-infra/core'],
      capiContracts: ['v1beta1', 'v1beta2'],
      kubernetesVersions: ['1.33', '1.34', '1.35'],
    },
    infraCluster: dcsClusterHooks(sessions),
    infraMachine: dcsMachineHooks(sessions),
    infraMachineTemplate: DCSMachineTemplate,
    extraKinds: [dcsPoolHooks(sessions)],
  });
}
