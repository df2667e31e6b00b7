import type { KubernetesManifest } from '@immutable-infra/core';

/*
 * The documented manifests are Cluster API v1beta1. From Cluster API 1.11 the
 * stored version is v1beta2, and a v1beta1 write is only as good as the
 * conversion webhook that runs for it; writing v1beta2 when the management
 * cluster prefers it needs no conversion and reads back exactly as written.
 * This is the same mapping Cluster API's own conversion applies to these fields.
 */

type Json = Record<string, unknown>;

const CAPI_GROUPS = new Set([
  'cluster.x-k8s.io',
  'controlplane.cluster.x-k8s.io',
  'bootstrap.cluster.x-k8s.io',
]);

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '';
}

/** {apiVersion, kind, name, namespace} to v1beta2's {apiGroup, kind, name}. */
function contractRef(ref: unknown): Json | undefined {
  if (!ref || typeof ref !== 'object') return undefined;
  const { apiVersion, kind, name } = ref as { apiVersion?: string; kind?: string; name?: string };
  return { apiGroup: groupOf(apiVersion ?? ''), kind, name };
}

/** "1m" to 60; only the m and s units the documented manifests use. */
function seconds(duration: unknown): number | undefined {
  if (typeof duration !== 'string') return undefined;
  let total = 0;
  for (const [, value, unit] of duration.matchAll(/(\d+)(h|m|s)/g))
    total += Number(value) * (unit === 'h' ? 3600 : unit === 'm' ? 60 : 1);
  return total;
}

function argList(args: unknown): { name: string; value: string }[] | undefined {
  if (!args || typeof args !== 'object') return undefined;
  return Object.entries(args as Record<string, string>)
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function withArgLists(spec: Json): Json {
  const out = structuredClone(spec);
  const cc = out.clusterConfiguration as Json | undefined;
  for (const component of ['apiServer', 'controllerManager', 'scheduler']) {
    const part = cc?.[component] as Json | undefined;
    if (part?.extraArgs) part.extraArgs = argList(part.extraArgs);
  }
  const local = (cc?.etcd as { local?: Json } | undefined)?.local;
  if (local?.extraArgs) local.extraArgs = argList(local.extraArgs);
  for (const phase of ['initConfiguration', 'joinConfiguration']) {
    const registration = (out[phase] as { nodeRegistration?: Json } | undefined)?.nodeRegistration;
    if (registration?.kubeletExtraArgs)
      registration.kubeletExtraArgs = argList(registration.kubeletExtraArgs);
  }
  return out;
}

function deletion(spec: Json): Json | undefined {
  const drain = seconds(spec.nodeDrainTimeout);
  const remove = seconds(spec.nodeDeletionTimeout);
  // Bare metal documents a volume detach timeout instead of a deletion timeout.
  const detach = seconds(spec.nodeVolumeDetachTimeout);
  if (drain === undefined && remove === undefined && detach === undefined) return undefined;
  return {
    ...(drain === undefined ? {} : { nodeDrainTimeoutSeconds: drain }),
    ...(detach === undefined ? {} : { nodeVolumeDetachTimeoutSeconds: detach }),
    ...(remove === undefined ? {} : { nodeDeletionTimeoutSeconds: remove }),
  };
}

export function toV1Beta2(manifest: KubernetesManifest): KubernetesManifest {
  const group = groupOf(manifest.apiVersion);
  if (!CAPI_GROUPS.has(group)) return manifest;
  const apiVersion = `${group}/v1beta2`;
  const spec = structuredClone((manifest.spec ?? {}) as Json);
  switch (manifest.kind) {
    case 'Cluster': {
      const { controlPlaneRef, infrastructureRef, ...rest } = spec;
      return {
        ...manifest,
        apiVersion,
        spec: {
          ...rest,
          controlPlaneRef: contractRef(controlPlaneRef),
          infrastructureRef: contractRef(infrastructureRef),
        },
      };
    }
    case 'KubeadmControlPlane': {
      const { rolloutStrategy, machineTemplate, kubeadmConfigSpec, ...rest } = spec as Json & {
        machineTemplate: Json;
        kubeadmConfigSpec: Json;
      };
      const {
        nodeDrainTimeout: _drain,
        nodeDeletionTimeout: _delete,
        nodeVolumeDetachTimeout: _detach,
        infrastructureRef,
        ...template
      } = machineTemplate;
      const gone = deletion(machineTemplate);
      return {
        ...manifest,
        apiVersion,
        spec: {
          ...rest,
          ...(rolloutStrategy ? { rollout: { strategy: rolloutStrategy } } : {}),
          kubeadmConfigSpec: withArgLists(kubeadmConfigSpec),
          machineTemplate: {
            ...template,
            spec: { infrastructureRef: contractRef(infrastructureRef), ...(gone ? { deletion: gone } : {}) },
          },
        },
      };
    }
    case 'MachineDeployment': {
      const { strategy, template, ...rest } = spec as Json & { template: { metadata?: Json; spec: Json } };
      const {
        nodeDrainTimeout: _drain,
        nodeDeletionTimeout: _delete,
        nodeVolumeDetachTimeout: _detach,
        bootstrap,
        infrastructureRef,
        ...machine
      } = template.spec;
      const gone = deletion(template.spec);
      const configRef = (bootstrap as { configRef?: unknown } | undefined)?.configRef;
      return {
        ...manifest,
        apiVersion,
        spec: {
          ...rest,
          ...(strategy ? { rollout: { strategy } } : {}),
          template: {
            ...template,
            spec: {
              ...machine,
              bootstrap: {
                ...(bootstrap as Json),
                ...(configRef ? { configRef: contractRef(configRef) } : {}),
              },
              infrastructureRef: contractRef(infrastructureRef),
              ...(gone ? { deletion: gone } : {}),
            },
          },
        },
      };
    }
    case 'KubeadmConfigTemplate': {
      const template = spec.template as { spec: Json };
      return {
        ...manifest,
        apiVersion,
        spec: { ...spec, template: { ...template, spec: withArgLists(template.spec) } },
      };
    }
    default:
      return { ...manifest, apiVersion };
  }
}
