import { readPlatformVersion } from '../compat/cluster-inventory.js';
import { loadCompatMatrix } from '../compat/matrix-source.js';
import { parseProviderSpec } from '../compat/provider-spec.js';
import { connectToCluster } from '../kube/connect.js';
import type { Output } from '../output.js';
import { installProvider, planProviderInstall } from '../registry/provider-install.js';

/** `iinfra provider install`: refuses an incompatible version before any write, else installs and records it. */
export async function runProviderInstall(
  specText: string,
  options: {
    registry: string;
    token?: string | undefined;
    kubeconfig?: string | undefined;
    platform?: string | undefined;
    matrix?: string | undefined;
    dir: string;
    namespace: string;
    allowUnverified?: true | undefined;
    json?: true | undefined;
  },
  output: Output,
): Promise<void> {
  let spec: ReturnType<typeof parseProviderSpec>;
  try {
    spec = parseProviderSpec(specText, 'provider');
  } catch (error) {
    output.error((error as Error).message);
    process.exitCode = 2;
    return;
  }
  const { matrix } = loadCompatMatrix(options.matrix);
  const { client, credentials, close } = await connectToCluster(options.kubeconfig);
  try {
    const platform = options.platform ?? (await readPlatformVersion(client));
    if (!platform) {
      output.error(
        'cannot tell which platform release runs in this cluster (no ConfigMap immutable-infra-system/platform-release); pass --platform',
      );
      process.exitCode = 2;
      return;
    }
    const plan = await planProviderInstall({
      spec,
      registry: options.registry,
      ...(options.token ? { token: options.token } : {}),
      platform,
      matrix,
      allowUnverified: options.allowUnverified === true,
    });
    if (!plan.allowed) {
      if (options.json) output.json({ installed: false, ...plan.verdict, platform });
      output.error(
        `refusing to install ${spec.name}@${spec.version} on platform ${platform} (${plan.verdict.status}):\n  - ${plan.verdict.reasons.join('\n  - ')}`,
      );
      process.exitCode = 1;
      return;
    }
    const result = await installProvider({
      plan,
      registry: options.registry,
      dir: options.dir,
      // The CRDs go through client-node's API client: a short-lived command can afford it.
      kubeConfig: await credentials.toKubeConfig(),
      client,
      releaseDataNamespace: options.namespace,
      onProgress: (message) => output.progress(message),
    });
    if (options.json) {
      output.json({
        installed: true,
        ...plan.verdict,
        platform,
        packageDir: result.packageDir,
        crds: result.crds,
        releaseData: result.releaseData,
        clusterObjects: result.clusterObjects,
      });
    } else {
      output.line(
        `installed ${spec.name}@${spec.version} (${plan.verdict.status} with platform ${platform})`,
      );
      output.line(`run it with: iinfra manager --provider ${spec.packageName}`);
    }
  } finally {
    close();
  }
}
