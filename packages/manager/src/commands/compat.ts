import { Command } from '@commander-js/extra-typings';
import { type CompatCheckReport, checkPlatformUpgrade, type InstalledProvider } from '@immutable-infra/core';
import { readInstalledProviders } from '../compat/cluster-inventory.js';
import { loadCompatMatrix } from '../compat/matrix-source.js';
import { parseProviderSpec } from '../compat/provider-spec.js';
import { connectToCluster } from '../kube/connect.js';
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
    .requiredOption('--platform <version>', 'target platform release, for example 4.4.0')
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
        '  $ iinfra compat check --platform 4.4.0 --provider dcs@0.1.0\n' +
        '  $ iinfra compat check --platform 4.4.0 --kubeconfig ~/.kube/management.yaml --json',
    )
    .action(async (options) => {
      if (!options.provider && !options.kubeconfig) {
        output.error('compat check: give --provider <name@version> (repeatable) or --kubeconfig <path>');
        process.exitCode = 2;
        return;
      }
      let installed: InstalledProvider[];
      try {
        installed = (options.provider ?? []).map((spec) => parseProviderSpec(spec));
      } catch (error) {
        output.error((error as Error).message);
        process.exitCode = 2;
        return;
      }
      const { matrix } = loadCompatMatrix(options.matrix);
      if (options.kubeconfig) {
        const { client, close } = connectToCluster(options.kubeconfig);
        try {
          installed.push(...(await readInstalledProviders(client)));
        } finally {
          close();
        }
        if (installed.length === 0)
          output.progress('no infrastructure providers are installed in that cluster');
      }
      const report = checkPlatformUpgrade(matrix, options.platform, installed);
      if (options.json) output.json(report);
      else output.line(formatReport(report));
      process.exitCode = report.ok ? 0 : 1;
    });
  return compat;
}

function formatReport(report: CompatCheckReport): string {
  const release = report.platformRelease;
  const lines = [
    release
      ? `platform ${report.platform}: core ${release.coreVersion}, Kubernetes ${release.kubernetesVersions.join(', ')}, Cluster API ${release.capiContract}`
      : `platform ${report.platform}`,
    ...report.notes.map((note) => `  note: ${note}`),
  ];
  for (const provider of report.providers) {
    lines.push(`${provider.provider}@${provider.version}: ${provider.status.toUpperCase()}`);
    for (const reason of provider.reasons) lines.push(`  - ${reason}`);
  }
  lines.push(
    report.ok
      ? 'result: every provider is verified compatible'
      : `result: NOT ready for platform ${report.platform}${upgrades(report)}`,
  );
  return lines.join('\n');
}

function upgrades(report: CompatCheckReport): string {
  const steps = report.providers.filter((p) => p.upgradeTo).map((p) => `${p.provider}@${p.upgradeTo}`);
  return steps.length > 0 ? `; upgrade ${steps.join(', ')} first` : '';
}
