/**
 * The create-cluster rules every provider's workflow applies the same way:
 * the API server address, the cluster and node pool names, SSH keys, a worker
 * pool's rollout numbers, capacity of the pools node slots come from, the
 * cluster networks, and Kubernetes versions. Each rule reports through a
 * `ProblemReport`, which keeps the first problem of a field only.
 */
import type { FieldProblem } from '@immutable-infra/core';
import { CLUSTER_STEP, type ObjectNameSuffixes } from './cluster-draft.js';
import { type Cidr, cidrsOverlap, parseCidr } from './ipv4.js';

export type ProblemReport = (step: string, field: string, message: string) => void;

/** An empty problem list and the report that fills it, one problem a field. */
export function problemCollector(): { problems: FieldProblem[]; report: ProblemReport } {
  const problems: FieldProblem[] = [];
  const report: ProblemReport = (step, field, message) => {
    if (!problems.some((p) => p.field === field)) problems.push({ field, message, step });
  };
  return { problems, report };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SSH_KEY =
  /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\r\n]*)?$/;
const HOST = /^(([a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)\.)*[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;

/** The control plane endpoint of a `https://host:port` address, or why it is not one. */
export function parseApiServerAddress(
  text: string,
): { ok: true; host: string; port: number } | { ok: false; message: string } {
  const match = /^https:\/\/(\[[^\]]+\]|[^:/]+)(?::(\d{1,5}))?\/?$/.exec(text.trim());
  if (!match?.[1]) return { ok: false, message: 'must look like https://<load-balancer-address>:6443' };
  const host = match[1];
  if (host.startsWith('[') || !HOST.test(host))
    return { ok: false, message: `${host} is not an IPv4 address or DNS name` };
  const port = match[2] === undefined ? 6443 : Number(match[2]);
  if (port < 1 || port > 65535) return { ok: false, message: 'the port must be 1 to 65535' };
  return { ok: true, host, port };
}

/**
 * Why a workload cluster may not take this name, or undefined: a DNS label,
 * and neither `global` nor `global-…` (the global cluster and its disaster
 * recovery own those).
 */
export function clusterNameProblem(name: string): string | undefined {
  if (!name) return 'the cluster name is required';
  if (name.length > 63 || !DNS_LABEL.test(name))
    return 'lowercase letters, digits and hyphens, at most 63, starting and ending alphanumeric';
  if (name === 'global') return 'global is the name of the global cluster and is reserved';
  if (name.startsWith('global-'))
    return 'the global- prefix is reserved for the global cluster’s disaster recovery';
  return undefined;
}

/** The non-empty lines of a textarea, trimmed: one SSH key a line. */
export function keysOf(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

/** Reports each key that is not one OpenSSH public key line, at `field.<index>`. */
export function checkSshKeys(
  step: string,
  field: string,
  keys: readonly string[],
  report: ProblemReport,
): void {
  keys.forEach((key, i) => {
    if (!SSH_KEY.test(key.trim()))
      report(
        step,
        `${field}.${i}`,
        'not a single-line OpenSSH public key (ssh-ed25519 AAAA…, ssh-rsa AAAA…)',
      );
  });
}

/** A worker node pool as the create-cluster workflows edit it. */
export interface WorkerPoolDraft {
  name: string;
  machineTemplate: string;
  replicas: number;
  maxSurge: number;
  maxUnavailable: number;
  sshAuthorizedKeys: string[];
}

/**
 * The rules of the worker pools' own fields: names (DNS labels short enough
 * for the `-template` suffix, unique, not the control plane's, not taken by
 * an existing object per `takenBy`), replicas, max surge and max unavailable,
 * SSH keys. The machine template is the provider's to check.
 */
export function checkWorkerPools(
  step: string,
  clusterName: string,
  workers: readonly WorkerPoolDraft[],
  takenBy: (poolName: string) => string | undefined,
  report: ProblemReport,
): void {
  const seen = new Map<string, number>();
  workers.forEach((pool, i) => {
    const at = `workers.${i}`;
    if (!pool.name) report(step, `${at}.name`, 'the pool name is required');
    else if (pool.name.length > 63 - '-template'.length || !DNS_LABEL.test(pool.name))
      report(
        step,
        `${at}.name`,
        'lowercase letters, digits and hyphens, at most 54, starting and ending alphanumeric',
      );
    else if (seen.has(pool.name))
      report(
        step,
        `${at}.name`,
        `pool name ${pool.name} is already used by pool ${(seen.get(pool.name) ?? 0) + 1}`,
      );
    else if (pool.name === `${clusterName}-kcp`)
      report(step, `${at}.name`, `${pool.name} is the control plane's name`);
    else {
      const taken = takenBy(pool.name);
      if (taken)
        report(step, `${at}.name`, `${taken} already exists; prefix the pool name with the cluster name`);
    }
    if (pool.name) seen.set(pool.name, seen.get(pool.name) ?? i);
  });
}

/** Replicas, max surge and max unavailable of each worker pool (run after the provider's template check). */
export function checkWorkerRollout(
  step: string,
  workers: readonly WorkerPoolDraft[],
  report: ProblemReport,
): void {
  workers.forEach((pool, i) => {
    const at = `workers.${i}`;
    if (!Number.isInteger(pool.replicas) || pool.replicas < 1)
      report(step, `${at}.replicas`, 'replicas must be a whole number of at least 1');
    if (!Number.isInteger(pool.maxSurge) || pool.maxSurge < 0)
      report(step, `${at}.maxSurge`, 'max surge must be a whole number of at least 0');
    if (!Number.isInteger(pool.maxUnavailable) || pool.maxUnavailable < 0)
      report(step, `${at}.maxUnavailable`, 'max unavailable must be a whole number of at least 0');
    else if (pool.maxSurge === 0 && pool.maxUnavailable === 0)
      report(
        step,
        `${at}.maxUnavailable`,
        'with max surge 0, max unavailable must be at least 1, or no node can be replaced',
      );
    else if (pool.maxSurge === 0 && Number.isInteger(pool.replicas) && pool.maxUnavailable > pool.replicas)
      report(
        step,
        `${at}.maxUnavailable`,
        `with max surge 0, max unavailable must not exceed the replicas (${pool.replicas})`,
      );
    checkSshKeys(step, `${at}.sshAuthorizedKeys`, pool.sshAuthorizedKeys, report);
  });
}

/** One node pool's draw on a pool of node slots (an IP pool, a machine config pool). */
export interface SlotDemand {
  /** The slot pool the node pool's machine template names, if any. */
  slotPool: string | undefined;
  replicas: number;
  step: string;
  field: string;
}

/** A pool of node slots and how many of them are free. */
export interface SlotPoolCapacity {
  name: string;
  free: number;
  total: number;
}

/**
 * Capacity: every node pool drawing on the same slot pool shares its free
 * slots. `noun` names the kind of pool in the message ("IP pool").
 * `controlPlaneStep` is the step whose replicas are fixed.
 */
export function checkSlotCapacity(
  noun: string,
  demands: readonly SlotDemand[],
  pools: readonly SlotPoolCapacity[],
  controlPlaneStep: string,
  report: ProblemReport,
): void {
  const byPool = new Map<string, { replicas: number; fields: [string, string, number][] }>();
  for (const { slotPool, replicas, step, field } of demands) {
    if (!slotPool || !Number.isInteger(replicas)) continue;
    const entry = byPool.get(slotPool) ?? { replicas: 0, fields: [] };
    entry.replicas += replicas;
    entry.fields.push([step, field, replicas]);
    byPool.set(slotPool, entry);
  }
  for (const [poolName, { replicas, fields }] of byPool) {
    const pool = pools.find((p) => p.name === poolName);
    if (!pool || pool.free >= replicas) continue;
    const shared = fields.length > 1 ? ` (shared by ${fields.length} node pools)` : '';
    for (const [step, field, own] of fields) {
      // The control plane's replicas are fixed: when it fits on its own, the worker pools that share
      // its pool must shrink. Reported there too, it would keep a user who went back to the
      // control plane step from ever reaching the step where the fix is.
      if (step === controlPlaneStep && fields.length > 1 && own <= pool.free) continue;
      report(
        step,
        field,
        `${noun} ${poolName} has ${pool.free} free of ${pool.total} entries; ${replicas} needed${shared}`,
      );
    }
  }
}

/** The cluster networks: pods, services and (Kube-OVN's) join CIDR. */
export interface NetworkingDraft {
  podsCidr: string;
  servicesCidr: string;
  joinCidr: string;
}

/** Each CIDR required and well formed; services and join must not overlap pods, nor join services. */
export function checkNetworking(step: string, networking: NetworkingDraft, report: ProblemReport): void {
  const cidrs: [keyof NetworkingDraft, string][] = [
    ['podsCidr', 'Pods CIDR'],
    ['servicesCidr', 'Services CIDR'],
    ['joinCidr', 'Join CIDR'],
  ];
  const [pods, services, join] = cidrs.map(([key, label]) => {
    const field = `networking.${key}`;
    const text = networking[key];
    if (!text) {
      report(step, field, `${label} is required`);
      return undefined;
    }
    const result = parseCidr(text);
    if (!result.ok) {
      report(step, field, `${label} ${result.message}`);
      return undefined;
    }
    return result.cidr;
  });
  const overlaps = (a: Cidr | undefined, b: Cidr | undefined) =>
    a !== undefined && b !== undefined && cidrsOverlap(a, b);
  if (overlaps(pods, services))
    report(step, 'networking.servicesCidr', `Services CIDR overlaps Pods CIDR ${networking.podsCidr}`);
  if (overlaps(join, pods))
    report(step, 'networking.joinCidr', `Join CIDR overlaps Pods CIDR ${networking.podsCidr}`);
  else if (overlaps(join, services))
    report(step, 'networking.joinCidr', `Join CIDR overlaps Services CIDR ${networking.servicesCidr}`);
}

/** Orders Kubernetes versions (`v1.35.1`, `1.34.0-rc.1`) by their numbers. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) =>
    v
      .replace(/^v/, '')
      .split(/[.-]/)
      .map((p) => Number.parseInt(p, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** `1.35` of `v1.35.1`. */
export function minorOf(version: string): string {
  return /^v?(\d+\.\d+)/.exec(version)?.[1] ?? version;
}

/** The newest of the offered versions; the documented workflows create only that one. */
export function newestVersion<T extends { kubernetesVersion: string }>(
  versions: readonly T[],
): T | undefined {
  return [...versions].sort((a, b) => compareVersions(b.kubernetesVersion, a.kubernetesVersion))[0];
}

/** What the identity rules know of the namespace: its objects and its credential Secrets. */
export interface IdentityFacts {
  namespace: string;
  /** `Kind/name` of the objects the workflow would create that exist already. */
  existing: readonly string[];
  /** Credential Secrets by name. */
  credentials: Record<string, unknown>;
}

/**
 * On the basic info step: the credential (chosen, existing, its platform
 * reachable), the name (a valid workload cluster name that neither a Cluster
 * nor the provider's `clusterKind` has in the namespace) and the API server
 * address. `words.choose` asks for a credential; `unreachable` says why the
 * platform could not be reached with it, if it could not.
 */
export function checkClusterIdentity(
  draft: { credential: string; name: string; apiServerAddress: string },
  facts: IdentityFacts,
  words: {
    clusterKind: string;
    choose: string;
    unreachable?: { subject: string; error: string } | undefined;
  },
  report: ProblemReport,
): void {
  const step = CLUSTER_STEP.basic;
  if (!draft.credential) report(step, 'credential', words.choose);
  else if (!(draft.credential in facts.credentials))
    report(step, 'credential', `credential ${draft.credential} does not exist in ${facts.namespace}`);
  else if (words.unreachable)
    report(
      step,
      'credential',
      `${words.unreachable.subject} could not be reached with this credential: ${words.unreachable.error}`,
    );
  const taken = ['Cluster', words.clusterKind].some((kind) =>
    facts.existing.includes(`${kind}/${draft.name}`),
  );
  const nameProblem = clusterNameProblem(draft.name);
  if (nameProblem) report(step, 'name', nameProblem);
  else if (taken) report(step, 'name', `a cluster named ${draft.name} already exists in ${facts.namespace}`);
  if (!draft.apiServerAddress) report(step, 'apiServerAddress', 'the cluster API address is required');
  else {
    const address = parseApiServerAddress(draft.apiServerAddress);
    if (!address.ok) report(step, 'apiServerAddress', address.message);
  }
}

/** What the node pool rules need of a provider. */
export interface NodePoolRules {
  /** The provider's check of a chosen machine template (`label` names the node pool). */
  checkTemplate(
    step: string,
    field: string,
    name: string,
    role: 'control-plane' | 'worker',
    label: string,
  ): void;
  /** `Kind/name` of the objects that exist already. */
  existing: readonly string[];
  /** The provider's machine template kind and the suffixes of a worker pool's objects. */
  machineTemplateKind: string;
  suffixes: Pick<ObjectNameSuffixes, 'workerTemplate' | 'bootstrapTemplate'>;
  /** The pool of node slots a machine template draws from, by the template's name. */
  slotPoolOf(templateName: string): string | undefined;
  slotPools: readonly SlotPoolCapacity[];
  /** What a slot pool is called in messages ("IP pool"). */
  slotNoun: string;
}

/**
 * The control plane's and the worker pools' rules: templates (the
 * provider's check), replicas, SSH keys, pool names and rollout numbers, and
 * the capacity of the slot pools they share, on the documented steps.
 */
export function checkNodePools(
  draft: {
    name: string;
    controlPlane: { machineTemplate: string; replicas: number; sshAuthorizedKeys: readonly string[] };
    workers: readonly WorkerPoolDraft[];
  },
  rules: NodePoolRules,
  report: ProblemReport,
): void {
  const { controlPlane, workers } = CLUSTER_STEP;
  const takenBy = (pool: string) =>
    [
      `MachineDeployment/${pool}`,
      `${rules.machineTemplateKind}/${pool}${rules.suffixes.workerTemplate}`,
      `KubeadmConfigTemplate/${pool}${rules.suffixes.bootstrapTemplate}`,
    ].find((key) => rules.existing.includes(key));
  const cp = draft.controlPlane;
  rules.checkTemplate(
    controlPlane,
    'controlPlane.machineTemplate',
    cp.machineTemplate,
    'control-plane',
    'the control plane',
  );
  if (!Number.isInteger(cp.replicas) || cp.replicas < 1)
    report(controlPlane, 'controlPlane.replicas', 'replicas must be a whole number of at least 1');
  checkSshKeys(controlPlane, 'controlPlane.sshAuthorizedKeys', cp.sshAuthorizedKeys, report);

  checkWorkerPools(workers, draft.name, draft.workers, takenBy, report);
  draft.workers.forEach((pool, i) => {
    rules.checkTemplate(
      workers,
      `workers.${i}.machineTemplate`,
      pool.machineTemplate,
      'worker',
      `worker pool ${i + 1}`,
    );
  });
  checkWorkerRollout(workers, draft.workers, report);

  checkSlotCapacity(
    rules.slotNoun,
    [
      {
        slotPool: rules.slotPoolOf(cp.machineTemplate),
        replicas: cp.replicas,
        step: controlPlane,
        field: 'controlPlane.replicas',
      },
      ...draft.workers.map((pool, i) => ({
        slotPool: rules.slotPoolOf(pool.machineTemplate),
        replicas: pool.replicas,
        step: workers,
        field: `workers.${i}.replicas`,
      })),
    ],
    rules.slotPools,
    controlPlane,
    report,
  );
}

const KUBERNETES_RELEASE = /^v\d+\.\d+\.\d+$/;

/** The problem of a Kubernetes version a cluster is created at: required, a release, of a supported minor. */
export function kubernetesVersionProblem(version: string, minors: readonly string[]): string | undefined {
  if (!version) return 'the Kubernetes version is required';
  if (!KUBERNETES_RELEASE.test(version)) return 'a release such as v1.35.1 (v, major, minor and patch)';
  if (!minors.includes(minorOf(version)))
    return `Kubernetes ${minorOf(version)} is not supported; choose ${minors.join(', ')}`;
  return undefined;
}

/** A machine template and the config pool its machines draw their slot (hostname, addresses) from. */
export interface PooledTemplate {
  name: string;
  configPool: string | undefined;
}

/** What {@link configPoolNodePools} checks a chosen template against. */
export interface ConfigPoolFacts<T extends PooledTemplate, P extends SlotPoolCapacity> {
  existing: readonly string[];
  machineTemplates: readonly T[];
  configPools: readonly P[];
}

/** The config pool a machine template (by name) draws from, when both exist. */
export function configPoolOfTemplate<T extends PooledTemplate, P extends SlotPoolCapacity>(
  facts: Pick<ConfigPoolFacts<T, P>, 'machineTemplates' | 'configPools'>,
  templateName: string,
): P | undefined {
  const template = facts.machineTemplates.find((t) => t.name === templateName);
  return facts.configPools.find((p) => p.name === template?.configPool);
}

/**
 * The node pool rules of a platform whose machine templates draw from config
 * pools: a chosen template exists, names a config pool that exists (and
 * passes the platform's `poolProblem`), and no two node pools share a config
 * pool; the slots of each are counted by the kit.
 */
export function configPoolNodePools<T extends PooledTemplate, P extends SlotPoolCapacity>(
  facts: ConfigPoolFacts<T, P>,
  words: {
    machineTemplateKind: string;
    suffixes: NodePoolRules['suffixes'];
    /** What a config pool is called in messages, e.g. `machine config pool`. */
    slotNoun: string;
    /** The problem of a template that names no config pool. */
    noPool(templateName: string): string;
    /** The platform's own problem of the template's pool, if any. */
    poolProblem?: ((pool: P, template: T) => string | undefined) | undefined;
  },
  report: ProblemReport,
): NodePoolRules {
  const users = new Map<string, string>();
  return {
    checkTemplate(step, field, name, _role, label) {
      if (!name) return report(step, field, 'choose a machine template');
      const template = facts.machineTemplates.find((t) => t.name === name);
      if (!template) return report(step, field, `machine template ${name} does not exist`);
      if (!template.configPool) return report(step, field, words.noPool(name));
      const pool = facts.configPools.find((p) => p.name === template.configPool);
      if (!pool)
        return report(step, field, `${words.slotNoun} ${template.configPool} of ${name} does not exist`);
      const problem = words.poolProblem?.(pool, template);
      if (problem) return report(step, field, problem);
      const user = users.get(pool.name);
      if (user) return report(step, field, `${words.slotNoun} ${pool.name} is already used by ${user}`);
      users.set(pool.name, label);
      return undefined;
    },
    existing: facts.existing,
    machineTemplateKind: words.machineTemplateKind,
    suffixes: words.suffixes,
    slotPoolOf: (name) => facts.machineTemplates.find((t) => t.name === name)?.configPool,
    slotPools: facts.configPools,
    slotNoun: words.slotNoun,
  };
}

/** The review's warning when the global Cluster (registry and Kube-OVN annotations) could not be read. */
export const GLOBAL_CLUSTER_UNREAD =
  'the global Cluster could not be read, so the registry and kube-ovn version annotations are left out and kubeadm pulls from its default registry';

/** What a platform's create-cluster rules add to the kit's, in the order its steps show them. */
export interface ClusterDraftChecks {
  /** The identity rule's words: the provider's cluster kind, the ask for a credential, an unreachable platform. */
  identity: Parameters<typeof checkClusterIdentity>[2];
  /** The basic step's own fields checked before the Kubernetes version (the vCenter server…). */
  basicFields?(basic: (field: string, message: string) => void): void;
  /** The Kubernetes version's problem, if any. */
  kubernetesVersion(): string | undefined;
  /** The platform's placement fields (a datacenter, a network step), checked after the version. */
  placement?(report: ProblemReport, basic: (field: string, message: string) => void): void;
  /** The node pools' rules, e.g. {@link configPoolNodePools}. */
  nodePools(report: ProblemReport): NodePoolRules;
}

/**
 * Every problem of a create-cluster draft, each with its field path and
 * step, one a field: the identity, the platform's basic fields, the
 * Kubernetes version, the platform's placement, the node pools and the
 * networks, in that order.
 */
export function checkClusterDraft(
  draft: Parameters<typeof checkClusterIdentity>[0] &
    Parameters<typeof checkNodePools>[0] & { networking: NetworkingDraft },
  facts: IdentityFacts,
  checks: ClusterDraftChecks,
): FieldProblem[] {
  const { problems, report } = problemCollector();
  const basic = (field: string, message: string) => report(CLUSTER_STEP.basic, field, message);
  checkClusterIdentity(draft, facts, checks.identity, report);
  checks.basicFields?.(basic);
  const version = checks.kubernetesVersion();
  if (version) basic('kubernetesVersion', version);
  checks.placement?.(report, basic);
  checkNodePools(draft, checks.nodePools(report), report);
  checkNetworking(CLUSTER_STEP.networking, draft.networking, report);
  return problems;
}

/**
 * The identity rule's words of a platform the workflow reaches with the
 * draft's credential: `answer` is what the platform answered, an `{ error }`
 * when `subject` could not be reached.
 */
export function platformIdentity(
  clusterKind: string,
  choose: string,
  subject: string,
  answer: object | undefined,
): ClusterDraftChecks['identity'] {
  const error = answer && 'error' in answer && typeof answer.error === 'string' ? answer.error : undefined;
  return { clusterKind, choose, unreachable: error === undefined ? undefined : { subject, error } };
}
