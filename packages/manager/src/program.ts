import { Command } from '@commander-js/extra-typings';
import packageJson from '../package.json' with { type: 'json' };
import { compatCommand } from './commands/compat.js';
import { envCommand } from './commands/env.js';
import { managerCommand } from './commands/manager.js';
import { providerCommand } from './commands/provider.js';
import type { Output } from './output.js';

/** The iinfra command tree; built per call so tests can run it with their own output. */
export function createProgram(output: Output): Command {
  const program = new Command('iinfra')
    .description('Immutable Infrastructure: run Kubernetes clusters on private clouds through Cluster API.')
    .version(packageJson.version, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
    });
  program.addCommand(compatCommand(output));
  program.addCommand(envCommand(output));
  program.addCommand(managerCommand(output));
  program.addCommand(providerCommand(output));
  return program;
}
