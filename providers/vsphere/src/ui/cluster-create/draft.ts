/**
 * The vSphere create-cluster draft: the kit's node pools and networks, and
 * what vSphere adds (the vCenter the VSphereCluster names, its datacenter).
 * Plain JSON the host keeps between steps. The API server's encryption key is
 * not part of it: the provider makes it in a Secret, so it never reaches a browser.
 */
import {
  type ClusterDraftBase,
  type ClusterDraftReader,
  platformClusterDraft,
} from '@immutable-infra/ui-kit';

/** The Kubernetes minors the provider supports (package.json `immutableInfra.kubernetesVersions`; a test holds them equal). */
export const KUBERNETES_MINORS = ['1.31', '1.32', '1.33', '1.34', '1.35'] as const;

export interface VsphereClusterDraft extends ClusterDraftBase {
  /** The vCenter as VSphereCluster spec.server takes it: host[:port], no scheme. */
  server: string;
  /** vCenter's certificate thumbprint; empty when the credential's CA bundle is trusted instead. */
  thumbprint: string;
  datacenter: string;
}

/** The first draft, and the host's draft as this workflow's shape: missing or mistyped keys read as empty. */
export const { initialDraft, readDraft }: ClusterDraftReader<VsphereClusterDraft> = platformClusterDraft([
  'server',
  'thumbprint',
  'datacenter',
]);
