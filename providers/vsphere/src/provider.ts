import { defineProvider } from '@immutable-infra/core';
import { credentialFinalizerName, providerManifest } from '@immutable-infra/provider-kit';
import packageJson from '../package.json' with { type: 'json' };
import { VSphereMachineTemplate } from './api/vsphere-machine-template.js';
import { type VsphereSessionOptions, VsphereSessions } from './cloud/vsphere-session.js';
import { vsphereClusterHooks } from './controllers/vsphere-cluster-controller.js';
import { vsphereMachineHooks } from './controllers/vsphere-machine-controller.js';
import { vspherePoolHooks } from './controllers/vsphere-pool-controller.js';

export interface VsphereProviderOptions {
  /** Session settings shared by every vCenter account (timeouts, request rate, login back-off). */
  sessions?: VsphereSessionOptions;
  /** The longest vCenter takes to list a VM it was asked to clone; a clone is not repeated within it. 30 s by default. */
  listingLagMs?: number;
}

/** The vSphere provider; `iinfra manager --provider @immutable-infra/provider-vsphere` loads the default export. */
export function createVsphereProvider(options: VsphereProviderOptions = {}) {
  const sessions = new VsphereSessions(options.sessions);
  const manifest = providerManifest(packageJson);
  return defineProvider({
    manifest,
    infraCluster: vsphereClusterHooks(sessions, credentialFinalizerName(manifest.platform)),
    infraMachine: vsphereMachineHooks(sessions, { listingLagMs: options.listingLagMs }),
    infraMachineTemplate: VSphereMachineTemplate,
    extraKinds: [vspherePoolHooks(sessions)],
  });
}
