import type { FieldProblem } from '@immutable-infra/core';
import {
  checkClusterDraft,
  configPoolNodePools,
  configPoolNodePoolWarnings,
  configPoolOfTemplate,
  draftNodePools,
  GLOBAL_CLUSTER_UNREAD,
  kubernetesVersionProblem,
  platformIdentity,
} from '@immutable-infra/ui-kit';
import { Thumbprint, VCENTER_SERVER, VCENTER_SERVER_MESSAGE } from '../../api/common.js';
import { KUBERNETES_MINORS, type VsphereClusterDraft } from './draft.js';
import type { VsphereClusterFacts } from './facts.js';
import { VSPHERE_NAME_SUFFIXES } from './names.js';

/**
 * Every problem in the draft, each with its field path and step: the
 * credential (and that its vCenter answers), names, the endpoint, the vCenter
 * server and thumbprint, the Kubernetes version, the datacenter, machine
 * templates whose config pool serves this cluster in this datacenter (one
 * node pool a config pool) with enough free slots, the worker pools' own
 * rules, and the networks.
 */
export function validateDraft(draft: VsphereClusterDraft, facts: VsphereClusterFacts): FieldProblem[] {
  return checkClusterDraft(draft, facts, {
    identity: platformIdentity('VSphereCluster', 'choose a vCenter credential', 'vCenter', facts.vcenter),
    basicFields(basic) {
      if (!draft.server) basic('server', 'the vCenter server is required');
      else if (!VCENTER_SERVER.test(draft.server)) basic('server', VCENTER_SERVER_MESSAGE);
      if (draft.thumbprint) {
        const parsed = Thumbprint.safeParse(draft.thumbprint);
        if (!parsed.success) basic('thumbprint', parsed.error.issues[0]?.message ?? 'not a thumbprint');
      }
    },
    kubernetesVersion: () => kubernetesVersionProblem(draft.kubernetesVersion, KUBERNETES_MINORS),
    placement(_report, basic) {
      if (!draft.datacenter) basic('datacenter', 'choose a datacenter');
      else if (
        facts.vcenter &&
        'datacenters' in facts.vcenter &&
        !facts.vcenter.datacenters.includes(draft.datacenter)
      )
        basic('datacenter', `vCenter has no datacenter ${draft.datacenter}`);
    },
    // Each template's config pool must serve this cluster, in its datacenter, for one node pool.
    nodePools: (report) =>
      configPoolNodePools(
        facts,
        {
          machineTemplateKind: 'VSphereMachineTemplate',
          suffixes: VSPHERE_NAME_SUFFIXES,
          slotNoun: 'machine config pool',
          noPool: (name) => `${name} names no machine config pool, so its machines get no slot`,
          poolProblem(pool, template) {
            if (draft.name && pool.cluster !== draft.name)
              return `machine config pool ${pool.name} serves cluster ${pool.cluster}, not ${draft.name}`;
            const datacenter = template.machineSpec.datacenter || pool.datacenter;
            if (draft.datacenter && datacenter && datacenter !== draft.datacenter)
              return `${template.name} places machines in datacenter ${datacenter}, not ${draft.datacenter}`;
            return undefined;
          },
        },
        report,
      ),
  });
}

/** What would fail or hurt later although the draft is valid: shown on the review step. */
export function draftWarnings(draft: VsphereClusterDraft, facts: VsphereClusterFacts): string[] {
  const warnings: string[] = [];
  for (const pool of draftNodePools(draft)) {
    const configPool = configPoolOfTemplate(facts, pool.template);
    if (configPool && configPool.dns.length === 0)
      warnings.push(
        `${pool.label}: machine config pool ${configPool.name} gives no DNS server, so /etc/resolv.conf is left as the VM template has it`,
      );
  }
  warnings.push(
    ...configPoolNodePoolWarnings(draft, facts, {
      slotNoun: 'machine config pool',
      apiServerAddress: draft.apiServerAddress,
    }),
  );
  if (!draft.thumbprint)
    warnings.push(
      'no thumbprint: the controllers trust vCenter through the credential’s CA bundle, or the system’s CAs',
    );
  if (!facts.globalCluster) warnings.push(GLOBAL_CLUSTER_UNREAD);
  warnings.push(
    'the vSphere CPI is delivered by a ClusterResourceSet: Cluster API needs its ClusterResourceSet feature (ClusterResourceSet=true) on the management cluster',
  );
  return warnings;
}
