import { homedir } from 'node:os';
import { join } from 'node:path';
import { generateCrd, providerKinds } from '@immutable-infra/core';
import {
  type ControlPlaneState,
  createManagementPlane,
  installCrds,
  isControlPlaneHealthy,
  MANAGEMENT_CONTROLLERS,
  parseCrdManifests,
  readControlPlaneState,
  stopControlPlaneAt,
} from '@immutable-infra/management-plane';
import { KubeConfig } from '@kubernetes/client-node';
import { loadProvider } from '../runtime/provider-loader.js';

/** A running embedded management plane, as `iinfra env` reports it. */
export interface EmbeddedEnvironment {
  name: string;
  kubeconfigPath: string;
  server: string;
  kubernetesVersion: string;
  stateDir: string;
  startedAt: string;
  /** kubectl built with the API server, when there is one. */
  kubectl?: string;
  pids: Record<string, number>;
}

export interface EnvironmentOptions {
  /** Several environments can run side by side under different names. */
  name: string;
  /** Overrides the base directory that holds every environment's state. */
  stateRoot?: string;
  onProgress?: (message: string) => void;
  /** Provider packages (names or paths) whose CRDs are installed too. */
  providers?: readonly string[];
}

const NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

export function environmentStateDir(options: Pick<EnvironmentOptions, 'name' | 'stateRoot'>): string {
  if (!NAME_PATTERN.test(options.name)) {
    throw new Error(`--name "${options.name}" must be lower-case letters, digits and dashes (at most 40)`);
  }
  const root =
    options.stateRoot ??
    process.env.IINFRA_STATE_DIR ??
    join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'immutable-infra');
  return join(root, 'env', options.name);
}

function describe(state: ControlPlaneState, name: string): EmbeddedEnvironment {
  const apiServer = state.processes.find((p) => p.name === 'kube-apiserver');
  const pids = Object.fromEntries(state.processes.map((p) => [p.name, p.pid]));
  return {
    name,
    kubeconfigPath: state.kubeconfigPath,
    server: state.server,
    kubernetesVersion: state.kubernetesVersion,
    stateDir: state.stateDir,
    startedAt: state.startedAt,
    ...(apiServer ? { kubectl: join(apiServer.binary, '..', 'kubectl') } : {}),
    pids,
  };
}

/** Starts the environment, or returns the one already running under that name. */
export async function environmentUp(
  options: EnvironmentOptions,
): Promise<{ environment: EmbeddedEnvironment; reused: boolean; providerCrds: number }> {
  const progress = options.onProgress ?? (() => {});
  const stateDir = environmentStateDir(options);
  // Load providers first: a wrong name should fail before anything starts.
  const providers = await Promise.all((options.providers ?? []).map((specifier) => loadProvider(specifier)));
  const crds = providers.flatMap((provider) => providerKinds(provider).map(generateCrd));
  const existing = await readControlPlaneState(stateDir);
  let state: ControlPlaneState;
  let reused = false;
  if (existing && (await isControlPlaneHealthy(existing))) {
    state = existing;
    reused = true;
  } else {
    if (existing) {
      progress('found a stopped or broken environment; cleaning it up');
      await stopControlPlaneAt(stateDir);
    }
    const plane = await createManagementPlane({
      stateDir,
      lifetime: 'detached',
      name: `iinfra-${options.name}`,
      // A management cluster's garbage collector and namespace controller, as Cluster API expects.
      controllers: MANAGEMENT_CONTROLLERS,
      onProgress: progress,
      ensure: { onProgress: progress },
    });
    state = plane.controlPlane;
  }
  if (crds.length > 0) {
    // Applied on every `up`, so a reused environment gets a newer provider's CRDs too.
    progress(`installing ${crds.length} CRDs of ${providers.map((p) => p.manifest.name).join(', ')}`);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(state.kubeconfigPath);
    await installCrds(kubeConfig, parseCrdManifests(crds.map((crd) => JSON.stringify(crd)).join('\n---\n')));
  }
  return { environment: describe(state, options.name), reused, providerCrds: crds.length };
}

/** Stops the environment and removes its state; undefined when none was there. */
export async function environmentDown(
  options: Pick<EnvironmentOptions, 'name' | 'stateRoot'>,
): Promise<EmbeddedEnvironment | undefined> {
  const state = await stopControlPlaneAt(environmentStateDir(options));
  return state ? describe(state, options.name) : undefined;
}

export async function environmentStatus(
  options: Pick<EnvironmentOptions, 'name' | 'stateRoot'>,
): Promise<{ environment: EmbeddedEnvironment; healthy: boolean } | undefined> {
  const state = await readControlPlaneState(environmentStateDir(options));
  if (!state) return undefined;
  return { environment: describe(state, options.name), healthy: await isControlPlaneHealthy(state) };
}
