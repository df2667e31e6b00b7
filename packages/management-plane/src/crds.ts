import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiException,
  ApiextensionsV1Api,
  CustomObjectsApi,
  type KubeConfig,
  KubernetesObjectApi,
  loadAllYaml,
  PatchStrategy,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';

/**
 * The field manager of everything the plane applies (CRDs, Cluster API's webhook configurations):
 * the product's name, since `iinfra env` and `iinfra provider install` apply them in real clusters.
 */
export const FIELD_MANAGER = 'immutable-infra';

/**
 * Parses the CustomResourceDefinitions in a YAML text (several documents allowed)
 * into client-node's typed models. Going through the models matters: the client
 * serialises only the fields its models know, under their wire names, so a raw
 * manifest with keys such as `x-kubernetes-int-or-string` would lose them.
 */
export function parseCrdManifests(text: string, source = 'manifest'): V1CustomResourceDefinition[] {
  const objects = loadAllYaml(text) as ({ kind?: string } | null)[];
  const crds = objects.filter((o): o is V1CustomResourceDefinition => o?.kind === 'CustomResourceDefinition');
  if (crds.length === 0) throw new Error(`${source} holds no CustomResourceDefinition`);
  return crds;
}

/** Reads every CustomResourceDefinition from YAML files. */
export async function readCrdFiles(files: readonly string[]): Promise<V1CustomResourceDefinition[]> {
  const crds: V1CustomResourceDefinition[] = [];
  for (const file of files) crds.push(...parseCrdManifests(await readFile(file, 'utf8'), file));
  return crds;
}

/** Every `*.yaml` / `*.yml` file directly in a directory, sorted. */
export async function yamlFilesIn(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort();
  return names.map((name) => join(dir, name));
}

export interface InstallCrdsOptions {
  timeoutMs?: number;
}

/**
 * Server-side applies the CRDs (so re-installing a changed CRD updates it) and
 * waits until the API server reports each one Established with its names accepted.
 */
export async function installCrds(
  kubeConfig: KubeConfig,
  crds: readonly V1CustomResourceDefinition[],
  options: InstallCrdsOptions = {},
): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  for (const crd of crds) {
    await objects.patch(
      { ...crd, apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' },
      undefined,
      undefined,
      FIELD_MANAGER,
      true,
      PatchStrategy.ServerSideApply,
    );
  }
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const check = (what: string, detail: () => string) => {
    if (Date.now() > deadline) throw new Error(`CRD ${what} not ready in time: ${detail()}`);
  };
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    for (;;) {
      const current = await api.readCustomResourceDefinition({ name });
      const conditions = current.status?.conditions ?? [];
      const isTrue = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
      if (isTrue('Established') && isTrue('NamesAccepted')) break;
      check(name, () => JSON.stringify(conditions));
      await sleep(50);
    }
    // Established is not the end: each served version answers 429 "storage is
    // (re)initializing" until its watch cache has synced. Wait until a list works.
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      const request = {
        group: crd.spec.group,
        version: version.name,
        plural: crd.spec.names.plural,
        limit: 1,
      };
      for (;;) {
        const failure = await custom.listClusterCustomObject(request).then(
          () => undefined,
          (error: unknown) => {
            if (error instanceof ApiException && error.code === 429) return `${error.code}`;
            throw error;
          },
        );
        if (failure === undefined) break;
        check(`${name} ${version.name}`, () => `list answered ${failure}`);
        await sleep(50);
      }
    }
  }
}
