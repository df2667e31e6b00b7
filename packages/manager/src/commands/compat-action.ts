import { checkPlatformUpgrade, compatReportLines, type InstalledProvider } from '@immutable-infra/core';
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
    const { client, close } = await connectToCluster(options.kubeconfig);
    try {
      installed.push(...(await readInstalledProviders(client)));
    } finally {
      close();
    }
    if (installed.length === 0) output.progress('no infrastructure providers are installed in that cluster');
  }
  const report = checkPlatformUpgrade(matrix, options.platform, installed);
  if (options.json) output.json(report);
  else output.line(compatReportLines(report).join('\n'));
  process.exitCode = report.ok ? 0 : 1;
}
