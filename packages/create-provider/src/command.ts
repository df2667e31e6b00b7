/**
 * `create-provider <directory>`: writes a new provider project. Everything but the process itself is
 * here, so tests run it in-process: it takes the arguments and where to write, and returns the exit
 * code (0 written, 2 refused: a bad or missing argument, a directory that is not empty).
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { platformFromDirectory, platformProblem } from './names.js';
import { type ScaffoldFile, scaffoldProject } from './scaffold.js';

/** The project was written (or the help printed). */
export const EXIT_WRITTEN = 0;
/** Nothing was written: a bad or missing argument, or a directory that is not empty without --force. */
export const EXIT_REFUSED = 2;

const COMMAND = 'create-provider';

/** Where the command runs and writes: the process's streams, or a test's. */
export interface CreateProviderIo {
  /** Where a relative directory is resolved from; the process's by default. */
  cwd?: string;
  /** What was written, the next commands, the help, or the JSON. */
  stdout: { write(text: string): unknown };
  /** A refusal, in one line. */
  stderr: { write(text: string): unknown };
}

/** What `--json` prints. */
export interface CreateProviderResult {
  /** The project's folder, absolute. */
  directory: string;
  /** The npm package name of the project. */
  packageName: string;
  /** The platform id the kinds are named after. */
  platform: string;
  /** The files written, relative to the folder. */
  files: string[];
}

/** A refusal, said in one line that names the argument. */
class Refused extends Error {}

/** What `--help` prints: usage, options and exit codes. */
export function helpText(): string {
  return [
    `Usage: ${COMMAND} <directory> [options]`,
    '   or: npm create @immutable-infra/provider@latest <directory> -- [options]',
    '',
    'Writes a new Immutable Infrastructure provider project into <directory>: the kinds, a platform',
    'client on the provider kit, the controllers as named steps, a simulator, a lifecycle test with the',
    'real host and the conformance suite, ready for npm install, build, generate and test.',
    '',
    'Options:',
    '  --platform <id>          the platform id (a DNS label: lowercase letters, digits, hyphens); by',
    "                           default the directory's name (without a provider- prefix)",
    '  --display-name <text>    how people call the platform; from the platform id by default',
    '  --package-name <name>    the npm package name; provider-<platform> by default',
    '  --force                  write into a directory that is not empty (files of the same name are replaced)',
    '  --json                   print { directory, packageName, platform, files } as JSON',
    '  --help                   print this help',
    '',
    'Exit codes: 0 written; 2 refused (a bad or missing argument, a directory that is not empty).',
    '',
  ].join('\n');
}

const parse = (argv: readonly string[]) =>
  parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      platform: { type: 'string' },
      'display-name': { type: 'string' },
      'package-name': { type: 'string' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });

/** Runs the command with `argv` (the arguments after its name) and returns its exit code. */
export function runCreateProvider(argv: readonly string[], io: CreateProviderIo): number {
  const cwd = io.cwd ?? process.cwd();
  try {
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(argv);
    } catch (error) {
      throw new Refused(usageProblem(error));
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.stdout.write(helpText());
      return EXIT_WRITTEN;
    }
    if (positionals.length === 0) throw new Refused('<directory> is missing: name the folder to create');
    if (positionals.length > 1) throw new Refused(`unexpected argument ${positionals[1]}`);
    const directory = resolve(cwd, positionals[0] as string);

    const platform = values.platform ?? platformFromDirectory(basename(directory));
    const problem = platformProblem(platform);
    if (problem)
      throw new Refused(
        values.platform !== undefined
          ? `--platform ${problem}`
          : `--platform is needed: the directory name ${basename(directory)} makes no platform id`,
      );
    if (values['display-name'] !== undefined && values['display-name'].trim() === '')
      throw new Refused('--display-name is empty');

    let files: ScaffoldFile[];
    try {
      files = scaffoldProject({
        platform,
        displayName: values['display-name'],
        packageName: values['package-name'],
      });
    } catch (error) {
      throw new Refused(`--package-name ${messageOf(error)}`);
    }

    if (existsSync(directory)) {
      if (!statSync(directory).isDirectory()) throw new Refused(`<directory> ${directory} is a file`);
      if (readdirSync(directory).length > 0 && !values.force)
        throw new Refused(`<directory> ${directory} is not empty; pass --force to write into it anyway`);
    }
    for (const file of files) {
      const path = join(directory, file.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.content);
    }

    const packageName = JSON.parse(files.find((f) => f.path === 'package.json')?.content ?? '{}').name;
    const result: CreateProviderResult = {
      directory,
      packageName,
      platform,
      files: files.map((f) => f.path),
    };
    if (values.json) {
      io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return EXIT_WRITTEN;
    }
    // A folder inside the current one by its relative path; anywhere else by its absolute one.
    const inside = relative(cwd, directory);
    const shown = inside === '' ? '.' : inside.startsWith('..') || isAbsolute(inside) ? directory : inside;
    io.stdout.write(
      [
        `Wrote ${packageName} (platform ${platform}) in ${directory}:`,
        ...result.files.map((path) => `  ${path}`),
        '',
        'Next:',
        `  cd ${shown} && npm install && npm run build && npm run generate && npm test`,
        '',
        'The tests start a kube-apiserver and etcd from KUBEBUILDER_ASSETS; README.md walks through the first reconcile.',
        '',
      ].join('\n'),
    );
    return EXIT_WRITTEN;
  } catch (error) {
    // One line that says what to change, not a stack trace.
    const hint = error instanceof Refused ? `; see ${COMMAND} --help` : '';
    io.stderr.write(`${COMMAND}: ${messageOf(error).split('\n')[0]}${hint}\n`);
    return EXIT_REFUSED;
  }
}

/** parseArgs's own message names the argument; keep only that, without its error code. */
function usageProblem(error: unknown): string {
  const text = messageOf(error).split('\n')[0] ?? 'bad arguments';
  const unknown = /^Unknown option '([^']+)'/.exec(text);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /^Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(text);
  if (missing) return `${missing[1]} needs a value`;
  return text.replace(/\.$/, '');
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
