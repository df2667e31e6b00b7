import { Command } from '@commander-js/extra-typings';
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
      // Each action loads its implementation (and the management plane) only when it runs.
      const { runEnvUp } = await import('./env-action.js');
      await runEnvUp(options, output);
    });

  env
    .command('down')
    .description('Stop the embedded management plane and remove its state (etcd data, certificates, logs).')
    .option('--name <name>', 'environment name', 'default')
    .option('--json', 'print one JSON object instead of text')
    .action(async (options) => {
      const { runEnvDown } = await import('./env-action.js');
      await runEnvDown(options, output);
    });

  env
    .command('status')
    .description('Say whether the embedded management plane is running and where.')
    .option('--name <name>', 'environment name', 'default')
    .option('--json', 'print one JSON object instead of text')
    .action(async (options) => {
      const { runEnvStatus } = await import('./env-action.js');
      await runEnvStatus(options, output);
    });

  return env;
}
