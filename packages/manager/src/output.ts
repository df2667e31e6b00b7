/** Where a command writes: results to stdout, progress and diagnostics to stderr. */
export interface Output {
  line(text: string): void;
  json(value: unknown): void;
  progress(message: string): void;
  error(message: string): void;
}

export function processOutput(): Output {
  return {
    line: (text) => process.stdout.write(`${text}\n`),
    json: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    progress: (message) => process.stderr.write(`iinfra: ${message}\n`),
    error: (message) => process.stderr.write(`iinfra: error: ${message}\n`),
  };
}
