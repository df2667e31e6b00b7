import { processOutput } from './output.js';
import { createProgram } from './program.js';

const output = processOutput();
try {
  await createProgram(output).parseAsync(process.argv);
} catch (error) {
  output.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
