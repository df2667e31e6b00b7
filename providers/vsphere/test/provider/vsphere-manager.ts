import type { PlatformCallRecorder } from '@immutable-infra/core';
import { createLogger, Manager } from '@immutable-infra/manager';
import type { LogCapture } from '@immutable-infra/testkit';
import type { KubeConfig } from '@kubernetes/client-node';
import { createVsphereProvider } from '../../src/provider.js';

export interface VsphereManagerOptions {
  kubeConfig: KubeConfig;
  /** The one namespace it reconciles (test files share an API server). */
  namespace: string;
  /** Where its debug log goes, for a test to read what was (and was never) logged. */
  log: LogCapture;
  /** Sees every vim25 call, logins included. */
  recorder?: PlatformCallRecorder | undefined;
  /** Where VSphereClusterIdentity Secrets are read; the provider's default when left out. */
  identityNamespace?: string | undefined;
  /** How long a clone is not repeated while vCenter may not list it yet; the provider's 30 s when left out. */
  listingLagMs?: number | undefined;
}

/**
 * The vSphere provider in a manager of one namespace, in this process, started without waiting
 * for its caches (the tests wait for what they look at): the caller stops it when its test ends.
 */
export function startVsphereManager(options: VsphereManagerOptions): Manager {
  const manager = new Manager({
    kubeConfig: options.kubeConfig,
    namespace: options.namespace,
    providers: [
      createVsphereProvider({
        // A short request timeout: vcsim answers at once, and a hung request should fail the test soon.
        sessions: { recorder: options.recorder, requestTimeoutMs: 5_000 },
        ...(options.listingLagMs === undefined ? {} : { listingLagMs: options.listingLagMs }),
        ...(options.identityNamespace === undefined ? {} : { identityNamespace: options.identityNamespace }),
      }),
    ],
    log: createLogger({ level: 'debug', destination: options.log.destination }),
  });
  void manager.start();
  return manager;
}
