import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  type ClusterApiControllers,
  type EnvtestAssets,
  startClusterApiControllers,
} from '@immutable-infra/management-plane';
import type { KubeConfig } from '@kubernetes/client-node';

/**
 * The live logs of an end-to-end run, readable while it runs: `<tmp>/<name>-<pid>.log` for the
 * test and the workload-cluster simulator (`say`), and `.manager` next to it for the provider's
 * manager (`managerDestination`, a stream for the manager's logger).
 */
export class LiveLog {
  readonly path: string;
  readonly managerPath: string;
  readonly managerDestination: Writable;

  constructor(name: string) {
    this.path = join(tmpdir(), `${name}-${process.pid}.log`);
    this.managerPath = `${this.path}.manager`;
    const managerPath = this.managerPath;
    this.managerDestination = new Writable({
      write(chunk, _encoding, callback) {
        appendFileSync(managerPath, String(chunk));
        callback();
      },
    });
  }

  readonly say = (line: string): void => appendFileSync(this.path, `${new Date().toISOString()} ${line}\n`);

  /** What the manager has logged so far. */
  managerText(): string {
    try {
      return readFileSync(this.managerPath, 'utf8');
    } catch {
      return '';
    }
  }

  /** Removes the live logs: a passing run leaves nothing behind in the temporary directory. */
  discard(): void {
    for (const path of [this.path, this.managerPath]) rmSync(path, { force: true });
  }

  /** Where to look when a wait gives up: the live logs, then the tails of Cluster API's controllers' logs. */
  diagnostics(provider: string, capi: ClusterApiControllers | undefined): string {
    return `live logs: ${this.path} (workload-sim), ${this.managerPath} (${provider} provider)\n${capi?.logTails(25) ?? ''}`;
  }
}

/**
 * Cluster API's core, kubeadm bootstrap and kubeadm control plane controllers as the end-to-end
 * suites run them: watching only the test's namespace, with a short sync period so waits that are
 * not driven by watches stay short, and a short etcd dial timeout for KCP (members come and go).
 */
export function startNamespacedClusterApi(
  kubeConfig: KubeConfig,
  options: { assets: EnvtestAssets; kubeconfigPath: string; namespace: string },
): Promise<ClusterApiControllers> {
  const scoped = [`--namespace=${options.namespace}`, '--sync-period=1m'];
  return startClusterApiControllers(kubeConfig, {
    assets: options.assets,
    kubeconfigPath: options.kubeconfigPath,
    extraArgs: {
      core: scoped,
      'kubeadm-bootstrap': scoped,
      'kubeadm-control-plane': [...scoped, '--etcd-dial-timeout-duration=3s'],
    },
  });
}
