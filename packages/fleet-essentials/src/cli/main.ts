import { readFileSync } from 'node:fs';
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
  .option(
    '--allowed-host <name>',
    "a host name users reach the server by (checked against each request's Host header, against DNS " +
      "rebinding); repeatable; '*' turns the check off. Default: the --host address and loopback names",
    (value: string, previous: string[] = []) => [...previous, value],
  )
  .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM); needs --tls-key')
  .option('--tls-key <file>', 'the private key (PEM) of --tls-cert')
  .option(
    '--secure-cookies',
    'mark the session cookie Secure behind a proxy that ends TLS (it is Secure anyway with --tls-cert)',
  )
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
    const allowedHosts = allowedHostsFor(options.host, options.allowedHost);
    if (Boolean(options.tlsCert) !== Boolean(options.tlsKey))
      throw new Error('--tls-cert and --tls-key go together');
    const tls =
      options.tlsCert && options.tlsKey
        ? { cert: readFileSync(options.tlsCert), key: readFileSync(options.tlsKey) }
        : undefined;
    const kubeConfig = new KubeConfig();
    if (options.kubeconfig) kubeConfig.loadFromFile(options.kubeconfig);
    else kubeConfig.loadFromDefault();
    process.stderr.write('fleet-essentials: filling the caches from the API server\n');
    const server = await createFleetServer({
      kubeConfig,
      allowKubeconfigUser: options.allowKubeconfigUser === true,
      allowedHosts,
      secureCookies: options.secureCookies === true,
      ...(tls ? { tls } : {}),
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

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The Host names the server answers to. Listening on every address (0.0.0.0, ::) without naming
 * them would either refuse every real user or check nothing, so it is an error instead.
 */
function allowedHostsFor(listen: string, given: readonly string[] | undefined): readonly string[] | 'any' {
  if (given?.includes('*')) return 'any';
  if (given && given.length > 0) return [...new Set([...given.map((h) => h.toLowerCase()), ...LOOPBACK])];
  if (listen === '0.0.0.0' || listen === '::')
    throw new Error(
      `--host ${listen} listens on every address: give --allowed-host <name> for each name users type ` +
        "in the browser (or --allowed-host '*' to skip the Host check)",
    );
  const host = listen.includes(':') && !listen.startsWith('[') ? `[${listen}]` : listen;
  return [...new Set([host.toLowerCase(), ...LOOPBACK])];
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`fleet-essentials: error: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
