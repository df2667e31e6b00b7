import type { KubeClient } from '@immutable-infra/core';

/** What Cluster API writes on a machine it cloned from a template: the template's name... */
export const CLONED_FROM_NAME_ANNOTATION = 'cluster.x-k8s.io/cloned-from-name';
/** ...and its `Kind.group` (older releases wrote the name only). */
export const CLONED_FROM_GROUPKIND_ANNOTATION = 'cluster.x-k8s.io/cloned-from-groupkind';

/**
 * The machine template a machine was cloned from, as the template is now (an operator may have
 * edited it in place since): by the annotations Cluster API writes on a cloned machine. Undefined
 * when the machine was not cloned from a template of this kind, or the template is gone.
 */
export async function clonedFromTemplate<Template>(
  kube: Pick<KubeClient, 'get'>,
  machine: {
    metadata: { namespace?: string | undefined; annotations?: Record<string, string> | undefined };
  },
  template: { apiVersion: string; kind: string },
): Promise<Template | undefined> {
  const name = machine.metadata.annotations?.[CLONED_FROM_NAME_ANNOTATION];
  const groupKind = machine.metadata.annotations?.[CLONED_FROM_GROUPKIND_ANNOTATION];
  if (!name || (groupKind && !groupKind.startsWith(`${template.kind}.`))) return undefined;
  return kube.get<Template>({ ...template, name, namespace: machine.metadata.namespace });
}
