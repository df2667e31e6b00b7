import type { KubeClient, ObjectReference } from '@immutable-infra/core';
import { PLAN_TYPE_ANNOTATION } from '../cloud/machine-inventory.js';
import { type PlanType, sha256 } from '../cloud/plans.js';

/**
 * An inventory's plan Secret, where elemental-system-agent reads the one plan it runs and writes
 * what a failed plan printed. The machine (reprovision, clean) and the inventory's storage
 * lifecycle (storage-prepare, storage-release) take turns writing it.
 */

export const secretRef = (namespace: string, name: string): ObjectReference => ({
  apiVersion: 'v1',
  kind: 'Secret',
  namespace,
  name,
});

/** The plan in the Secret (`{}` when it holds none) and its checksum, as the agent reports it back. */
export interface PlanInSecret {
  text: string;
  checksum: string;
  /** What the last failed plan printed, cut to 1 KiB. */
  failedOutput: string;
}

/** The plan Secret's content; undefined when the Secret does not exist. */
export async function readPlanSecret(
  kube: KubeClient,
  namespace: string,
  name: string,
): Promise<PlanInSecret | undefined> {
  const secret = await kube.get<{ data?: Record<string, string> }>(secretRef(namespace, name));
  if (!secret) return undefined;
  const decoded = (key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString();
  const text = decoded('plan') || '{}';
  return { text, checksum: sha256(text), failedOutput: decoded('failed-output').slice(0, 1024) };
}

/** Writes a plan and its type (the annotation the documentation shows) into the plan Secret. */
export async function writePlanSecret(
  kube: KubeClient,
  namespace: string,
  name: string,
  type: PlanType,
  text: string,
): Promise<void> {
  await kube.patch(secretRef(namespace, name), {
    metadata: { annotations: { [PLAN_TYPE_ANNOTATION]: type } },
    data: { plan: Buffer.from(text).toString('base64') },
  });
}
