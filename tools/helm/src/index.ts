import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageDir } from './package-dir.js';

const run = promisify(execFile);

/** What ensure.sh prints: where the binaries are and which releases they are. */
export interface HelmTools {
  helm: string;
  /** The helm.sh/helm/v3 release pinned in helm/go.mod, `v3.22.0`. */
  helmVersion: string;
  clusterctl: string;
  /** The sigs.k8s.io/cluster-api release pinned in clusterctl/go.mod, `v1.13.6`. */
  clusterApiVersion: string;
  kustomize: string;
  /** The sigs.k8s.io/kustomize/kustomize/v5 release pinned in kustomize/go.mod, `v5.7.0`. */
  kustomizeVersion: string;
}

let tools: Promise<HelmTools> | undefined;

/**
 * Builds (the first time; minutes) or finds helm, clusterctl and kustomize through this package's ensure.sh,
 * which caches them outside the repository, one builder at a time. Once per process.
 */
export function ensureHelmTools(): Promise<HelmTools> {
  tools ??= run('bash', [join(packageDir, 'ensure.sh')], {
    maxBuffer: 1 << 20,
    timeout: 20 * 60_000,
  }).then(({ stdout }) => JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as HelmTools);
  return tools;
}

/** The path of the real `helm` binary (built from the pinned module on first use). */
export async function ensureHelm(): Promise<string> {
  return (await ensureHelmTools()).helm;
}

/** The path of the real `clusterctl` binary (built from the pinned Cluster API on first use). */
export async function ensureClusterctl(): Promise<string> {
  return (await ensureHelmTools()).clusterctl;
}

/** The path of the real `kustomize` binary (built from the pinned module on first use). */
export async function ensureKustomize(): Promise<string> {
  return (await ensureHelmTools()).kustomize;
}

export {
  type ChartIdentity,
  type ChartIdentityOptions,
  chartIdentity,
  type ManifestIdentityOptions,
  manifestIdentity,
} from './chart-identity.js';
export { type ChartManager, type ChartManagerOptions, startChartManager } from './chart-manager.js';
export {
  type CertManagerEntry,
  clusterctlConfig,
  goModuleDir,
  providerLabel,
  type RepositoryProvider,
  writeCertManager,
  writeClusterApiProviders,
  writeProviderVersion,
} from './clusterctl-repository.js';
