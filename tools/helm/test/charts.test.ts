// The generated Helm charts, linted and rendered by the real helm and applied to a real
// kube-apiserver: the documented names, the release namespace, the manager's real flags, the
// security contexts, the value toggles, and RBAC equal to what the clusterctl artifacts grant.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml, stringify } from 'yaml';
import { ensureHelm } from '../src/index.ts';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects, asserted field by field
type Obj = Record<string, any>;

let helm: string;
let scratch: string;
beforeAll(async () => {
  helm = await ensureHelm();
  scratch = await mkdtemp(join(tmpdir(), 'iinfra-helm-charts-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function valuesFile(values: Obj): Promise<string> {
  const file = join(scratch, `values-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, stringify(values));
  return file;
}

async function lint(chart: string, values?: Obj): Promise<string> {
  const args = ['lint', chart, '--strict', ...(values ? ['-f', await valuesFile(values)] : [])];
  const { stdout } = await run(helm, args);
  return stdout;
}

/** `helm template` (CRDs included, as `helm install` applies them), parsed; empty documents dropped. */
async function render(chart: string, namespace: string, values?: Obj): Promise<Obj[]> {
  const args = ['template', 'release', chart, '--namespace', namespace, '--include-crds'];
  if (values) args.push('-f', await valuesFile(values));
  const { stdout } = await run(helm, args, { maxBuffer: 64 << 20 });
  return parseAllDocuments(stdout)
    .map((doc) => doc.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
}

const one = (objects: Obj[], kind: string, name?: string): Obj => {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found, `${kind} ${name ?? ''}`).toHaveLength(1);
  return found[0] as Obj;
};
const kinds = (objects: Obj[]) => objects.map((o) => o.kind).sort();

/** The package's release-data/kubernetes-releases.yaml: what `iinfra provider install` applies. */
async function shippedReleaseData(packageDir: string): Promise<Obj[]> {
  const text = await readFile(join(packageDir, 'release-data', 'kubernetes-releases.yaml'), 'utf8');
  return parseAllDocuments(text).map((d) => d.toJS() as Obj);
}

/** Every `--flag` `iinfra manager --help` lists: the chart may pass no other. */
let managerFlags: Set<string>;
beforeAll(async () => {
  const { stdout } = await run(process.execPath, [
    join(repo, 'packages/manager/bin/iinfra.js'),
    'manager',
    '--help',
  ]);
  managerFlags = new Set([...stdout.matchAll(/(--[a-z][a-z-]+)/g)].map((m) => m[1] as string));
  expect(managerFlags.has('--leader-elect')).toBe(true);
});
const flagsOf = (args: string[]) => args.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]);

const expectHardened = (pod: Obj) => {
  expect(pod.securityContext).toMatchObject({
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  for (const container of pod.containers) {
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  }
};

const PROVIDERS = ['dcs', 'hcs', 'vsphere', 'baremetal'] as const;

describe.each(PROVIDERS)('chart cluster-api-provider-%s', (provider) => {
  const chartName = `cluster-api-provider-${provider}`;
  const packageDir = join(repo, 'providers', provider);
  const chart = join(packageDir, 'charts', chartName);
  const name = `${chartName}-manager`;
  let pkg: Obj;
  let clusterctl: Obj[];
  beforeAll(async () => {
    pkg = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8'));
    const components = await readFile(
      join(packageDir, 'clusterctl', 'infrastructure-components.yaml'),
      'utf8',
    );
    clusterctl = parseAllDocuments(components).map((d) => d.toJS() as Obj);
  });

  it('passes helm lint --strict with its defaults and with every toggle turned', async () => {
    expect(await lint(chart)).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(
      await lint(chart, {
        leaderElection: { enabled: false },
        metrics: { serviceMonitor: { enabled: true } },
        podDisruptionBudget: { minAvailable: 1 },
        image: { digest: `sha256:${'0'.repeat(64)}` },
      }),
    ).toContain('0 chart(s) failed');
  });

  it('carries the package version and the CRDs the package generates', async () => {
    const meta = parseYaml(await readFile(join(chart, 'Chart.yaml'), 'utf8'));
    expect(meta).toMatchObject({ name: chartName, version: pkg.version, appVersion: pkg.version });
    const packageCrds = (await readdir(join(packageDir, 'crds'))).sort();
    expect((await readdir(join(chart, 'crds'))).sort()).toEqual(packageCrds);
    for (const file of packageCrds) {
      const ours = parseYaml(await readFile(join(chart, 'crds', file), 'utf8'));
      expect(ours).toEqual(parseYaml(await readFile(join(packageDir, 'crds', file), 'utf8')));
    }
  });

  it('renders the documented Deployment in the release namespace, hardened, with the manager flags', async () => {
    const objects = await render(chart, 'cpaas-system');
    const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
    expect(crds.map((c) => c.metadata.name).sort()).toEqual(
      (await readdir(join(packageDir, 'crds'))).map((f) => f.replace(/\.yaml$/, '')).sort(),
    );
    const shipped = await shippedReleaseData(packageDir);
    const isShipped = (o: Obj) =>
      shipped.some((r) => r.kind === o.kind && r.metadata.name === o.metadata.name);
    // What the provider ships per Kubernetes build, as release-data/ holds it, in the release namespace.
    const releaseData = objects.filter(isShipped);
    expect(releaseData.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      shipped.map((o) => `${o.kind}/${o.metadata.name}`).sort(),
    );
    for (const object of releaseData) {
      expect(object.metadata.namespace).toBe('cpaas-system');
      const { namespace: _, ...metadata } = object.metadata;
      expect({ ...object, metadata }).toEqual(shipped.find((r) => r.metadata.name === object.metadata.name));
    }
    expect(
      releaseData.filter((o) => o.metadata.labels?.['immutable-infra.io/kubernetes-release'] === provider)
        .length,
    ).toBeGreaterThan(0);
    expect(kinds(objects.filter((o) => o.kind !== 'CustomResourceDefinition' && !isShipped(o)))).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'Deployment',
      'PodDisruptionBudget',
      'Role',
      'RoleBinding',
      'Service',
      'ServiceAccount',
    ]);
    const deployment = one(objects, 'Deployment', name);
    expect(deployment.metadata.namespace).toBe('cpaas-system');
    expect(deployment.metadata.labels['cluster.x-k8s.io/provider']).toBe(`infrastructure-${provider}`);
    // The runbooks' `kubectl get deployment -n cpaas-system -l app=cluster-api-provider-<platform>-manager`.
    expect(deployment.metadata.labels.app).toBe(name);
    expect(deployment.spec.template.metadata.labels.app).toBe(name);
    // clusterctl installs the same Deployment, by default in the same namespace.
    expect(one(clusterctl, 'Deployment').metadata).toMatchObject({
      name,
      namespace: `\${IINFRA_${provider.toUpperCase()}_NAMESPACE:=cpaas-system}`,
      labels: { app: name },
    });
    expect(deployment.spec.replicas).toBe(1);
    const pod = deployment.spec.template.spec;
    expect(pod.serviceAccountName).toBe(name);
    expectHardened(pod);
    const [container] = pod.containers;
    expect(container.image).toBe(`immutable-infra/manager-${provider}:v${pkg.version}`);
    expect(container.args[0]).toBe('manager');
    expect(container.args).toEqual(
      expect.arrayContaining([
        `--provider=${pkg.name}`,
        '--leader-elect',
        `--leader-election-id=iinfra-manager-${provider}`,
        '--leader-election-namespace=cpaas-system',
        '--probe-address=:8081',
        '--log-level=info',
      ]),
    );
    expect(container.args.some((a: string) => a.startsWith('--namespace'))).toBe(false);
    for (const flag of flagsOf(container.args)) expect([...managerFlags], flag).toContain(flag);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'probes' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'probes' });
    expect(container.env).toContainEqual({
      name: 'POD_NAMESPACE',
      valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
    });
    // The Node.js memory settings the benchmarks measure with (values runtime.*), as clusterctl's Deployment has them.
    expect(container.env).toContainEqual({ name: 'NODE_OPTIONS', value: '--max-semi-space-size=2' });
    expect(container.env).toContainEqual({ name: 'MALLOC_ARENA_MAX', value: '2' });
    // The read-only root filesystem keeps a writable /tmp.
    expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });

    // Selectors: the Service and the PDB select the Deployment's pods.
    const podLabels = deployment.spec.template.metadata.labels;
    const service = one(objects, 'Service', `${name}-metrics`);
    expect(service.metadata.namespace).toBe('cpaas-system');
    expect(podLabels).toMatchObject(service.spec.selector);
    expect(service.spec.ports).toEqual([
      { name: 'metrics', port: 8081, targetPort: 'probes', protocol: 'TCP' },
    ]);
    const pdb = one(objects, 'PodDisruptionBudget', name);
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(podLabels).toMatchObject(pdb.spec.selector.matchLabels);
    expect(objects.some((o) => o.kind === 'ServiceMonitor')).toBe(false);
  });

  it('grants what the clusterctl artifacts grant: the Lease rule in a Role, the rest in the ClusterRole', async () => {
    const objects = await render(chart, 'cpaas-system');
    const expected = one(clusterctl, 'ClusterRole').rules;
    const clusterRole = one(objects, 'ClusterRole', name);
    const role = one(objects, 'Role', `${name}-leader-election`);
    expect(role.metadata.namespace).toBe('cpaas-system');
    expect(role.rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
    ]);
    expect([...clusterRole.rules, ...role.rules]).toEqual(expect.arrayContaining(expected as unknown[]));
    expect(clusterRole.rules.length + role.rules.length).toBe(expected.length);
    const binding = one(objects, 'ClusterRoleBinding', name);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name, namespace: 'cpaas-system' }]);
    expect(one(objects, 'RoleBinding').subjects).toEqual([
      { kind: 'ServiceAccount', name, namespace: 'cpaas-system' },
    ]);
  });

  it('follows its values: replicas, digest, watch namespace, limits, log level, no leader election, ServiceMonitor, minAvailable', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const objects = await render(chart, 'team-infra', {
      replicas: 3,
      image: { repository: 'registry.example/iinfra/manager', digest },
      watchNamespace: 'tenant-a',
      watchFilter: 'shard-a',
      kubeApi: { qps: 20, burst: 40 },
      concurrency: 8,
      logLevel: 'debug',
      leaderElection: { enabled: false },
      metrics: { serviceMonitor: { enabled: true, interval: '15s', labels: { release: 'prometheus' } } },
      podDisruptionBudget: { minAvailable: 2 },
      resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '2Gi' } },
      extraArgs: ['--renew-deadline=12s'],
      podSecurityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    });
    expect(objects.some((o) => o.kind === 'Role' || o.kind === 'RoleBinding')).toBe(false);
    const deployment = one(objects, 'Deployment', name);
    expect(deployment.metadata.namespace).toBe('team-infra');
    expect(deployment.spec.replicas).toBe(3);
    const pod = deployment.spec.template.spec;
    expectHardened(pod);
    expect(pod.securityContext.runAsUser).toBe(1000);
    const [container] = pod.containers;
    expect(container.image).toBe(`registry.example/iinfra/manager@${digest}`);
    expect(container.resources).toEqual({
      requests: { cpu: '250m', memory: '512Mi' },
      limits: { memory: '2Gi' },
    });
    expect(container.args).toEqual(
      expect.arrayContaining([
        '--namespace=tenant-a',
        '--watch-filter=shard-a',
        '--qps=20',
        '--burst=40',
        '--concurrency=8',
        '--log-level=debug',
        '--renew-deadline=12s',
      ]),
    );
    expect(container.args.filter((a: string) => a.startsWith('--leader-elect'))).toEqual([]);
    for (const flag of flagsOf(container.args)) expect([...managerFlags], flag).toContain(flag);
    const monitor = one(objects, 'ServiceMonitor', name);
    expect(monitor.metadata.namespace).toBe('team-infra');
    expect(monitor.metadata.labels.release).toBe('prometheus');
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ['team-infra'] });
    expect(monitor.spec.endpoints).toEqual([
      { port: 'metrics', path: '/metrics', interval: '15s', scrapeTimeout: '10s' },
    ]);
    const service = one(objects, 'Service', `${name}-metrics`);
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    const pdb = one(objects, 'PodDisruptionBudget', name);
    expect(pdb.spec).toMatchObject({ minAvailable: 2 });
    expect(pdb.spec.maxUnavailable).toBeUndefined();
    expect(one(objects, 'ClusterRoleBinding').subjects[0].namespace).toBe('team-infra');
  });

  it('gives a release with a watch filter a Lease of its own, so shards never stand by for each other', async () => {
    const objects = await render(chart, 'cpaas-system', { watchFilter: 'shard-b' });
    const [container] = one(objects, 'Deployment', name).spec.template.spec.containers;
    expect(container.args).toEqual(
      expect.arrayContaining([
        '--watch-filter=shard-b',
        '--leader-elect',
        `--leader-election-id=iinfra-manager-${provider}-shard-b`,
      ]),
    );
  });

  it("passes platform limits only when set; unset, the provider's own defaults hold", async () => {
    const argsOf = async (values?: Obj) =>
      one(await render(chart, 'cpaas-system', values), 'Deployment', name).spec.template.spec.containers[0]
        .args;
    expect((await argsOf()).filter((a: string) => a.startsWith('--platform-'))).toEqual([]);
    const args = await argsOf({ platformApi: { qps: 50, burst: 100, maxConcurrentRequests: 8 } });
    expect(args).toEqual(
      expect.arrayContaining(['--platform-qps=50', '--platform-burst=100', '--platform-max-requests=8']),
    );
    for (const flag of flagsOf(args)) expect(managerFlags.has(flag as string), flag).toBe(true);
    await expect(render(chart, 'cpaas-system', { platformApi: { qps: 0 } })).rejects.toThrow(
      /platformApi\/qps/,
    );
  });

  it('drops what is turned off: PDB, metrics Service, RBAC, ServiceAccount; refuses a ServiceMonitor without its Service', async () => {
    const objects = await render(chart, 'cpaas-system', {
      podDisruptionBudget: { enabled: false },
      metrics: { service: { enabled: false } },
      rbac: { create: false },
      serviceAccount: { create: false, name: 'existing' },
      kubernetesReleases: { install: false },
    });
    expect(kinds(objects.filter((o) => o.kind !== 'CustomResourceDefinition'))).toEqual(['Deployment']);
    expect(one(objects, 'Deployment').spec.template.spec.serviceAccountName).toBe('existing');
    await expect(
      render(chart, 'cpaas-system', {
        metrics: { service: { enabled: false }, serviceMonitor: { enabled: true } },
      }),
    ).rejects.toThrow(/metrics.serviceMonitor.enabled needs metrics.service.enabled/);
  });

  it('refuses, by values.schema.json, values the manager would refuse and misspelt keys', async () => {
    const refused = render(chart, 'cpaas-system', {
      logLevel: 'verbose',
      leaderElection: { leaseDuration: '1h' },
      kubeApi: { qps: 0 },
      watchFilter: 'Shard A',
      replica: 2,
    });
    await expect(refused).rejects.toThrow(
      /at '\/logLevel': value must be one of 'debug', 'info', 'warn', 'error'/,
    );
    await expect(refused).rejects.toThrow(
      /at '\/leaderElection\/leaseDuration': '1h' does not match pattern/,
    );
    await expect(refused).rejects.toThrow(/at '\/kubeApi\/qps'/);
    await expect(refused).rejects.toThrow(/at '\/watchFilter': 'Shard A' does not match pattern/);
    await expect(refused).rejects.toThrow(/additional properties 'replica' not allowed/);
  });

  it('installs, upgrades and uninstalls with helm against a real kube-apiserver', async () => {
    const namespace = await createTestNamespace(testKubeConfig(), `helm-${provider}`);
    await helmOnCluster(['install', 'iinfra', chart, '--namespace', namespace, '--set', 'replicas=2']);
    // helm installed crds/ first; the API server takes them as they are (structural schemas, CEL).
    const crdNames = (await readdir(join(chart, 'crds'))).map((f) => `crd/${f.replace(/\.yaml$/, '')}`);
    expect(crdNames.length).toBeGreaterThan(0);
    await kubectl(['wait', '--for=condition=Established', '--timeout=60s', ...crdNames]);
    const deployment = async () =>
      JSON.parse(await kubectl(['get', 'deployment', name, '-n', namespace, '-o', 'json'])) as Obj;
    const installed = await deployment();
    expect(installed.spec.replicas).toBe(2);
    expect(installed.metadata.annotations['meta.helm.sh/release-namespace']).toBe(namespace);
    expect(installed.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    const lease = JSON.parse(
      await kubectl(['get', 'role', `${name}-leader-election`, '-n', namespace, '-o', 'json']),
    );
    expect(lease.rules[0].resources).toEqual(['leases']);
    // The release data is there for the wizard and the upgrade to read, with one selector.
    const releases = JSON.parse(
      await kubectl([
        'get',
        'configmaps',
        '-n',
        namespace,
        '-l',
        `immutable-infra.io/kubernetes-release=${provider}`,
        '-o',
        'json',
      ]),
    ).items as Obj[];
    expect(releases.map((cm) => cm.metadata.name).sort()).toEqual(
      (await shippedReleaseData(packageDir))
        .filter((o) => o.kind === 'ConfigMap')
        .map((o) => o.metadata.name)
        .sort(),
    );
    // `iinfra compat check --kubeconfig` sees the provider Helm installed (no clusterctl inventory).
    const version = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')).version as string;
    const { stdout: verdict } = await run(
      process.execPath,
      [
        join(repo, 'packages/manager/bin/iinfra.js'),
        'compat',
        'check',
        '--platform',
        '4.4.0',
        '--kubeconfig',
        inject('iinfraKubeconfigPath'),
        '--json',
      ],
      { env: { ...process.env, NO_COLOR: '1' } },
    ).catch((error: { stdout: string }) => error);
    expect(JSON.parse(verdict).providers).toContainEqual(expect.objectContaining({ provider, version }));

    await helmOnCluster([
      'upgrade',
      'iinfra',
      chart,
      '--namespace',
      namespace,
      '--reuse-values',
      '--set',
      'logLevel=debug',
    ]);
    const upgraded = await deployment();
    expect(upgraded.spec.replicas).toBe(2);
    expect(upgraded.spec.template.spec.containers[0].args).toContain('--log-level=debug');
    expect(await helmOnCluster(['list', '--namespace', namespace, '--short'])).toBe('iinfra\n');

    await helmOnCluster(['uninstall', 'iinfra', '--namespace', namespace]);
    await expect(deployment()).rejects.toThrow(/NotFound/);
    // helm never deletes the CRDs of crds/: objects of those kinds outlive a release.
    await kubectl(['get', ...crdNames]);
  });
});

describe('chart fleet-essentials', () => {
  const packageDir = join(repo, 'packages', 'fleet-essentials');
  const chart = join(packageDir, 'charts', 'fleet-essentials');
  let pkg: Obj;
  beforeAll(async () => {
    pkg = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8'));
  });

  it('passes helm lint --strict with its defaults and with TLS and extra hosts', async () => {
    expect(await lint(chart)).toContain('0 chart(s) failed');
    expect(
      await lint(chart, { tls: { secretName: 'fleet-tls' }, allowedHosts: ['fleet.example.com'] }),
    ).toContain('0 chart(s) failed');
  });

  it('renders the Deployment, Service and RBAC for what the caches watch, hardened, with the server flags', async () => {
    const { CACHED_RESOURCES } = await import('@immutable-infra/fleet-essentials');
    const objects = await render(chart, 'cpaas-system');
    expect(kinds(objects)).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'Deployment',
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
    ]);
    const deployment = one(objects, 'Deployment', 'fleet-essentials');
    expect(deployment.metadata.namespace).toBe('cpaas-system');
    const pod = deployment.spec.template.spec;
    expectHardened(pod);
    const [container] = pod.containers;
    expect(container.image).toBe(`immutable-infra/fleet-essentials:v${pkg.version}`);
    expect(container.args).toEqual([
      '--host=0.0.0.0',
      '--port=8080',
      '--allowed-host=fleet-essentials',
      '--allowed-host=fleet-essentials.cpaas-system',
      '--allowed-host=fleet-essentials.cpaas-system.svc',
      '--allowed-host=fleet-essentials.cpaas-system.svc.cluster.local',
      '--platform-time-limit=30',
    ]);
    // Every flag is one the server takes.
    const { stdout: help } = await run(process.execPath, [
      join(packageDir, 'bin', 'fleet-essentials.js'),
      '--help',
    ]);
    for (const flag of flagsOf(container.args)) expect(help).toContain(flag);
    // The server answers only to Host names it knows; loopback names are always among them.
    expect(container.readinessProbe.httpGet).toMatchObject({
      path: '/api/health',
      port: 'http',
      scheme: 'HTTP',
      httpHeaders: [{ name: 'Host', value: 'localhost' }],
    });
    const service = one(objects, 'Service', 'fleet-essentials');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    const granted = one(objects, 'ClusterRole', 'fleet-essentials').rules.flatMap((r: Obj) =>
      r.resources.map((res: string) => `${r.apiGroups[0]}/${res}:${r.verbs.join(',')}`),
    );
    expect(granted.sort()).toEqual(
      CACHED_RESOURCES.map((r) => `${r.group}/${r.plural}:get,list,watch`).sort(),
    );
  });

  it('serves HTTPS from a TLS Secret and answers to the given host names', async () => {
    const objects = await render(chart, 'fleet', {
      tls: { secretName: 'fleet-tls' },
      allowedHosts: ['fleet.example.com'],
      secureCookies: true,
      replicas: 2,
    });
    const deployment = one(objects, 'Deployment', 'fleet-essentials');
    expect(deployment.spec.replicas).toBe(2);
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    expect(container.args).toEqual(
      expect.arrayContaining([
        '--allowed-host=fleet-essentials.fleet.svc',
        '--allowed-host=fleet.example.com',
        '--tls-cert=/etc/fleet-essentials/tls/tls.crt',
        '--tls-key=/etc/fleet-essentials/tls/tls.key',
        '--secure-cookies',
      ]),
    );
    expect(container.livenessProbe.httpGet.scheme).toBe('HTTPS');
    expect(container.volumeMounts).toContainEqual({
      name: 'tls',
      mountPath: '/etc/fleet-essentials/tls',
      readOnly: true,
    });
    expect(pod.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'fleet-tls' } });
    expect(one(objects, 'Service').spec.ports[0].name).toBe('https');
    const star = await render(chart, 'fleet', { allowedHosts: ['*'] });
    expect(
      one(star, 'Deployment').spec.template.spec.containers[0].args.filter((a: string) =>
        a.startsWith('--allowed-host'),
      ),
    ).toEqual(['--allowed-host=*']);
  });

  it('refuses, by values.schema.json, a time limit the server refuses and an unknown Service type', async () => {
    const refused = render(chart, 'cpaas-system', {
      platformTimeLimitSeconds: 900,
      service: { type: 'Ingress' },
    });
    await expect(refused).rejects.toThrow(/at '\/platformTimeLimitSeconds': maximum: got 900, want 600/);
    await expect(refused).rejects.toThrow(/at '\/service\/type'/);
  });

  it('installs with helm against a real kube-apiserver', async () => {
    const namespace = await createTestNamespace(testKubeConfig(), 'helm-fleet');
    await helmOnCluster([
      'install',
      'fleet',
      chart,
      '--namespace',
      namespace,
      '--set',
      'tls.secretName=fleet-tls',
    ]);
    const applied = JSON.parse(
      await kubectl(['get', 'deployment', 'fleet-essentials', '-n', namespace, '-o', 'json']),
    );
    expect(applied.spec.template.spec.volumes).toContainEqual(
      expect.objectContaining({ name: 'tls', secret: expect.objectContaining({ secretName: 'fleet-tls' }) }),
    );
    const service = JSON.parse(
      await kubectl(['get', 'service', 'fleet-essentials', '-n', namespace, '-o', 'json']),
    );
    expect(service.spec.ports[0]).toMatchObject({ name: 'https', port: 80 });
    await helmOnCluster(['uninstall', 'fleet', '--namespace', namespace]);
  });
});

/** helm against the run's kube-apiserver, with its own home, config, cache and data directories. */
async function helmOnCluster(args: string[]): Promise<string> {
  const { stdout } = await run(helm, [...args, '--kubeconfig', inject('iinfraKubeconfigPath')], {
    maxBuffer: 64 << 20,
    env: {
      PATH: process.env.PATH ?? '',
      // Where client-go keeps its discovery cache (~/.kube/cache); without HOME, the working directory.
      HOME: scratch,
      HELM_CONFIG_HOME: join(scratch, 'helm-config'),
      HELM_CACHE_HOME: join(scratch, 'helm-cache'),
      HELM_DATA_HOME: join(scratch, 'helm-data'),
    },
  });
  return stdout;
}

async function kubectl(args: string[]): Promise<string> {
  const kubectlBin = join(inject('iinfraEnvtestAssets').binDir, 'kubectl');
  try {
    const { stdout } = await run(kubectlBin, ['--kubeconfig', inject('iinfraKubeconfigPath'), ...args], {
      maxBuffer: 64 << 20,
    });
    return stdout;
  } catch (error) {
    throw new Error(
      `kubectl ${args.join(' ')}: ${(error as { stderr?: string }).stderr || (error as Error).message}`,
    );
  }
}
