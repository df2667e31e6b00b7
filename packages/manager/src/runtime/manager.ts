import { hostname } from 'node:os';
import {
  type Clock,
  isSecretName,
  type PlatformCallRecorder,
  type PlatformLimits,
  type Provider,
  rememberSecretValue,
  type SecretReader,
} from '@immutable-infra/core';
import type { KubeConfig } from '@kubernetes/client-node';
import { finalizerName } from '../host/finalizers.js';
import { type RunningController, startProviderControllers } from '../host/provider-host.js';
import type { StepBackoffOptions } from '../host/step-backoff.js';
import { InformerFactory } from '../informer/informer-factory.js';
import { Discovery } from '../kube/discovery.js';
import type { ClusterCredentials } from '../kube/kubeconfig-credentials.js';
import { ObjectClient } from '../kube/object-client.js';
import { KubeTransport } from '../kube/transport.js';
import { startProbeServer } from './http-server.js';
import { type LeaderElectionOptions, LeaderElector } from './leader-election.js';
import { createLogger, type HostLogger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { WATCH_FILTER_LABEL } from './watch-filter.js';

export interface ManagerOptions {
  /**
   * The cluster to reconcile in: what loadKubeconfigCredentials returns (the `iinfra manager`
   * command's choice, which keeps client-node's API client out of memory), or client-node's KubeConfig.
   */
  kubeConfig: ClusterCredentials | KubeConfig;
  providers: readonly Provider[];
  /** Keys reconciled at once, per kind. */
  concurrency?: number;
  qps?: number;
  burst?: number;
  /** Limits on each platform account, for providers that honour them (a credential Secret may override). */
  platformLimits?: PlatformLimits;
  /** Leader election; omit to run without (a single manager). */
  leaderElection?: Omit<LeaderElectionOptions, 'identity'> & { identity?: string };
  /** Serve /healthz, /readyz and /metrics here; port 0 picks a free one. */
  probes?: { host: string; port: number };
  log?: HostLogger;
  /** Reconcile objects in this namespace only; every namespace when omitted. */
  namespace?: string;
  /**
   * Reconcile only objects labelled `cluster.x-k8s.io/watch-filter` with this value, as Cluster
   * API's `--watch-filter` does: several managers then split one fleet by label, each caching and
   * reconciling its own share.
   */
  watchFilter?: string;
  /** Informer watch renewal, in seconds (tests shorten it). */
  watchTimeoutSeconds?: number;
  /** What providers read as now, and by which the Kubernetes rate limit (qps, burst) earns its tokens. */
  clock?: Clock;
  /** Back-off after classified platform failures (defaults: 2 s doubling to 5 min); tests shorten it. */
  stepBackoff?: StepBackoffOptions;
}

/** The host process: informers, work queues, leader election, probes and metrics around the providers. */
export class Manager {
  readonly metrics: Metrics = createMetrics();
  readonly log: HostLogger;
  private readonly abort = new AbortController();
  private readonly transport: KubeTransport;
  private readonly client: ObjectClient;
  private controllers: RunningController[] = [];
  private informers: InformerFactory | undefined;
  private synced = false;
  private elector: LeaderElector | undefined;
  private holdsLease = false;
  private metricsTimer: NodeJS.Timeout | undefined;
  probePort: number | undefined;
  private closeProbes: (() => Promise<void>) | undefined;
  /** Resolves when the manager stops, with why. */
  readonly done: Promise<'stopped' | 'lost-leadership'>;
  private finish!: (why: 'stopped' | 'lost-leadership') => void;

  constructor(private readonly options: ManagerOptions) {
    this.log = options.log ?? createLogger();
    this.transport = new KubeTransport(options.kubeConfig, {
      ...(options.qps !== undefined ? { qps: options.qps } : {}),
      ...(options.burst !== undefined ? { burst: options.burst } : {}),
      ...(options.clock ? { now: () => (options.clock as Clock).now().getTime() } : {}),
      onRequest: ({ method, resource, subresource, status }) =>
        this.metrics.kubeRequests.inc({ method, resource, subresource, code: String(status) }),
    });
    this.client = new ObjectClient(this.transport, new Discovery(this.transport));
    this.done = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  get isReady(): boolean {
    return this.synced || (this.elector !== undefined && this.controllers.length === 0);
  }

  get isLeader(): boolean {
    return this.controllers.length > 0;
  }

  /**
   * What /readyz says about this replica. A standby stays ready (200), as in
   * controller-runtime: a rolling update needs the new Pod ready while the old
   * one still holds the Lease. But it must not read as reconciling: it names
   * the Lease it waits for and says its providers are not reconciled here.
   */
  get readiness(): string {
    const providers = this.options.providers.map((p) => p.manifest.name).join(', ');
    const election = this.options.leaderElection;
    const lease = election ? `Lease ${election.namespace}/${election.name}` : undefined;
    if (lease && !this.holdsLease) return `standby for ${lease}; not reconciling ${providers}`;
    const role = lease ? `leader of ${lease}; ` : '';
    return this.synced ? `${role}reconciling ${providers}` : `${role}caches syncing for ${providers}`;
  }

  /** Starts probes, waits for the lease if configured, then runs every provider's controllers. */
  async start(): Promise<void> {
    if (this.options.probes) {
      const { server, port } = await startProbeServer({
        ...this.options.probes,
        ready: () => this.isReady,
        readyDetail: () => this.readiness,
        registry: this.metrics.registry,
      });
      this.probePort = port;
      this.closeProbes = () => new Promise((resolve) => server.close(() => resolve()));
    }
    const signal = this.abort.signal;
    if (this.options.leaderElection) {
      const identity = this.options.leaderElection.identity ?? `${hostname()}_${process.pid}`;
      this.elector = new LeaderElector(this.client, { ...this.options.leaderElection, identity }, this.log);
      void this.elector.acquire(signal).then(async (acquired) => {
        if (!acquired) return;
        this.holdsLease = true;
        this.metrics.leader.set(1);
        await this.runControllers();
        const why = await this.elector?.holdUntilLost(signal);
        if (why === 'lost') {
          this.holdsLease = false;
          this.metrics.leader.set(0);
          await this.shutdown('lost-leadership');
        }
      });
      return;
    }
    await this.runControllers();
  }

  private async runControllers(): Promise<void> {
    const signal = this.abort.signal;
    this.informers = new InformerFactory(this.transport, this.client.discovery, signal, {
      ...(this.options.namespace !== undefined ? { namespace: this.options.namespace } : {}),
      ...(this.options.watchFilter !== undefined
        ? { labelSelector: `${WATCH_FILTER_LABEL}=${this.options.watchFilter}` }
        : {}),
      ...(this.options.watchTimeoutSeconds !== undefined
        ? { watchTimeoutSeconds: this.options.watchTimeoutSeconds }
        : {}),
      onError: (error) => this.log.warn('watch error', { error: String(error) }),
      onRelist: (reason) => this.log.info('relisting', { reason }),
    });
    const secrets: SecretReader = {
      read: async (namespace, name) => {
        const secret = await this.client.get<{ data?: Record<string, string> }>({
          apiVersion: 'v1',
          kind: 'Secret',
          name,
          namespace,
        });
        if (!secret) return undefined;
        const data = Object.fromEntries(
          Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
        );
        // From here on, logs, Events and conditions mask these values (and their hashes) wherever they turn up.
        for (const [key, value] of Object.entries(data)) if (isSecretName(key)) rememberSecretValue(value);
        return data;
      },
    };
    for (const provider of this.options.providers) {
      const platformCalls: PlatformCallRecorder = {
        record: async (operation, call) => {
          const end = this.metrics.platformCallDuration.startTimer({
            platform: provider.manifest.platform,
            operation,
          });
          try {
            const result = await call();
            this.metrics.platformCalls.inc({
              platform: provider.manifest.platform,
              operation,
              result: 'success',
            });
            return result;
          } catch (error) {
            this.metrics.platformCalls.inc({
              platform: provider.manifest.platform,
              operation,
              result: 'error',
            });
            throw error;
          } finally {
            end();
          }
        },
      };
      const controllers = await startProviderControllers(
        provider,
        {
          client: this.client,
          log: this.log.child({ provider: provider.manifest.name }),
          clock: this.options.clock ?? { now: () => new Date() },
          secrets,
          platformCalls,
          signal,
          ...(definedLimits(this.options.platformLimits)
            ? { platformLimits: this.options.platformLimits }
            : {}),
          finalizer: finalizerName(provider.manifest.platform),
          onStatusWrite: (kind, change, ready) => this.metrics.statusWrites.inc({ kind, change, ready }),
        },
        this.informers,
        {
          concurrency: this.options.concurrency ?? 4,
          ...(this.options.stepBackoff ? { stepBackoff: this.options.stepBackoff } : {}),
          onReconcile: (kind, durationMs, result) => {
            this.metrics.reconciles.inc({ kind, result });
            this.metrics.reconcileDuration.observe({ kind }, durationMs / 1000);
          },
          onReconcileError: (kind, key, error, retryInMs) =>
            this.log.warn('reconcile error; retrying', { kind, key, retryInMs, error: String(error) }),
        },
      );
      this.controllers.push(...controllers);
    }
    await Promise.all((await this.informers.all()).map((informer) => informer.hasSynced()));
    this.synced = true;
    this.metricsTimer = setInterval(() => void this.updateGauges(), 1000);
    this.metricsTimer.unref();
    await this.updateGauges();
    this.log.info('controllers running', { kinds: this.controllers.map((c) => c.kind) });
  }

  private async updateGauges(): Promise<void> {
    for (const c of this.controllers) this.metrics.queueDepth.set({ kind: c.kind }, c.queue.depth);
    for (const informer of (await this.informers?.all()) ?? []) {
      const resource = `${informer.resource.apiVersion}/${informer.resource.plural}`;
      this.metrics.watchAge.set({ resource }, (Date.now() - informer.lastActivity) / 1000);
      this.metrics.relists.set({ resource }, informer.relists);
      this.metrics.cachedObjects.set({ resource }, informer.size);
    }
  }

  /** Stops watches and queues (letting in-flight reconciles finish) and releases the lease. */
  async stop(): Promise<void> {
    await this.shutdown('stopped');
  }

  private async shutdown(why: 'stopped' | 'lost-leadership'): Promise<void> {
    if (this.abort.signal.aborted) return;
    this.abort.abort();
    clearInterval(this.metricsTimer);
    await Promise.all(this.controllers.map((c) => c.queue.shutdown()));
    this.log.debug('work queues drained');
    await this.informers?.stopped();
    this.log.debug('informers stopped');
    if (why === 'stopped') await this.elector?.release();
    await this.closeProbes?.();
    this.transport.close();
    this.log.info('manager stopped', { why });
    this.finish(why);
  }
}

/** Limits with at least one field set, or undefined: hooks then see no platformLimits at all. */
function definedLimits(limits: PlatformLimits | undefined): PlatformLimits | undefined {
  if (!limits) return undefined;
  return Object.values(limits).some((value) => value !== undefined) ? limits : undefined;
}
