import { Command } from '@commander-js/extra-typings';
import type { Output } from '../output.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function compatCommand(output: Output): Command {
  const compat = new Command('compat').description(
    'Compatibility of provider versions with platform releases, from the compatibility matrix (works offline).',
  );
  compat
    .command('check')
    .description(
      'Can the platform be upgraded to --platform with these providers? Prints, per provider, compatible ' +
        '(declared compatible and contract tests passed with the platform core), incompatible or unverified, ' +
        'the reasons, and the smallest provider upgrade that makes the target work. Exit code 0 only when every ' +
        'provider is verified compatible, 1 otherwise, 2 for bad input.',
    )
    .requiredOption('--platform <version>', 'target platform release at patch level, for example 4.3.2')
    .option(
      '--provider <name@version>',
      'a provider version to check, for example dcs@0.1.0; repeatable',
      collect,
    )
    .option(
      '--kubeconfig <path>',
      'read the installed providers from this management cluster (clusterctl inventory)',
    )
    .option('--matrix <path>', 'use this compat-matrix.json instead of the one shipped with iinfra')
    .option(
      '--json',
      'print the report as JSON (schema: @immutable-infra/core/schemas/compat-check-report.schema.json)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ iinfra compat check --platform 4.3.2 --provider dcs@0.5.0\n' +
        '  $ iinfra compat check --platform 4.4.0 --kubeconfig ~/.kube/management.yaml --json',
    )
    .action(async (options) => {
      // Loaded only when the command runs, so `--help` and the other commands never load it.
      const { runCompatCheck } = await import('./compat-action.js');
      await runCompatCheck(options, output);
    });
  return compat;
}
