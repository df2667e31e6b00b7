import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/**
 * The frame of a provider's offline command-line helper (one an operator runs before patching an
 * object, built from the provider's own revision so its checks are the controller's): exit codes,
 * `--json`, and every problem printed with its field. The tool itself only parses its arguments
 * and returns what to print, or throws one of the two errors below.
 */

/** One refused part of an input: the field (or option) and why. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** Wrong usage (exit 2): no or an unknown command, a missing or unexpected argument. */
export class UsageError extends Error {}

/** Input that was read and refused (exit 1), with every problem found in it. */
export class RefusedError extends Error {
  constructor(
    message: string,
    readonly problems: readonly FieldProblem[] = [],
  ) {
    super(message);
  }
}

/** The YAML (or JSON) file an option names; a missing option is wrong usage, an unreadable file refused input. */
export function readDocumentFile(option: string, file: string | undefined): unknown {
  if (!file) throw new UsageError(`${option} <file> is required`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RefusedError(
      `${option} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  try {
    return parseYaml(text);
  } catch (error) {
    throw new RefusedError(
      `${option} ${file}: not YAML or JSON (${(error as Error).message.split('\n')[0]})`,
    );
  }
}

/**
 * Runs a command-line tool on `argv` (without node and the script) and returns its exit code: 0
 * done, 1 refused input, 2 wrong usage (also node's parseArgs errors). With `--json` the error and
 * its problems go to `out` as one JSON line; else to `err`, one problem a line. Any other error is
 * thrown: it is a bug, and its stack is the report.
 */
export function runCommandLine(
  name: string,
  argv: string[],
  run: (argv: string[], json: boolean) => string,
  out: { write(text: string): unknown } = process.stdout,
  err: { write(text: string): unknown } = process.stderr,
): number {
  const json = argv.includes('--json');
  try {
    out.write(run(argv, json));
    return 0;
  } catch (error) {
    const usage =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    const problems = error instanceof RefusedError ? error.problems : [];
    const message = (error as Error).message;
    if (json) out.write(`${JSON.stringify({ error: message, problems })}\n`);
    else {
      err.write(`${name}: ${message}\n`);
      for (const problem of problems) err.write(`  ${problem.field}: ${problem.message}\n`);
      if (usage) err.write(`Run ${name} --help for usage.\n`);
    }
    if (!usage && !(error instanceof RefusedError)) throw error;
    return usage ? 2 : 1;
  }
}
