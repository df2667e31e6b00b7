import {
  CreationLag,
  listenHttp as listen,
  RateLimiter,
  Scheduler,
  SeededRandom,
} from '@immutable-infra/simulator-kit';
import type { z } from 'zod';
import { type Faults, faultsSchema, type ResolvedFaults } from './model/faults.js';
import { defaultInventory, type Inventory, inventorySchema } from './model/inventory.js';
import { Platform } from './model/platform.js';
import { buildSimState, type SimState } from './model/sim-state.js';
import { TaskBook } from './model/tasks.js';
import { clusterRoutes } from './routes/clusters.js';
import type { SimContext } from './routes/context.js';
import { inventoryRoutes } from './routes/inventory.js';
import { sessionRoutes } from './routes/session.js';
import { simRoutes } from './routes/sim.js';
import { taskRoutes } from './routes/tasks.js';
import { uploadRoutes } from './routes/uploads.js';
import { vmCloneRoutes } from './routes/vm-clone.js';
import { vmDeviceRoutes } from './routes/vm-devices.js';
import { vmPowerRoutes } from './routes/vm-power.js';
import { vmRoutes } from './routes/vms.js';
import { volumeRoutes } from './routes/volumes.js';
import { createRequestListener } from './server/request-pipeline.js';
import { Router } from './server/router.js';
import { SessionStore } from './server/session.js';
import { fieldPath, parseBody } from './server/validation.js';

export interface DcsSimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Interface to listen on; 127.0.0.1 by default. */
  host?: string;
  /** Serve HTTPS with a certificate from a freshly generated CA (see `caCertificate`). */
  tls?: boolean;
  /** The site's contents; {@link defaultInventory} when left out. */
  inventory?: Inventory;
  faults?: Faults;
}

export interface DcsSimulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`; every API path starts with `/service`. */
  url: string;
  /** PEM of the CA that signed the serving certificate, when `tls` was asked for. */
  caCertificate?: string;
  /** The same snapshot `GET /_sim/state` answers. */
  state(): SimState;
  /** Replaces the fault settings (unset keys go back to their defaults), like `POST /_sim/faults`. */
  setFaults(faults: Faults): void;
  /** Changes a user's password, as a DCS administrator does; open sessions stay valid. */
  setUserPassword(userName: string, password: string): void;
  /**
   * Moves a VM onto another host of its cluster, as DRS or an administrator's live migration does
   * (after the `colocate` fault put it beside another); throws for an unknown VM or host.
   */
  migrateVm(vmName: string, hostName: string): void;
  /**
   * The bytes of the file in the CD-ROM of the VM with this name (its Ignition ISO), as a guest
   * booting from it reads them; undefined when the CD-ROM is empty or the VM unknown.
   */
  bootMedia(vmName: string): Buffer | undefined;
  /** Stops listening, drops open connections (including deliberately unanswered ones) and timers. */
  close(): Promise<void>;
}

/** Starts a simulated DCS (FusionCompute) VRM that speaks the wire contract in notes/wire-contract.md. */
export async function startDcsSimulator(options: DcsSimulatorOptions = {}): Promise<DcsSimulator> {
  const inventory = parseOption(inventorySchema, options.inventory ?? defaultInventory(), 'inventory');
  let faults: ResolvedFaults = parseOption(faultsSchema, options.faults ?? {}, 'faults');
  const random = new SeededRandom(faults.seed);
  const scheduler = new Scheduler();
  const platform = new Platform(inventory);
  const tasks = new TaskBook(platform.address, scheduler, () => faults.taskSeconds * 1000);
  const sessions = new SessionStore(inventory.users, () => faults);
  const createLag = new CreationLag(() => faults.createLagSeconds * 1000);
  const rateLimiter = new RateLimiter();

  const context: SimContext = {
    platform,
    tasks,
    sessions,
    createLag,
    faults: () => faults,
    setFaults: (input) => {
      const next = parseBody(faultsSchema, input ?? {});
      if (next.expireSessions) sessions.expireAll();
      if (next.seed !== undefined) random.reseed(next.seed);
      rateLimiter.reset();
      faults = { ...next, expireSessions: false };
      return faults;
    },
    state: () => buildSimState(platform, tasks, sessions),
  };
  if (faults.expireSessions) context.setFaults(faults);

  const router = new Router([
    ...sessionRoutes(context),
    ...inventoryRoutes(context),
    ...clusterRoutes(context),
    ...vmRoutes(context),
    ...vmCloneRoutes(context),
    ...vmPowerRoutes(context),
    ...vmDeviceRoutes(context),
    ...volumeRoutes(context),
    ...uploadRoutes(context),
    ...taskRoutes(context),
    ...simRoutes(context),
  ]);

  const pki = options.tls ? await generatePki() : undefined;
  const host = options.host ?? '127.0.0.1';
  const server = await listen(
    { host, port: options.port ?? 0, ...(pki ? { tls: pki.apiServer } : {}) },
    createRequestListener({
      router,
      sessions,
      siteId: platform.address.siteId,
      faults: () => faults,
      random,
      scheduler,
      rateLimiter,
    }),
  );

  let closing: Promise<void> | undefined;
  return {
    url: `${pki ? 'https' : 'http'}://${urlHost(host)}:${server.port}`,
    ...(pki ? { caCertificate: pki.ca.certificate } : {}),
    state: context.state,
    setFaults: (next) => {
      context.setFaults(parseOption(faultsSchema, next, 'faults'));
    },
    setUserPassword: (userName, password) => sessions.setPassword(userName, password),
    bootMedia: (vmName) => {
      const vm = [...platform.vms.values()].find(
        (candidate) => candidate.name === vmName && !candidate.isTemplate,
      );
      if (vm?.cdromFile === undefined) return undefined;
      return [...platform.uploads.values()].find((upload) => upload.filePath === vm.cdromFile)?.bytes;
    },
    migrateVm: (vmName, hostName) => {
      const vm = [...platform.vms.values()].find(
        (candidate) => candidate.name === vmName && !candidate.isTemplate,
      );
      if (!vm) throw new Error(`no VM named ${vmName}`);
      const host = inventory.hosts.find(
        (candidate) =>
          candidate.name === hostName &&
          platform.address.urnOf('clusters', candidate.clusterId) === vm.location,
      );
      if (!host) throw new Error(`no host ${hostName} in the cluster of VM ${vmName}`);
      vm.hostUrn = platform.address.urnOf('hosts', host.id);
    },
    close: () => {
      closing ??= (async () => {
        scheduler.close();
        await server.close();
      })();
      return closing;
    },
  };
}

/**
 * A CA and a serving certificate for 127.0.0.1/localhost. The testkit is loaded only when TLS is
 * asked for: its entry point also loads the Kubernetes client, which a plain HTTP run never needs.
 */
async function generatePki() {
  const { generateControlPlanePki } = await import('@immutable-infra/management-plane');
  return generateControlPlanePki();
}

/** Validates an in-process option; a mistake throws an Error naming the option and the field. */
function parseOption<T extends z.ZodType>(schema: T, value: unknown, option: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${fieldPath(issue.path) || '(root)'}: ${issue.message}`,
  );
  throw new Error(`invalid ${option}: ${problems.join('; ')}`);
}

/** The host to put in the URL: a wildcard listen address is reached through loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
