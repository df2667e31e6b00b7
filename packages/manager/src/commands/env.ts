import { Command } from '@commander-js/extra-typings';
import { environmentDown, environmentStatus, environmentUp } from '../env/embedded-environment.js';
import type { Output } from '../output.js';

export function envCommand(output: Output): Command {
  const env = new Command('env').description(
    'The embedded management plane: a real kube-apiserver, etcd and kube-controller-manager (garbage collector and\n' +
      'namespace controller) on this machine with the Cluster API CRDs installed.',
  );

  env
    .command('up')
    .description(
      'Start the embedded management plane in the background (building it on first use) and print the path of its\n' +
        'admin kubeconfig as the last line. If it is already running, reuse it.',
    )
    .option('--name <name>', 'environment name, to run several side by side', 'default')
    .option(
      '--provider <package>',
      'also install the CRDs of this provider package (name or path); repeat for several',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--json', 'print one JSON object instead of text')
    .addHelpText(
      'after',
      '\nExamples:\n  $ iinfra env up\n  $ kubectl --kubeconfig "$(iinfra env up | tail -n1)" get crd clusters.cluster.x-k8s.io',
    )
    .action(async (options) => {
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
    });

  env
    .command('down')
    .description('Stop the embedded management plane and remove its state (etcd data, certificates, logs).')
    .option('--name <name>', 'environment name', 'default')
    .option('--json', 'print one JSON object instead of text')
    .action(async (options) => {
      const stopped = await environmentDown({ name: options.name });
      if (options.json) return output.json({ name: options.name, stopped: stopped !== undefined });
      output.line(
        stopped ? `stopped environment "${options.name}"` : `no environment "${options.name}" was running`,
      );
    });

  env
    .command('status')
    .description('Say whether the embedded management plane is running and where.')
    .option('--name <name>', 'environment name', 'default')
    .option('--json', 'print one JSON object instead of text')
    .action(async (options) => {
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
    });

  return env;
}
