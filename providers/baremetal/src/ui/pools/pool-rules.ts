/**
 * The MachineInventoryPool form's pure half: its draft, every problem at its
 * field, and the spec it writes. A pool serves one cluster and lists the
 * registered hosts its machines may take, in the order they are taken, each
 * with an optional node hostname.
 */
import type { FieldProblem } from '@immutable-infra/core';
import { clusterNameProblem } from '@immutable-infra/ui-kit';
import type { MachineInventoryPoolObject } from '../../api/machine-inventory-pool.js';
import type { InventoryRecord } from '../inventory/inventory-record.js';
import type { InventoryPoolRecord } from './pool-record.js';

export interface PoolMemberDraft {
  name: string;
  hostname: string;
}

export interface PoolDraft {
  name: string;
  clusterName: string;
  members: PoolMemberDraft[];
}

type PoolSpec = MachineInventoryPoolObject['spec'];

const DNS_1123_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NODE_NAME = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)*$/;

export function poolDraftOf(name: string, spec: Partial<PoolSpec> | undefined): PoolDraft {
  return {
    name,
    clusterName: spec?.clusterName ?? '',
    members: (spec?.machineInventories ?? []).map((m) => ({ name: m.name, hostname: m.hostname ?? '' })),
  };
}

/** The spec for the draft: members in order, a hostname only where one is given. */
export function poolSpecOf(draft: PoolDraft): PoolSpec {
  return {
    clusterName: draft.clusterName,
    machineInventories: draft.members.map((m) => ({
      name: m.name,
      ...(m.hostname ? { hostname: m.hostname } : {}),
    })),
  };
}

/**
 * Every problem: the name (creating), the cluster name, at least one host,
 * each a registered MachineInventory that no other pool lists, hostnames
 * valid node names and unique in the pool.
 */
export function validatePool(
  draft: PoolDraft,
  creating: boolean,
  inventories: readonly InventoryRecord[],
  otherPools: readonly InventoryPoolRecord[],
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  if (creating) {
    if (!draft.name) add('name', 'the name is required');
    else if (draft.name.length > 253 || !DNS_1123_NAME.test(draft.name))
      add('name', 'lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit');
  }
  if (!draft.clusterName) add('clusterName', 'the cluster this pool serves is required');
  else {
    const problem = clusterNameProblem(draft.clusterName);
    if (problem) add('clusterName', problem);
  }
  if (draft.members.length === 0) add('machineInventories', 'choose at least one registered host');
  const hostnames = new Map<string, string>();
  draft.members.forEach((member, i) => {
    const at = `machineInventories.${i}`;
    if (!inventories.some((inv) => inv.name === member.name))
      add(`${at}.name`, `${member.name} is not a registered MachineInventory here`);
    const other = otherPools.find((p) => p.name !== draft.name && p.members.includes(member.name));
    if (other) add(`${at}.name`, `${member.name} is already in pool ${other.name}`);
    if (member.hostname) {
      if (member.hostname.length > 253 || !NODE_NAME.test(member.hostname))
        add(
          `${at}.hostname`,
          `${member.hostname} is not a valid node name (lowercase letters, digits, hyphens, dots)`,
        );
      else if (hostnames.has(member.hostname))
        add(`${at}.hostname`, `${member.hostname} is also the hostname of ${hostnames.get(member.hostname)}`);
      else hostnames.set(member.hostname, member.name);
    }
  });
  return problems;
}
