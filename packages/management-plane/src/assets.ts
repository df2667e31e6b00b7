import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the test environment's binaries and Cluster API CRDs are. */
export interface EnvtestAssets {
  /** Directory holding `kube-apiserver`, `etcd` and, when built here, `kubectl`. */
  binDir: string;
  kubernetesVersion: string;
  etcdVersion: string;
  clusterApiVersion?: string;
  /** Directory of Cluster API's CRD manifests, when known. */
  crdDir?: string;
  /**
   * Directory of Cluster API's admission webhook configurations
   * (core.yaml, kubeadm-bootstrap.yaml, kubeadm-control-plane.yaml).
   */
  webhookDir?: string;
  /**
   * Cluster API's own controller manager binaries, built by ensure.sh from the
   * pinned module; the paths are empty strings when the build was skipped
   * (IINFRA_SKIP_CAPI_CONTROLLERS=1).
   */
  clusterApiControllers?: ClusterApiControllerBinaries;
  /**
   * The kubelet's port-forward endpoint alone (tools/envtest/kube/kubelet-portforward),
   * for workload-cluster simulators; empty when the Cluster API build was skipped.
   */
  kubeletPortForward?: string;
  /**
   * kube-controller-manager from the same Kubernetes as kube-apiserver, for a
   * plane that runs some of its controllers; empty when the Cluster API build was skipped.
   */
  kubeControllerManager?: string;
}

/** Paths of the three Cluster API controller managers. */
export interface ClusterApiControllerBinaries {
  /** The core manager (Cluster, Machine, MachineSet, MachineDeployment, ... and their webhooks). */
  core: string;
  /** The kubeadm bootstrap provider (KubeadmConfig). */
  kubeadmBootstrap: string;
  /** The kubeadm control plane provider (KubeadmControlPlane). */
  kubeadmControlPlane: string;
}

const ENSURE_SCRIPT = join('tools', 'envtest', 'ensure.sh');

/** Finds `tools/envtest/ensure.sh` in the repository this code or the working directory is in. */
export function findEnsureScript(starts: readonly string[] = defaultSearchStarts()): string | undefined {
  for (const start of starts) {
    let dir = resolve(start);
    for (;;) {
      const candidate = join(dir, ENSURE_SCRIPT);
      if (existsSync(candidate)) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}

function defaultSearchStarts(): string[] {
  return [process.cwd(), dirname(fileURLToPath(import.meta.url))];
}

export interface EnsureAssetsOptions {
  /** Path of the ensure script; found from the working directory when omitted. */
  ensureScript?: string;
  /** Where to look upwards for `tools/envtest/ensure.sh`; the working directory and this package's folder by default. */
  searchFrom?: readonly string[];
  /** Receives the build's progress lines (stderr of the script). Defaults to process.stderr. */
  onProgress?: (line: string) => void;
}

/**
 * Where ensure.sh caches its builds (`$IINFRA_CACHE_DIR/envtest`, else
 * `$XDG_CACHE_HOME/immutable-infra/envtest`, else `~/.cache/immutable-infra/envtest`).
 */
export function envtestCacheDir(): string {
  const root =
    process.env.IINFRA_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'immutable-infra');
  return join(root, 'envtest');
}

/** The description of the last successful ensure.sh run, kept beside its cached binaries. */
const LAST_ASSETS_FILE = 'last-assets.json';

/**
 * Builds (once, cached) or locates the real kube-apiserver and etcd and
 * Cluster API's CRDs. Where they come from, first match wins:
 *
 * 1. `tools/envtest/ensure.sh` (`options.ensureScript`, `IINFRA_ENVTEST_SCRIPT`, or found upwards from
 *    the working directory or this package), which honours `KUBEBUILDER_ASSETS` itself;
 * 2. outside the repository (an installed package): `KUBEBUILDER_ASSETS`, binaries only (the
 *    management plane then fetches the pinned Cluster API's CRDs: `ensureClusterApiCrds`);
 * 3. the description the last ensure.sh run left in the cache, while its binaries are still there.
 */
export async function ensureEnvtestAssets(options: EnsureAssetsOptions = {}): Promise<EnvtestAssets> {
  const script =
    options.ensureScript ?? process.env.IINFRA_ENVTEST_SCRIPT ?? findEnsureScript(options.searchFrom);
  if (script === undefined) {
    const fromEnv = process.env.KUBEBUILDER_ASSETS;
    if (fromEnv) return { binDir: fromEnv, kubernetesVersion: 'unknown', etcdVersion: 'unknown' };
    const cached = await readLastAssets();
    if (cached) return cached;
    throw new Error(
      'No test environment: set KUBEBUILDER_ASSETS to a directory with kube-apiserver and etcd, ' +
        'or run inside the immutable-infra repository (tools/envtest/ensure.sh builds them).',
    );
  }
  const onProgress = options.onProgress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const stdout = await runScript(script, onProgress);
  const lastLine = stdout.trim().split('\n').at(-1) ?? '';
  let assets: EnvtestAssets;
  try {
    assets = JSON.parse(lastLine) as EnvtestAssets;
  } catch {
    throw new Error(`${script} printed no asset description; its last line was: ${lastLine}`);
  }
  await writeLastAssets(assets);
  return assets;
}

async function readLastAssets(): Promise<EnvtestAssets | undefined> {
  try {
    const assets = JSON.parse(
      await readFile(join(envtestCacheDir(), LAST_ASSETS_FILE), 'utf8'),
    ) as EnvtestAssets;
    const complete = ['kube-apiserver', 'etcd'].every((name) => existsSync(join(assets.binDir, name)));
    return complete ? assets : undefined;
  } catch {
    return undefined;
  }
}

async function writeLastAssets(assets: EnvtestAssets): Promise<void> {
  // A convenience for later runs outside the repository; a read-only cache must not fail this one.
  try {
    const file = join(envtestCacheDir(), LAST_ASSETS_FILE);
    await mkdir(envtestCacheDir(), { recursive: true });
    // Written aside and renamed, so a concurrent reader never sees half a file.
    await writeFile(`${file}.${process.pid}`, `${JSON.stringify(assets, null, 2)}\n`);
    await rename(`${file}.${process.pid}`, file);
  } catch {}
}

function runScript(script: string, onProgress: (line: string) => void): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderrTail = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onProgress(line);
      stderrTail = (stderrTail + chunk).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (partial) onProgress(partial);
      if (code === 0) resolvePromise(stdout);
      else reject(new Error(`${script} exited with ${code}:\n${stderrTail}`));
    });
  });
}
