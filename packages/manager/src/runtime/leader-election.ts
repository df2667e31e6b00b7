import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@immutable-infra/core';
import { isConflict, isNotFound } from '../kube/api-error.js';
import type { ObjectClient } from '../kube/object-client.js';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/**
 * The Lease a manager takes by default: `iinfra-manager-` followed by the
 * short name of each provider it loads (the npm package name without its
 * scope and `provider-` prefix), sorted and joined with `-`. So a manager of
 * `@immutable-infra/provider-dcs` holds `iinfra-manager-dcs`, one running DCS
 * and HCS holds `iinfra-manager-dcs-hcs`, and managers of different providers
 * never stand by for each other. The clusterctl manifests that core generates
 * pass the same name explicitly.
 */
export function defaultLeaseName(packageNames: readonly string[]): string {
  const short = packageNames.map((name) =>
    name
      .replace(/^@[^/]+\//, '')
      .replace(/^provider-/, '')
      .toLowerCase()
      // A Lease name is a DNS subdomain; anything else (an underscore, a path's dot) becomes a dash.
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, ''),
  );
  return ['iinfra-manager', ...[...new Set(short)].filter(Boolean).sort()].join('-');
}

const microTime = (date: Date) => date.toISOString().replace('Z', '000Z');

/**
 * Leader election on a coordination.k8s.io Lease, the way client-go does it:
 * another holder's lease counts as expired only when we have seen the same
 * record unchanged for a full lease duration by our own clock, so clock skew
 * between managers does not matter.
 */
export class LeaderElector {
  private observed: { key: string; at: number } | undefined;

  constructor(
    private readonly client: ObjectClient,
    private readonly options: LeaderElectionOptions,
    private readonly log: Logger,
  ) {}

  /** Waits until this process holds the lease (or the signal aborts). */
  async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) {
        this.log.info('became leader', { lease: `${this.options.namespace}/${this.options.name}` });
        return true;
      }
      await sleep(this.options.retryPeriodMs, undefined, { signal }).catch(() => {});
    }
    return false;
  }

  /**
   * Renews every retry period; resolves when leadership is lost (no successful
   * renewal within the renew deadline) or the signal aborts.
   */
  async holdUntilLost(signal: AbortSignal): Promise<'lost' | 'stopped'> {
    let lastRenew = Date.now();
    while (!signal.aborted) {
      await sleep(this.options.retryPeriodMs, undefined, { signal }).catch(() => {});
      if (signal.aborted) break;
      const renewed = await this.tryAcquireOrRenew().catch((error: unknown) => {
        this.log.warn('lease renewal failed', { error: String(error) });
        return false;
      });
      if (renewed) lastRenew = Date.now();
      else if (Date.now() - lastRenew > this.options.renewDeadlineMs) {
        this.log.error('lost leadership', { lease: `${this.options.namespace}/${this.options.name}` });
        return 'lost';
      }
    }
    return 'stopped';
  }

  /** Gives the lease up on a clean shutdown so a standby takes over at once. */
  async release(): Promise<void> {
    const lease = await this.read().catch(() => undefined);
    if (!lease || lease.spec.holderIdentity !== this.options.identity) return;
    delete lease.spec.holderIdentity;
    lease.spec.leaseDurationSeconds = 1;
    lease.spec.renewTime = microTime(new Date());
    await this.client.update(lease as never).catch(() => undefined);
  }

  private read(): Promise<Lease | undefined> {
    return this.client.get<Lease>({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      name: this.options.name,
      namespace: this.options.namespace,
    });
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const durationSeconds = Math.max(1, Math.round(this.options.leaseDurationMs / 1000));
    const existing = await this.read();
    if (!existing) {
      try {
        await this.client.create<Lease>({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.options.name, namespace: this.options.namespace },
          spec: {
            holderIdentity: this.options.identity,
            leaseDurationSeconds: durationSeconds,
            acquireTime: microTime(now),
            renewTime: microTime(now),
            leaseTransitions: 0,
          },
        });
        return true;
      } catch (error) {
        if (isConflict(error) || (error as { status?: number }).status === 409) return false;
        throw error;
      }
    }
    const spec = existing.spec;
    const key = `${spec.holderIdentity}|${spec.renewTime}`;
    if (this.observed?.key !== key) this.observed = { key, at: Date.now() };
    const mine = spec.holderIdentity === this.options.identity;
    const held = spec.holderIdentity !== undefined && spec.holderIdentity !== '';
    const expired = Date.now() - this.observed.at > (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    if (held && !mine && !expired) return false;

    const next: Lease = {
      ...existing,
      spec: {
        ...spec,
        holderIdentity: this.options.identity,
        leaseDurationSeconds: durationSeconds,
        renewTime: microTime(now),
        ...(mine ? {} : { acquireTime: microTime(now), leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }),
      },
    };
    try {
      await this.client.update(next as never);
      return true;
    } catch (error) {
      if (isConflict(error) || isNotFound(error)) return false;
      throw error;
    }
  }
}
