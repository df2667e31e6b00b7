import { defineProvider } from '@immutable-infra/core';
import { providerManifest } from '@immutable-infra/provider-kit';
import packageJson from '../package.json' with { type: 'json' };
import { AcmeMachineTemplate } from './api/acme-machine-template.js';
import { clusterHooks } from './controllers/acme-cluster-controller.js';
import { type MachineStepOptions, machineHooks } from './controllers/acme-machine-controller.js';
import { AcmeClients } from './controllers/connect.js';

export type AcmeProviderOptions = MachineStepOptions;

/**
 * The Acme provider. Its manifest is read from package.json (name, version, platform, the core
 * range of the peer dependency, contracts, Kubernetes versions), so the two never disagree.
 */
export function createAcmeProvider(options: AcmeProviderOptions = {}) {
  const clients = new AcmeClients();
  return defineProvider({
    manifest: providerManifest(packageJson),
    infraCluster: clusterHooks(clients),
    infraMachine: machineHooks(clients, options),
    infraMachineTemplate: AcmeMachineTemplate,
  });
}
