import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineKind, generateCrd } from '@immutable-infra/core';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { generateProviderArtifacts } from '../src/generate/index.js';
import {
  machineTemplateKind,
  PLAIN_HTTP_REFUSED,
  PlainHttpConsent,
  parseCredentialData,
  printerColumns,
  providerKindBase,
  refusePlainHttpWithoutConsent,
  uniqueItemsRule,
} from '../src/index.js';

const base = providerKindBase('acme');
const AcmeMachineSpec = z.object({ flavor: z.string().min(1), providerID: z.string().optional() });
const AcmeMachine = defineKind({
  ...base,
  kind: 'AcmeMachine',
  plural: 'acmemachines',
  role: 'InfraMachine',
  versions: [
    {
      name: 'v1beta1',
      storage: true,
      spec: AcmeMachineSpec,
      status: z.object({ ready: z.boolean().optional() }),
      printerColumns: [printerColumns.cluster, printerColumns.ready, printerColumns.age],
    },
  ],
});
// Kind and plural come from the machine kind: AcmeMachineTemplate, acmemachinetemplates.
const AcmeMachineTemplate = machineTemplateKind({
  base,
  machineKind: 'AcmeMachine',
  machineSpec: AcmeMachineSpec,
  printerColumns: [{ name: 'Flavor', type: 'string', jsonPath: '.spec.template.spec.flavor' }],
});

describe('kind conventions', () => {
  it('gives every kind the infrastructure group, its categories and both contract labels', () => {
    const crd = generateCrd(AcmeMachine);
    expect(crd.metadata.name).toBe('acmemachines.infrastructure.cluster.x-k8s.io');
    expect(crd.spec.names.categories).toEqual(['cluster-api', 'acme']);
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.metadata.labels).toMatchObject({
      'cluster.x-k8s.io/v1beta1': 'v1beta1',
      'cluster.x-k8s.io/v1beta2': 'v1beta1',
    });
    expect(crd.spec.versions[0]?.additionalPrinterColumns?.map((c) => c.name)).toEqual([
      'Cluster',
      'Ready',
      'Age',
    ]);
  });

  it('wraps a machine spec in the template shape the contract requires, ending with Age', () => {
    const crd = generateCrd(AcmeMachineTemplate);
    expect(crd.metadata.name).toBe('acmemachinetemplates.infrastructure.cluster.x-k8s.io');
    expect(crd.spec.names.kind).toBe('AcmeMachineTemplate');
    const version = crd.spec.versions[0];
    const template = version?.schema.openAPIV3Schema.properties?.spec?.properties?.template;
    expect(Object.keys(template?.properties ?? {})).toEqual(['metadata', 'spec']);
    expect(template?.properties?.metadata?.description).toBe(
      'Labels and annotations for the AcmeMachines made from this template.',
    );
    expect(template?.properties?.spec?.required).toEqual(['flavor']);
    expect(version?.additionalPrinterColumns?.map((c) => c.name)).toEqual(['Flavor', 'Age']);
    // The inferred object type keeps the machine spec: a template's spec.template.spec.flavor is a string.
    const parsed = AcmeMachineTemplate.versions[0].spec.parse({ template: { spec: { flavor: 'c1' } } });
    expect(parsed.template.spec.flavor).toBe('c1');
  });

  it('writes the unique-items rule for a list, skipping items without the key', () => {
    const Disks = z
      .array(z.object({ name: z.string().max(63), mountPath: z.string().max(128).optional() }))
      .max(16)
      .meta({ 'x-kubernetes-validations': [uniqueItemsRule('mountPath', 'disks[].mountPath')] });
    const schema = z.toJSONSchema(Disks) as unknown as { 'x-kubernetes-validations': unknown[] };
    expect(schema['x-kubernetes-validations']).toEqual([
      {
        rule: 'self.all(a, !has(a.mountPath) || self.exists_one(b, has(b.mountPath) && b.mountPath == a.mountPath))',
        message: 'disks[].mountPath must be unique',
        reason: 'FieldValueInvalid',
      },
    ]);
  });

  it('checks Secret data naming keys, never values', () => {
    const schema = z.object({ user: z.string().min(1), key: z.string().min(1), url: z.url() });
    expect(parseCredentialData(schema, { user: 'u', key: 'k', url: 'https://x' })).toEqual({
      ok: true,
      credentials: { user: 'u', key: 'k', url: 'https://x' },
    });
    const refused = parseCredentialData(schema, { key: 'hunter2', url: 'hunter2-not-a-url' });
    expect(refused).toEqual({ ok: false, problems: ['user is missing', 'url is invalid'] });
    expect(JSON.stringify(refused)).not.toContain('hunter2');
    expect(parseCredentialData(schema, undefined)).toMatchObject({ ok: false });
  });

  it('refuses a plain-HTTP endpoint unless the Secret sets allowPlainHTTP, naming the key and what to do', () => {
    const schema = z
      .object({ url: z.url(), allowPlainHTTP: PlainHttpConsent })
      .superRefine(refusePlainHttpWithoutConsent('url', (c) => c.url.startsWith('http:')));
    const plain = { url: 'http://dcs.example:7443' };
    const refused = parseCredentialData(schema, plain);
    expect(refused).toEqual({ ok: false, problems: [`url ${PLAIN_HTTP_REFUSED}`] });
    expect(PLAIN_HTTP_REFUSED).toContain('allowPlainHTTP: "true"');
    expect(JSON.stringify(refused)).not.toContain('dcs.example');
    for (const consent of ['true', 'TRUE', ' True\n'])
      expect(parseCredentialData(schema, { ...plain, allowPlainHTTP: consent })).toEqual({
        ok: true,
        credentials: { ...plain, allowPlainHTTP: true },
      });
    expect(parseCredentialData(schema, { ...plain, allowPlainHTTP: 'false' })).toMatchObject({ ok: false });
    expect(parseCredentialData(schema, { ...plain, allowPlainHTTP: 'yes' })).toEqual({
      ok: false,
      problems: ['allowPlainHTTP is invalid'],
    });
    expect(parseCredentialData(schema, { url: 'https://dcs.example:7443' })).toEqual({
      ok: true,
      credentials: { url: 'https://dcs.example:7443', allowPlainHTTP: false },
    });
  });
});

describe('generateProviderArtifacts', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('writes CRDs, clusterctl artifacts and the UI manifest with the package version', () => {
    const packageDir = mkdtempSync(join(tmpdir(), 'kit-artifacts-'));
    dirs.push(packageDir);
    writeFileSync(
      join(packageDir, 'package.json'),
      JSON.stringify({
        name: '@acme/provider-acme',
        version: '1.2.3',
        immutableInfra: { provider: 'acme' },
      }),
    );
    generateProviderArtifacts({
      packageDir,
      kinds: [AcmeMachine, AcmeMachineTemplate],
      extensions: {
        provider: 'acme',
        anchorApi: '^1.0.0',
        bundle: 'dist/ui/extension.js',
        extensions: [
          { anchor: 'credential.form', id: 'acme.credential-form', title: 'Acme', export: 'credentialForm' },
        ],
      },
    });
    const crd = parse(
      readFileSync(join(packageDir, 'crds/acmemachines.infrastructure.cluster.x-k8s.io.yaml'), 'utf8'),
    );
    expect(crd.kind).toBe('CustomResourceDefinition');
    const metadata = parse(readFileSync(join(packageDir, 'clusterctl/metadata.yaml'), 'utf8'));
    expect(metadata.kind).toBe('Metadata');
    const components = readFileSync(join(packageDir, 'clusterctl/infrastructure-components.yaml'), 'utf8');
    expect(components).toContain('acmemachinetemplates.infrastructure.cluster.x-k8s.io');
    // The Helm chart, from the same CRDs and the package version (tools/helm renders it with helm).
    const chart = join(packageDir, 'charts/cluster-api-provider-acme');
    expect(parse(readFileSync(join(chart, 'Chart.yaml'), 'utf8'))).toMatchObject({
      name: 'cluster-api-provider-acme',
      version: '1.2.3',
      appVersion: '1.2.3',
    });
    expect(readdirSync(join(chart, 'crds')).sort()).toEqual(readdirSync(join(packageDir, 'crds')).sort());
    expect(readFileSync(join(chart, 'templates/deployment.yaml'), 'utf8')).toContain(
      '--provider=@acme/provider-acme',
    );
    const ui = JSON.parse(readFileSync(join(packageDir, 'ui-extension.json'), 'utf8'));
    expect(ui).toMatchObject({
      name: '@acme/provider-acme',
      version: '1.2.3',
      provider: 'acme',
      extensions: [{ id: 'acme.credential-form', export: 'credentialForm' }],
    });
  });

  const acmePackage = () => {
    const packageDir = mkdtempSync(join(tmpdir(), 'kit-artifacts-'));
    dirs.push(packageDir);
    writeFileSync(
      join(packageDir, 'package.json'),
      JSON.stringify({ name: '@acme/provider-acme', version: '1.2.3', immutableInfra: { provider: 'acme' } }),
    );
    return packageDir;
  };
  const policy = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: 'acme-widgets' },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [
          { apiGroups: ['acme.example'], apiVersions: ['*'], operations: ['UPDATE'], resources: ['widgets'] },
        ],
      },
      validations: [{ expression: "object.spec.size.matches('^[0-9]{1,3}$')", message: 'spec.size' }],
    },
  };
  const binding = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: 'acme-widgets' },
    spec: { policyName: 'acme-widgets', validationActions: ['Deny'] },
  };
  const release = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'acme-release' },
    data: { version: '1' },
  };
  const docs = (text: string) =>
    parseAllDocuments(text)
      .map((doc) => doc.toJS())
      .filter((doc) => doc !== null);

  it('ships cluster-scoped objects as they are, in the clusterctl components and the Helm chart', () => {
    const packageDir = acmePackage();
    generateProviderArtifacts({
      packageDir,
      kinds: [AcmeMachine],
      releaseObjects: [release],
      clusterObjects: [policy, binding],
    });
    const components = docs(
      readFileSync(join(packageDir, 'clusterctl/infrastructure-components.yaml'), 'utf8'),
    );
    // No namespace added (clusterctl substitutes none into them either: no `${` in them).
    expect(components.filter((doc) => doc.kind.startsWith('ValidatingAdmissionPolicy'))).toEqual([
      policy,
      binding,
    ]);
    // The release objects still go into the provider's namespace.
    expect(components.find((doc) => doc.kind === 'ConfigMap').metadata.namespace).toBe(
      `\${IINFRA_ACME_NAMESPACE:=cpaas-system}`,
    );
    const chart = join(packageDir, 'charts/cluster-api-provider-acme');
    const template = readFileSync(join(chart, 'templates/cluster-objects.yaml'), 'utf8');
    expect(template).toMatch(/^# Generated by .*; do not edit\.\n/);
    // Unconditional (no value turns them off) and plain YAML: helm renders it unchanged.
    expect(template).not.toContain('{{');
    expect(docs(template)).toEqual([policy, binding]);
    // And in the package itself, for `iinfra provider install`.
    expect(docs(readFileSync(join(packageDir, 'cluster-objects/cluster-objects.yaml'), 'utf8'))).toEqual([
      policy,
      binding,
    ]);
    // Without cluster objects there is no such template, nor file.
    const plain = acmePackage();
    generateProviderArtifacts({ packageDir: plain, kinds: [AcmeMachine] });
    expect(existsSync(join(plain, 'charts/cluster-api-provider-acme/templates/cluster-objects.yaml'))).toBe(
      false,
    );
    expect(existsSync(join(plain, 'cluster-objects'))).toBe(false);
  });

  it('refuses a cluster object with a namespace, template text, a namespaced kind or a taken name, writing nothing', () => {
    const cases: [unknown, RegExp][] = [
      [
        { ...policy, metadata: { name: 'acme-widgets', namespace: 'acme' } },
        /cluster object ValidatingAdmissionPolicy\/acme-widgets: leave metadata.namespace to the installer/,
      ],
      [
        { ...policy, spec: { ...policy.spec, validations: [{ expression: 'true', message: `\${SIZE}` }] } },
        /contains "\$\{", which Helm or clusterctl would substitute/,
      ],
      [{ ...binding, spec: { policyName: '{{ .Values.x }}' } }, /contains "\{\{"/],
      [{ ...binding, spec: { policyName: 'a$$b' } }, /contains "\$\$"/],
      [release, /cluster object ConfigMap\/acme-release: a ConfigMap lives in a namespace/],
      [
        { ...binding, kind: 'ClusterRole', metadata: { name: 'cluster-api-provider-acme-manager' } },
        /cluster objects named twice or like a generated one .*: ClusterRole\/cluster-api-provider-acme-manager/,
      ],
      [
        policy,
        /cluster objects named twice or like a generated one .*: ValidatingAdmissionPolicy\/acme-widgets/,
      ],
    ];
    for (const [object, message] of cases) {
      const packageDir = acmePackage();
      const clusterObjects = [object as typeof policy, ...(object === policy ? [policy] : [])];
      expect(() => generateProviderArtifacts({ packageDir, kinds: [AcmeMachine], clusterObjects })).toThrow(
        message,
      );
      expect(readdirSync(packageDir)).toEqual(['package.json']);
    }
  });
});
