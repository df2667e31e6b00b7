import type { FieldProblem } from '@immutable-infra/core';
import {
  checkClusterIdentity,
  checkNetworking,
  checkNodePools,
  draftNodePools,
  minorOf,
  nodePoolWarnings,
  problemCollector,
  CLUSTER_STEP as STEP,
} from '@immutable-infra/ui-kit';
import { Thumbprint, VCENTER_SERVER, VCENTER_SERVER_MESSAGE } from '../../api/common.js';
import { KUBERNETES_MINORS, type VsphereClusterDraft } from './draft.js';
import type { VsphereClusterFacts } from './facts.js';
import { VSPHERE_NAME_SUFFIXES } from './names.js';

const KUBERNETES_VERSION = /^v\d+\.\d+\.\d+$/;

/**
 * Every problem in the draft, each with its field path and step: the
 * credential (and that its vCenter answers), names, the endpoint, the vCenter
 * server and thumbprint, the Kubernetes version, the datacenter, machine
 * templates whose config pool serves this cluster in this datacenter (one
 * node pool a config pool) with enough free slots, the worker pools' own
 * rules, and the networks.
 */
export function validateDraft(draft: VsphereClusterDraft, facts: VsphereClusterFacts): FieldProblem[] {
  const { problems, report } = problemCollector();
  const basic = (field: string, message: string) => report(STEP.basic, field, message);

  const unreachable =
    facts.vcenter && 'error' in facts.vcenter
      ? { subject: 'vCenter', error: facts.vcenter.error }
      : undefined;
  checkClusterIdentity(
    draft,
    facts,
    { clusterKind: 'VSphereCluster', choose: 'choose a vCenter credential', unreachable },
    report,
  );

  if (!draft.server) basic('server', 'the vCenter server is required');
  else if (!VCENTER_SERVER.test(draft.server)) basic('server', VCENTER_SERVER_MESSAGE);
  if (draft.thumbprint) {
    const parsed = Thumbprint.safeParse(draft.thumbprint);
    if (!parsed.success) basic('thumbprint', parsed.error.issues[0]?.message ?? 'not a thumbprint');
  }

  if (!draft.kubernetesVersion) basic('kubernetesVersion', 'the Kubernetes version is required');
  else if (!KUBERNETES_VERSION.test(draft.kubernetesVersion))
    basic('kubernetesVersion', 'a release such as v1.35.1 (v, major, minor and patch)');
  else if (!(KUBERNETES_MINORS as readonly string[]).includes(minorOf(draft.kubernetesVersion)))
    basic(
      'kubernetesVersion',
      `Kubernetes ${minorOf(draft.kubernetesVersion)} is not supported; choose ${KUBERNETES_MINORS.join(', ')}`,
    );

  if (!draft.datacenter) basic('datacenter', 'choose a datacenter');
  else if (
    facts.vcenter &&
    'datacenters' in facts.vcenter &&
    !facts.vcenter.datacenters.includes(draft.datacenter)
  )
    basic('datacenter', `vCenter has no datacenter ${draft.datacenter}`);

  // Node pools: each template's config pool must serve this cluster, in its datacenter, for one node pool.
  const users = new Map<string, string>();
  const checkTemplate = (step: string, field: string, name: string, _role: string, label: string) => {
    if (!name) return report(step, field, 'choose a machine template');
    const template = facts.machineTemplates.find((t) => t.name === name);
    if (!template) return report(step, field, `machine template ${name} does not exist`);
    if (!template.configPool)
      return report(step, field, `${name} names no machine config pool, so its machines get no slot`);
    const pool = facts.configPools.find((p) => p.name === template.configPool);
    if (!pool)
      return report(step, field, `machine config pool ${template.configPool} of ${name} does not exist`);
    if (draft.name && pool.cluster !== draft.name)
      return report(
        step,
        field,
        `machine config pool ${pool.name} serves cluster ${pool.cluster}, not ${draft.name}`,
      );
    const datacenter = template.machineSpec.datacenter || pool.datacenter;
    if (draft.datacenter && datacenter && datacenter !== draft.datacenter)
      return report(
        step,
        field,
        `${name} places machines in datacenter ${datacenter}, not ${draft.datacenter}`,
      );
    const user = users.get(pool.name);
    if (user) return report(step, field, `machine config pool ${pool.name} is already used by ${user}`);
    users.set(pool.name, label);
    return undefined;
  };

  checkNodePools(
    draft,
    {
      checkTemplate,
      existing: facts.existing,
      machineTemplateKind: 'VSphereMachineTemplate',
      suffixes: VSPHERE_NAME_SUFFIXES,
      slotPoolOf: (name) => facts.machineTemplates.find((t) => t.name === name)?.configPool,
      slotPools: facts.configPools,
      slotNoun: 'machine config pool',
    },
    report,
  );
  checkNetworking(STEP.networking, draft.networking, report);
  return problems;
}

/** What would fail or hurt later although the draft is valid: shown on the review step. */
export function draftWarnings(draft: VsphereClusterDraft, facts: VsphereClusterFacts): string[] {
  const pools = draftNodePools(draft);
  const configPoolOf = (templateName: string) => {
    const template = facts.machineTemplates.find((t) => t.name === templateName);
    return facts.configPools.find((p) => p.name === template?.configPool);
  };
  const warnings: string[] = [];
  for (const pool of pools) {
    const configPool = configPoolOf(pool.template);
    if (configPool && configPool.dns.length === 0)
      warnings.push(
        `${pool.label}: machine config pool ${configPool.name} gives no DNS server, so /etc/resolv.conf is left as the VM template has it`,
      );
  }
  warnings.push(
    ...nodePoolWarnings({
      slotNoun: 'machine config pool',
      apiServerAddress: draft.apiServerAddress,
      pools: pools.map((pool) => ({ ...pool, slotPool: configPoolOf(pool.template) })),
    }),
  );
  if (!draft.thumbprint)
    warnings.push(
      'no thumbprint: the controllers trust vCenter through the credential’s CA bundle, or the system’s CAs',
    );
  if (!facts.globalCluster)
    warnings.push(
      'the global Cluster could not be read, so the registry and kube-ovn version annotations are left out and kubeadm pulls from its default registry',
    );
  warnings.push(
    'the vSphere CPI is delivered by a ClusterResourceSet: Cluster API needs its ClusterResourceSet feature (ClusterResourceSet=true) on the management cluster',
  );
  return warnings;
}
