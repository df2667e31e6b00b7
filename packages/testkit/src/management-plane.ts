import { KubeConfig } from '@kubernetes/client-node';
import { type EnsureAssetsOptions, type EnvtestAssets, ensureEnvtestAssets } from './assets.js';
import { type ControlPlane, type StartControlPlaneOptions, startControlPlane } from './control-plane.js';
import { installCrds, readCrdFiles, yamlFilesIn } from './crds.js';

export interface ManagementPlaneOptions extends Omit<StartControlPlaneOptions, 'assets'> {
  /** Prebuilt assets; built or located through tools/envtest when omitted. */
  assets?: EnvtestAssets;
  ensure?: EnsureAssetsOptions;
  /** Install Cluster API's CRDs (default true). */
  clusterApiCrds?: boolean;
  /** More CRD files to install, for example a provider's generated CRDs. */
  crdFiles?: readonly string[];
}

export interface ManagementPlane {
  controlPlane: ControlPlane;
  assets: EnvtestAssets;
  kubeConfig: KubeConfig;
  crdCount: number;
}

/**
 * A Cluster API management plane without the controllers: a real kube-apiserver
 * and etcd with Cluster API's CRDs (and any others) installed and established.
 */
export async function createManagementPlane(options: ManagementPlaneOptions = {}): Promise<ManagementPlane> {
  const progress = options.onProgress ?? (() => {});
  const assets = options.assets ?? (await ensureEnvtestAssets(options.ensure));
  const controlPlane = await startControlPlane({ ...options, assets });
  try {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(controlPlane.kubeconfigPath);
    const files = [...(options.crdFiles ?? [])];
    if (options.clusterApiCrds ?? true) {
      if (assets.crdDir === undefined) {
        throw new Error('the envtest assets name no Cluster API CRD directory (crdDir)');
      }
      files.unshift(...(await yamlFilesIn(assets.crdDir)));
    }
    const crds = await readCrdFiles(files);
    progress(`installing ${crds.length} CRDs`);
    await installCrds(kubeConfig, crds);
    return { controlPlane, assets, kubeConfig, crdCount: crds.length };
  } catch (error) {
    await controlPlane.stop();
    throw error;
  }
}
