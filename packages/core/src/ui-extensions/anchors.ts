/**
 * The places in Fleet Essentials where a provider's UI code may appear, and
 * what the host hands to each. Extensions are framework-free: a module
 * exports `mount(element, props)` and returns an unmount function, so an
 * extension keeps working when the host upgrades its own UI framework, and the
 * contract can live here without a UI dependency.
 */

/** The anchor API this core describes; an extension states the range it was built for. */
export const ANCHOR_API_VERSION = '1.0.0';

export const ANCHOR_IDS = [
  'navigation.item',
  'cluster.create.step',
  'credential.form',
  'ip-pool.form',
  'machine-template.form',
  'cluster.detail.tab',
  'cluster.action',
  'node-pool.action',
] as const;
export type AnchorId = (typeof ANCHOR_IDS)[number];

/** What the host offers every extension: calls with the signed-in user's identity, never a credential. */
export interface HostApi {
  /** A Kubernetes API request as the signed-in user (the host adds CSRF protection and identity). */
  kubernetes<T = unknown>(request: { method: string; path: string; body?: unknown }): Promise<T>;
  /**
   * A platform call through the host's proxy, signed server-side with the
   * stored credential Secret named by `credential` (its values never reach the browser).
   */
  platform<T = unknown>(request: {
    provider: string;
    credential: { namespace: string; name: string };
    operation: string;
    params?: Record<string, unknown>;
  }): Promise<T>;
  notify(message: { kind: 'info' | 'success' | 'error'; text: string }): void;
}

interface Located {
  namespace: string;
}

export interface NavigationItemProps extends Located {
  api: HostApi;
}

/** One step of the create-cluster wizard; the host runs the steps in order and shows the review. */
export interface CreateClusterStepProps extends Located {
  api: HostApi;
  /** The draft the steps share: plain data, replaced through `update`. */
  draft: Record<string, unknown>;
  update(patch: Record<string, unknown>): void;
  /** Problems to show next to fields; an empty list lets the wizard go on. */
  reportProblems(problems: readonly FieldProblem[]): void;
}

export interface FieldProblem {
  /** The field's path in the draft or form, e.g. `controlPlane.replicas`. */
  field: string;
  message: string;
}

export interface ConnectionTestResult {
  ok: boolean;
  /** What failed, e.g. unreachable, TLS, wrong password, locked account; never a secret value. */
  reason?: string;
  message: string;
}

export interface CredentialFormProps extends Located {
  api: HostApi;
  /** Edit this Secret; absent to create one. */
  secretName?: string;
  onSaved(secretName: string): void;
  onCancel(): void;
}

export interface ResourceFormProps extends Located {
  api: HostApi;
  /** Edit this object; absent to create one. */
  name?: string;
  onSaved(name: string): void;
  onCancel(): void;
}

export interface ClusterDetailTabProps extends Located {
  api: HostApi;
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

/** The props each anchor mounts its extension with. */
export interface AnchorProps {
  'navigation.item': NavigationItemProps;
  'cluster.create.step': CreateClusterStepProps;
  'credential.form': CredentialFormProps;
  'ip-pool.form': ResourceFormProps;
  'machine-template.form': ResourceFormProps;
  'cluster.detail.tab': ClusterDetailTabProps;
  'cluster.action': ClusterActionProps;
  'node-pool.action': NodePoolActionProps;
}

/** What an extension module exports for an anchor. */
export interface MountableExtension<A extends AnchorId = AnchorId> {
  mount(element: HTMLElementLike, props: AnchorProps[A]): () => void;
}

/** The element an extension renders into; structural, so core needs no DOM types. */
export interface HTMLElementLike {
  replaceChildren(...nodes: never[]): void;
}
