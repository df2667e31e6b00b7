import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { startDcsSimulator } from './simulator.js';

function nonNegativeNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0)
    throw new InvalidArgumentError('expected a number of at least 0');
  return number;
}

function port(value: string): number {
  const number = nonNegativeNumber(value);
  if (!Number.isInteger(number) || number > 65535)
    throw new InvalidArgumentError('expected a port from 0 to 65535');
  return number;
}

const program = new Command('dcs-sim')
  .description(
    'A Huawei DCS (FusionCompute) VRM simulator that speaks the wire API of\n' +
      'tools/dcs-sim/notes/wire-contract.md. Log in as cluster-api / Huawei@123 with the default inventory.',
  )
  .option('-p, --port <port>', 'port to listen on; 0 picks a free one', port, 7443)
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
  .option('--task-seconds <seconds>', 'how long each asynchronous task runs (default 0.2)', nonNegativeNumber)
  .option('--latency-ms <ms>', 'delay before every API response (default 0)', nonNegativeNumber)
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
    // Handlers first: whoever reads the announcement below may signal us at once.
    const stop = (signal: string) => {
      process.stdout.write(`dcs-sim stopping (${signal})\n`);
      simulator.close().then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`dcs-sim: ${error instanceof Error ? error.message : String(error)}\n`);
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.stdout.write(`dcs-sim listening on ${simulator.url}\n`);
    if (simulator.caCertificate) {
      const caPath = options.caOut ?? join(tmpdir(), `dcs-sim-ca-${process.pid}.pem`);
      await writeFile(caPath, simulator.caCertificate);
      process.stdout.write(`dcs-sim CA certificate written to ${caPath}\n`);
    }
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`dcs-sim: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
