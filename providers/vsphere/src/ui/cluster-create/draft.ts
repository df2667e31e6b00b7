/**
 * The vSphere create-cluster draft: the kit's node pools and networks, and
 * what vSphere adds (the vCenter the VSphereCluster names, its datacenter,
 * the key the API server encrypts Secrets with). Plain JSON the host keeps
 * between steps.
 */
import {
  type ClusterDraftBase,
  draftValue,
  initialClusterDraft,
  readClusterDraft,
} from '@immutable-infra/ui-kit';

/** The Kubernetes minors the provider supports (package.json `immutableInfra.kubernetesVersions`; a test holds them equal). */
export const KUBERNETES_MINORS = ['1.33', '1.34', '1.35'] as const;

export interface VsphereClusterDraft extends ClusterDraftBase {
  /** The vCenter as VSphereCluster spec.server takes it: host[:port], no scheme. */
  server: string;
  /** vCenter's certificate thumbprint; empty when the credential's CA bundle is trusted instead. */
  thumbprint: string;
  datacenter: string;
  /**
   * The API server's aescbc key for Secrets at rest (32 random bytes, base64), drawn once
   * when the draft starts, so the review shows the key that is then written.
   */
  encryptionKey: string;
}

/** 32 random bytes in base64, as `head -c 32 /dev/urandom | base64` gives them. */
export function newEncryptionKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes));
}

export function initialDraft(): VsphereClusterDraft {
  return {
    ...initialClusterDraft(),
    server: '',
    thumbprint: '',
    datacenter: '',
    encryptionKey: newEncryptionKey(),
  };
}

/** The host's draft as this workflow's shape; missing or mistyped keys read as empty. */
export function readDraft(value: Record<string, unknown>): VsphereClusterDraft {
  const [server, thumbprint, datacenter, encryptionKey] = (
    ['server', 'thumbprint', 'datacenter', 'encryptionKey'] as const
  ).map((key) => draftValue.text(value[key], ''));
  return {
    ...readClusterDraft(value),
    server: server ?? '',
    thumbprint: thumbprint ?? '',
    datacenter: datacenter ?? '',
    encryptionKey: encryptionKey ?? '',
  };
}
