import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiextensionsV1Api,
  type KubeConfig,
  KubernetesObjectApi,
  loadAllYaml,
  PatchStrategy,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import type { EnvtestAssets } from './assets.js';
import { FIELD_MANAGER } from './crds.js';
import { generateCertificateAuthority } from './pki.js';
import { freePort } from './ports.js';
import { probe } from './probes.js';
import { bindToThisProcess, logTail, type ManagedProcess, spawnLogged, terminate } from './processes.js';

/** The three managers, with the API groups whose CRDs each one converts. */
const COMPONENTS = [
  {
    id: 'core',
    binary: 'core',
    webhookFile: 'core.yaml',
    groups: [
      'cluster.x-k8s.io',
      'addons.cluster.x-k8s.io',
      'ipam.cluster.x-k8s.io',
      'runtime.cluster.x-k8s.io',
    ],
  },
  {
    id: 'kubeadm-bootstrap',
    binary: 'kubeadmBootstrap',
    webhookFile: 'kubeadm-bootstrap.yaml',
    groups: ['bootstrap.cluster.x-k8s.io'],
  },
  {
    id: 'kubeadm-control-plane',
    binary: 'kubeadmControlPlane',
    webhookFile: 'kubeadm-control-plane.yaml',
    groups: ['controlplane.cluster.x-k8s.io'],
  },
] as const;

export type ClusterApiComponent = (typeof COMPONENTS)[number]['id'];

export interface StartClusterApiControllersOptions {
  assets: EnvtestAssets;
  /** Admin kubeconfig of the management cluster the controllers run against. */
  kubeconfigPath: string;
  /** Where certificates and logs go; a temporary directory, removed on stop, when omitted. */
  stateDir?: string;
  /**
   * Feature gates for every manager. KubeadmBootstrapFormatIgnition is on by
   * default (providers that boot from Ignition, such as DCS, need it).
   */
  featureGates?: Readonly<Record<string, boolean>>;
  /** Extra flags per manager, e.g. `{ 'kubeadm-control-plane': ['--etcd-dial-timeout-duration=3s'] }`. */
  extraArgs?: Partial<Record<ClusterApiComponent, readonly string[]>>;
  /** Log verbosity (`-v`) of every manager; default 2. */
  verbosity?: number;
  readyTimeoutMs?: number;
  onProgress?: (message: string) => void;
}

export interface RunningClusterApiController {
  component: ClusterApiComponent;
  process: ManagedProcess;
  /** Port of its webhook server on 127.0.0.1. */
  webhookPort: number;
  logFile: string;
}

export interface ClusterApiControllers {
  controllers: RunningClusterApiController[];
  stateDir: string;
  /** Stops the managers, removes the webhook configurations this call installed and a temporary state directory. */
  stop(): Promise<void>;
  /** The last lines of each manager's log, for failure messages. */
  logTails(lines?: number): string;
}

const DEFAULT_FEATURE_GATES = { KubeadmBootstrapFormatIgnition: true };

/**
 * Runs Cluster API's own controller managers (core, kubeadm bootstrap, kubeadm
 * control plane, built by tools/envtest/ensure.sh) against a management
 * cluster, as clusterctl would install them, minus the Deployments:
 *
 * - one serving certificate (generated CA) for their webhook servers on loopback ports;
 * - their mutating and validating webhook configurations, and each CRD's
 *   conversion webhook, pointed at those ports by URL with the CA as caBundle;
 * - the contract labels (`cluster.x-k8s.io/v1beta1`, `cluster.x-k8s.io/v1beta2`)
 *   their kustomizations put on the CRDs, which the controllers read to resolve
 *   references by API group;
 * - no leader election; logs to files; tied to this process by the watchdog.
 */
export async function startClusterApiControllers(
  kubeConfig: KubeConfig,
  options: StartClusterApiControllersOptions,
): Promise<ClusterApiControllers> {
  // A port found free can be taken by another process before a manager binds it (the webhook
  // server listens on every address, which other tests' loopback listeners share). Such a start
  // cleans up after itself, so it is tried again with new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startClusterApiControllersOnce(kubeConfig, options);
    } catch (error) {
      const clash = error instanceof Error && error.message.includes('address already in use');
      if (!clash || attempt >= 3) throw error;
      options.onProgress?.(`a Cluster API manager's port was taken meanwhile; starting again with new ports`);
    }
  }
}

async function startClusterApiControllersOnce(
  kubeConfig: KubeConfig,
  options: StartClusterApiControllersOptions,
): Promise<ClusterApiControllers> {
  const progress = options.onProgress ?? (() => {});
  const binaries = options.assets.clusterApiControllers;
  const webhookDir = options.assets.webhookDir;
  if (!binaries?.core || !binaries.kubeadmBootstrap || !binaries.kubeadmControlPlane || !webhookDir) {
    throw new Error(
      'the envtest assets name no Cluster API controllers (run tools/envtest/ensure.sh without IINFRA_SKIP_CAPI_CONTROLLERS)',
    );
  }
  const temporary = options.stateDir === undefined;
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'iinfra-capi-')));
  const certDir = join(stateDir, 'webhook-certs');
  const logDir = join(stateDir, 'logs');
  await mkdir(certDir, { recursive: true, mode: 0o700 });
  await mkdir(logDir, { recursive: true });

  const ca = await generateCertificateAuthority('immutable-infra-capi-webhooks');
  const serving = await ca.issue({
    subject: 'CN=capi-webhooks',
    usage: 'server',
    ips: ['127.0.0.1'],
    dnsNames: ['localhost'],
  });
  await writeFile(join(certDir, 'tls.crt'), serving.certificate);
  await writeFile(join(certDir, 'tls.key'), serving.privateKey, { mode: 0o600 });
  const caBundle = Buffer.from(ca.certificate).toString('base64');

  const gates = { ...DEFAULT_FEATURE_GATES, ...(options.featureGates ?? {}) };
  const gateFlag = Object.entries(gates)
    .map(([name, on]) => `${name}=${on}`)
    .join(',');

  const started: { child: ChildProcess; running: RunningClusterApiController }[] = [];
  const installedWebhookConfigs: { kind: string; name: string }[] = [];
  let release = () => {};
  const stopProcesses = async () => {
    // Released only once they are gone: a runner killed while stopping them leaves none behind.
    await Promise.all(started.map(({ running }) => terminate(running.process)));
    release();
  };
  const logTails = (lines = 30) =>
    started
      .map(
        ({ running }) => `--- ${running.component} (${running.logFile})\n${logTail(running.logFile, lines)}`,
      )
      .join('\n');

  try {
    // Ports first: the configurations must name them before anything calls the webhooks.
    const plans = [];
    for (const component of COMPONENTS) {
      plans.push({
        component,
        // The webhook server binds every address, so the port must be free on all of them.
        webhookPort: await freePort('0.0.0.0'),
        healthPort: await freePort(),
        diagnosticsPort: await freePort(),
      });
    }

    progress('pointing CRD conversion and admission webhooks at local ports');
    for (const plan of plans) {
      const url = (path: string) => `https://127.0.0.1:${plan.webhookPort}${path}`;
      await configureCrds(kubeConfig, plan.component.groups, url('/convert'), caBundle);
      const configs = await readWebhookConfigurations(join(webhookDir, plan.component.webhookFile));
      for (const config of configs) {
        config.metadata.name = `${plan.component.id}-${config.metadata.name}`;
        for (const webhook of config.webhooks ?? []) {
          const path = webhook.clientConfig?.service?.path ?? '/';
          webhook.clientConfig = { url: url(path), caBundle };
        }
        await KubernetesObjectApi.makeApiClient(kubeConfig).patch(
          config,
          undefined,
          undefined,
          FIELD_MANAGER,
          true,
          PatchStrategy.ServerSideApply,
        );
        installedWebhookConfigs.push({ kind: config.kind, name: config.metadata.name });
      }
    }

    for (const plan of plans) {
      const binary = binaries[plan.component.binary];
      if (!existsSync(binary)) throw new Error(`${plan.component.id} manager not found at ${binary}`);
      const logFile = join(logDir, `${plan.component.id}.log`);
      progress(`starting Cluster API ${plan.component.id} manager`);
      const { child, process } = spawnLogged({
        name: `capi-${plan.component.id}`,
        binary,
        logFile,
        detached: false,
        args: [
          `--kubeconfig=${options.kubeconfigPath}`,
          `--webhook-port=${plan.webhookPort}`,
          `--webhook-cert-dir=${certDir}`,
          `--health-addr=127.0.0.1:${plan.healthPort}`,
          `--diagnostics-address=127.0.0.1:${plan.diagnosticsPort}`,
          '--insecure-diagnostics',
          `--feature-gates=${gateFlag}`,
          `--v=${options.verbosity ?? 2}`,
          ...(options.extraArgs?.[plan.component.id] ?? []),
        ],
      });
      started.push({
        child,
        running: { component: plan.component.id, process, webhookPort: plan.webhookPort, logFile },
      });
      release();
      // A temporary state directory goes with the processes if this one is killed.
      release = bindToThisProcess(
        started.map((s) => s.running.process),
        temporary ? stateDir : undefined,
      );
    }

    const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
    for (const [index, plan] of plans.entries()) {
      const entry = started[index];
      if (!entry) continue;
      let exited = false;
      entry.child.once('exit', () => {
        exited = true;
      });
      for (;;) {
        if (exited || entry.child.exitCode !== null) {
          throw new Error(
            `Cluster API ${plan.component.id} manager exited:\n${logTail(entry.running.logFile)}`,
          );
        }
        if ((await probe(`http://127.0.0.1:${plan.healthPort}/readyz`)).status === 200) break;
        if (Date.now() > deadline) {
          throw new Error(
            `Cluster API ${plan.component.id} manager not ready in time:\n${logTail(entry.running.logFile)}`,
          );
        }
        await sleep(100);
      }
      progress(`Cluster API ${plan.component.id} manager ready`);
    }

    let stopped: Promise<void> | undefined;
    return {
      controllers: started.map((s) => s.running),
      stateDir,
      logTails,
      stop: () => {
        stopped ??= (async () => {
          await stopProcesses();
          await removeWebhookConfigurations(kubeConfig, installedWebhookConfigs);
          if (temporary) await rm(stateDir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  } catch (error) {
    await stopProcesses();
    await removeWebhookConfigurations(kubeConfig, installedWebhookConfigs);
    if (temporary) await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
}

interface WebhookConfiguration {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  webhooks?: { clientConfig?: { service?: { path?: string }; url?: string; caBundle?: string } }[];
}

async function readWebhookConfigurations(file: string): Promise<WebhookConfiguration[]> {
  const docs = loadAllYaml(await readFile(file, 'utf8')) as (WebhookConfiguration | null)[];
  return docs.filter((d): d is WebhookConfiguration => d !== null && /WebhookConfiguration$/.test(d.kind));
}

/** Conversion webhook and contract labels on every CRD of the given groups. */
async function configureCrds(
  kubeConfig: KubeConfig,
  groups: readonly string[],
  url: string,
  caBundle: string,
): Promise<void> {
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const crds = (await api.listCustomResourceDefinition()).items.filter((crd) =>
    groups.includes(crd.spec.group),
  );
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    const patch: Partial<V1CustomResourceDefinition> & Record<string, unknown> = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: {
        name,
        labels: { 'cluster.x-k8s.io/v1beta1': 'v1beta1', 'cluster.x-k8s.io/v1beta2': 'v1beta2' },
      },
    };
    if (crd.spec.versions.length > 1) {
      patch.spec = {
        conversion: {
          strategy: 'Webhook',
          webhook: { conversionReviewVersions: ['v1'], clientConfig: { url, caBundle } },
        },
      } as V1CustomResourceDefinition['spec'];
    }
    await KubernetesObjectApi.makeApiClient(kubeConfig).patch(
      patch as V1CustomResourceDefinition,
      undefined,
      undefined,
      `${FIELD_MANAGER}-capi-webhooks`,
      true,
      PatchStrategy.ServerSideApply,
    );
  }
}

async function removeWebhookConfigurations(
  kubeConfig: KubeConfig,
  configs: readonly { kind: string; name: string }[],
): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  for (const { kind, name } of configs) {
    await objects
      .delete({ apiVersion: 'admissionregistration.k8s.io/v1', kind, metadata: { name } })
      .catch(() => undefined);
  }
}
