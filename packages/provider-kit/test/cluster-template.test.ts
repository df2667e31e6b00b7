import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  clusterctlNumber,
  clusterctlVariable,
  clusterTemplateYaml,
  kubeadmClusterTemplate,
  templateVariables,
} from '../src/generate/index.js';

const template = () =>
  kubeadmClusterTemplate({
    infrastructureCluster: {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
      kind: 'AcmeCluster',
      spec: {
        endpoint: { host: clusterctlVariable('ACME_HOST'), port: clusterctlNumber('ACME_PORT', 6443) },
      },
    },
    machineTemplateKind: 'AcmeMachineTemplate',
    machineTemplates: { controlPlane: 'cp', worker: 'workers' },
    controlPlaneName: `${clusterctlVariable('CLUSTER_NAME')}-kcp`,
    workerName: `${clusterctlVariable('CLUSTER_NAME')}-md-0`,
    kubeadmConfigSpec: { format: 'ignition' },
    workerBootstrap: { format: 'ignition' },
    workerStrategy: { maxSurge: 0, maxUnavailable: 1 },
    cluster: { podsCidr: clusterctlVariable('PODS_CIDR', '10.3.0.0/16'), servicesCidr: '10.4.0.0/16' },
  });

describe('cluster templates', () => {
  it('quotes whole string placeholders and leaves numbers bare, so substitution keeps their types', () => {
    const text = clusterTemplateYaml(template(), '# header\n');
    expect(text.startsWith('# header\n')).toBe(true);
    const v = clusterctlVariable;
    expect(text).toContain(`host: "${v('ACME_HOST')}"`);
    expect(text).toContain(`port: ${v('ACME_PORT', '6443')}`);
    expect(text).toContain(`replicas: ${v('CONTROL_PLANE_MACHINE_COUNT')}`);
    expect(text).toContain(`replicas: ${v('WORKER_MACHINE_COUNT')}`);
    expect(text).toContain(`- "${v('PODS_CIDR', '10.3.0.0/16')}"`);
    // Substituted as clusterctl does, the documents parse with integers where numbers belong.
    const substituted = text.replace(
      /\$\{([A-Z_]+)(?::=([^}]*))?\}/g,
      (_, name: string, fallback?: string) => (name.endsWith('_COUNT') ? '3' : (fallback ?? '12345')),
    );
    const [cluster, controlPlane] = parseAllDocuments(substituted).map((d) => d.toJS());
    expect(cluster.spec.endpoint).toEqual({ host: '12345', port: 6443 });
    expect(controlPlane.spec.replicas).toBe(3);
  });

  it('orders the objects as the documentation creates them and references them by name', () => {
    const objects = template() as { kind: string; metadata: { name: string }; spec: Record<string, never> }[];
    expect(objects.map((o) => o.kind)).toEqual([
      'AcmeCluster',
      'KubeadmControlPlane',
      'KubeadmConfigTemplate',
      'MachineDeployment',
      'Cluster',
    ]);
    const text = clusterTemplateYaml(objects, '');
    expect(templateVariables(text).map((v) => v.name)).toEqual(
      expect.arrayContaining([
        'CLUSTER_NAME',
        'NAMESPACE',
        'KUBERNETES_VERSION',
        'CONTROL_PLANE_MACHINE_COUNT',
        'WORKER_MACHINE_COUNT',
        'ACME_HOST',
      ]),
    );
    expect(templateVariables(text).find((v) => v.name === 'ACME_PORT')).toEqual({
      name: 'ACME_PORT',
      default: '6443',
    });
  });

  it("refuses a template without clusterctl's standard variables, naming each", () => {
    expect(() => clusterTemplateYaml([{ kind: 'Cluster', metadata: { name: 'fixed' } }], '')).toThrow(
      /CLUSTER_NAME.*NAMESPACE.*KUBERNETES_VERSION.*CONTROL_PLANE_MACHINE_COUNT.*WORKER_MACHINE_COUNT/,
    );
  });

  it('refuses variable names clusterctl users would not expect, and defaults it cannot write', () => {
    expect(() => clusterctlVariable('lower_case')).toThrow(/UPPER_SNAKE/);
    expect(() => clusterctlVariable('NAME', 'a}b')).toThrow(/cannot be written/);
  });
});
