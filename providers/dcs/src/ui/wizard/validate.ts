import type { FieldProblem } from '@immutable-infra/core';
import { type Cidr, cidrsOverlap, parseCidr } from '@immutable-infra/ui-kit';
import { compareVersions, type MachineTemplateRecord, minorOf } from '../catalog/resources.js';
import type { DcsClusterDraft } from './draft.js';
import { STEP } from './draft.js';
import type { ClusterFacts } from './facts.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SSH_KEY =
  /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\r\n]*)?$/;
const HOST = /^(([a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)\.)*[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;

/** The control plane endpoint of a `https://host:port` address, or why it is not one. */
export function parseApiServerAddress(
  text: string,
): { ok: true; host: string; port: number } | { ok: false; message: string } {
  const match = /^https:\/\/(\[[^\]]+\]|[^:/]+)(?::(\d{1,5}))?\/?$/.exec(text.trim());
  if (!match?.[1]) return { ok: false, message: 'must look like https://<load-balancer-address>:6443' };
  const host = match[1];
  if (host.startsWith('[') || !HOST.test(host))
    return { ok: false, message: `${host} is not an IPv4 address or DNS name` };
  const port = match[2] === undefined ? 6443 : Number(match[2]);
  if (port < 1 || port > 65535) return { ok: false, message: 'the port must be 1 to 65535' };
  return { ok: true, host, port };
}

/** The Kubernetes version a machine template's VM template carries, per the version ConfigMaps. */
export function templateVersion(facts: ClusterFacts, template: MachineTemplateRecord | undefined) {
  return template ? facts.versions.find((v) => v.vmTemplateName === template.vmTemplateName) : undefined;
}

/**
 * Every problem in the draft, each with its field path and step: required
 * fields, names, the endpoint, machine templates of the right type and a
 * compatible Kubernetes version, IP pools with enough free entries (pools
 * shared by several node pools count once for all of them), maxSurge and
 * maxUnavailable, unique pool names, CIDRs well formed and not overlapping.
 */
export function validateDraft(draft: DcsClusterDraft, facts: ClusterFacts): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const report = (step: string, field: string, message: string) => {
    if (!problems.some((p) => p.field === field)) problems.push({ field, message, step });
  };
  const basic = (field: string, message: string) => report(STEP.basic, field, message);

  // Step 1: basic info.
  if (!draft.credential) basic('credential', 'choose a cloud credential');
  else if (!(draft.credential in facts.credentials))
    basic('credential', `credential ${draft.credential} does not exist in ${facts.namespace}`);
  else if (facts.site && 'error' in facts.site)
    basic('credential', `the platform could not be reached with this credential: ${facts.site.error}`);

  if (!draft.name) basic('name', 'the cluster name is required');
  else if (draft.name.length > 63 || !DNS_LABEL.test(draft.name))
    basic('name', 'lowercase letters, digits and hyphens, at most 63, starting and ending alphanumeric');
  else if (draft.name === 'global') basic('name', 'global is the name of the global cluster and is reserved');
  else if (draft.name.startsWith('global-'))
    basic('name', 'the global- prefix is reserved for the global cluster’s disaster recovery');
  else if (
    facts.existing.includes(`Cluster/${draft.name}`) ||
    facts.existing.includes(`DCSCluster/${draft.name}`)
  )
    basic('name', `a cluster named ${draft.name} already exists in ${facts.namespace}`);

  if (!draft.apiServerAddress) basic('apiServerAddress', 'the cluster API address is required');
  else {
    const address = parseApiServerAddress(draft.apiServerAddress);
    if (!address.ok) basic('apiServerAddress', address.message);
  }

  if (!draft.kubernetesVersion)
    basic(
      'kubernetesVersion',
      facts.versions.length === 0
        ? `no VM template version ConfigMap (label cpaas.io/dcs-vm-template) in ${facts.namespace}; apply the one shipped with the OS image`
        : 'the Kubernetes version is required',
    );
  else if (facts.versions.length > 0) {
    // The documented web UI creates only the newest version the platform offers.
    const newest = [...facts.versions].sort((a, b) =>
      compareVersions(b.kubernetesVersion, a.kubernetesVersion),
    )[0];
    if (!facts.versions.some((v) => v.kubernetesVersion === draft.kubernetesVersion))
      basic('kubernetesVersion', `no VM template ConfigMap offers Kubernetes ${draft.kubernetesVersion}`);
    else if (newest && compareVersions(newest.kubernetesVersion, draft.kubernetesVersion) !== 0)
      basic('kubernetesVersion', `only the newest version, ${newest.kubernetesVersion}, can be created`);
  }

  // Step 2 and 3: node pools.
  const checkTemplate = (step: string, field: string, name: string, type: 'control-plane' | 'worker') => {
    if (!name) return report(step, field, 'choose a machine template');
    const template = facts.machineTemplates.find((t) => t.name === name);
    if (!template) return report(step, field, `machine template ${name} does not exist`);
    if (template.type !== type)
      return report(
        step,
        field,
        `${name} is a ${template.type === 'worker' ? 'worker node' : 'control plane'} template; choose a ${type === 'worker' ? 'worker node' : 'control plane'} one`,
      );
    const version = templateVersion(facts, template);
    if (
      draft.kubernetesVersion &&
      version &&
      minorOf(version.kubernetesVersion) !== minorOf(draft.kubernetesVersion)
    )
      return report(
        step,
        field,
        `VM template ${template.vmTemplateName} carries Kubernetes ${version.kubernetesVersion}, not ${minorOf(draft.kubernetesVersion)}`,
      );
    if (!template.ipPool) return report(step, field, `${name} names no IP pool`);
    if (!facts.pools.some((p) => p.name === template.ipPool))
      return report(step, field, `IP pool ${template.ipPool} of ${name} does not exist`);
    return undefined;
  };

  checkTemplate(
    STEP.controlPlane,
    'controlPlane.machineTemplate',
    draft.controlPlane.machineTemplate,
    'control-plane',
  );
  if (!Number.isInteger(draft.controlPlane.replicas) || draft.controlPlane.replicas < 1)
    report(STEP.controlPlane, 'controlPlane.replicas', 'replicas must be a whole number of at least 1');
  checkKeys(
    STEP.controlPlane,
    'controlPlane.sshAuthorizedKeys',
    draft.controlPlane.sshAuthorizedKeys,
    report,
  );

  const seen = new Map<string, number>();
  draft.workers.forEach((pool, i) => {
    const at = `workers.${i}`;
    const step = STEP.workers;
    if (!pool.name) report(step, `${at}.name`, 'the pool name is required');
    else if (pool.name.length > 63 - '-template'.length || !DNS_LABEL.test(pool.name))
      report(
        step,
        `${at}.name`,
        'lowercase letters, digits and hyphens, at most 54, starting and ending alphanumeric',
      );
    else if (seen.has(pool.name))
      report(
        step,
        `${at}.name`,
        `pool name ${pool.name} is already used by pool ${(seen.get(pool.name) ?? 0) + 1}`,
      );
    else if (pool.name === `${draft.name}-kcp`)
      report(step, `${at}.name`, `${pool.name} is the control plane's name`);
    else {
      const taken = [
        `MachineDeployment/${pool.name}`,
        `DCSMachineTemplate/${pool.name}-template`,
        `KubeadmConfigTemplate/${pool.name}-kct`,
      ].find((key) => facts.existing.includes(key));
      if (taken)
        report(step, `${at}.name`, `${taken} already exists; prefix the pool name with the cluster name`);
    }
    if (pool.name) seen.set(pool.name, seen.get(pool.name) ?? i);

    checkTemplate(step, `${at}.machineTemplate`, pool.machineTemplate, 'worker');
    if (!Number.isInteger(pool.replicas) || pool.replicas < 1)
      report(step, `${at}.replicas`, 'replicas must be a whole number of at least 1');
    if (!Number.isInteger(pool.maxSurge) || pool.maxSurge < 0)
      report(step, `${at}.maxSurge`, 'max surge must be a whole number of at least 0');
    if (!Number.isInteger(pool.maxUnavailable) || pool.maxUnavailable < 0)
      report(step, `${at}.maxUnavailable`, 'max unavailable must be a whole number of at least 0');
    else if (pool.maxSurge === 0 && pool.maxUnavailable === 0)
      report(
        step,
        `${at}.maxUnavailable`,
        'with max surge 0, max unavailable must be at least 1, or no node can be replaced',
      );
    else if (pool.maxSurge === 0 && Number.isInteger(pool.replicas) && pool.maxUnavailable > pool.replicas)
      report(
        step,
        `${at}.maxUnavailable`,
        `with max surge 0, max unavailable must not exceed the replicas (${pool.replicas})`,
      );
    checkKeys(step, `${at}.sshAuthorizedKeys`, pool.sshAuthorizedKeys, report);
  });

  // Capacity: every node pool whose template draws from the same IP pool shares its free entries.
  const demand = new Map<string, { replicas: number; fields: [string, string, number][] }>();
  const addDemand = (templateName: string, replicas: number, step: string, field: string) => {
    const template = facts.machineTemplates.find((t) => t.name === templateName);
    if (!template?.ipPool || !Number.isInteger(replicas)) return;
    const entry = demand.get(template.ipPool) ?? { replicas: 0, fields: [] };
    entry.replicas += replicas;
    entry.fields.push([step, field, replicas]);
    demand.set(template.ipPool, entry);
  };
  addDemand(
    draft.controlPlane.machineTemplate,
    draft.controlPlane.replicas,
    STEP.controlPlane,
    'controlPlane.replicas',
  );
  draft.workers.forEach((pool, i) => {
    addDemand(pool.machineTemplate, pool.replicas, STEP.workers, `workers.${i}.replicas`);
  });
  for (const [poolName, { replicas, fields }] of demand) {
    const pool = facts.pools.find((p) => p.name === poolName);
    if (!pool || pool.free >= replicas) continue;
    const shared = fields.length > 1 ? ` (shared by ${fields.length} node pools)` : '';
    for (const [step, field, own] of fields) {
      // The control plane's replicas are fixed: when it fits on its own, the worker pools that share
      // its IP pool must shrink. Reported there too, it would keep a user who went back to the
      // control plane step from ever reaching the step where the fix is.
      if (step === STEP.controlPlane && fields.length > 1 && own <= pool.free) continue;
      report(
        step,
        field,
        `IP pool ${poolName} has ${pool.free} free of ${pool.total} entries; ${replicas} needed${shared}`,
      );
    }
  }

  // Step 4: networking.
  const net = STEP.networking;
  const cidrs: [string, string][] = [
    ['networking.podsCidr', 'Pods CIDR'],
    ['networking.servicesCidr', 'Services CIDR'],
    ['networking.joinCidr', 'Join CIDR'],
  ];
  const parsed = cidrs.map(([field, label]) => {
    const text = draft.networking[field.split('.')[1] as keyof DcsClusterDraft['networking']];
    if (!text) {
      report(net, field, `${label} is required`);
      return undefined;
    }
    const result = parseCidr(text);
    if (!result.ok) {
      report(net, field, `${label} ${result.message}`);
      return undefined;
    }
    return result.cidr;
  });
  const [pods, services, join] = parsed;
  const overlaps = (a: Cidr | undefined, b: Cidr | undefined) =>
    a !== undefined && b !== undefined && cidrsOverlap(a, b);
  if (overlaps(pods, services))
    report(net, 'networking.servicesCidr', `Services CIDR overlaps Pods CIDR ${draft.networking.podsCidr}`);
  if (overlaps(join, pods))
    report(net, 'networking.joinCidr', `Join CIDR overlaps Pods CIDR ${draft.networking.podsCidr}`);
  else if (overlaps(join, services))
    report(net, 'networking.joinCidr', `Join CIDR overlaps Services CIDR ${draft.networking.servicesCidr}`);
  return problems;
}

function checkKeys(
  step: string,
  field: string,
  keys: readonly string[],
  report: (step: string, field: string, message: string) => void,
): void {
  keys.forEach((key, i) => {
    if (!SSH_KEY.test(key.trim()))
      report(
        step,
        `${field}.${i}`,
        'not a single-line OpenSSH public key (ssh-ed25519 AAAA…, ssh-rsa AAAA…)',
      );
  });
}
