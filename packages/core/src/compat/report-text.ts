import type { CompatCheckReport, ProviderVerdict } from './upgrade-check.js';

/**
 * The sentences that answer a compatibility question, one per line. `iinfra compat check`, the
 * manager and the UI show these same lines, so the three never word a refusal differently.
 */
export function compatReportLines(report: CompatCheckReport): string[] {
  const release = report.platformRelease;
  const lines = [platformLine(report.platform, release), ...report.notes.map((note) => `  note: ${note}`)];
  for (const provider of report.providers) lines.push(...providerVerdictLines(provider));
  lines.push(
    report.ok
      ? 'result: every provider is verified compatible'
      : `result: NOT ready for platform ${report.platform}${upgradeSteps(report)}`,
  );
  return lines;
}

/** One provider's verdict: a status line, then its reasons and the OS image its machines boot. */
export function providerVerdictLines(verdict: ProviderVerdict): string[] {
  const lines = [`${verdict.provider}@${verdict.version}: ${verdict.status.toUpperCase()}`];
  for (const reason of verdict.reasons) lines.push(`  - ${reason}`);
  if (verdict.osImage && verdict.status === 'compatible')
    lines.push(
      `  - OS image: the Alauda OS image published for platform ${verdict.osImage.platformRelease}, ${verdict.osImage.format} format`,
    );
  return lines;
}

function platformLine(platform: string, release: CompatCheckReport['platformRelease']): string {
  if (!release) return `platform ${platform}`;
  const head = `platform ${platform}: core ${release.coreVersion}, Kubernetes ${release.kubernetesVersions.join(', ')}, Cluster API ${release.capiContract}`;
  const c = release.components;
  return c
    ? `${head}\n  components: Kubernetes ${c.kubernetes}, containerd ${c.containerd}, CoreDNS ${c.coredns}, etcd ${c.etcd}, pause ${c.pause}, Kube-OVN chart ${c.kubeOvnChart}`
    : head;
}

function upgradeSteps(report: CompatCheckReport): string {
  const steps = report.providers.filter((p) => p.upgradeTo).map((p) => `${p.provider}@${p.upgradeTo}`);
  return steps.length > 0 ? `; upgrade ${steps.join(', ')} first` : '';
}
