import type { V1CustomResourceDefinition } from '@kubernetes/client-node';

/** Group and version of the platform's module kinds (ModuleInfo, ModulePlugin, ModuleConfig, ClusterModule). */
export const PLATFORM_MODULE_GROUP = 'cluster.alauda.io';
const VERSION = 'v1alpha1';

/** The platform's module kinds and their resource names. */
const MODULE_KINDS = {
  ModuleInfo: 'moduleinfoes',
  ModulePlugin: 'moduleplugins',
  ModuleConfig: 'moduleconfigs',
  ClusterModule: 'clustermodules',
} as const;

/**
 * Stand-in CRDs for the platform's module kinds, for tests of a provider that creates the `alive`
 * ModuleInfo on a management cluster that is not the platform: cluster-scoped, any spec and
 * status (the platform's own schemas are not ours to copy), with a status subresource so a test
 * plays the platform by writing status. Install with `installCrds`.
 */
export function platformModuleCrds(): V1CustomResourceDefinition[] {
  return Object.entries(MODULE_KINDS).map(([kind, plural]) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${PLATFORM_MODULE_GROUP}` },
    spec: {
      group: PLATFORM_MODULE_GROUP,
      scope: 'Cluster',
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          // The client's model names the extension x_kubernetes_preserve_unknown_fields and drops the
          // wire name when it serializes the CRD for installCrds, so the model's name it is.
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: { type: 'object', x_kubernetes_preserve_unknown_fields: true },
                status: { type: 'object', x_kubernetes_preserve_unknown_fields: true },
              },
            },
          },
        },
      ],
    },
  }));
}
