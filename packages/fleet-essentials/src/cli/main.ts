import { Command, Option } from '@commander-js/extra-typings';
import { KubeConfig } from '@kubernetes/client-node';
import packageJson from '../../package.json' with { type: 'json' };
import { createFleetServer } from '../server/app.js';

const program = new Command('fleet-essentials')
  .description(
    'Fleet Essentials: the web UI and API for every cluster on every platform. Users sign in with their own ' +
      'Kubernetes identity (a bearer token), so Kubernetes RBAC decides what each may see and do.',
  )
  .version(packageJson.version, '-v, --version')
  .option(
    '--kubeconfig <path>',
    'management cluster kubeconfig (default: the usual kubeconfig); its user feeds the caches',
  )
  .addOption(
    new Option('--port <port>', 'port to listen on').default('8080').argParser((v) => {
      const port = Number(v);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`--port "${v}" is not a TCP port`);
      return String(port);
    }),
  )
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .option('--allow-kubeconfig-user', 'let users sign in as the kubeconfig user (single-user local use)')
  .option(
    '--extension <package-dir>',
    'directory of an installed provider package whose UI extension to offer; repeatable',
    (value: string, previous: string[] = []) => [...previous, value],
  )
  .addOption(
    new Option('--platform-time-limit <seconds>', "how long an extension's platform operation may run")
      .default('30')
      .argParser((v) => {
        const seconds = Number(v);
        if (!Number.isFinite(seconds) || seconds < 1 || seconds > 600)
          throw new Error(`--platform-time-limit "${v}" must be a number of seconds from 1 to 600`);
        return String(seconds);
      }),
  )
  .addHelpText('after', '\nExample:\n  $ fleet-essentials --kubeconfig ~/.kube/management.yaml --port 8080')
  .action(async (options) => {
    const kubeConfig = new KubeConfig();
    if (options.kubeconfig) kubeConfig.loadFromFile(options.kubeconfig);
    else kubeConfig.loadFromDefault();
    process.stderr.write('fleet-essentials: filling the caches from the API server\n');
    const server = await createFleetServer({
      kubeConfig,
      allowKubeconfigUser: options.allowKubeconfigUser === true,
      extensionPackages: options.extension ?? [],
      platformTimeLimitMs: Number(options.platformTimeLimit) * 1000,
    });
    const address = await server.app.listen({ port: Number(options.port), host: options.host });
    process.stdout.write(`${address}\n`);
    const stop = async () => {
      await server.close();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`fleet-essentials: error: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
