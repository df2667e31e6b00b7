import type { BootstrapData } from '@immutable-infra/core';
import {
  type CloudInitBootstrapVip,
  cloudConfigWithProviderId,
  composeCloudInit,
} from '@immutable-infra/provider-kit';

/**
 * The Machine's cloud-config made fit for this host: its hostname, the kubelet's provider-id
 * (`baremetal:///<inventory>`, also for the PROVIDER_ID token) and the CRI socket when unset, in
 * every Init/JoinConfiguration of the kubeadm file; on the first control plane node of an Internal
 * VIP, the VIP's unit, started ahead of kubeadm. What the user set otherwise stays.
 */
export function normaliseBootstrap(
  data: BootstrapData,
  host: { hostname: string; providerID: string; bootstrapVip?: CloudInitBootstrapVip | undefined },
): string {
  const composed = composeCloudInit(data, {
    hostname: host.hostname,
    disks: [],
    tokens: { PROVIDER_ID: host.providerID },
    ...(host.bootstrapVip ? { files: host.bootstrapVip.files, runFirst: host.bootstrapVip.runFirst } : {}),
  });
  return cloudConfigWithProviderId(composed, host.providerID);
}
