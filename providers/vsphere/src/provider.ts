import { DOCUMENTED_PROVIDER_NAMESPACE } from '@immutable-infra/core';
import { definePlatformProvider } from '@immutable-infra/provider-kit';
import packageJson from '../package.json' with { type: 'json' };
import { VSphereMachineTemplate } from './api/vsphere-machine-template.js';
import { type VsphereSessionOptions, VsphereSessions } from './cloud/vsphere-session.js';
import { vsphereClusterHooks } from './controllers/vsphere-cluster-controller.js';
import { vsphereClusterIdentityHooks } from './controllers/vsphere-cluster-identity-controller.js';
import { vsphereDeploymentZoneHooks } from './controllers/vsphere-deployment-zone-controller.js';
import { vsphereMachineHooks } from './controllers/vsphere-machine-controller.js';
import { vspherePoolHooks } from './controllers/vsphere-pool-controller.js';

export interface VsphereProviderOptions {
  /** Session settings shared by every vCenter account (timeouts, request rate, login back-off). */
  sessions?: VsphereSessionOptions;
  /** The longest vCenter takes to list a VM it was asked to clone; a clone is not repeated within it. 30 s by default. */
  listingLagMs?: number;
  /**
   * The provider's own namespace, where VSphereClusterIdentity Secrets are read: `POD_NAMESPACE`
   * (the manifests set it from the pod), else `cpaas-system`, where the documentation installs it.
   */
  identityNamespace?: string;
  /**
   * The alive version a Self-built VIP's ModuleInfo asks for instead of the platform's choice (the
   * documented `--plugin-alive-version`); the environment variable VSPHERE_PLUGIN_ALIVE_VERSION when
   * left out. Its ModuleConfig must still exist and be ready.
   */
  pluginAliveVersion?: string | undefined;
}

/** The vSphere provider; `iinfra manager --provider @immutable-infra/provider-vsphere` loads the default export. */
export function createVsphereProvider(options: VsphereProviderOptions = {}) {
  const access = {
    sessions: new VsphereSessions(options.sessions),
    identityNamespace:
      options.identityNamespace ?? process.env.POD_NAMESPACE ?? DOCUMENTED_PROVIDER_NAMESPACE,
  };
  const alive = { option: options.pluginAliveVersion, environmentVariable: 'VSPHERE_PLUGIN_ALIVE_VERSION' };
  return definePlatformProvider(packageJson, alive, (settings) => ({
    infraCluster: vsphereClusterHooks(access, settings.credentialFinalizer, settings.aliveVersion),
    infraMachine: vsphereMachineHooks(access, { listingLagMs: options.listingLagMs }),
    infraMachineTemplate: VSphereMachineTemplate,
    extraKinds: [
      vspherePoolHooks(access),
      vsphereDeploymentZoneHooks(access),
      vsphereClusterIdentityHooks(access),
    ],
  }));
}
