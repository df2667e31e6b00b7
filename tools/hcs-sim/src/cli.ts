import { readFile } from 'node:fs/promises';
import { Command } from '@commander-js/extra-typings';
import {
  nonNegativeNumberArgument,
  portArgument,
  runCommandLine,
  serveUntilSignalled,
} from '@immutable-infra/simulator-kit';
import { startHcsSimulator } from './simulator.js';

const program = new Command('hcs-sim')
  .description(
    'A Huawei Cloud Stack (IAM, ECS, EVS, VPC, IMS, ELB v3) simulator that speaks the wire API of\n' +
      'tools/hcs-sim/notes/wire-contract.md. Every service is served at the one printed URL; sign requests with the default\n' +
      'access key HCSSIMACCESSKEY00001 / hcs-sim-secret-key-00001, or get a token as cluster-api / Huawei@123.',
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
    'JSON file with the site inventory (default: one project, one AZ with 3 hosts, one VPC with 2 subnets, ...)',
  )
  .option(
    '--job-seconds <seconds>',
    'how long each asynchronous job runs (default 0.2)',
    nonNegativeNumberArgument,
  )
  .option('--latency-ms <ms>', 'delay before every API response (default 0)', nonNegativeNumberArgument)
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
    await serveUntilSignalled('hcs-sim', simulator, options.caOut);
  });

await runCommandLine('hcs-sim', program);
