#!/usr/bin/env node
// The `iinfra-conformance` command; everything it does is runConformanceCommand's.
import { runConformanceCommand } from './command.js';

process.exitCode = await runConformanceCommand(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
});
