import {
  CreationLag,
  listenHttp as listen,
  RateLimiter,
  Scheduler,
  SeededRandom,
} from '@immutable-infra/simulator-kit';
import type { z } from 'zod';
import { Identity } from './auth/identity.js';
import { Cloud } from './model/cloud.js';
import { type Faults, faultsSchema, type ResolvedFaults } from './model/faults.js';
import { HcsError } from './model/hcs-error.js';
import { type Inventory, inventorySchema, type Quotas, quotasSchema, withIds } from './model/inventory.js';
import { JobBook } from './model/jobs.js';
import { ObjectStorage } from './model/object-storage.js';
import { OperationFaults } from './model/operation-faults.js';
import { type AcceptedChange, buildSimState, CHANGE_LOG_SIZE, type SimState } from './model/sim-state.js';
import type { SimContext } from './routes/context.js';
import { ecsCatalogRoutes } from './routes/ecs-catalog.js';
import { ecsServerRoutes } from './routes/ecs-servers.js';
import { ecsVolumeRoutes } from './routes/ecs-volumes.js';
import { elbRoutes } from './routes/elb.js';
import { evsRoutes } from './routes/evs.js';
import { iamRoutes } from './routes/iam.js';
import { imsRoutes } from './routes/ims.js';
import { createObsHandler } from './routes/obs.js';
import { simRoutes } from './routes/sim.js';
import { vpcRoutes } from './routes/vpc.js';
import { createRequestListener } from './server/request-pipeline.js';
import { Router } from './server/router.js';
import { fieldPath } from './server/validation.js';

export interface HcsSimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Interface to listen on; 127.0.0.1 by default. */
  host?: string;
  /** Serve HTTPS with a certificate from a freshly generated CA (see `caCertificate`). */
  tls?: boolean;
  /** The region's contents; the README's default inventory when left out. */
  inventory?: Inventory;
  faults?: Faults;
}

export interface HcsSimulator {
  /**
   * Base URL, e.g. `http://127.0.0.1:41234`. Every service (IAM, ECS, EVS, VPC, IMS, ELB, OBS) is
   * served here: a client points each service endpoint at this one URL (OBS is told apart by its
   * host name or its signature, see the README).
   */
  url: string;
  /** PEM of the CA that signed the serving certificate, when `tls` was asked for. */
  caCertificate?: string;
  /** The project every project-scoped path must name. */
  projectId: string;
  region: string;
  /** The first access key of the inventory, for tests and the demo. */
  accessKey: string;
  secretKey: string;
  /** The same snapshot `GET /_sim/state` answers. */
  state(): SimState;
  /** Replaces the fault settings (unset keys go back to their defaults), like `POST /_sim/faults`. */
  setFaults(faults: Faults): void;
  /** Changes quota limits (unset keys keep their value), like `POST /_sim/quotas`. */
  setQuotas(quotas: Partial<Quotas>): void;
  /** Stops listening, drops open connections (including deliberately unanswered ones) and timers. */
  close(): Promise<void>;
}

/** Starts a simulated Huawei Cloud Stack region that speaks the wire contract in notes/wire-contract.md. */
export async function startHcsSimulator(options: HcsSimulatorOptions = {}): Promise<HcsSimulator> {
  const inventory = withIds(parseOption(inventorySchema, options.inventory ?? {}, 'inventory'));
  let faults: ResolvedFaults = parseOption(faultsSchema, options.faults ?? {}, 'faults');
  const random = new SeededRandom(faults.seed);
  const scheduler = new Scheduler();
  const cloud = new Cloud(inventory);
  const jobs = new JobBook(scheduler, () => faults);
  const identity = new Identity(
    inventory,
    () => faults.tokenSeconds,
    () => faults,
  );
  const operationFaults = new OperationFaults(() => faults, random);
  const createLag = new CreationLag(() => faults.createLagSeconds * 1000);
  const rateLimiter = new RateLimiter();
  const changes: AcceptedChange[] = [];
  const storage = new ObjectStorage(inventory.buckets.map((b) => b.name));
  const onChange = (operation: string, method: string, path: string) => {
    changes.push({ operation, method, path });
    if (changes.length > CHANGE_LOG_SIZE) changes.splice(0, changes.length - CHANGE_LOG_SIZE);
  };
  let baseUrl = '';

  const applyFaults = (next: ResolvedFaults): ResolvedFaults => {
    if (next.expireTokens) identity.expireAll();
    if (next.seed !== undefined) random.reseed(next.seed);
    operationFaults.reset();
    rateLimiter.reset();
    faults = { ...next, expireTokens: false };
    return faults;
  };
  const context: SimContext = {
    cloud,
    jobs,
    identity,
    createLag,
    baseUrl: () => baseUrl,
    faults: () => faults,
    setFaults: (input) => applyFaults(parseSimBody(faultsSchema, input ?? {})),
    setQuotas: (input) => {
      const partial = parseSimBody(quotasSchema.partial(), input ?? {});
      cloud.quotas = { ...cloud.quotas, ...stripUndefined(partial) };
      return { ...cloud.quotas };
    },
    state: () =>
      buildSimState(
        cloud,
        jobs,
        { tokens: identity.liveTokens(), counts: identity.authCounts() },
        faults,
        changes,
        storage,
      ),
  };
  if (faults.expireTokens) applyFaults(faults);

  const router = new Router([
    ...iamRoutes(context),
    ...ecsCatalogRoutes(context),
    ...ecsServerRoutes(context),
    ...ecsVolumeRoutes(context),
    ...evsRoutes(context),
    ...vpcRoutes(context),
    ...imsRoutes(context),
    ...elbRoutes(context),
    ...simRoutes(context),
  ]);

  const pki = options.tls ? await generatePki() : undefined;
  const host = options.host ?? '127.0.0.1';
  const server = await listen(
    { host, port: options.port ?? 0, ...(pki ? { tls: pki.apiServer } : {}) },
    createRequestListener({
      router,
      identity,
      projectId: cloud.projectId,
      faults: () => faults,
      operationFaults,
      random,
      scheduler,
      rateLimiter,
      onChange,
      obs: createObsHandler({
        storage,
        accessKeys: inventory.accessKeys,
        userId: (name) => identity.userId(name),
        faults: () => faults,
        operationFaults,
        random,
        scheduler,
        rateLimiter,
        onChange,
      }),
    }),
  );
  baseUrl = `${pki ? 'https' : 'http'}://${urlHost(host)}:${server.port}`;
  const key = inventory.accessKeys[0];

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    ...(pki ? { caCertificate: pki.ca.certificate } : {}),
    projectId: cloud.projectId,
    region: inventory.region,
    accessKey: key?.accessKey ?? '',
    secretKey: key?.secretKey ?? '',
    state: context.state,
    setFaults: (next) => {
      applyFaults(parseOption(faultsSchema, next, 'faults'));
    },
    setQuotas: (next) => {
      context.setQuotas(next);
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

/** Validates an in-process option; a mistake throws an Error naming the option and every bad field. */
function parseOption<T extends z.ZodType>(schema: T, value: unknown, option: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${fieldPath(issue.path) || '(root)'}: ${issue.message}`,
  );
  throw new Error(`invalid ${option}: ${problems.join('; ')}`);
}

/** Validates a /_sim body; a mistake answers 400 naming every bad field. */
function parseSimBody<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${fieldPath(issue.path) || '(root)'}: ${issue.message}`,
  );
  throw new HcsError(400, 'SIM.0400', problems.join('; '), 'flat');
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]-?: Exclude<T[K], undefined>;
  };
}

/** The host to put in the URL: a wildcard listen address is reached through loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
