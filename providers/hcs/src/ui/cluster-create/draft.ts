/**
 * The HCS create-cluster draft: the kit's node pools and networks, and what
 * HCS adds (the HCSCluster's VPC, subnets, security group and control plane
 * ELB). Plain JSON the host keeps between steps.
 */
import {
  type ClusterDraftBase,
  type ClusterDraftReader,
  platformClusterDraft,
} from '@immutable-infra/ui-kit';

/** The Kubernetes minors the provider supports (package.json `immutableInfra.kubernetesVersions`). */
export const KUBERNETES_MINORS = ['1.31', '1.32', '1.33', '1.34', '1.35'] as const;

export interface HcsClusterDraft extends ClusterDraftBase {
  vpc: string;
  /** `spec.network.subnets[].name`. */
  subnets: string[];
  securityGroup: string;
  vipSubnetName: string;
  vipAddress: string;
  vipDomainName: string;
  /** The subnet of the ELB's L4 and L7 virtual subnet IPs (empty: HCS allocates them). */
  elbSubnetName: string;
  /** Two IPs each, comma-separated as typed; empty: HCS allocates them. */
  l4Ips: string;
  l7Ips: string;
}

/** The first draft, and the host's draft as this workflow's shape: missing or mistyped keys read as empty. */
export const { initialDraft, readDraft }: ClusterDraftReader<HcsClusterDraft> = platformClusterDraft(
  ['vpc', 'securityGroup', 'vipSubnetName', 'vipAddress', 'vipDomainName', 'elbSubnetName', 'l4Ips', 'l7Ips'],
  ['subnets'],
);

/** The two IPs of an L4 or L7 entry as typed ("a, b"). */
export const ipList = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((ip) => ip.trim())
    .filter(Boolean);
