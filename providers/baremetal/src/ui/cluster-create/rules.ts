import type { FieldProblem } from '@immutable-infra/core';
import {
  checkNetworking,
  checkNodePools,
  clusterNameProblem,
  configPoolNodePools,
  GLOBAL_CLUSTER_UNREAD,
  minorOf,
  parseIpv4,
  problemCollector,
  CLUSTER_STEP as STEP,
} from '@immutable-infra/ui-kit';
import { IMAGE_CATALOG_NAME } from '../catalog.js';
import { poolCounters } from '../pools/pool-record.js';
import { type BaremetalClusterDraft, KUBERNETES_MINORS } from './draft.js';
import type { BaremetalClusterFacts } from './facts.js';
import { BAREMETAL_NAME_SUFFIXES } from './names.js';

const DNS_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/i;
const WHOLE = /^\d+$/;

/** The problem of a catalog version: a key of elemental-image-catalog (the leading v kept), of a supported minor. */
export function catalogVersionProblem(
  version: string,
  facts: Pick<BaremetalClusterFacts, 'imageCatalog' | 'namespace'>,
): string | undefined {
  if (!version) return 'choose a Kubernetes version from the image catalog';
  if (!/^v\d+\.\d+\.\d+/.test(version)) return `${version} is not a version such as v1.33.7-2 (v kept)`;
  if (!(KUBERNETES_MINORS as readonly string[]).includes(minorOf(version)))
    return `Kubernetes ${minorOf(version)} is not supported; choose ${KUBERNETES_MINORS.join(', ')}`;
  if (!facts.imageCatalog)
    return `ConfigMap ${facts.namespace}/${IMAGE_CATALOG_NAME} was not found, so no version has an OS image`;
  if (!facts.imageCatalog[version]?.trim())
    return `${version} is not a key of ${IMAGE_CATALOG_NAME}, so no host could be provisioned with it`;
  return undefined;
}

/**
 * Every problem in the draft, each with its field path and step: the name
 * (free in the namespace), the version (in the image catalog), the control
 * plane load balancer (an Internal VIP is an IPv4 address with a vrid of
 * 0-255 that no other cluster here uses; a port of 1-65535), machine templates
 * whose MachineInventoryPool serves this cluster with enough available
 * inventories for the replicas (one node pool a pool), and the networks.
 */
export function validateDraft(draft: BaremetalClusterDraft, facts: BaremetalClusterFacts): FieldProblem[] {
  const { problems, report } = problemCollector();
  const basic = (field: string, message: string) => report(STEP.basic, field, message);

  const nameProblem = clusterNameProblem(draft.name);
  if (nameProblem) basic('name', nameProblem);
  else if (['Cluster', 'BaremetalCluster'].some((kind) => facts.existing.includes(`${kind}/${draft.name}`)))
    basic('name', `a cluster named ${draft.name} already exists in ${facts.namespace}`);

  const version = catalogVersionProblem(draft.kubernetesVersion, facts);
  if (version) basic('kubernetesVersion', version);

  const lb = draft.loadBalancer;
  const others = facts.loadBalancers.filter((o) => o.cluster !== draft.name);
  if (!lb.host) basic('loadBalancer.host', 'the control plane VIP or load balancer address is required');
  else if (lb.type === 'Internal' && parseIpv4(lb.host) === undefined)
    basic(
      'loadBalancer.host',
      `${lb.host} is not an IPv4 address (a self-built VIP is never a name or IPv6)`,
    );
  else if (lb.type === 'External' && parseIpv4(lb.host) === undefined && !DNS_NAME.test(lb.host))
    basic('loadBalancer.host', `${lb.host} is neither an IPv4 address nor a DNS name`);
  else {
    const same = others.find((o) => o.host === lb.host);
    if (same && lb.type === 'Internal')
      basic(
        'loadBalancer.host',
        `${lb.host} is already the control plane address of cluster ${same.cluster}`,
      );
  }
  const port = Number(lb.port);
  if (!WHOLE.test(lb.port) || port < 1 || port > 65535)
    basic('loadBalancer.port', 'the port must be a whole number of 1-65535 (usually 6443)');
  if (lb.type === 'Internal') {
    const vrid = Number(lb.vrid);
    if (!lb.vrid) basic('loadBalancer.vrid', 'the vrid is required for an Internal VIP');
    else if (!WHOLE.test(lb.vrid) || vrid > 255)
      basic('loadBalancer.vrid', 'the vrid must be a whole number of 0-255');
    else {
      const same = others.find((o) => o.vrid === vrid);
      if (same)
        basic(
          'loadBalancer.vrid',
          `vrid ${vrid} is used by cluster ${same.cluster}; it must be unique in the control plane's Layer-2 domain`,
        );
    }
  }

  // Node pools: each template's MachineInventoryPool must serve this cluster, for one node pool.
  checkNodePools(
    draft,
    configPoolNodePools(
      facts,
      {
        machineTemplateKind: 'BaremetalMachineTemplate',
        suffixes: BAREMETAL_NAME_SUFFIXES,
        slotNoun: 'machine inventory pool',
        noPool: (name) => `${name} names no machine inventory pool, so its machines get no host`,
        poolProblem(pool) {
          if (draft.name && pool.cluster !== draft.name)
            return `machine inventory pool ${pool.name} serves cluster ${pool.cluster}, not ${draft.name}`;
          return undefined;
        },
      },
      report,
    ),
    report,
  );
  if (draft.controlPlane.replicas < 3)
    report(
      STEP.controlPlane,
      'controlPlane.replicas',
      'bare metal needs at least 3 control plane replicas (the VIP and etcd quorum)',
    );
  checkNetworking(STEP.networking, draft.networking, report);
  return problems;
}

/** What would fail or hurt later although the draft is valid: shown on the review step. */
export function draftWarnings(draft: BaremetalClusterDraft, facts: BaremetalClusterFacts): string[] {
  const warnings: string[] = [];
  if (!facts.globalCluster) warnings.push(GLOBAL_CLUSTER_UNREAD);
  if (draft.kubernetesVersion && !facts.releases.some((r) => r.kubernetesVersion === draft.kubernetesVersion))
    warnings.push(
      `no release of this provider lists ${draft.kubernetesVersion}: the CoreDNS and etcd image tags are left to kubeadm's defaults`,
    );
  if (draft.loadBalancer.type === 'External')
    warnings.push(
      `External load balancer: nothing runs alive on the control plane; ${draft.loadBalancer.host}:${draft.loadBalancer.port} must already forward to the control plane nodes`,
    );
  for (const [label, template] of [
    ['control plane', draft.controlPlane.machineTemplate] as const,
    ...draft.workers.map((w) => [w.name, w.machineTemplate] as const),
  ]) {
    const pool = facts.configPools.find(
      (p) => p.name === facts.machineTemplates.find((t) => t.name === template)?.configPool,
    );
    if (pool && pool.unavailable > 0)
      warnings.push(`${label}: machine inventory pool ${pool.name} has ${poolCounters(pool)}`);
  }
  return warnings;
}
