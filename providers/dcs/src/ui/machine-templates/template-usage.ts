import type { HostApi } from '@immutable-infra/core';
import { basePath, type KubeObject, listObjects } from '../catalog/resources.js';

// Cluster API sets this on machines cloned from a template.
const CLONED_FROM = 'cluster.x-k8s.io/cloned-from-name';

/**
 * What uses a machine template: KubeadmControlPlanes and MachineDeployments
 * that point at it, and DCSMachines cloned from it. An edit of a template in
 * use must not change it under them, so the form makes a new one instead.
 */
export async function templateUsers(api: HostApi, namespace: string, name: string): Promise<string[]> {
  const ns = encodeURIComponent(namespace);
  const list = (path: string) => listObjects<KubeObject>(api, path).catch(() => [] as KubeObject[]);
  const [controlPlanes, deployments, machines] = await Promise.all([
    list(`/apis/controlplane.cluster.x-k8s.io/v1beta2/namespaces/${ns}/kubeadmcontrolplanes`),
    list(`/apis/cluster.x-k8s.io/v1beta2/namespaces/${ns}/machinedeployments`),
    list(basePath(namespace, 'dcsmachines')),
  ]);
  const ref = (object: KubeObject, ...path: string[]) => {
    let node: unknown = object.spec;
    for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
    return (node as { name?: string } | undefined)?.name;
  };
  return [
    ...controlPlanes
      .filter((kcp) => ref(kcp, 'machineTemplate', 'spec', 'infrastructureRef') === name)
      .map((kcp) => `KubeadmControlPlane/${kcp.metadata.name}`),
    ...deployments
      .filter((md) => ref(md, 'template', 'spec', 'infrastructureRef') === name)
      .map((md) => `MachineDeployment/${md.metadata.name}`),
    ...machines
      .filter((m) => m.metadata.annotations?.[CLONED_FROM] === name)
      .map((m) => `DCSMachine/${m.metadata.name}`),
  ];
}
