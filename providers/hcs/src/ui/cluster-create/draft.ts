/**
 * The HCS create-cluster draft: the kit's node pools and networks, and what
 * HCS adds (the HCSCluster's VPC, subnets, security group and control plane
 * ELB). Plain JSON the host keeps between steps.
 */
import {
  type ClusterDraftBase,
  draftValue,
  initialClusterDraft,
  readClusterDraft,
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

const TEXT_KEYS = [
  'vpc',
  'securityGroup',
  'vipSubnetName',
  'vipAddress',
  'vipDomainName',
  'elbSubnetName',
  'l4Ips',
  'l7Ips',
] as const;

export function initialDraft(): HcsClusterDraft {
  return {
    ...initialClusterDraft(),
    subnets: [],
    ...(Object.fromEntries(TEXT_KEYS.map((key) => [key, ''])) as Record<(typeof TEXT_KEYS)[number], string>),
  };
}

/** The host's draft as this workflow's shape; missing or mistyped keys read as empty. */
export function readDraft(value: Record<string, unknown>): HcsClusterDraft {
  return {
    ...readClusterDraft(value),
    subnets: draftValue.keys(value.subnets),
    ...(Object.fromEntries(TEXT_KEYS.map((key) => [key, draftValue.text(value[key], '')])) as Record<
      (typeof TEXT_KEYS)[number],
      string
    >),
  };
}

/** The two IPs of an L4 or L7 entry as typed ("a, b"). */
export const ipList = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((ip) => ip.trim())
    .filter(Boolean);
