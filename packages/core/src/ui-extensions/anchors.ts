/**
 * The places in Fleet Essentials where a provider's UI code may appear, and
 * what the host hands to each. Extensions are framework-free: a module
 * exports `mount(element, props)` and returns an unmount function, so an
 * extension keeps working when the host upgrades its own UI framework, and the
 * contract can live here without a UI dependency.
 */

/**
 * The anchor API this core describes; an extension states the range it was built for.
 *
 * Versions: 1.0.0 the first anchors; 1.1.0 adds `node-pool.capacity`. A new
 * anchor is a minor version: a host skips a manifest entry naming an anchor it
 * does not know (and says so) instead of refusing the whole manifest, so a
 * later optional anchor never gates out an extension on a host that has the
 * rest. An extension that needs a later anchor to be honest about itself
 * asks for that minor (`^1.1.0`), and an older host gates it out with both
 * versions named.
 */
export const ANCHOR_API_VERSION = '1.1.0';

export const ANCHOR_IDS = [
  'navigation.item',
  'cluster.create',
  'credential.list',
  'credential.form',
  'ip-pool.list',
  'ip-pool.form',
  'machine-template.list',
  'machine-template.form',
  'cluster.detail.tab',
  'cluster.action',
  'node-pool.action',
  'node.columns',
  'node-pool.capacity',
] as const;
export type AnchorId = (typeof ANCHOR_IDS)[number];

/**
 * What the host offers every extension: calls with the signed-in user's
 * identity, never a credential. The host makes one per extension, so platform
 * calls reach that extension's own provider only.
 */
export interface HostApi {
  /**
   * A Kubernetes API request as the signed-in user (the host adds CSRF
   * protection and identity; RBAC decides). Secrets come back with their
   * `data` and `stringData` values emptied: writing a credential is possible,
   * reading one back is not.
   */
  kubernetes<T = unknown>(request: { method: string; path: string; body?: unknown }): Promise<T>;
  /**
   * A platform call through the host's proxy: the server reads the credential
   * Secret as the signed-in user and runs the provider's server-side
   * operation with its values, which never reach the browser. A failure
   * rejects with a `PlatformCallError`. For calls typed from the operations'
   * declarations, see `PlatformClient` (ui-kit's `platformClient` makes one).
   */
  platform<T = unknown>(request: {
    credential: { namespace: string; name: string };
    operation: string;
    params?: Record<string, unknown>;
  }): Promise<T>;
  notify(message: { kind: 'info' | 'success' | 'error'; text: string }): void;
}

/** How a platform call failed, as the browser sees it. */
export interface PlatformCallError {
  /** Short machine-readable cause, e.g. `Unreachable`, `TLSFailure`, `LoginFailed`, `AccountLocked`. */
  reason: string;
  /** What happened, for people; the host removes any credential value from it. */
  message: string;
}

interface Located {
  namespace: string;
  api: HostApi;
}

export type NavigationItemProps = Located;

export interface FieldProblem {
  /** The field's path in the draft or form, e.g. `controlPlane.replicas`. */
  field: string;
  message: string;
  /** The wizard step that owns the field, so the host can return the user to it. */
  step?: string;
}

export interface ConnectionTestResult {
  ok: boolean;
  /** What failed, e.g. unreachable, TLS, wrong password, locked account; never a secret value. */
  reason?: string;
  message: string;
}

/** A Kubernetes object as an extension proposes it: the host creates it as the user. */
export interface KubernetesManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

/** The state every wizard step shares: plain data the provider's workflow defines. */
export type ClusterDraft = Record<string, unknown>;

export interface CreateClusterStepProps extends Located {
  /** The draft as it is when the step mounts. */
  draft: ClusterDraft;
  /** Merges `patch` into the draft (top-level keys replaced). */
  update(patch: ClusterDraft): void;
  /** Problems the host found in this step when the user tried to go on; called again on each attempt. */
  onProblems(listener: (problems: readonly FieldProblem[]) => void): () => void;
}

export interface CreateClusterStep {
  id: string;
  title: string;
  mount(element: HTMLElementLike, props: CreateClusterStepProps): () => void;
}

export interface WorkflowContext {
  namespace: string;
  api: HostApi;
}

/**
 * The `cluster.create` export: the provider's steps, then the host's review
 * step. The host calls `validate` when the user leaves a step (problems whose
 * `step` is that step keep the user there) and before creating; the review
 * shows `manifests` exactly as they will be created, in that order, and
 * `warnings` about what would fail later.
 */
export interface CreateClusterWorkflow {
  steps: readonly CreateClusterStep[];
  /** An empty draft with the provider's defaults. */
  initialDraft(context: WorkflowContext): ClusterDraft;
  /** Every problem, not just the first. */
  validate(draft: ClusterDraft, context: WorkflowContext): Promise<readonly FieldProblem[]>;
  manifests(draft: ClusterDraft, context: WorkflowContext): Promise<readonly KubernetesManifest[]>;
  warnings?(draft: ClusterDraft, context: WorkflowContext): Promise<readonly string[]>;
}

/** A provider's list of its credentials, IP pools or machine templates on an infrastructure page. */
export interface ResourceListProps extends Located {
  /** The host opens the matching form anchor for a new object... */
  create(): void;
  /** ...or for this one. */
  edit(name: string): void;
}

export interface CredentialFormProps extends Located {
  /** Edit this Secret; absent to create one. */
  secretName?: string;
  onSaved(secretName: string): void;
  onCancel(): void;
}

export interface ResourceFormProps extends Located {
  /** Edit this object; absent to create one. */
  name?: string;
  onSaved(name: string): void;
  onCancel(): void;
}

export interface ClusterDetailTabProps extends Located {
  clusterName: string;
}

export interface ClusterActionProps extends ClusterDetailTabProps {
  done(): void;
}

export interface NodePoolActionProps extends ClusterDetailTabProps {
  /** MachineDeployment or KubeadmControlPlane name. */
  nodePool: { kind: 'MachineDeployment' | 'KubeadmControlPlane'; name: string };
  done(): void;
}

/** One machine row of the cluster page's Nodes table, for a provider's extra columns. */
export interface NodeRow {
  machine: Record<string, unknown>;
  /** The Machine's infrastructure object (e.g. a DCSMachine), when the user may read it. */
  infraMachine?: Record<string, unknown>;
}

/** The `node.columns` export: pure functions, so the host renders them in its own table. */
export interface NodeColumnsExtension {
  columns: readonly { id: string; title: string; cell(row: NodeRow): string }[];
}

/**
 * What the host asks before it adds a node pool (or scales one up): whether
 * the slot pool the pool's machine template draws its addresses from has a
 * slot for every machine the pool will have at most during a rollout.
 */
export interface NodePoolCapacityRequest {
  namespace: string;
  clusterName: string;
  /** The MachineDeployment's name (new or existing): a slot pool bound to another consumer has no slot for it. */
  nodePoolName: string;
  /**
   * The infrastructure machine template the pool's machines are made from
   * (e.g. a DCSMachineTemplate), as the MachineDeployment's v1beta2
   * `infrastructureRef` names it: by API group, not version.
   */
  machineTemplate: { apiGroup: string; kind: string; name: string };
  /** The pool's replicas (the `replicas` field). */
  replicas: number;
  /** Machines a rollout makes before it deletes old ones: `maxSurge` as a count (a percentage of the replicas, rounded up). */
  maxSurge: number;
  /** Machines of the pool that hold a slot already (scaling an existing pool); 0 or absent for a new pool. */
  existingMachines?: number;
}

/** One slot pool the check read. */
export interface CapacityPool {
  kind: string;
  name: string;
  /** Slots no machine holds. */
  free: number;
  total: number;
}

/** The answer: the pools consulted, the free slots and the slots needed, and the field problems when too few. */
export interface NodePoolCapacity {
  pools: readonly CapacityPool[];
  /** Free slots of those pools together. */
  free: number;
  /** `replicas + maxSurge - existingMachines`. */
  needed: number;
  /**
   * Empty when there are enough. Otherwise at `replicas` when even the
   * replicas do not fit, at `maxSurge` when only the rollout's extra machines
   * do not; the message names the pool and both counts.
   */
  problems: readonly FieldProblem[];
}

/**
 * The `node-pool.capacity` export (anchor API 1.1.0): a pure question, so the
 * host shows the answer next to its own fields. `undefined` when the
 * template draws from no slot pool (addresses from DHCP, say) or is not the
 * provider's: the host then checks nothing. A rejection is shown as "capacity
 * unknown" and does not block the form: the controllers still refuse a
 * machine without a slot.
 */
export interface NodePoolCapacityExtension {
  check(request: NodePoolCapacityRequest, context: WorkflowContext): Promise<NodePoolCapacity | undefined>;
}

/** The props each mounted anchor receives. */
export interface AnchorProps {
  'navigation.item': NavigationItemProps;
  'credential.list': ResourceListProps;
  'credential.form': CredentialFormProps;
  'ip-pool.list': ResourceListProps;
  'ip-pool.form': ResourceFormProps;
  'machine-template.list': ResourceListProps;
  'machine-template.form': ResourceFormProps;
  'cluster.detail.tab': ClusterDetailTabProps;
  'cluster.action': ClusterActionProps;
  'node-pool.action': NodePoolActionProps;
}

/** The anchors whose export is data and functions rather than a mountable module. */
export interface AnchorDataExports {
  'cluster.create': CreateClusterWorkflow;
  'node.columns': NodeColumnsExtension;
  'node-pool.capacity': NodePoolCapacityExtension;
}

/** What an extension module exports for a mounted anchor. */
export interface MountableExtension<A extends keyof AnchorProps = keyof AnchorProps> {
  mount(element: HTMLElementLike, props: AnchorProps[A]): () => void;
}

/** What a manifest entry's named export must be, for each anchor. */
export type AnchorExport<A extends AnchorId> = A extends keyof AnchorDataExports
  ? AnchorDataExports[A]
  : A extends keyof AnchorProps
    ? MountableExtension<A>
    : never;

/** The element an extension renders into; structural, so core needs no DOM types. */
export interface HTMLElementLike {
  replaceChildren(...nodes: never[]): void;
}
