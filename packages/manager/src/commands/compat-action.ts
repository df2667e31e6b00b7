import { type CompatCheckReport, checkPlatformUpgrade, type InstalledProvider } from '@immutable-infra/core';
import { readInstalledProviders } from '../compat/cluster-inventory.js';
import { loadCompatMatrix } from '../compat/matrix-source.js';
import { parseProviderSpec } from '../compat/provider-spec.js';
import { connectToCluster } from '../kube/connect.js';
import type { Output } from '../output.js';

/** `iinfra compat check`: the verdict per provider; exit code 0 only when every one is verified compatible. */
export async function runCompatCheck(
  options: {
    platform: string;
    provider?: string[] | undefined;
    kubeconfig?: string | undefined;
    matrix?: string | undefined;
    json?: true | undefined;
  },
  output: Output,
): Promise<void> {
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
    if (installed.length === 0) output.progress('no infrastructure providers are installed in that cluster');
  }
  const report = checkPlatformUpgrade(matrix, options.platform, installed);
  if (options.json) output.json(report);
  else output.line(formatReport(report));
  process.exitCode = report.ok ? 0 : 1;
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
