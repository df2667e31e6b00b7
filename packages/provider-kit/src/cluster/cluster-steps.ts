import {
  CLUSTER_NAME_LABEL,
  type ClusterProvisioned,
  type ConditionInput,
  done,
  type EventRecorder,
  falseCondition,
  type InfraClusterContext,
  type InfraClusterHooks,
  type KindDefinition,
  type KubeClient,
  type ObjectMeta,
  requeue,
  type Step,
  trueCondition,
} from '@immutable-infra/core';
import { type KindSteps, kindStepHooks } from '../steps/kind-step-hooks.js';

/**
 * Steps and reads every infrastructure cluster reconcile shares, with the platform's own calls
 * passed in: connecting with the cluster's credential, listing its control plane machines, and
 * refusing an endpoint that disagrees with the control plane load balancer.
 */

const CONTROL_PLANE_LABEL = 'cluster.x-k8s.io/control-plane';

/** What a cluster step may show and tell: a condition on the object and an Event. */
export interface ReportingContext {
  setCondition(condition: ConditionInput): void;
  events: EventRecorder;
}

/** A credential that could not be used, in words naming the Secret or field, never a value. */
export interface ConnectFailure {
  ok: false;
  reason: string;
  message: string;
}

/** The condition a cluster's credential shows on unless its provider follows another (CAPV's `VCenterAvailable`). */
export const CREDENTIALS_READY_CONDITION = 'CredentialsReady';

/** A wrong credential stays wrong until someone edits the Secret: asking again soon only risks a lockout. */
export const CREDENTIAL_RETRY_MS = 60_000;

export interface ConnectStepOptions<Run, Lookup extends { ok: true } | ConnectFailure> {
  /** The condition a credential problem is shown on; {@link CREDENTIALS_READY_CONDITION} by default. */
  conditionType?: string | undefined;
  /**
   * Whether a problem is shown on the condition (as an Error) and told as a warning Event: a
   * reconcile does; a delete step only waits for the credential to be fixed. True by default.
   */
  announce?: boolean | undefined;
  /** How soon to try again after a problem; {@link CREDENTIAL_RETRY_MS} by default. */
  retryMs?: number | undefined;
  /** The platform's own lookup: the cluster's credential Secret, bound to the provider's client. */
  lookup(run: Run): Promise<Lookup>;
  /** Keeps what the lookup found on the run for the steps after. */
  connected(run: Run, found: Extract<Lookup, { ok: true }>): void;
}

/**
 * The `Connect` step: finds the platform client of the cluster's credential before any step that
 * calls the platform; a problem is reported (when `announce`) and the plan waits for it to be fixed.
 */
export function connectStep<
  Run extends { ctx: ReportingContext },
  Lookup extends { ok: true } | ConnectFailure,
>(options: ConnectStepOptions<Run, Lookup>): Step<Run> {
  const announce = options.announce ?? true;
  const conditionType = options.conditionType ?? CREDENTIALS_READY_CONDITION;
  return {
    name: 'Connect',
    async run(run) {
      const lookup = await options.lookup(run);
      if (!lookup.ok) {
        const failure = lookup as ConnectFailure;
        if (announce) {
          run.ctx.setCondition(falseCondition(conditionType, failure.reason, failure.message, 'Error'));
          run.ctx.events.warning(failure.reason, failure.message);
        }
        return requeue(options.retryMs ?? CREDENTIAL_RETRY_MS, failure.message);
      }
      options.connected(run, lookup as Extract<Lookup, { ok: true }>);
      return done();
    },
  };
}

export interface LogInStepOptions<Run> {
  /** The condition the login is shown on; {@link CREDENTIALS_READY_CONDITION} by default. */
  conditionType?: string | undefined;
  /** The condition's reason once logged in; `LoggedIn` by default. */
  loggedInReason?: string | undefined;
  /** How soon to try again after a refused login; {@link CREDENTIAL_RETRY_MS} by default. */
  retryMs?: number | undefined;
  /** The platform's call that proves the session works (it may log in again through the pool). */
  logIn(run: Run): Promise<void>;
  /** The failure in words for the condition and the Event, naming no credential. */
  describe(error: unknown): string;
}

/**
 * The `LogIn` step: one cheap platform call through the cluster's session. A failure is shown on
 * the condition (reason `LoginFailed`, an Error), told as a warning Event, and tried again after
 * `retryMs`: a wrong password is not asked again soon, towards the platform's lockout.
 */
export function logInStep<Run extends { ctx: ReportingContext }>(options: LogInStepOptions<Run>): Step<Run> {
  const conditionType = options.conditionType ?? CREDENTIALS_READY_CONDITION;
  return {
    name: 'LogIn',
    async run(run) {
      const { ctx } = run;
      try {
        await options.logIn(run);
      } catch (error) {
        const failure = options.describe(error);
        ctx.setCondition(falseCondition(conditionType, 'LoginFailed', failure, 'Error'));
        ctx.events.warning('LoginFailed', failure);
        return requeue(options.retryMs ?? CREDENTIAL_RETRY_MS, failure);
      }
      ctx.setCondition(trueCondition(conditionType, options.loggedInReason ?? 'LoggedIn'));
      return done();
    },
  };
}

/** The label selector of a cluster's control plane machines, of any kind Cluster API labels. */
export function controlPlaneSelector(cluster: string): string {
  return `${CLUSTER_NAME_LABEL}=${cluster},${CONTROL_PLANE_LABEL}`;
}

/**
 * The cluster's control plane machines of one kind (Cluster API's Machine, or the provider's
 * infrastructure machine kind), as labelled by Cluster API, read now: they come and go without
 * touching the infrastructure cluster.
 */
export function controlPlaneMachines<T>(
  kube: KubeClient,
  machines: { apiVersion: string; kind: string },
  where: { namespace: string; cluster: string },
): Promise<T[]> {
  return kube.list<T>(machines.apiVersion, machines.kind, {
    namespace: where.namespace,
    labelSelector: controlPlaneSelector(where.cluster),
  });
}

/** An address as Cluster API's `controlPlaneEndpoint` and a provider's `controlPlaneLoadBalancer` name it. */
export interface HostPort {
  host: string;
  port: number;
}

/** The two fields of an infrastructure cluster's spec that name where the API server is reached. */
export interface EndpointSpec {
  controlPlaneEndpoint?: Partial<HostPort> | undefined;
  controlPlaneLoadBalancer?: HostPort | undefined;
}

/**
 * Why the endpoint and the load balancer disagree, or undefined when they name the same address (or
 * the endpoint is still to be filled from the load balancer). A CRD rule refuses such an object;
 * this is for one written past it.
 */
export function endpointMismatch(spec: EndpointSpec): string | undefined {
  const balancer = spec.controlPlaneLoadBalancer;
  const endpoint = spec.controlPlaneEndpoint;
  if (!balancer || !endpoint?.host) return undefined;
  if (endpoint.host === balancer.host && endpoint.port === balancer.port) return undefined;
  return `spec.controlPlaneEndpoint ${endpoint.host}:${endpoint.port} and spec.controlPlaneLoadBalancer ${balancer.host}:${balancer.port} must name the same address`;
}

/**
 * The `ControlPlaneEndpoint` step: the endpoint and `controlPlaneLoadBalancer` must name one address,
 * or the API server certificate, kubeadm and the VIP would each point elsewhere, so the cluster is
 * not provisioned (told as a warning Event, looked at again after `retryMs`).
 */
export function controlPlaneEndpointStep<
  Run extends { ctx: ReportingContext & { object: { spec: EndpointSpec } } },
>(options: { retryMs?: number | undefined } = {}): Step<Run> {
  return {
    name: 'ControlPlaneEndpoint',
    when: ({ ctx }) => ctx.object.spec.controlPlaneLoadBalancer !== undefined,
    async run({ ctx }) {
      const mismatch = endpointMismatch(ctx.object.spec);
      if (!mismatch) return done();
      ctx.events.warning('ControlPlaneEndpointMismatch', mismatch);
      return requeue(options.retryMs ?? CREDENTIAL_RETRY_MS, mismatch);
    },
  };
}

/** The Cluster API cluster's name during a reconcile: its Cluster, else the infrastructure object's own name. */
export function reconciledClusterName(ctx: {
  object: { metadata: ObjectMeta };
  cluster?: { metadata?: { name?: string } } | undefined;
}): string {
  return ctx.cluster?.metadata?.name ?? ctx.object.metadata.name;
}

/**
 * The platform client of a step plan's run until its Connect step has found the real one. Connect
 * is the first step and the host stops at a step that is not done, so a call here is a bug: it
 * says so, naming the platform and the call.
 */
export function notConnectedYet<Cloud extends object>(platform: string): Cloud {
  return new Proxy({} as Cloud, {
    get(_target, name) {
      throw new Error(`${platform} ${String(name)} called before the Connect step found the cloud`);
    },
  });
}

/**
 * A provider's cluster steps: the reconcile path (connect, hold the credential, then the
 * platform's own things), the control plane endpoint once it is done (`clusterProvisioned`) or a
 * wait, and the delete path (wait for the machines, remove the platform's things, release the
 * credential).
 */
export type ClusterSteps<Kind extends KindDefinition, Run> = KindSteps<
  Kind,
  InfraClusterContext<Kind>,
  Run,
  ClusterProvisioned
>;

/** The host's hooks of an infrastructure cluster kind from its named steps, as `machineStepHooks` makes a machine kind's. */
export function clusterStepHooks<Kind extends KindDefinition, Run>(
  steps: ClusterSteps<Kind, Run>,
): InfraClusterHooks<Kind> {
  return kindStepHooks(steps);
}
