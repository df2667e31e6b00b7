/**
 * The scaffolder's pure core: the files of a new provider project, as paths and contents, from a few
 * names. The project's sources are the files under `template/` (written for the platform `acme`),
 * with the platform's names put in; its package.json is built here, with the versions of the
 * workspace this scaffolder was built in.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultDisplayName, packageNameProblem, pascalName, platformProblem } from './names.js';
import { KUBERNETES_VERSIONS, OUR_VERSIONS, THIRD_PARTY_RANGES } from './versions.js';

/** What a project is named after; only the platform id is needed. */
export interface ScaffoldOptions {
  /** The platform id, a DNS label: `acme`. Kinds are named after it (`AcmeCluster`). */
  platform: string;
  /** How people call the platform; from the platform id by default (`my-cloud` → `My Cloud`). */
  displayName?: string | undefined;
  /** The npm package name; `provider-<platform>` by default. */
  packageName?: string | undefined;
}

/** One file of the project: its path relative to the project's folder, with `/` separators. */
export interface ScaffoldFile {
  /** E.g. `src/api/acme-cluster.ts`. */
  path: string;
  /** The file's text, UTF-8. */
  content: string;
}

/** The template's folder: beside `src/` and `dist/` in the package. */
const TEMPLATE_DIR = fileURLToPath(new URL('../template', import.meta.url));

/** Template files whose names npm would not publish as they are. */
const RENAMED: Record<string, string> = {
  _gitignore: '.gitignore',
  '_changeset/config.json': '.changeset/config.json',
  '_changeset/README.md': '.changeset/README.md',
};

/** The `@immutable-infra/core` range of a provider built against `version`: its minor only. */
export function coreRangeFor(version: string): string {
  const [major, minor] = version.split('.').map(Number);
  return `>=${major}.${minor}.0 <${major}.${(minor ?? 0) + 1}.0`;
}

/** The files of a new provider project for `options.platform`; throws on a bad name. */
export function scaffoldProject(options: ScaffoldOptions): ScaffoldFile[] {
  const problem =
    platformProblem(options.platform) ??
    (options.packageName !== undefined ? packageNameProblem(options.packageName) : undefined);
  if (problem) throw new Error(problem);
  const platform = options.platform;
  const pascal = pascalName(platform);
  const names = {
    platform,
    pascal,
    lower: pascal.toLowerCase(),
    displayName: options.displayName ?? defaultDisplayName(platform),
    packageName: options.packageName ?? `provider-${platform}`,
    coreRange: coreRangeFor(OUR_VERSIONS.core),
  };
  const substitute = (text: string) =>
    text
      .replaceAll('{{packageName}}', names.packageName)
      .replaceAll('{{displayName}}', names.displayName)
      .replaceAll('{{coreRange}}', names.coreRange)
      // Plurals are the kind in lower case, without the platform's hyphens.
      .replace(/acme(clusters|machines|machinetemplates)\b/g, `${names.lower}$1`)
      .replaceAll('Acme', names.pascal)
      .replaceAll('acme', names.platform);
  const files = templateFiles().map(({ path, content }) => ({
    path: substitute(RENAMED[path] ?? path),
    content: substitute(content),
  }));
  files.push({ path: 'package.json', content: `${JSON.stringify(packageJson(names), null, 2)}\n` });
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

function templateFiles(dir = TEMPLATE_DIR): ScaffoldFile[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return templateFiles(path);
    return [{ path: relative(TEMPLATE_DIR, path).split(sep).join('/'), content: readFileSync(path, 'utf8') }];
  });
}

function packageJson(names: {
  platform: string;
  displayName: string;
  packageName: string;
  coreRange: string;
}) {
  const caret = (version: string) => `^${version}`;
  return {
    name: names.packageName,
    version: '0.1.0',
    description: `Immutable Infrastructure provider for ${names.displayName}`,
    type: 'module',
    exports: {
      '.': { types: './dist/index.d.ts', import: './dist/index.js' },
      './package.json': './package.json',
      './crds/*': './crds/*',
      './clusterctl/*': './clusterctl/*',
    },
    files: ['dist', 'crds', 'clusterctl'],
    engines: { node: '>=22.18' },
    immutableInfra: {
      provider: names.platform,
      platform: names.platform,
      displayName: names.displayName,
      capiContracts: ['v1beta1', 'v1beta2'],
      kubernetesVersions: [...KUBERNETES_VERSIONS],
    },
    scripts: {
      build: 'tsup',
      typecheck: 'tsc --noEmit',
      generate: 'node scripts/generate-crds.ts',
      test: 'vitest run',
      changeset: 'changeset',
    },
    peerDependencies: { '@immutable-infra/core': names.coreRange },
    dependencies: {
      '@immutable-infra/provider-kit': caret(OUR_VERSIONS.providerKit),
      zod: THIRD_PARTY_RANGES.zod,
    },
    devDependencies: {
      '@changesets/cli': THIRD_PARTY_RANGES.changesetsCli,
      '@immutable-infra/conformance': caret(OUR_VERSIONS.conformance),
      '@immutable-infra/core': caret(OUR_VERSIONS.core),
      '@immutable-infra/manager': caret(OUR_VERSIONS.manager),
      '@immutable-infra/testkit': caret(OUR_VERSIONS.testkit),
      '@kubernetes/client-node': THIRD_PARTY_RANGES.kubernetesClientNode,
      '@types/node': THIRD_PARTY_RANGES.typesNode,
      tsup: THIRD_PARTY_RANGES.tsup,
      typescript: THIRD_PARTY_RANGES.typescript,
      vitest: THIRD_PARTY_RANGES.vitest,
    },
  };
}
