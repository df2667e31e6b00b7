// The real clusterctl (at the pinned Cluster API release) reads each provider's clusterctl
// artifacts from a local repository, the way `clusterctl init --infrastructure <name>` does:
// metadata.yaml's release series must cover the version, infrastructure-components.yaml must
// parse, its variables substitute, and clusterctl's own processing (namespace, labels, images)
// must go through.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { testKubeConfig } from '@immutable-infra/testkit/vitest';
import { type KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { ensureClusterctl } from '../src/index.ts';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: clusterctl's output, asserted field by field
type Obj = Record<string, any>;

/**
 * clusterctl needs a canonical image reference (registry host included); the artifacts' default,
 * `immutable-infra/manager-<platform>:v<version>`, is not one, so a datacenter sets IINFRA_MANAGER_IMAGE to
 * its own registry's copy, as this does.
 */
const IMAGE = 'registry.example/immutable-infra/manager:v0.0.0-test';

let clusterctl: string;
let scratch: string;
beforeAll(async () => {
  clusterctl = await ensureClusterctl();
  scratch = await mkdtemp(join(tmpdir(), 'iinfra-clusterctl-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function clusterctlRun(args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(clusterctl, args, {
    maxBuffer: 64 << 20,
    env: {
      PATH: process.env.PATH ?? '',
      // No GitHub version check, and no configuration of the machine's user.
      CLUSTERCTL_DISABLE_VERSIONCHECK: 'true',
      HOME: scratch,
      XDG_CONFIG_HOME: join(scratch, 'config'),
      ...env,
    },
  });
  return stdout;
}

const parseDocs = (text: string) =>
  parseAllDocuments(text)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);

describe.each(['dcs', 'hcs', 'vsphere', 'baremetal'] as const)(
  'clusterctl reads the %s provider',
  (provider) => {
    const packageDir = join(repo, 'providers', provider);
    const label = `infrastructure-${provider}`;
    const namespaceVariable = `IINFRA_${provider.toUpperCase()}_NAMESPACE`;
    let version: string;
    let config: string;

    beforeAll(async () => {
      version = `v${JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')).version}`;
      // A local repository as clusterctl documents it: <root>/<provider label>/<version>/<files>.
      const root = join(scratch, provider);
      for (const v of [version, 'v99.0.0']) {
        const dir = join(root, label, v);
        await mkdir(dir, { recursive: true });
        for (const file of ['metadata.yaml', 'infrastructure-components.yaml']) {
          await copyFile(join(packageDir, 'clusterctl', file), join(dir, file));
        }
      }
      config = join(root, 'clusterctl.yaml');
      const url = `file://${join(root, label, version, 'infrastructure-components.yaml')}`;
      await writeFile(
        config,
        `providers:\n  - name: ${provider}\n    type: InfrastructureProvider\n    url: ${url}\n`,
      );
    });

    it('finds the variables of infrastructure-components.yaml, and substitutes their defaults', async () => {
      const components = join(packageDir, 'clusterctl', 'infrastructure-components.yaml');
      const listed = await clusterctlRun(['generate', 'yaml', '--from', components, '--list-variables']);
      const [heading, ...variables] = listed.trim().split('\n');
      expect(heading).toBe('Variables:');
      expect(variables.map((v) => v.replace(/^\s*- /, '')).sort()).toEqual(
        ['IINFRA_MANAGER_IMAGE', namespaceVariable].sort(),
      );
      // No variable set: every one has a default.
      const objects = parseDocs(await clusterctlRun(['generate', 'yaml', '--from', components]));
      // The documentation's namespace and Deployment, as the Helm chart installs them.
      expect(objects.find((o) => o.kind === 'Namespace')?.metadata.name).toBe('cpaas-system');
      expect(objects.find((o) => o.kind === 'Deployment')?.metadata).toMatchObject({
        name: `cluster-api-provider-${provider}-manager`,
        namespace: 'cpaas-system',
        labels: { app: `cluster-api-provider-${provider}-manager` },
      });
      expect(objects.find((o) => o.kind === 'Deployment')?.spec.template.spec.containers[0].image).toBe(
        `immutable-infra/manager-${provider}:${version}`,
      );
    });

    it('generates the provider from the repository: the release series covers the version, clusterctl processes every object', async () => {
      const objects = parseDocs(
        await clusterctlRun(
          ['generate', 'provider', '--infrastructure', `${provider}:${version}`, '--config', config],
          {
            IINFRA_MANAGER_IMAGE: IMAGE,
            [namespaceVariable]: 'cpaas-system',
          },
        ),
      );
      const components = parseDocs(
        await readFile(join(packageDir, 'clusterctl', 'infrastructure-components.yaml'), 'utf8'),
      );
      expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
        components.map((o) => `${o.kind}/${o.metadata.name.replace(/^\$\{.*\}$/, 'cpaas-system')}`).sort(),
      );
      // The cluster-scoped objects the provider installs with its manager (bare metal's storage
      // admission policy and binding): no namespace in the components.
      const clusterObjects = components.filter(
        (o) =>
          o.metadata.namespace === undefined &&
          !['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind),
      );
      const isClusterObject = (o: Obj) =>
        clusterObjects.some((c) => c.kind === o.kind && c.metadata.name === o.metadata.name);
      expect(clusterObjects.map((o) => o.kind).sort()).toEqual(
        provider === 'baremetal' ? ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'] : [],
      );
      for (const object of objects) {
        // clusterctl's labels: which provider an object belongs to, and that clusterctl manages it.
        expect(object.metadata.labels, `${object.kind}/${object.metadata.name}`).toMatchObject({
          'cluster.x-k8s.io/provider': label,
          'clusterctl.cluster.x-k8s.io': '',
        });
        if (
          !['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'].includes(
            object.kind,
          ) &&
          !isClusterObject(object)
        ) {
          expect(object.metadata.namespace, `${object.kind}/${object.metadata.name}`).toBe('cpaas-system');
        }
      }
      // They come through clusterctl unchanged but for its labels and a namespace: clusterctl's list
      // of cluster-scoped kinds (IsResourceNamespaced) predates admission policies, so it stamps the
      // target namespace on them, which the API server drops for a cluster-scoped kind.
      const objectsApi = KubernetesObjectApi.makeApiClient(testKubeConfig());
      for (const source of clusterObjects) {
        const installed = objects.find(
          (o) => o.kind === source.kind && o.metadata.name === source.metadata.name,
        ) as Obj;
        expect(installed.spec).toEqual(source.spec);
        // Under another name: test/charts.test.ts may have the same object installed right now.
        const probe = {
          ...installed,
          metadata: { ...installed.metadata, name: `${source.metadata.name}-dry-run` },
        };
        const taken = await objectsApi.create(probe as KubernetesObject, undefined, 'All');
        expect(taken.metadata?.namespace, `${source.kind}/${source.metadata.name}`).toBeUndefined();
      }
      // The release data (release-data/kubernetes-releases.yaml) comes through clusterctl unchanged.
      const shipped = parseDocs(
        await readFile(join(packageDir, 'release-data', 'kubernetes-releases.yaml'), 'utf8'),
      );
      expect(shipped.length).toBeGreaterThan(0);
      for (const release of shipped) {
        const installed = objects.find(
          (o) => o.kind === release.kind && o.metadata.name === release.metadata.name,
        );
        expect(installed?.metadata.labels).toMatchObject(release.metadata.labels);
        expect(installed?.data ?? installed?.stringData).toEqual(release.data ?? release.stringData);
      }
      const deployment = objects.find((o) => o.kind === 'Deployment') as Obj;
      expect(deployment.spec.template.spec.containers[0].image).toBe(IMAGE);
      expect(deployment.spec.template.spec.containers[0].args).toContain(
        '--leader-election-namespace=cpaas-system',
      );
      // The provider finds its own namespace (its identity Secrets) from the pod, wherever it runs.
      expect(deployment.spec.template.spec.containers[0].env).toContainEqual({
        name: 'POD_NAMESPACE',
        valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
      });
      const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
      expect(crds.length).toBeGreaterThan(0);
      for (const crd of crds) expect(crd.spec.group).toBe('infrastructure.cluster.x-k8s.io');
    });

    it('moves the provider to --target-namespace, RBAC subjects included', async () => {
      const objects = parseDocs(
        await clusterctlRun(
          [
            'generate',
            'provider',
            '--infrastructure',
            `${provider}:${version}`,
            '--config',
            config,
            '--target-namespace',
            'team-infra',
          ],
          { IINFRA_MANAGER_IMAGE: IMAGE },
        ),
      );
      expect(objects.find((o) => o.kind === 'Namespace')?.metadata.name).toBe('team-infra');
      expect(objects.find((o) => o.kind === 'Deployment')?.metadata.namespace).toBe('team-infra');
      const binding = objects.find((o) => o.kind === 'ClusterRoleBinding') as Obj;
      expect(binding.subjects.map((s: Obj) => s.namespace)).toEqual(['team-infra']);
    });

    it('refuses a version metadata.yaml does not cover: it reads the release series', async () => {
      const metadata = parseYaml(await readFile(join(packageDir, 'clusterctl', 'metadata.yaml'), 'utf8'));
      expect(metadata.releaseSeries.some((s: Obj) => s.major === 99)).toBe(false);
      const otherConfig = config.replace(/clusterctl\.yaml$/, 'clusterctl-v99.yaml');
      const url = `file://${join(scratch, provider, label, 'v99.0.0', 'infrastructure-components.yaml')}`;
      await writeFile(
        otherConfig,
        `providers:\n  - name: ${provider}\n    type: InfrastructureProvider\n    url: ${url}\n`,
      );
      await expect(
        clusterctlRun(
          ['generate', 'provider', '--infrastructure', `${provider}:v99.0.0`, '--config', otherConfig],
          {
            IINFRA_MANAGER_IMAGE: IMAGE,
          },
        ),
      ).rejects.toThrow(/invalid provider metadata: version v99\.0\.0 .* does not match any release series/);
    });
  },
);
