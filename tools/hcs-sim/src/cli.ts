import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { startHcsSimulator } from './simulator.js';

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

const program = new Command('hcs-sim')
  .description(
    'A Huawei Cloud Stack (IAM, ECS, EVS, VPC, IMS, ELB v3) simulator that speaks the wire API of\n' +
      'tools/hcs-sim/notes/wire-contract.md. Every service is served at the one printed URL; sign requests with the default\n' +
      'access key HCSSIMACCESSKEY00001 / hcs-sim-secret-key-00001, or get a token as cluster-api / Huawei@123.',
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
    'JSON file with the site inventory (default: one project, one AZ with 3 hosts, one VPC with 2 subnets, ...)',
  )
  .option('--job-seconds <seconds>', 'how long each asynchronous job runs (default 0.2)', nonNegativeNumber)
  .option('--latency-ms <ms>', 'delay before every API response (default 0)', nonNegativeNumber)
  .addHelpText(
    'after',
    '\nExamples:\n' +
      '  hcs-sim --port 7443\n' +
      '  hcs-sim --port 7443 --tls --ca-out /tmp/hcs-ca.pem --job-seconds 2\n' +
      '\nInspect the platform side with GET /_sim/state; change faults with POST /_sim/faults\n' +
      'and quotas with POST /_sim/quotas.',
  )
  .action(async (options) => {
    const inventory = options.inventory ? JSON.parse(await readFile(options.inventory, 'utf8')) : undefined;
    const simulator = await startHcsSimulator({
      port: options.port,
      host: options.host,
      tls: options.tls ?? false,
      ...(inventory === undefined ? {} : { inventory }),
      faults: {
        ...(options.jobSeconds === undefined ? {} : { jobSeconds: options.jobSeconds }),
        ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
      },
    });
    // Handlers first: whoever reads the announcement below may signal us at once.
    const stop = (signal: string) => {
      process.stdout.write(`hcs-sim stopping (${signal})\n`);
      simulator.close().then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`hcs-sim: ${error instanceof Error ? error.message : String(error)}\n`);
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.stdout.write(`hcs-sim listening on ${simulator.url}\n`);
    if (simulator.caCertificate) {
      const caPath = options.caOut ?? join(tmpdir(), `hcs-sim-ca-${process.pid}.pem`);
      await writeFile(caPath, simulator.caCertificate);
      process.stdout.write(`hcs-sim CA certificate written to ${caPath}\n`);
    }
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`hcs-sim: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
