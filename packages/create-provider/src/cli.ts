#!/usr/bin/env node
// The `create-provider` command (`npm create @immutable-infra/provider`); everything it does is runCreateProvider's.
import { runCreateProvider } from './command.js';

process.exitCode = runCreateProvider(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
});
