import { z } from 'zod';
import { DcsError } from '../model/dcs-error.js';
import type { Platform } from '../model/platform.js';
import { drsRuleView } from '../model/wire-views.js';
import { byName, paginate } from '../server/pagination.js';
import type { Route } from '../server/router.js';
import { parseBody } from '../server/validation.js';
import { type SimContext, taskAnswer } from './context.js';

const OPERATION = { delete: 0, modify: 1, create: 2 } as const;

/** Numbers may arrive as JSON numbers or digit strings (Huawei's Nova driver sends both). */
const integer = z.coerce.number().int();

const drsRuleChange = z.object({
  operationType: integer.refine(
    (n) => n === 0 || n === 1 || n === 2,
    'must be 0 (delete), 1 (modify) or 2 (create)',
  ),
  ruleIndex: integer.positive().optional(),
  ruleName: z.string().min(1).max(256).optional(),
  ruleType: integer.refine((n) => n === 1 || n === 2, 'must be 1 (affinity) or 2 (anti-affinity)').optional(),
  vms: z.array(z.string()).optional(),
});
type DrsRuleChange = z.output<typeof drsRuleChange>;

/** `PUT <cluster uri>`: only `drsSetting.drsRules` is modelled; other cluster settings are ignored. */
const modifyClusterBody = z.object({
  drsSetting: z.object({ drsRules: z.array(drsRuleChange).default([]) }).optional(),
});

/** Clusters, and the DRS rules that keep control-plane VMs on different hosts. */
export function clusterRoutes(ctx: SimContext): Route[] {
  const { platform } = ctx;
  const { address, inventory } = platform;
  const view = (cluster: { id: string; name: string }) => {
    const urn = address.urnOf('clusters', cluster.id);
    return {
      urn,
      uri: address.uriOf('clusters', cluster.id),
      name: cluster.name,
      drsSetting: {
        drsEnabled: true,
        drsRules: platform.drsRules.filter((r) => r.clusterUrn === urn).map(drsRuleView),
      },
    };
  };
  const requireCluster = (id: string | undefined) => {
    const cluster = inventory.clusters.find((c) => c.id === id);
    if (!cluster) throw DcsError.notFound(`cluster ${id}`);
    return cluster;
  };
  return [
    {
      method: 'GET',
      pattern: '/service/sites/:site/clusters',
      handle: ({ query }) => {
        const { total, page } = paginate(byName(inventory.clusters, query).map(view), query);
        return { body: { total, clusters: page } };
      },
    },
    {
      method: 'GET',
      pattern: '/service/sites/:site/clusters/:cluster',
      handle: ({ params }) => ({ body: view(requireCluster(params.cluster)) }),
    },
    {
      method: 'PUT',
      pattern: '/service/sites/:site/clusters/:cluster',
      handle: ({ params, body }) => {
        const clusterUrn = address.urnOf('clusters', requireCluster(params.cluster).id);
        const changes = parseBody(modifyClusterBody, body).drsSetting?.drsRules ?? [];
        // Checked now so the caller gets a 4xx, and again when the task runs, since other
        // changes may have landed in between.
        changes.forEach((change, i) => {
          checkRuleChange(platform, clusterUrn, change, i);
        });
        const task = ctx.tasks.start('ModifyCluster', clusterUrn, () => {
          changes.forEach((change, i) => {
            checkRuleChange(platform, clusterUrn, change, i);
            applyRuleChange(platform, clusterUrn, change);
          });
        });
        return taskAnswer(task);
      },
    },
  ];
}

function checkRuleChange(platform: Platform, clusterUrn: string, change: DrsRuleChange, i: number): void {
  const field = (name: string) => `drsSetting.drsRules[${i}].${name}`;
  change.vms?.forEach((urn, j) => {
    const vm = platform.vmByUrn(urn);
    if (!vm || vm.isTemplate)
      throw DcsError.invalid(`${field('vms')}[${j}]`, `${urn} is not a VM of this site`);
  });
  const rules = platform.drsRules.filter((r) => r.clusterUrn === clusterUrn);
  if (change.operationType === OPERATION.create) {
    if (change.ruleName === undefined)
      throw DcsError.invalid(field('ruleName'), 'is required to create a rule');
    if (change.ruleType === undefined)
      throw DcsError.invalid(field('ruleType'), 'is required to create a rule');
    if (rules.some((r) => r.ruleName === change.ruleName))
      throw DcsError.wrongState(`a DRS rule named ${change.ruleName} already exists`);
    return;
  }
  if (change.ruleIndex === undefined)
    throw DcsError.invalid(field('ruleIndex'), 'is required to change a rule');
  if (!rules.some((r) => r.ruleIndex === change.ruleIndex))
    throw DcsError.notFound(`DRS rule ${change.ruleIndex}`);
}

function applyRuleChange(platform: Platform, clusterUrn: string, change: DrsRuleChange): void {
  if (change.operationType === OPERATION.create) {
    platform.drsRules.push({
      clusterUrn,
      ruleIndex: platform.newRuleIndex(clusterUrn),
      ruleName: change.ruleName ?? '',
      ruleType: change.ruleType ?? 2,
      vms: [...(change.vms ?? [])],
    });
    return;
  }
  const at = platform.drsRules.findIndex(
    (r) => r.clusterUrn === clusterUrn && r.ruleIndex === change.ruleIndex,
  );
  const rule = platform.drsRules[at];
  if (!rule) return;
  if (change.operationType === OPERATION.delete) {
    platform.drsRules.splice(at, 1);
    return;
  }
  if (change.ruleName !== undefined) rule.ruleName = change.ruleName;
  if (change.ruleType !== undefined) rule.ruleType = change.ruleType;
  if (change.vms !== undefined) rule.vms = [...change.vms];
}
