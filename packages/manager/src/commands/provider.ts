import { Command } from '@commander-js/extra-typings';
import type { Output } from '../output.js';
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
        "platform's core version, apply its CRDs and its release data (a ConfigMap per Kubernetes build with " +
        'its machine image and CoreDNS and etcd tags; DCS adds its files Secrets) into --namespace, and record it ' +
        "in clusterctl's inventory (Provider objects), " +
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
    .option(
      '--namespace <name>',
      "where the release data goes: the namespace clusters are created in (the Helm chart's release namespace)",
      'cpaas-system',
    )
    .option('--allow-unverified', 'install a version the matrix has no passing contract-test run for')
    .option('--json', 'print one JSON object')
    .addHelpText(
      'after',
      '\nExample:\n  $ iinfra provider install dcs@0.2.0 --registry http://verdaccio.example:4873/',
    )
    .action(async (specText, options) => {
      // Loaded only when the command runs: the registry client, the installer and the management
      // plane's CRD install stay out of every other command and of `--help`.
      const { runProviderInstall } = await import('./provider-action.js');
      await runProviderInstall(specText, options, output);
    });
  return provider;
}
