import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  bindToThisProcess,
  type ManagedProcess,
  spawnLogged,
  terminate,
} from '@immutable-infra/management-plane';
import { parse, stringify } from 'yaml';
import { runNpm } from './npm-command.ts';

const configTemplate = join(dirname(fileURLToPath(import.meta.url)), '..', 'config.yaml');

export interface RunningRegistry {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** A token of the release user, for `npm publish`. */
  token: string;
  /** An .npmrc naming this registry and the token; pass it as `--userconfig` to npm. */
  npmrc: string;
  dir: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export interface StartRegistryOptions {
  /** Where packages are stored; a fresh temporary directory by default. */
  dir?: string;
  port?: number;
  /** Registry to proxy packages that are not ours from; default: npm's configured registry. No proxy when null. */
  upstream?: string | null;
  /** Keep running after this process exits (the CLI's `start`). */
  detached?: boolean;
}

/** The registry npm is configured with here: the upstream of the local registry. */
export function configuredNpmRegistry(): string {
  return runNpm(['config', 'get', 'registry'], { cwd: tmpdir() }).trim();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts verdaccio on loopback with tools/registry/config.yaml (storage,
 * htpasswd and upstream filled in), waits until it answers, and signs up a
 * release user whose token can publish.
 */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<RunningRegistry> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'iinfra-registry-'));
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const port = options.port ?? (await freePort());
  const upstream = options.upstream === undefined ? configuredNpmRegistry() : options.upstream;
  const config = parse(readFileSync(configTemplate, 'utf8')) as {
    storage: string;
    auth: { htpasswd: { file: string } };
    uplinks: Record<string, { url: string }>;
    packages: Record<string, { proxy?: string }>;
  };
  config.storage = join(dir, 'storage');
  config.auth.htpasswd.file = join(dir, 'htpasswd');
  if (upstream) {
    for (const uplink of Object.values(config.uplinks)) uplink.url = upstream;
  } else {
    config.uplinks = {};
    for (const rule of Object.values(config.packages)) delete rule.proxy;
  }
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, stringify(config));

  const verdaccioBin = join(
    dirname(createRequire(import.meta.url).resolve('verdaccio/package.json')),
    'bin',
    'verdaccio',
  );
  const { child, process } = spawnLogged({
    name: 'verdaccio',
    binary: globalThis.process.execPath,
    args: [verdaccioBin, '--config', configFile, '--listen', `127.0.0.1:${port}`],
    logFile: join(dir, 'verdaccio.log'),
    detached: options.detached ?? false,
  });
  const release = options.detached ? () => {} : bindToThisProcess([process]);
  const url = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    await terminate(process);
    release();
  };
  try {
    await waitUntilAnswering(url, () => child.exitCode !== null, join(dir, 'verdaccio.log'));
    const token = await signUp(url);
    const npmrc = join(dir, 'npmrc');
    writeFileSync(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`, { mode: 0o600 });
    return { url, token, npmrc, dir, process, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitUntilAnswering(url: string, exited: () => boolean, logFile: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (exited()) throw new Error(`verdaccio exited at start; see ${logFile}`);
    try {
      const response = await fetch(`${url}-/ping`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`verdaccio did not answer on ${url} within a minute; see ${logFile}`);
}

async function signUp(url: string): Promise<string> {
  const name = 'release';
  const response = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: `release-${Date.now()}` }),
  });
  const body = (await response.json()) as { token?: string; error?: string };
  if (!response.ok || !body.token)
    throw new Error(`cannot create the release user: ${body.error ?? response.status}`);
  return body.token;
}
