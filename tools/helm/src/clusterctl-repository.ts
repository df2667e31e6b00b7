/**
 * A local clusterctl repository, as clusterctl documents it (files on disk, `file://` URLs in a
 * clusterctl config, laid out `<root>/<provider label>/<version>/<file>`), holding what `clusterctl
 * init` installs into a management cluster without reaching the network:
 *
 * - Cluster API's core, kubeadm bootstrap and kubeadm control plane components, rendered from the
 *   pinned Cluster API Go module with the pinned kustomize exactly as Cluster API's `make
 *   release-manifests` does, after its `manifest-modification` image and pull-policy edits;
 * - cert-manager (see `writeCertManager` for what stands in for it, and why);
 * - a provider's release artifacts, from the workspace or from git at a released commit.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageDir } from './package-dir.js';

const run = promisify(execFile);

/**
 * The folder of a Go module version, through `go mod download` in one of this package's module
 * folders: the module comes from the Go module cache or proxy and is checked against that folder's
 * go.sum before its path is answered.
 */
export async function goModuleDir(moduleFolder: string, modulePath: string): Promise<string> {
  const { stdout } = await run('go', ['mod', 'download', '-json', modulePath], {
    cwd: join(packageDir, moduleFolder),
    maxBuffer: 1 << 20,
    timeout: 10 * 60_000,
  });
  const answer = JSON.parse(stdout) as { Dir?: string; Error?: string };
  if (!answer.Dir) throw new Error(`go mod download ${modulePath}: ${answer.Error ?? 'no module folder'}`);
  return answer.Dir;
}

/** One provider in a clusterctl config's `providers:` list. */
export interface RepositoryProvider {
  /** The provider's name (`cluster-api`, `kubeadm`, `dcs`). */
  name: string;
  type: 'CoreProvider' | 'BootstrapProvider' | 'ControlPlaneProvider' | 'InfrastructureProvider';
  /** `file://` URL of its components file at one version; clusterctl lists the version folders beside it. */
  url: string;
}

/** The clusterctl provider label (`cluster-api`, `bootstrap-kubeadm`, `infrastructure-dcs`): the repository's folder. */
export function providerLabel(provider: Pick<RepositoryProvider, 'name' | 'type'>): string {
  switch (provider.type) {
    case 'CoreProvider':
      return provider.name;
    case 'BootstrapProvider':
      return `bootstrap-${provider.name}`;
    case 'ControlPlaneProvider':
      return `control-plane-${provider.name}`;
    case 'InfrastructureProvider':
      return `infrastructure-${provider.name}`;
  }
}

/** Writes one provider version's files into the repository and answers its `providers:` entry. */
export async function writeProviderVersion(
  root: string,
  provider: Pick<RepositoryProvider, 'name' | 'type'>,
  version: string,
  files: Readonly<Record<string, string | Uint8Array>>,
  componentsFile: string,
): Promise<RepositoryProvider> {
  if (!(componentsFile in files)) throw new Error(`${provider.name} ${version}: no ${componentsFile}`);
  const dir = join(root, providerLabel(provider), version);
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return { ...provider, url: `file://${join(dir, componentsFile)}` };
}

/** A `VAR ?= value` assignment of a Makefile. */
function makeVariable(makefile: string, name: string): string {
  const value = new RegExp(`^${name}\\s*\\?=\\s*(\\S+)\\s*$`, 'm').exec(makefile)?.[1];
  if (!value) throw new Error(`Cluster API's Makefile sets no ${name}`);
  return value;
}

/**
 * Cluster API's core (`cluster-api`), kubeadm bootstrap and kubeadm control plane providers at
 * `version`, rendered into the repository from the Go module of that release the way its release
 * does: `manifest-modification` points each `manager_image_patch.yaml` at
 * `$(PROD_REGISTRY)/<image name>:<release>` and each `manager_pull_policy.yaml` at IfNotPresent (the
 * Makefile's own sed expressions, with the values read from its Makefile), then `release-manifests`
 * runs `kustomize build` over each `config/default` and copies the root metadata.yaml beside them.
 */
export async function writeClusterApiProviders(
  root: string,
  tools: { kustomize: string; clusterApiVersion: string },
): Promise<RepositoryProvider[]> {
  const version = tools.clusterApiVersion;
  const moduleDir = await goModuleDir('clusterctl', `sigs.k8s.io/cluster-api@${version}`);
  const makefile = await readFile(join(moduleDir, 'Makefile'), 'utf8');
  const registry = makeVariable(makefile, 'PROD_REGISTRY');
  const metadata = await readFile(join(moduleDir, 'metadata.yaml'));
  const components = [
    {
      provider: { name: 'cluster-api', type: 'CoreProvider' },
      config: 'config',
      file: 'core-components.yaml',
      image: makeVariable(makefile, 'IMAGE_NAME'),
    },
    {
      provider: { name: 'kubeadm', type: 'BootstrapProvider' },
      config: 'bootstrap/kubeadm/config',
      file: 'bootstrap-components.yaml',
      image: makeVariable(makefile, 'KUBEADM_BOOTSTRAP_IMAGE_NAME'),
    },
    {
      provider: { name: 'kubeadm', type: 'ControlPlaneProvider' },
      config: 'controlplane/kubeadm/config',
      file: 'control-plane-components.yaml',
      image: makeVariable(makefile, 'KUBEADM_CONTROL_PLANE_IMAGE_NAME'),
    },
  ] as const;
  // The module cache is read-only and the release edits two files per provider: a writable copy
  // of the kustomize folders (they refer only to each other).
  const work = await mkdtemp(join(tmpdir(), 'iinfra-capi-release-'));
  try {
    const providers: RepositoryProvider[] = [];
    for (const component of components) {
      await cp(join(moduleDir, component.config), join(work, component.config), { recursive: true });
      const defaultDir = join(work, component.config, 'default');
      await edit(join(defaultDir, 'manager_image_patch.yaml'), (text) =>
        text.replace(/image: .*/g, `image: ${registry}/${component.image}:${version}`),
      );
      await edit(join(defaultDir, 'manager_pull_policy.yaml'), (text) =>
        text.replace(/imagePullPolicy: .*/g, 'imagePullPolicy: IfNotPresent'),
      );
      const { stdout } = await run(tools.kustomize, ['build', defaultDir], { maxBuffer: 256 << 20 });
      providers.push(
        await writeProviderVersion(
          root,
          component.provider,
          version,
          { [component.file]: stdout, 'metadata.yaml': metadata },
          component.file,
        ),
      );
    }
    return providers;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function edit(file: string, change: (text: string) => string): Promise<void> {
  await writeFile(file, change(await readFile(file, 'utf8')));
}

/** Where clusterctl's config finds cert-manager: its `cert-manager:` entry. */
export interface CertManagerEntry {
  url: string;
  version: string;
}

/**
 * cert-manager for `clusterctl init`, at the version the pinned clusterctl installs
 * (`CertManagerDefaultVersion` in cmd/clusterctl/client/config/cert_manager_client.go, which
 * cert-manager/go.mod pins too).
 *
 * What clusterctl checks (cmd/clusterctl/client/cluster/cert_manager.go): it installs the objects
 * of the configured cert-manager.yaml, labelled and annotated as its own, and then waits until it
 * can create cert-manager's test Issuer and Certificate in `cert-manager-test`, nothing else (not
 * the Deployments; no certificate is ever issued). Here the embedded management plane has no
 * kubelet, so cert-manager's controller, cainjector and webhook pods can never run; a webhook
 * configuration without a serving pod would refuse every Issuer (failurePolicy Fail), so they are
 * left out. What stands in for cert-manager is therefore its real API and nothing more: the
 * release's namespace and its six CRDs from the cert-manager Go module at that version
 * (deploy/manifests/namespace.yaml, deploy/crds/*.yaml, controller-gen's output the chart's CRD
 * templates are made from). clusterctl installs them as it would the whole release, and its
 * readiness check runs unchanged against them. Cluster API's own Certificates and Issuers (its
 * webhook serving certificates) are created and stay unissued, as they would until cert-manager
 * ran.
 */
export async function writeCertManager(root: string, clusterApiVersion: string): Promise<CertManagerEntry> {
  const capiDir = await goModuleDir('clusterctl', `sigs.k8s.io/cluster-api@${clusterApiVersion}`);
  const client = await readFile(join(capiDir, 'cmd/clusterctl/client/config/cert_manager_client.go'), 'utf8');
  const version = /CertManagerDefaultVersion\s*=\s*"([^"]+)"/.exec(client)?.[1];
  if (!version) throw new Error(`clusterctl ${clusterApiVersion} names no CertManagerDefaultVersion`);
  const dir = await goModuleDir('cert-manager', `github.com/cert-manager/cert-manager@${version}`);
  const crdNames = [
    'acme.cert-manager.io_challenges.yaml',
    'acme.cert-manager.io_orders.yaml',
    'cert-manager.io_certificaterequests.yaml',
    'cert-manager.io_certificates.yaml',
    'cert-manager.io_clusterissuers.yaml',
    'cert-manager.io_issuers.yaml',
  ];
  const parts = [await readFile(join(dir, 'deploy/manifests/namespace.yaml'), 'utf8')];
  for (const name of crdNames) parts.push(await readFile(join(dir, 'deploy/crds', name), 'utf8'));
  const manifest = parts.map((part) => part.replace(/^---\n/, '').trimEnd()).join('\n---\n');
  const target = join(root, 'cert-manager', version);
  await mkdir(target, { recursive: true });
  await writeFile(join(target, 'cert-manager.yaml'), `${manifest}\n`);
  return { url: `file://${join(target, 'cert-manager.yaml')}`, version };
}

/** A clusterctl config naming the repository's providers and cert-manager. */
export function clusterctlConfig(
  providers: readonly RepositoryProvider[],
  certManager?: CertManagerEntry,
): string {
  const lines = ['providers:'];
  for (const p of providers) {
    lines.push(`  - name: ${p.name}`, `    type: ${p.type}`, `    url: ${p.url}`);
  }
  if (certManager)
    lines.push('cert-manager:', `  url: ${certManager.url}`, `  version: ${certManager.version}`);
  return `${lines.join('\n')}\n`;
}
