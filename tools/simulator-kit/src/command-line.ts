import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';

/** An option parser for commander: a finite number of at least 0, or commander's "invalid argument". */
export function nonNegativeNumberArgument(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0)
    throw new InvalidArgumentError('expected a number of at least 0');
  return number;
}

/** An option parser for commander: a TCP port, 0 for a free one. */
export function portArgument(value: string): number {
  const number = nonNegativeNumberArgument(value);
  if (!Number.isInteger(number) || number > 65535)
    throw new InvalidArgumentError('expected a port from 0 to 65535');
  return number;
}

export interface ListeningSimulator {
  url: string;
  /** PEM of the CA that signed the serving certificate, when serving HTTPS. */
  caCertificate?: string;
  close(): Promise<void>;
}

/**
 * What a simulator's command does once it listens: it stops cleanly on SIGINT or SIGTERM, prints
 * `<name> listening on <url>` and, serving HTTPS, writes its CA certificate (to `caOut`, or a
 * temporary file) and says where.
 */
export async function serveUntilSignalled(
  name: string,
  simulator: ListeningSimulator,
  caOut?: string,
): Promise<void> {
  // Handlers first: whoever reads the announcement below may signal at once.
  const stop = (signal: string) => {
    process.stdout.write(`${name} stopping (${signal})\n`);
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${name}: ${messageOf(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.stdout.write(`${name} listening on ${simulator.url}\n`);
  if (simulator.caCertificate) {
    const caPath = caOut ?? join(tmpdir(), `${name}-ca-${process.pid}.pem`);
    await writeFile(caPath, simulator.caCertificate);
    process.stdout.write(`${name} CA certificate written to ${caPath}\n`);
  }
}

/** Runs a command line; a failure is printed as `<name>: <message>` with exit code 1, not a stack. */
export async function runCommandLine(
  name: string,
  program: { parseAsync(argv: readonly string[]): Promise<unknown> },
): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    process.stderr.write(`${name}: ${messageOf(error)}\n`);
    process.exitCode = 1;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
