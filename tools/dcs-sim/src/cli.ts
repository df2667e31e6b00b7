import { readFile } from 'node:fs/promises';
import { Command } from '@commander-js/extra-typings';
import {
  nonNegativeNumberArgument,
  portArgument,
  runCommandLine,
  serveUntilSignalled,
} from '@immutable-infra/simulator-kit';
import { startDcsSimulator } from './simulator.js';

const program = new Command('dcs-sim')
  .description(
    'A Huawei DCS (FusionCompute) VRM simulator that speaks the wire API of\n' +
      'tools/dcs-sim/notes/wire-contract.md. Log in as cluster-api / Huawei@123 with the default inventory.',
  )
  .option('-p, --port <port>', 'port to listen on; 0 picks a free one', portArgument, 7443)
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .option('--tls', 'serve HTTPS with a certificate from a freshly generated CA')
  .option(
    '--ca-out <file>',
    'with --tls: where to write the CA certificate (PEM); a temporary file otherwise',
  )
  .option(
    '--inventory <file>',
    'JSON file with the site inventory (default: one site, 2 clusters, 3 hosts, ...)',
  )
  .option(
    '--task-seconds <seconds>',
    'how long each asynchronous task runs (default 0.2)',
    nonNegativeNumberArgument,
  )
  .option('--latency-ms <ms>', 'delay before every API response (default 0)', nonNegativeNumberArgument)
  .addHelpText(
    'after',
    '\nExamples:\n' +
      '  dcs-sim --port 7443\n' +
      '  dcs-sim --port 7443 --tls --ca-out /tmp/dcs-ca.pem --task-seconds 2\n' +
      '\nInspect the platform side with GET /_sim/state; change faults with POST /_sim/faults.',
  )
  .action(async (options) => {
    const inventory = options.inventory ? JSON.parse(await readFile(options.inventory, 'utf8')) : undefined;
    const simulator = await startDcsSimulator({
      port: options.port,
      host: options.host,
      tls: options.tls ?? false,
      ...(inventory === undefined ? {} : { inventory }),
      faults: {
        ...(options.taskSeconds === undefined ? {} : { taskSeconds: options.taskSeconds }),
        ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
      },
    });
    await serveUntilSignalled('dcs-sim', simulator, options.caOut);
  });

await runCommandLine('dcs-sim', program);
