import { Command } from '@commander-js/extra-typings';
import { readPlatformVersion } from '../compat/cluster-inventory.js';
import { loadCompatMatrix } from '../compat/matrix-source.js';
import { parseProviderSpec } from '../compat/provider-spec.js';
import { connectToCluster } from '../kube/connect.js';
import type { Output } from '../output.js';
import { installProvider, planProviderInstall } from '../registry/provider-install.js';
import { defaultProvidersDir } from '../registry/providers-dir.js';

export function providerCommand(output: Output): Command {
  const provider = new Command('provider').description(
    'Provider packages installed in a management cluster.',
  );
  provider
    .command('install')
    .description(
      'Install a chosen provider version from an npm registry (an on-prem verdaccio, say): check it against the ' +
        'running platform with the compatibility matrix and refuse, with the reason, before anything is written ' +
        'when it is incompatible (or unverified, unless --allow-unverified); then install the package next to the ' +
        "platform's core version, apply its CRDs and record it in clusterctl's inventory (Provider objects), " +
        'which `iinfra compat check --kubeconfig` reads back.',
    )
    .argument('<name@version>', 'for example dcs@0.2.0 or @immutable-infra/provider-dcs@0.2.0')
    .requiredOption('--registry <url>', 'npm registry to install from')
    .option('--token <token>', 'bearer token for a registry that needs one')
    .option('--kubeconfig <path>', 'management cluster (default: the usual kubeconfig)')
    .option(
      '--platform <version>',
      'platform release running there (default: the platform-release ConfigMap)',
    )
    .option('--matrix <path>', 'use this compat-matrix.json instead of the one shipped with iinfra')
    .option('--dir <path>', 'where provider packages are installed', defaultProvidersDir())
    .option('--allow-unverified', 'install a version the matrix has no passing contract-test run for')
    .option('--json', 'print one JSON object')
    .addHelpText(
      'after',
      '\nExample:\n  $ iinfra provider install dcs@0.2.0 --registry http://verdaccio.example:4873/',
    )
    .action(async (specText, options) => {
      let spec: ReturnType<typeof parseProviderSpec>;
      try {
        spec = parseProviderSpec(specText, 'provider');
      } catch (error) {
        output.error((error as Error).message);
        process.exitCode = 2;
        return;
      }
      const { matrix } = loadCompatMatrix(options.matrix);
      const { client, kubeConfig, close } = connectToCluster(options.kubeconfig);
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
          kubeConfig,
          client,
          onProgress: (message) => output.progress(message),
        });
        if (options.json) {
          output.json({
            installed: true,
            ...plan.verdict,
            platform,
            packageDir: result.packageDir,
            crds: result.crds,
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
    });
  return provider;
}
