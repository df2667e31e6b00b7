import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { kubernetesFilesSecret } from '../../src/ui/catalog/labels.js';
import { toVersionRecord } from '../../src/ui/catalog/resources.js';

type Shipped = {
  kind: string;
  metadata: { name: string; labels: Record<string, string> };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
};

// What `npm run generate` wrote from src/ui/release-data.ts and the compatibility matrix; the chart,
// the clusterctl components and `iinfra provider install` ship exactly this.
const shipped = parseAllDocuments(
  readFileSync(new URL('../../release-data/kubernetes-releases.yaml', import.meta.url), 'utf8'),
).map((doc) => doc.toJS() as Shipped);
const configMaps = shipped.filter((o) => o.kind === 'ConfigMap');
const secrets = shipped.filter((o) => o.kind === 'Secret');

describe('the release data the DCS provider ships', () => {
  it('is what the wizard and the upgrade read: one version record per VM template, with its tags', () => {
    const records = configMaps.map((cm) => toVersionRecord(cm));
    expect(records.every((r) => r !== undefined)).toBe(true);
    const record = records.find((r) => r?.distributionVersion === 'v4.3.2');
    expect(record).toEqual({
      configMap: '432-dcs-vm-template',
      vmTemplateName: 'alaudaos-4.3.2-k8s-v1.34.5-3',
      kubernetesVersion: 'v1.34.5-3',
      distributionVersion: 'v4.3.2',
      vmImageVersion: 'alaudaos-4.3.2',
      corednsTag: '1.14.2-v4.3.11',
      etcdTag: 'v3.5.28-260625',
    });
    // Every Kubernetes minor the package declares has a VM template.
    const minors = new Set(records.map((r) => r?.kubernetesVersion.replace(/^v(\d+\.\d+).*$/, '$1')));
    const declared = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
      .immutableInfra.kubernetesVersions as string[];
    expect([...minors].sort()).toEqual([...declared].sort());
  });

  it('has the files Secret every shipped build references, with the four documented keys', () => {
    const names = new Set(configMaps.map((cm) => kubernetesFilesSecret(cm.data?.kubernetesVersion ?? '')));
    expect(secrets.map((s) => s.metadata.name).sort()).toEqual([...names].sort());
    for (const secret of secrets) {
      expect(Object.keys(secret.stringData ?? {}).sort()).toEqual([
        'audit-policy.yaml',
        'control-plane-kubelet-patch.json',
        'psa-config.yaml',
        'worker-kubelet-patch.json',
      ]);
      const data = secret.stringData as Record<string, string>;
      const worker = JSON.parse(data['worker-kubelet-patch.json'] as string);
      const controlPlane = JSON.parse(data['control-plane-kubelet-patch.json'] as string);
      // Workers run no static pods; imagePullCredentialsVerificationPolicy exists from 1.35 only.
      expect(worker.staticPodPath).toBeNull();
      expect('staticPodPath' in controlPlane).toBe(false);
      const from135 = secret.metadata.name === 'dcs-kubernetes-1.35-files';
      expect(controlPlane.imagePullCredentialsVerificationPolicy).toBe(from135 ? 'NeverVerify' : undefined);
      const psa = JSON.parse(data['psa-config.yaml'] as string);
      expect(psa.plugins[0].configuration.exemptions.namespaces).toEqual(['kube-system', 'cpaas-system']);
      expect(JSON.parse(data['audit-policy.yaml'] as string).kind).toBe('Policy');
    }
  });
});
