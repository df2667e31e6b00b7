import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  KUBERNETES_RELEASE_LABEL,
  kubernetesReleaseConfigMap,
  kubernetesReleasesFor,
  parseCompatMatrix,
  releaseTagsOf,
} from '../src/index.js';

const matrix = parseCompatMatrix(
  JSON.parse(readFileSync(new URL('../../../compat-matrix.json', import.meta.url), 'utf8')),
);
if (!matrix.ok) throw new Error(matrix.problems.map((p) => p.message).join('; '));

describe('the Kubernetes releases a provider ships', () => {
  const image = ({
    platformRelease,
    kubernetesVersion,
  }: {
    platformRelease: string;
    kubernetesVersion: string;
  }) => ({
    name: `alaudaos-${platformRelease}-k8s-${kubernetesVersion}`,
    version: `alaudaos-${platformRelease}`,
  });

  it('are the platform releases whose OS image carries a supported minor, with their component tags', () => {
    const releases = kubernetesReleasesFor(matrix.matrix, ['1.34', '1.35'], image);
    expect(releases.map((r) => r.platformRelease)).toEqual(['4.3.0', '4.3.1', '4.3.2', '4.4.0']);
    expect(releases.find((r) => r.platformRelease === '4.3.2')).toEqual({
      platformRelease: '4.3.2',
      kubernetesVersion: 'v1.34.5-3',
      machineImage: { name: 'alaudaos-4.3.2-k8s-v1.34.5-3', version: 'alaudaos-4.3.2' },
      corednsTag: '1.14.2-v4.3.11',
      etcdTag: 'v3.5.28-260625',
    });
  });

  it('refuses a machine image without a name, naming the field', () => {
    expect(() => kubernetesReleasesFor(matrix.matrix, ['1.35'], () => ({ name: '', version: 'x' }))).toThrow(
      /machineImage\.name|machineImage/,
    );
  });

  it('become ConfigMaps with the documented labels and keys, and read back to the same tags', () => {
    const [release] = kubernetesReleasesFor(matrix.matrix, ['1.33'], image);
    if (!release) throw new Error('no 1.33 release in the matrix');
    const generic = kubernetesReleaseConfigMap('hcs', release);
    expect(generic.metadata).toEqual({
      name: 'hcs-kubernetes-release-4.2.0',
      labels: {
        [KUBERNETES_RELEASE_LABEL]: 'hcs',
        'cpaas.io/distribution-version': 'v4.2.0',
        'cpaas.io/kubernetes-version': 'v1.33',
      },
    });
    expect(generic.data).toMatchObject({
      kubernetesVersion: 'v1.33.6',
      machineImage: release.machineImage.name,
    });
    expect(releaseTagsOf(generic)).toEqual({
      provider: 'hcs',
      kubernetesVersion: 'v1.33.6',
      corednsTag: '1.12.4-v4.2.3',
      etcdTag: 'v3.5.21-251117',
    });
    const documented = kubernetesReleaseConfigMap('dcs', release, {
      name: '420-dcs-vm-template',
      labels: { 'cpaas.io/dcs-vm-template': release.machineImage.name },
      data: { vmImageVersion: release.machineImage.version },
    });
    expect(documented.metadata.name).toBe('420-dcs-vm-template');
    expect(documented.metadata.labels).toMatchObject({
      [KUBERNETES_RELEASE_LABEL]: 'dcs',
      'cpaas.io/dcs-vm-template': release.machineImage.name,
    });
    expect(documented.data.vmImageVersion).toBe('alaudaos-4.2.0');
  });

  it('a ConfigMap that is not a release has no tags', () => {
    expect(
      releaseTagsOf({ metadata: { labels: {} }, data: { kubernetesVersion: 'v1.35.6' } }),
    ).toBeUndefined();
    expect(
      releaseTagsOf({
        metadata: { labels: { [KUBERNETES_RELEASE_LABEL]: 'dcs' } },
        data: { kubernetesVersion: 'v1' },
      }),
    ).toBeUndefined();
  });
});
