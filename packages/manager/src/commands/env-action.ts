import { environmentDown, environmentStatus, environmentUp } from '../env/embedded-environment.js';
import type { Output } from '../output.js';

/** `iinfra env up`: starts (or reuses) the environment and prints its kubeconfig path last. */
export async function runEnvUp(
  options: { name: string; provider?: string[] | undefined; json?: true | undefined },
  output: Output,
): Promise<void> {
  const started = Date.now();
  const { environment, reused } = await environmentUp({
    name: options.name,
    ...(options.provider ? { providers: options.provider } : {}),
    onProgress: (message) => output.progress(message),
  });
  if (options.json) return output.json({ ...environment, reused });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  output.progress(
    reused
      ? `environment "${environment.name}" is already running (${environment.server})`
      : `environment "${environment.name}" is up in ${seconds}s: Kubernetes ${environment.kubernetesVersion} at ${environment.server}`,
  );
  if (environment.kubectl)
    output.progress(`try: ${environment.kubectl} --kubeconfig ${environment.kubeconfigPath} get crds`);
  output.progress('stop it with: iinfra env down');
  output.line(environment.kubeconfigPath);
}

/** `iinfra env down`. */
export async function runEnvDown(
  options: { name: string; json?: true | undefined },
  output: Output,
): Promise<void> {
  const stopped = await environmentDown({ name: options.name });
  if (options.json) return output.json({ name: options.name, stopped: stopped !== undefined });
  output.line(
    stopped ? `stopped environment "${options.name}"` : `no environment "${options.name}" was running`,
  );
}

/** `iinfra env status`. */
export async function runEnvStatus(
  options: { name: string; json?: true | undefined },
  output: Output,
): Promise<void> {
  const status = await environmentStatus({ name: options.name });
  if (options.json) return output.json(status ?? { name: options.name, running: false });
  if (!status) return output.line(`no environment "${options.name}"`);
  const { environment, healthy } = status;
  output.line(
    `${environment.name}: ${healthy ? 'running' : 'NOT HEALTHY (run iinfra env up to restart it)'}\n` +
      `  server:     ${environment.server}\n` +
      `  kubernetes: ${environment.kubernetesVersion}\n` +
      `  kubeconfig: ${environment.kubeconfigPath}\n` +
      `  since:      ${environment.startedAt}`,
  );
}
