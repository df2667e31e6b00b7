import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CrdGenerationError, defineKind, generateCrd, toStructuralSchema } from '../src/index.js';

const WidgetSpec = z
  .object({
    replicas: z.number().int().min(0).default(1).describe('How many widgets.'),
    mode: z.enum(['fast', 'safe']).optional(),
    port: z.union([z.number().int(), z.string()]).optional(),
    labels: z.record(z.string(), z.string()).optional(),
    name: z.string().min(1).max(63),
    memoryMiB: z.number().int().positive(),
    disks: z.array(z.object({ sizeGiB: z.number().int(), datastore: z.string() })).optional(),
  })
  .meta({ 'x-kubernetes-validations': [{ rule: 'self.replicas <= 10', message: 'at most 10' }] });

const widget = defineKind({
  group: 'infrastructure.cluster.x-k8s.io',
  kind: 'Widget',
  plural: 'widgets',
  shortNames: ['wd'],
  categories: ['cluster-api'],
  scope: 'Namespaced',
  role: 'InfraMachine',
  contract: { v1beta1: ['v1beta1'], v1beta2: ['v1beta1'] },
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: WidgetSpec,
      status: z.object({ ready: z.boolean().optional(), taskId: z.string().optional() }),
      printerColumns: [{ name: 'Ready', type: 'boolean', jsonPath: '.status.ready' }],
    },
  ],
});

describe('generateCrd', () => {
  const crd = generateCrd(widget);
  const version = crd.spec.versions[0];
  const spec = version?.schema.openAPIV3Schema.properties?.spec;

  it('names the CRD plural.group and carries the contract labels', () => {
    expect(crd.metadata.name).toBe('widgets.infrastructure.cluster.x-k8s.io');
    expect(crd.metadata.labels).toEqual({
      'cluster.x-k8s.io/v1beta1': 'v1beta1',
      'cluster.x-k8s.io/v1beta2': 'v1beta1',
    });
    expect(crd.spec.names).toEqual({
      kind: 'Widget',
      listKind: 'WidgetList',
      plural: 'widgets',
      singular: 'widget',
      shortNames: ['wd'],
      categories: ['cluster-api'],
    });
  });

  it('turns the zod schema into a structural schema with defaults, enums, int-or-string and CEL', () => {
    expect(spec?.type).toBe('object');
    expect(spec?.required).toEqual(['name', 'memoryMiB']);
    expect(spec?.properties?.replicas).toEqual({
      type: 'integer',
      minimum: 0,
      default: 1,
      description: 'How many widgets.',
    });
    expect(spec?.properties?.mode).toEqual({ type: 'string', enum: ['fast', 'safe'] });
    expect(spec?.properties?.port).toEqual({ 'x-kubernetes-int-or-string': true });
    expect(spec?.properties?.labels).toEqual({ type: 'object', additionalProperties: { type: 'string' } });
    expect(spec?.properties?.memoryMiB).toEqual({ type: 'integer', minimum: 0, exclusiveMinimum: true });
    expect(spec?.properties?.disks?.items?.required).toEqual(['sizeGiB', 'datastore']);
    expect(spec?.['x-kubernetes-validations']).toEqual([
      { rule: 'self.replicas <= 10', message: 'at most 10' },
    ]);
  });

  it('adds the status subresource and printer columns', () => {
    expect(version?.subresources).toEqual({ status: {} });
    expect(version?.additionalPrinterColumns).toEqual([
      { name: 'Ready', type: 'boolean', jsonPath: '.status.ready' },
    ]);
    expect(version?.schema.openAPIV3Schema.required).toEqual(['spec']);
  });

  it('collects every non-structural construct with its path instead of stopping at the first', () => {
    const bad = defineKind({
      ...widget,
      versions: [
        {
          name: 'v1beta1',
          storage: true,
          spec: z.object({
            either: z.union([z.object({ a: z.string() }), z.object({ b: z.string() })]),
            pair: z.tuple([z.string(), z.number()]),
          }),
        },
      ],
    });
    try {
      generateCrd(bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CrdGenerationError);
      const paths = (error as CrdGenerationError).problems.map((p) => p.path);
      expect(paths).toContain('Widget.v1beta1.spec.either');
      expect(paths).toContain('Widget.v1beta1.spec.pair');
    }
  });

  it('insists on exactly one storage version', () => {
    const twoStorage = defineKind({
      ...widget,
      versions: [
        { name: 'v1alpha1', storage: true, spec: z.object({}) },
        { name: 'v1beta1', storage: true, spec: z.object({}) },
      ],
    });
    expect(() => generateCrd(twoStorage)).toThrow(/exactly one version must be the storage version, found 2/);
  });
});

describe('toStructuralSchema', () => {
  it('turns T | null into a nullable T', () => {
    const { schema, problems } = toStructuralSchema(z.toJSONSchema(z.string().nullable()));
    expect(problems).toEqual([]);
    expect(schema).toEqual({ type: 'string', nullable: true });
  });

  it('leaves formats the API server knows to the API server', () => {
    const { schema } = toStructuralSchema(z.toJSONSchema(z.object({ ip: z.ipv4(), at: z.iso.datetime() })));
    expect(schema.properties?.ip).toEqual({ type: 'string', format: 'ipv4' });
    expect(schema.properties?.at).toEqual({ type: 'string', format: 'date-time' });
  });

  it('keeps opaque values as preserve-unknown-fields', () => {
    const { schema } = toStructuralSchema(z.toJSONSchema(z.object({ raw: z.unknown() })));
    expect(schema.properties?.raw).toEqual({ 'x-kubernetes-preserve-unknown-fields': true });
  });
});

describe('clusterctlArtifacts', () => {
  it('lists every release series with its contract and labels every object for clusterctl', async () => {
    const { clusterctlArtifacts } = await import('../src/index.js');
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1' as const,
      kind: 'CustomResourceDefinition' as const,
      metadata: {
        name: 'dcsclusters.infrastructure.cluster.x-k8s.io',
        labels: { 'cluster.x-k8s.io/v1beta2': 'v1beta1' },
      },
      spec: { group: 'infrastructure.cluster.x-k8s.io', names: { plural: 'dcsclusters' } },
    } as unknown as Parameters<typeof clusterctlArtifacts>[0]['crds'][number];
    const extra = { apiGroups: ['ipam.cluster.x-k8s.io'], resources: ['ipaddresses'], verbs: ['get'] };
    const { metadata, components } = clusterctlArtifacts({
      provider: 'dcs',
      packageName: '@immutable-infra/provider-dcs',
      version: '0.2.3',
      contract: 'v1beta2',
      crds: [crd],
      rules: [extra],
    });
    expect(metadata).toEqual({
      apiVersion: 'clusterctl.cluster.x-k8s.io/v1alpha3',
      kind: 'Metadata',
      releaseSeries: [
        { major: 0, minor: 1, contract: 'v1beta2' },
        { major: 0, minor: 2, contract: 'v1beta2' },
      ],
    });
    expect(components.map((c) => c.kind)).toEqual([
      'Namespace',
      'CustomResourceDefinition',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Deployment',
    ]);
    for (const object of components) {
      expect(
        (object.metadata as { labels: Record<string, string> }).labels['cluster.x-k8s.io/provider'],
      ).toBe('infrastructure-dcs');
    }
    expect(JSON.stringify(components[1])).toContain('"cluster.x-k8s.io/v1beta2":"v1beta1"');
    // Providers keep a finalizer on the credential Secret a cluster uses (a patch), read Secrets one by
    // one (never a list or watch of every Secret), and read no ConfigMap unless they ask for it.
    const role = components.find((c) => c.kind === 'ClusterRole') as {
      rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    };
    const verbsOn = (resource: string) =>
      role.rules
        .filter((r) => r.apiGroups.includes('') && r.resources.includes(resource))
        .flatMap((r) => r.verbs);
    expect(verbsOn('secrets')).toEqual(['get', 'patch']);
    expect(verbsOn('configmaps')).toEqual([]);
    // The provider's own kinds by name, with their status subresource; no wildcard anywhere.
    expect(role.rules.flatMap((r) => r.resources)).not.toContain('*');
    expect(role.rules.slice(0, 2)).toEqual([
      {
        apiGroups: ['infrastructure.cluster.x-k8s.io'],
        resources: ['dcsclusters'],
        verbs: ['get', 'list', 'watch', 'patch'],
      },
      {
        apiGroups: ['infrastructure.cluster.x-k8s.io'],
        resources: ['dcsclusters/status'],
        verbs: ['patch', 'update'],
      },
    ]);
    // What the provider's own steps call comes last, as declared.
    expect(role.rules.at(-1)).toEqual(extra);
    const deployment = components.at(-1) as {
      spec: { template: { spec: { containers: { args: string[]; env: unknown[] }[] } } };
    };
    // Wherever clusterctl installs the provider, the manager learns its namespace from the pod, and
    // runs with the same Node.js memory settings as the Helm chart gives it.
    expect(deployment.spec.template.spec.containers[0]?.env).toEqual([
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'NODE_OPTIONS', value: '--max-semi-space-size=2' },
      { name: 'MALLOC_ARENA_MAX', value: '2' },
    ]);
    expect(deployment.spec.template.spec.containers[0]?.args).toEqual([
      'manager',
      '--provider=@immutable-infra/provider-dcs',
      '--leader-elect',
      '--leader-election-id=iinfra-manager-dcs',
      // clusterctl's variable, which it substitutes at install time.
      `--leader-election-namespace=\${IINFRA_DCS_NAMESPACE:=cpaas-system}`,
      '--probe-address=:8081',
    ]);
    // The documented names: the runbooks' `kubectl -n cpaas-system logs deployment/cluster-api-provider-dcs-manager`
    // and `-l app=cluster-api-provider-dcs-manager` work after a clusterctl install as after a Helm one.
    const name = 'cluster-api-provider-dcs-manager';
    const namespace = `\${IINFRA_DCS_NAMESPACE:=cpaas-system}`;
    const metadataOf = (kind: string) =>
      components.find((c) => c.kind === kind)?.metadata as {
        name: string;
        namespace?: string;
        labels: object;
      };
    expect(metadataOf('Namespace').name).toBe(namespace);
    expect(metadataOf('Deployment')).toMatchObject({ name, namespace, labels: { app: name } });
    expect(metadataOf('ServiceAccount')).toMatchObject({ name, namespace });
    expect(metadataOf('ClusterRole').name).toBe(name);
    expect(metadataOf('ClusterRoleBinding').name).toBe(name);
    expect(
      (deployment as unknown as { spec: { template: { metadata: { labels: object } } } }).spec.template
        .metadata.labels,
    ).toMatchObject({ app: name });
    expect(() =>
      clusterctlArtifacts({
        provider: 'dcs',
        packageName: 'x',
        version: 'one',
        contract: 'v1beta2',
        crds: [],
      }),
    ).toThrow('"one" is not a version');
  });
});
