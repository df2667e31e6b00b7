#!/usr/bin/env node
// The local package registry and the compatibility-matrix run. `--help` explains.
import { parseArgs } from 'node:util';
import { readMatrix, staleMatrixProblems } from './src/compat-matrix-file.ts';
import { runCompatMatrix } from './src/matrix-run.ts';
import { publishWorkspace } from './src/publish-workspace.ts';
import { readReleases, recordRelease } from './src/released-builds.ts';
import { startRegistry } from './src/verdaccio.ts';
import { workspacePackages } from './src/workspace-packages.ts';

const help = `Usage: node tools/registry/registry.ts <command> [options]

Commands:
  start          Start verdaccio on loopback (tools/registry/config.yaml) and keep it running until Ctrl-C.
                 --port <n>       listen port (default: a free one)
                 --dir <path>     storage folder (default: a new temporary one)
                 --no-upstream    do not proxy other packages (a fully air-gapped registry)
                 --publish        publish the workspace packages (built first: npm run build) once it is up
  publish        Publish the workspace packages (packed tarballs) and every released core to a running registry.
                 --registry <url> --userconfig <npmrc with its token>   (both printed by start)
  matrix         Run each provider's contract tests next to every core version in its range (released cores
                 rebuilt from their release commits, plus the workspace core) and write compat-matrix.json.
                 --provider <package>   only this provider (repeatable)
  record-release Append every published package whose version is not yet in tools/registry/releases.json,
                 with the current commit (run right after \`changeset publish\`, then commit the file).
  check-matrix   Fail when compat-matrix.json is stale: a provider's declared core range, contracts or
                 Kubernetes versions differ from package.json, or a core version in range has no run.
Options:
  --json         machine-readable output (matrix, check-matrix)
  -h, --help     this text
`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string' },
    dir: { type: 'string' },
    'no-upstream': { type: 'boolean' },
    publish: { type: 'boolean' },
    registry: { type: 'string' },
    userconfig: { type: 'string' },
    provider: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
const progress = (message: string) => process.stderr.write(`registry: ${message}\n`);
const [command] = positionals;

if (values.help || !command) {
  process.stdout.write(help);
  process.exit(command || values.help ? 0 : 2);
}

switch (command) {
  case 'start': {
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
      progress(`--port "${values.port}" is not a TCP port`);
      process.exit(2);
    }
    const registry = await startRegistry({
      ...(port ? { port } : {}),
      ...(values.dir ? { dir: values.dir } : {}),
      ...(values['no-upstream'] ? { upstream: null } : {}),
    });
    if (values.publish) publishWorkspace(registry, progress);
    process.stdout.write(`${registry.url}\n`);
    progress(`verdaccio on ${registry.url}, storage in ${registry.dir}`);
    progress(
      `publish with: node tools/registry/registry.ts publish --registry ${registry.url} --userconfig ${registry.npmrc}`,
    );
    progress(`install with: npm install @immutable-infra/provider-dcs --registry ${registry.url}`);
    progress('Ctrl-C stops it');
    const stop = async () => {
      await registry.stop();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    setInterval(() => {}, 1 << 30);
    break;
  }
  case 'publish': {
    if (!values.registry || !values.userconfig) {
      progress('publish needs --registry <url> and --userconfig <npmrc>; `start` prints both');
      process.exit(2);
    }
    const set = publishWorkspace({ url: values.registry, npmrc: values.userconfig }, progress);
    progress(
      `published ${[...set.published].map(([n, v]) => `${n}@${v}`).join(', ')}; released cores ${set.releasedCores.join(', ') || 'none'}`,
    );
    break;
  }
  case 'matrix': {
    const summaries = await runCompatMatrix({
      onProgress: progress,
      ...(values.provider ? { only: values.provider } : {}),
    });
    if (values.json)
      process.stdout.write(
        `${JSON.stringify(
          summaries.map(({ outputTail, ...s }) => s),
          null,
          2,
        )}\n`,
      );
    for (const failure of summaries.filter((s) => s.result === 'failed')) {
      progress(
        `${failure.provider}@${failure.version} with core ${failure.coreVersion} failed:\n${failure.outputTail}`,
      );
    }
    progress('compat-matrix.json written');
    break;
  }
  case 'record-release': {
    const added = recordRelease();
    progress(
      added.length > 0 ? `recorded ${added.join(', ')}` : 'every published version is already recorded',
    );
    break;
  }
  case 'check-matrix': {
    const packages = workspacePackages();
    const core = packages.find((p) => p.name === '@immutable-infra/core');
    const released = readReleases()
      .filter((r) => r.name === '@immutable-infra/core')
      .map((r) => r.version);
    const problems = staleMatrixProblems(
      readMatrix(),
      packages.filter((p) => p.dir.includes('/providers/') && !p.private),
      released,
      core?.version ?? '0.0.0',
    );
    if (values.json)
      process.stdout.write(`${JSON.stringify({ ok: problems.length === 0, problems }, null, 2)}\n`);
    if (problems.length > 0) {
      progress(
        `compat-matrix.json is stale; run \`npm run compat:matrix\` and commit it:\n  ${problems.join('\n  ')}`,
      );
      process.exit(1);
    }
    progress('compat-matrix.json is up to date with the providers');
    break;
  }
  default:
    progress(`unknown command "${command}"\n${help}`);
    process.exit(2);
}
