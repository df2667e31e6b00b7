import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  type CapiContractVersion,
  type CompatMatrix,
  checkPlatformUpgrade,
  checkProviderOnPlatform,
  findPlatformRelease,
  type ProviderVerdict,
  smallestUpgradeReason,
} from '@immutable-infra/core';
import { installCrds, parseCrdManifests } from '@immutable-infra/management-plane';
import type { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { inventoryObject, SYSTEM_NAMESPACE } from '../compat/cluster-inventory.js';
import type { ProviderSpec } from '../compat/provider-spec.js';
import type { ObjectClient } from '../kube/object-client.js';
import { fetchPackageVersion } from './registry-client.js';

const run = promisify(execFile);

export interface InstallPlan {
  spec: ProviderSpec;
  platform: string;
  coreVersion: string;
  verdict: ProviderVerdict;
  allowed: boolean;
}

/**
 * Decides, before anything is written, whether a provider version may be
 * installed on a platform: its declared facts (read from the registry, so a
 * version newer than the matrix is judged too) and the matrix's verification.
 */
export async function planProviderInstall(input: {
  spec: ProviderSpec;
  registry: string;
  token?: string;
  platform: string;
  matrix: CompatMatrix;
  allowUnverified: boolean;
}): Promise<InstallPlan> {
  const { spec, matrix, platform } = input;
  const found = findPlatformRelease(matrix, platform);
  if (!found) {
    throw new Error(
      `platform ${platform} is not in the compatibility matrix (known: ${matrix.platformReleases.map((r) => r.version).join(', ')})`,
    );
  }
  const manifest = await fetchPackageVersion(input.registry, spec.packageName, spec.version, input.token);
  const declared = checkProviderOnPlatform(
    {
      name: spec.name,
      version: spec.version,
      coreRange: manifest.peerDependencies?.['@immutable-infra/core'] ?? '',
      capiContracts: (manifest.immutableInfra?.capiContracts ?? []) as CapiContractVersion[],
      kubernetesVersions: manifest.immutableInfra?.kubernetesVersions ?? [],
    },
    found.release,
    matrix.providerRules ?? [],
  );
  const [fromMatrix] = checkPlatformUpgrade(matrix, platform, [
    { name: spec.name, version: spec.version },
  ]).providers;
  let verdict: ProviderVerdict;
  if (!declared.compatible) {
    verdict = {
      provider: spec.name,
      version: spec.version,
      status: 'incompatible',
      reasons: [
        ...declared.reasons,
        ...(fromMatrix?.upgradeTo
          ? [smallestUpgradeReason(spec.name, fromMatrix.upgradeTo, found.release.version)]
          : []),
      ],
      ...(fromMatrix?.upgradeTo ? { upgradeTo: fromMatrix.upgradeTo } : {}),
    };
  } else {
    verdict = fromMatrix ?? {
      provider: spec.name,
      version: spec.version,
      status: 'unverified',
      reasons: ['not checked'],
    };
  }
  const allowed =
    verdict.status === 'compatible' || (verdict.status === 'unverified' && input.allowUnverified);
  return { spec, platform, coreVersion: found.release.coreVersion, verdict, allowed };
}

/**
 * Installs the package with npm into `dir` next to the platform's core
 * version, applies its CRDs, and records it in clusterctl's inventory.
 */
export async function installProvider(input: {
  plan: InstallPlan;
  registry: string;
  dir: string;
  kubeConfig: KubeConfig;
  client: ObjectClient;
  /** Where the provider's release data goes: where the clusters are made (the documentation's cpaas-system). */
  releaseDataNamespace: string;
  onProgress: (message: string) => void;
}): Promise<{ packageDir: string; crds: string[]; releaseData: string[]; clusterObjects: string[] }> {
  const { plan, dir } = input;
  mkdirSync(dir, { recursive: true });
  try {
    readFileSync(join(dir, 'package.json'));
  } catch {
    writeFileSync(
      join(dir, 'package.json'),
      `${JSON.stringify({ name: 'iinfra-providers', private: true }, null, 2)}\n`,
    );
  }
  input.onProgress(
    `installing ${plan.spec.packageName}@${plan.spec.version} with core ${plan.coreVersion} into ${dir}`,
  );
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--save-exact',
      '--registry',
      input.registry,
      `${plan.spec.packageName}@${plan.spec.version}`,
      `@immutable-infra/core@${plan.coreVersion}`,
    ],
    { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
  );
  const packageDir = join(dir, 'node_modules', ...plan.spec.packageName.split('/'));
  const crdDir = join(packageDir, 'crds');
  const files = readdirSync(crdDir).filter((f) => f.endsWith('.yaml'));
  const crds = files.flatMap((file) => parseCrdManifests(readFileSync(join(crdDir, file), 'utf8'), file));
  input.onProgress(`applying ${crds.length} CRDs`);
  await installCrds(input.kubeConfig, crds);
  const releaseData = await applyReleaseData(
    input.client,
    join(packageDir, 'release-data', 'kubernetes-releases.yaml'),
    input.releaseDataNamespace,
  );
  if (releaseData.length > 0)
    input.onProgress(
      `applied ${releaseData.length} release data objects (version ConfigMaps, files Secrets) in ${input.releaseDataNamespace}`,
    );
  // What the chart and clusterctl components install cluster-wide (an admission policy), so a
  // provider installed from npm is held to the same rules.
  const clusterObjects = await applyClusterObjects(
    input.client,
    join(packageDir, 'cluster-objects', 'cluster-objects.yaml'),
  );
  if (clusterObjects.length > 0)
    input.onProgress(`applied ${clusterObjects.length} cluster-scoped objects: ${clusterObjects.join(', ')}`);
  await ensureNamespace(input.client, SYSTEM_NAMESPACE);
  const record = inventoryObject({ name: plan.spec.name, version: plan.spec.version });
  await createOrReplace(input.client, record);
  input.onProgress(
    `recorded ${record.metadata.namespace}/${record.metadata.name} in the clusterctl inventory`,
  );
  return { packageDir, crds: crds.map((crd) => crd.metadata?.name ?? ''), releaseData, clusterObjects };
}

interface PackageObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string };
}

/** The objects of a YAML file the package ships; none when the package has no such file. */
function packageObjects(file: string): PackageObject[] {
  if (!existsSync(file)) return [];
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((doc) => doc.toJS() as PackageObject | null)
    .filter((o): o is PackageObject => o !== null);
}

/**
 * Creates or replaces what the package ships per Kubernetes build (release-data/, which the Helm
 * chart and the clusterctl components install too), so an upgrade of the provider brings the new
 * release's tags. A package from before release data was shipped has none: nothing to apply.
 */
async function applyReleaseData(client: ObjectClient, file: string, namespace: string): Promise<string[]> {
  const objects = packageObjects(file);
  if (objects.length === 0) return [];
  await ensureNamespace(client, namespace);
  const applied: string[] = [];
  for (const object of objects) {
    await createOrReplace(client, { ...object, metadata: { ...object.metadata, namespace } });
    applied.push(`${object.kind}/${object.metadata.name}`);
  }
  return applied;
}

/**
 * Creates or replaces the cluster-scoped objects the package ships (cluster-objects/, written by
 * the provider kit from the same list the chart and the clusterctl components carry). A package
 * without any has no such file: nothing to apply.
 */
export async function applyClusterObjects(client: ObjectClient, file: string): Promise<string[]> {
  const objects = packageObjects(file);
  const applied: string[] = [];
  for (const object of objects) {
    if (object.metadata.namespace !== undefined)
      throw new Error(
        `${file}: ${object.kind}/${object.metadata.name} names a namespace; cluster objects have none`,
      );
    await createOrReplace(client, object);
    applied.push(`${object.kind}/${object.metadata.name}`);
  }
  return applied;
}

async function createOrReplace(client: ObjectClient, wanted: PackageObject): Promise<void> {
  const existing = await client.get<{ metadata: { resourceVersion: string } }>({
    apiVersion: wanted.apiVersion,
    kind: wanted.kind,
    ...(wanted.metadata.namespace !== undefined ? { namespace: wanted.metadata.namespace } : {}),
    name: wanted.metadata.name,
  });
  if (existing) {
    await client.update({
      ...wanted,
      metadata: { ...wanted.metadata, resourceVersion: existing.metadata.resourceVersion },
    });
  } else {
    await client.create(wanted);
  }
}

async function ensureNamespace(client: ObjectClient, name: string): Promise<void> {
  if (await client.get({ apiVersion: 'v1', kind: 'Namespace', name })) return;
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}
