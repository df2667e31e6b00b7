import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ConformanceReportSchema } from '../src/index.js';
import { CORE, fixtureProject, PROVIDER, runCommand } from './fixture-project.js';

const CHECKS = [
  'manifest.matches-package',
  'manifest.core-in-range',
  'host.admits',
  'crds.generated',
  'crds.contract-labels',
  'clusterctl.metadata',
];
const reportSchema = JSON.parse(
  readFileSync(new URL('../schemas/conformance-report.schema.json', import.meta.url), 'utf8'),
);
/** Breaks the package's CRDs the way a hand edit would: `crds.generated` fails. */
function editCrd(packageDir: string) {
  const file = join(packageDir, 'crds', 'fixturemachines.infrastructure.cluster.x-k8s.io.yaml');
  const crd = parse(readFileSync(file, 'utf8'));
  crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.extra = { type: 'string' };
  writeFileSync(file, stringify(crd));
}

const run = runCommand;

describe('iinfra-conformance --platform, refused', () => {
  it('refuses --kubeconfig without --platform, and an adapter module that is not there, naming the argument', async () => {
    const { project } = await fixtureProject();
    const alone = await run(['--provider', PROVIDER, '--kubeconfig', 'k'], project);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toBe(
      'iinfra-conformance: --kubeconfig is for the platform checks: give --platform too; see iinfra-conformance --help\n',
    );
    const missing = await run(['--provider', PROVIDER, '--platform', 'nowhere.js'], project);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^iinfra-conformance: --platform nowhere\.js: no adapter module at /);
  });
});

describe('iinfra-conformance', () => {
  it('exits 0 for a conforming package found by name, and lists every check in the Markdown report', async () => {
    const { project } = await fixtureProject();
    const { code, stdout, stderr } = await run(['--provider', PROVIDER], project);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`# Conformance of ${PROVIDER}@0.3.0`);
    expect(stdout).toContain(`Core ${CORE.version}, Cluster API contract v1beta2: conforms.`);
    for (const check of CHECKS) expect(stdout).toContain(`| \`${check}\` | passed |  |`);
  });

  it('exits 1 for a broken package, naming the failed check, and writes the report it was asked for', async () => {
    const { project, packageDir } = await fixtureProject();
    editCrd(packageDir);
    const { code, stdout } = await run(['--provider', packageDir, '--report', 'conformance.md'], project);
    expect(code).toBe(1);
    expect(stdout).toContain('does not conform');
    expect(stdout).toContain('| `crds.generated` | **FAILED** |');
    expect(stdout).toContain('fixturemachines.infrastructure.cluster.x-k8s.io differs');
    expect(readFileSync(join(project, 'conformance.md'), 'utf8')).toBe(stdout);
  });

  it('prints with --json a report that the zod schema and the published JSON Schema both accept', async () => {
    const { project, packageDir } = await fixtureProject();
    editCrd(packageDir);
    const { code, stdout } = await run(
      [
        '--provider',
        PROVIDER,
        '--json',
        '--core',
        CORE.version,
        '--contract',
        'v1beta1',
        '--report',
        'r.json',
      ],
      project,
    );
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(ConformanceReportSchema.parse(report)).toEqual(report);
    const validate = new Ajv2020({ strict: true }).compile(reportSchema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report).toMatchObject({ schemaVersion: 1, package: PROVIDER, contract: 'v1beta1' });
    expect(report.checks.map((c: { name: string }) => c.name)).toEqual(CHECKS);
    expect(report.checks.find((c: { name: string }) => c.name === 'crds.generated').status).toBe('failed');
    expect(JSON.parse(readFileSync(join(project, 'r.json'), 'utf8'))).toEqual(report);
  });

  it.each([
    [['--provider', PROVIDER, '--verbose'], 'unknown option --verbose'],
    [['--json'], '--provider is missing'],
    [['--provider'], '--provider needs a value'],
    [['--provider', '@example/not-installed'], '--provider @example/not-installed: package not found'],
    [['--provider', './no-such-folder'], '--provider ./no-such-folder: no package folder'],
    [['--provider', PROVIDER, '--contract', 'v2'], '--contract v2 is not one of v1beta1, v1beta2'],
    [['--provider', PROVIDER, '--core', 'latest'], '--core latest is not a semver version'],
    [['--provider', PROVIDER, 'extra'], 'unexpected argument extra'],
  ])('exits 2 for %j with one line naming the argument', async (argv, message) => {
    const { project } = await fixtureProject();
    const { code, stdout, stderr } = await run(argv, project);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`iinfra-conformance: ${message}`);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('exits 2 for a package whose default export is not a provider, and without a core to check against', async () => {
    const { project, packageDir } = await fixtureProject();
    writeFileSync(join(packageDir, 'index.js'), 'export default { name: "not a provider" };\n');
    const notProvider = await run(['--provider', PROVIDER], project);
    expect(notProvider.code).toBe(2);
    expect(notProvider.stderr).toContain('its default export was not made by defineProvider()');

    const { project: noCore } = await fixtureProject();
    rmSync(join(noCore, 'node_modules', '@immutable-infra'), { recursive: true });
    const coreless = await run(['--provider', PROVIDER], noCore);
    expect(coreless.code).toBe(2);
    expect(coreless.stderr).toContain('no @immutable-infra/core is installed');
    expect(coreless.stderr).toContain('pass --core');
  });

  it('explains every option, the checks and the exit codes with --help, and exits 0', async () => {
    const { code, stdout } = await run(['--help'], tmpdir());
    expect(code).toBe(0);
    for (const word of ['--provider', '--core', '--contract', '--json', '--report', '--help', ...CHECKS])
      expect(stdout).toContain(word);
    expect(stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 /);
  });

  it('runs as the built bin under node', async () => {
    const { project, packageDir } = await fixtureProject();
    const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
    const spawn = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [bin, ...args], { cwd: project }, (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
        );
      });
    const conforming = await spawn(['--provider', PROVIDER]);
    expect(conforming.stderr).toBe('');
    expect(conforming.code).toBe(0);
    expect(conforming.stdout).toContain(': conforms.');
    editCrd(packageDir);
    const broken = await spawn(['--provider', PROVIDER, '--json']);
    expect(broken.code).toBe(1);
    expect(ConformanceReportSchema.parse(JSON.parse(broken.stdout)).checks).toContainEqual(
      expect.objectContaining({ name: 'crds.generated', status: 'failed' }),
    );
    const unknown = await spawn(['--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      'iinfra-conformance: unknown option --frobnicate; see iinfra-conformance --help\n',
    );
  });
});
