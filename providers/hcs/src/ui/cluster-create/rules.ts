import type { FieldProblem } from '@immutable-infra/core';
import { DNS_NAME } from '@immutable-infra/provider-kit/kinds';
import {
  checkClusterDraft,
  configPoolNodePools,
  configPoolNodePoolWarnings,
  GLOBAL_CLUSTER_UNREAD,
  kubernetesVersionProblem,
  type ProblemReport,
  parseCidr,
  parseIpv4,
  platformIdentity,
  sameSubnet,
} from '@immutable-infra/ui-kit';
import type { SubnetFact, VpcFact } from '../platform-operations.js';
import { releaseOf } from '../releases.js';
import { type HcsClusterDraft, ipList, KUBERNETES_MINORS } from './draft.js';
import type { HcsClusterFacts } from './facts.js';
import { HCS_NAME_SUFFIXES } from './names.js';

/**
 * The kit's identity rule also checks an API server address; on HCS the
 * controller derives the endpoint from the ELB, so the workflow has none to
 * check and hands the rule a well-formed stand-in.
 */
const DERIVED_ENDPOINT = 'https://derived.from.the.elb:6443';

/**
 * Every problem in the draft, each with its field path and step: the
 * credential (and that HCS answers with it), the name, the Kubernetes
 * version, the network step's (see {@link checkHcsNetwork}), machine templates whose config pool exists and serves one
 * node pool with enough free entries, the worker pools' own rules, and the
 * networks.
 */
export function validateDraft(draft: HcsClusterDraft, facts: HcsClusterFacts): FieldProblem[] {
  return checkClusterDraft({ ...draft, apiServerAddress: DERIVED_ENDPOINT }, facts, {
    identity: platformIdentity('HCSCluster', 'choose an HCS credential', 'HCS', facts.platform),
    kubernetesVersion: () => kubernetesVersionProblem(draft.kubernetesVersion, KUBERNETES_MINORS),
    placement: (report) =>
      checkHcsNetwork(
        draft,
        facts.platform && 'vpcs' in facts.platform ? facts.platform.vpcs : undefined,
        report,
      ),
    // Each template's config pool must exist and serve one node pool.
    nodePools: (report) =>
      configPoolNodePools(
        facts,
        {
          machineTemplateKind: 'HCSMachineTemplate',
          suffixes: HCS_NAME_SUFFIXES,
          slotNoun: 'config pool',
          noPool: (name) => `${name} names no config pool, so its machines get no hostname and IP`,
        },
        report,
      ),
  });
}

/** The id of the HCS step after basic info: the network and the control plane ELB. */
export const HCS_NETWORK_STEP = 'hcs-network';

/**
 * The problems of the network step: the VPC, subnets and security group as
 * the project has them (`vpcs`; undefined when they could not be listed, so
 * only what is missing or malformed is reported) and the control plane ELB
 * (VIP in its subnet; two L4 and two L7 IPs each, in their subnet, or none).
 * The step runs it itself on the networks it lists, so a choice the project
 * no longer has shows as soon as the step is shown.
 */
export function checkHcsNetwork(
  draft: HcsClusterDraft,
  vpcs: readonly VpcFact[] | undefined,
  report: ProblemReport,
): void {
  const network = (field: string, message: string) => report(HCS_NETWORK_STEP, field, message);
  const vpc = vpcs?.find((v) => v.name === draft.vpc);
  const subnetOf = (name: string): SubnetFact | undefined => vpc?.subnets.find((s) => s.name === name);
  if (!draft.vpc) network('vpc', 'choose the VPC');
  else if (vpcs && !vpc) network('vpc', `the project has no VPC ${draft.vpc}`);
  if (draft.subnets.length === 0) network('subnets', 'choose at least one subnet for the machines');
  else if (vpc)
    for (const name of draft.subnets)
      if (!subnetOf(name)) network('subnets', `VPC ${draft.vpc} has no subnet ${name}`);
  if (!draft.securityGroup) network('securityGroup', 'choose the security group');
  else if (vpc && !vpc.securityGroups.some((g) => g.name === draft.securityGroup))
    network('securityGroup', `VPC ${draft.vpc} has no security group ${draft.securityGroup}`);

  // The control plane ELB.
  const inSubnet = (field: string, ip: string, subnet: SubnetFact | undefined) => {
    const address = parseIpv4(ip);
    if (address === undefined) return network(field, `${ip} is not an IPv4 address`);
    const cidr = subnet ? parseCidr(subnet.cidr) : undefined;
    if (subnet && cidr?.ok && !sameSubnet(address, cidr.cidr.network, cidr.cidr.prefix))
      network(field, `${ip} is not in subnet ${subnet.name} (${subnet.cidr})`);
  };
  if (!draft.vipSubnetName) network('vipSubnetName', 'choose the subnet of the control plane VIP');
  else if (vpc && !subnetOf(draft.vipSubnetName))
    network('vipSubnetName', `VPC ${draft.vpc} has no subnet ${draft.vipSubnetName}`);
  if (!draft.vipAddress) network('vipAddress', 'the control plane VIP is required');
  else inSubnet('vipAddress', draft.vipAddress, subnetOf(draft.vipSubnetName));
  if (draft.vipDomainName && !DNS_NAME.test(draft.vipDomainName))
    network('vipDomainName', 'a domain name such as api.lab.example.com');
  const backend = subnetOf(draft.elbSubnetName || draft.vipSubnetName);
  for (const field of ['l4Ips', 'l7Ips'] as const) {
    const ips = ipList(draft[field]);
    if (ips.length === 0) continue;
    if (ips.length !== 2) network(field, 'two IP addresses, or none to let HCS allocate them');
    else for (const ip of ips) inSubnet(field, ip, backend);
  }
  const fixed = [draft.vipAddress, ...ipList(draft.l4Ips), ...ipList(draft.l7Ips)].filter(Boolean);
  if (new Set(fixed).size !== fixed.length) network('l7Ips', 'the VIP and the L4 and L7 IPs must all differ');
}

/** What would fail or hurt later although the draft is valid: shown on the review step. */
export function draftWarnings(draft: HcsClusterDraft, facts: HcsClusterFacts): string[] {
  const warnings = configPoolNodePoolWarnings(draft, facts, {
    slotNoun: 'config pool',
    apiServerAddress: `https://${draft.vipAddress}:6443`,
  });
  if (ipList(draft.l4Ips).length === 0 || ipList(draft.l7Ips).length === 0)
    warnings.push('the ELB’s L4 or L7 virtual subnet IPs are left to HCS, which allocates them at random');
  if (draft.vipDomainName)
    warnings.push(
      `keep DNS for ${draft.vipDomainName} resolving to ${draft.vipAddress}: the platform does not`,
    );
  if (draft.kubernetesVersion && !releaseOf(facts.releases ?? [], draft.kubernetesVersion))
    warnings.push(
      `no release ConfigMap in ${facts.namespace} ships ${draft.kubernetesVersion}, so its CoreDNS and etcd image tags are left to kubeadm's defaults${
        facts.releases?.length
          ? ` (shipped: ${facts.releases.map((r) => r.kubernetesVersion).join(', ')})`
          : ''
      }`,
    );
  if (!facts.globalCluster) warnings.push(GLOBAL_CLUSTER_UNREAD);
  return warnings;
}
