// The real clusterctl (at the pinned Cluster API release) installs and upgrades the DCS provider in a
// real kube-apiserver from a local repository, as a datacenter without access to GitHub does:
// `clusterctl init` with Cluster API's own providers (rendered from its Go module with kustomize, as
// its release does), cert-manager's API and an earlier released DCS provider (taken from git at its
// release commit, tools/registry/releases.json); `clusterctl upgrade plan` finds the workspace
// release, and `clusterctl upgrade apply` moves to it with the provider's objects in place.
//
// No kubelet runs in the embedded plane: Deployments are created but never become available, so
// neither command gets `--wait-providers`; what is proved is what clusterctl itself writes and keeps.
// The file has an API server of its own: the run's shared one holds Cluster API's CRDs, installed
// without clusterctl, and other files install the providers' CRDs with Helm.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createManagementPlane, type ManagementPlane } from '@immutable-infra/management-plane';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import {
  clusterctlConfig,
  ensureHelmTools,
  goModuleDir,
  type HelmTools,
  type RepositoryProvider,
  writeCertManager,
  writeClusterApiProviders,
  writeProviderVersion,
} from '../src/index.ts';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: objects read back from the API server, asserted field by field
type Obj = Record<string, any>;

const PACKAGE = '@immutable-infra/provider-dcs';
const PACKAGE_PATH = 'providers/dcs';
const NAMESPACE = 'cpaas-system';
/** clusterctl wants a canonical image reference; a datacenter names its own registry's copy. */
const image = (version: string) => `registry.example/immutable-infra/manager-dcs:${version}`;

interface Release {
  name: string;
  version: string;
  path: string;
  commit: string;
}

let tools: HelmTools;
let plane: ManagementPlane;
let scratch: string;
let config: string;
let earlier: Release;
let workspaceVersion: string;

beforeAll(async () => {
  tools = await ensureHelmTools();
  plane = await createManagementPlane({ assets: inject('iinfraEnvtestAssets'), clusterApiCrds: false });
  scratch = await mkdtemp(join(tmpdir(), 'iinfra-clusterctl-init-'));
  const root = join(scratch, 'repository');

  workspaceVersion = JSON.parse(await readFile(join(repo, PACKAGE_PATH, 'package.json'), 'utf8')).version;
  // The latest release before the workspace's version that has clusterctl artifacts at its commit.
  const { releases } = JSON.parse(await readFile(join(repo, 'tools/registry/releases.json'), 'utf8')) as {
    releases: Release[];
  };
  const candidates = releases
    .filter((r) => r.name === PACKAGE && compareVersions(r.version, workspaceVersion) < 0)
    .sort((a, b) => compareVersions(b.version, a.version));
  const files = ['metadata.yaml', 'infrastructure-components.yaml'];
  let earlierFiles: Record<string, string> | undefined;
  for (const release of candidates) {
    const read = await Promise.all(
      files.map((f) => gitShow(release.commit, `${release.path}/clusterctl/${f}`)),
    );
    if (read.every((text) => text !== undefined)) {
      earlier = release;
      earlierFiles = Object.fromEntries(files.map((f, i) => [f, read[i] as string]));
      break;
    }
  }
  if (!earlierFiles)
    throw new Error(`no release of ${PACKAGE} before ${workspaceVersion} has clusterctl artifacts`);

  const workspaceFiles = Object.fromEntries(
    await Promise.all(
      files.map(async (f) => [f, await readFile(join(repo, PACKAGE_PATH, 'clusterctl', f), 'utf8')] as const),
    ),
  );
  const dcs = { name: 'dcs', type: 'InfrastructureProvider' } as const;
  await writeProviderVersion(
    root,
    dcs,
    `v${earlier.version}`,
    earlierFiles,
    'infrastructure-components.yaml',
  );
  const providers: RepositoryProvider[] = [
    ...(await writeClusterApiProviders(root, tools)),
    // clusterctl lists the version folders beside the URL's; the URL names the newest.
    await writeProviderVersion(
      root,
      dcs,
      `v${workspaceVersion}`,
      workspaceFiles,
      'infrastructure-components.yaml',
    ),
  ];
  const certManager = await writeCertManager(root, tools.clusterApiVersion);
  config = join(scratch, 'clusterctl.yaml');
  await writeFile(config, clusterctlConfig(providers, certManager));
});

afterAll(async () => {
  await plane?.controlPlane.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

async function gitShow(commit: string, path: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['-C', repo, 'show', `${commit}:${path}`], { maxBuffer: 64 << 20 });
    return stdout;
  } catch {
    return undefined;
  }
}

async function clusterctl(args: string[], env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await run(
      tools.clusterctl,
      [...args, '--config', config, '--kubeconfig', plane.controlPlane.kubeconfigPath],
      {
        maxBuffer: 64 << 20,
        timeout: 5 * 60_000,
        env: {
          PATH: process.env.PATH ?? '',
          // No GitHub version check, and no configuration or cache of the machine's user.
          CLUSTERCTL_DISABLE_VERSIONCHECK: 'true',
          HOME: scratch,
          XDG_CONFIG_HOME: join(scratch, 'config'),
          ...env,
        },
      },
    );
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`clusterctl ${args.join(' ')}:\n${stdout ?? ''}\n${stderr ?? (error as Error).message}`);
  }
}

async function kubectl(args: string[], input?: string): Promise<string> {
  const kubectlBin = join(inject('iinfraEnvtestAssets').binDir, 'kubectl');
  try {
    const child = run(kubectlBin, ['--kubeconfig', plane.controlPlane.kubeconfigPath, ...args], {
      maxBuffer: 64 << 20,
    });
    if (input !== undefined) child.child.stdin?.end(input);
    return (await child).stdout;
  } catch (error) {
    throw new Error(
      `kubectl ${args.join(' ')}: ${(error as { stderr?: string }).stderr || (error as Error).message}`,
    );
  }
}

const getJson = async (...args: string[]): Promise<Obj> =>
  JSON.parse(await kubectl(['get', ...args, '-o', 'json']));

/** clusterctl's inventory: one Provider object per installed provider, in the provider's namespace. */
async function inventory(): Promise<Obj[]> {
  const list = await getJson('providers.clusterctl.cluster.x-k8s.io', '--all-namespaces');
  return list.items
    .map((p: Obj) => ({
      name: p.metadata.name,
      namespace: p.metadata.namespace,
      type: p.type,
      providerName: p.providerName,
      version: p.version,
    }))
    .sort((a: Obj, b: Obj) => a.name.localeCompare(b.name));
}

/** A schema as the API server stores it: it drops an empty `properties` map. */
function withoutEmptyProperties(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmptyProperties);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(
        ([key, v]) => !(key === 'properties' && v && typeof v === 'object' && Object.keys(v).length === 0),
      )
      .map(([key, v]) => [key, withoutEmptyProperties(v)]),
  );
}

async function dcsCrds(): Promise<Obj[]> {
  const list = await getJson(
    'customresourcedefinitions',
    '-l',
    'cluster.x-k8s.io/provider=infrastructure-dcs',
  );
  return list.items;
}

describe('clusterctl init, upgrade plan and upgrade apply with the DCS provider', () => {
  it('uses the cert-manager release the pinned clusterctl installs', async () => {
    const capiDir = await goModuleDir('clusterctl', `sigs.k8s.io/cluster-api@${tools.clusterApiVersion}`);
    const client = await readFile(
      join(capiDir, 'cmd/clusterctl/client/config/cert_manager_client.go'),
      'utf8',
    );
    const goMod = await readFile(new URL('../cert-manager/go.mod', import.meta.url), 'utf8');
    const pinned = /github\.com\/cert-manager\/cert-manager (v\S+)/.exec(goMod)?.[1];
    expect(client).toContain(`CertManagerDefaultVersion = "${pinned}"`);
  });

  it(`installs Cluster API, cert-manager's API and an earlier DCS release into ${NAMESPACE}`, async () => {
    const v = tools.clusterApiVersion;
    await clusterctl(
      [
        'init',
        '--core',
        `cluster-api:${v}`,
        '--bootstrap',
        `kubeadm:${v}`,
        '--control-plane',
        `kubeadm:${v}`,
        '--infrastructure',
        `dcs:v${earlier.version}`,
      ],
      // The earlier release's default namespace may differ; the documented one is asked for.
      { IINFRA_MANAGER_IMAGE: image(`v${earlier.version}`), IINFRA_DCS_NAMESPACE: NAMESPACE },
    );

    expect(await inventory()).toEqual([
      {
        name: 'bootstrap-kubeadm',
        namespace: 'capi-kubeadm-bootstrap-system',
        type: 'BootstrapProvider',
        providerName: 'kubeadm',
        version: v,
      },
      {
        name: 'cluster-api',
        namespace: 'capi-system',
        type: 'CoreProvider',
        providerName: 'cluster-api',
        version: v,
      },
      {
        name: 'control-plane-kubeadm',
        namespace: 'capi-kubeadm-control-plane-system',
        type: 'ControlPlaneProvider',
        providerName: 'kubeadm',
        version: v,
      },
      {
        name: 'infrastructure-dcs',
        namespace: NAMESPACE,
        type: 'InfrastructureProvider',
        providerName: 'dcs',
        version: `v${earlier.version}`,
      },
    ]);

    // Cluster API's controllers, with the images its release names.
    const core = await getJson('deployment', 'capi-controller-manager', '-n', 'capi-system');
    expect(core.spec.template.spec.containers[0].image).toMatch(new RegExp(`/cluster-api-controller:${v}$`));
    expect(core.spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');

    // cert-manager's API, labelled as clusterctl's, and its check objects were accepted.
    const certManagerCrds = await getJson(
      'customresourcedefinitions',
      '-l',
      'clusterctl.cluster.x-k8s.io/core=cert-manager',
    );
    expect(certManagerCrds.items.map((c: Obj) => c.metadata.name).sort()).toEqual([
      'certificaterequests.cert-manager.io',
      'certificates.cert-manager.io',
      'challenges.acme.cert-manager.io',
      'clusterissuers.cert-manager.io',
      'issuers.cert-manager.io',
      'orders.acme.cert-manager.io',
    ]);

    // Our CRDs, with clusterctl's labels.
    const earlierComponents = parseAllDocuments(
      (await gitShow(earlier.commit, `${earlier.path}/clusterctl/infrastructure-components.yaml`)) ?? '',
    ).map((d) => d.toJS() as Obj);
    const shippedCrds = earlierComponents.filter((o) => o?.kind === 'CustomResourceDefinition');
    const crds = await dcsCrds();
    expect(crds.map((c) => c.metadata.name).sort()).toEqual(shippedCrds.map((c) => c.metadata.name).sort());
    for (const crd of crds) {
      expect(crd.metadata.labels).toMatchObject({ 'clusterctl.cluster.x-k8s.io': '' });
    }

    // The release's Deployment (named as that release named it) in the documented namespace.
    const shippedDeployment = earlierComponents.find((o) => o?.kind === 'Deployment') as Obj;
    const deployment = await getJson('deployment', shippedDeployment.metadata.name, '-n', NAMESPACE);
    expect(deployment.metadata.labels).toMatchObject({ 'cluster.x-k8s.io/provider': 'infrastructure-dcs' });
    expect(deployment.spec.template.spec.containers[0].image).toBe(image(`v${earlier.version}`));
  });

  it('plans the workspace release as the DCS provider upgrade', async () => {
    const plan = await clusterctl(['upgrade', 'plan']);
    const row = plan.split('\n').find((line) => line.trim().startsWith('infrastructure-dcs'));
    expect(row?.trim().split(/\s+/), plan).toEqual([
      'infrastructure-dcs',
      NAMESPACE,
      'InfrastructureProvider',
      `v${earlier.version}`,
      `v${workspaceVersion}`,
    ]);
  });

  it('applies the upgrade: new inventory version and CRDs, the objects kept as they were', async () => {
    // The documented DCSCluster, machine template and IP pool (the provider's test fixtures).
    const fixtures = parseAllDocuments(
      await readFile(join(repo, PACKAGE_PATH, 'test/fixtures/documented.yaml'), 'utf8'),
    ).map((d) => d.toJS() as Obj);
    const wanted = [
      'Secret/dcs-auth',
      'DCSCluster/demo',
      'DCSMachineTemplate/demo-cp-template',
      'DCSIpHostnamePool/demo-cp-pool',
    ];
    const objects = fixtures
      .filter((o) => wanted.includes(`${o.kind}/${o.metadata.name}`))
      .map((o): Obj => ({ ...o, metadata: { ...o.metadata, namespace: NAMESPACE } }));
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([...wanted].sort());
    await kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    const infrastructure = objects.filter((o) => o.kind !== 'Secret');
    const before = await Promise.all(
      infrastructure.map((o) =>
        getJson(`${o.kind.toLowerCase()}.infrastructure.cluster.x-k8s.io`, o.metadata.name, '-n', NAMESPACE),
      ),
    );
    const crdsBefore = await dcsCrds();

    await clusterctl(['upgrade', 'apply', '--infrastructure', `${NAMESPACE}/dcs:v${workspaceVersion}`], {
      IINFRA_MANAGER_IMAGE: image(`v${workspaceVersion}`),
    });

    expect((await inventory()).find((p) => p.name === 'infrastructure-dcs')).toEqual({
      name: 'infrastructure-dcs',
      namespace: NAMESPACE,
      type: 'InfrastructureProvider',
      providerName: 'dcs',
      version: `v${workspaceVersion}`,
    });

    // The CRDs are the workspace's: each one's schema as providers/dcs/crds has it, clusterctl's labels on.
    const crds = await dcsCrds();
    expect(crds.length).toBeGreaterThanOrEqual(crdsBefore.length);
    const schemas = (crd: Obj) => withoutEmptyProperties(crd.spec.versions.map((v: Obj) => v.schema));
    // A CRD the two releases shape differently is updated in place: same uid, a later generation.
    for (const crd of crds) {
      const shipped = parseYaml(
        await readFile(join(repo, PACKAGE_PATH, 'crds', `${crd.metadata.name}.yaml`), 'utf8'),
      );
      expect(schemas(crd), crd.metadata.name).toEqual(schemas(shipped));
      expect(crd.metadata.labels).toMatchObject({
        'cluster.x-k8s.io/provider': 'infrastructure-dcs',
        'clusterctl.cluster.x-k8s.io': '',
      });
      const before = crdsBefore.find((c) => c.metadata.name === crd.metadata.name);
      if (before) {
        expect(crd.metadata.uid).toBe(before.metadata.uid);
        if (JSON.stringify(schemas(before)) !== JSON.stringify(schemas(crd))) {
          expect(crd.metadata.generation).toBeGreaterThan(before.metadata.generation);
        }
      }
      // storedVersions name only versions the CRD still serves, its storage version among them.
      const served = crd.spec.versions.filter((v: Obj) => v.served).map((v: Obj) => v.name);
      const storage = crd.spec.versions.find((v: Obj) => v.storage)?.name;
      expect(crd.status.storedVersions.length).toBeGreaterThan(0);
      for (const stored of crd.status.storedVersions) expect(served).toContain(stored);
      expect(crd.status.storedVersions).toContain(storage);
    }

    // The objects are the same objects, their specs unchanged.
    for (const old of before) {
      const now = await getJson(
        `${old.kind.toLowerCase()}.infrastructure.cluster.x-k8s.io`,
        old.metadata.name,
        '-n',
        NAMESPACE,
      );
      expect(now.metadata.uid).toBe(old.metadata.uid);
      expect(now.spec).toEqual(old.spec);
    }

    // The workspace release's Deployment runs the new image; the earlier release's is gone if it was named otherwise.
    const components = parseAllDocuments(
      await readFile(join(repo, PACKAGE_PATH, 'clusterctl/infrastructure-components.yaml'), 'utf8'),
    ).map((d) => d.toJS() as Obj);
    const name = (components.find((o) => o?.kind === 'Deployment') as Obj).metadata.name;
    expect(name).toBe('cluster-api-provider-dcs-manager');
    const deployment = await getJson('deployment', name, '-n', NAMESPACE);
    expect(deployment.spec.template.spec.containers[0].image).toBe(image(`v${workspaceVersion}`));
    const deployments = await getJson(
      'deployments',
      '-n',
      NAMESPACE,
      '-l',
      'cluster.x-k8s.io/provider=infrastructure-dcs',
    );
    expect(deployments.items.map((d: Obj) => d.metadata.name)).toEqual([name]);
  });
});
