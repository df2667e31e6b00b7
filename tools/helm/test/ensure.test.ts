import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLUSTER_API_VERSION } from '@immutable-infra/management-plane';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ensureClusterctl,
  ensureHelm,
  ensureHelmTools,
  ensureKustomize,
  goModuleDir,
  type HelmTools,
} from '../src/index.ts';

const run = promisify(execFile);
const pinned = async (goMod: string, module: string) => {
  const text = await readFile(new URL(`../${goMod}`, import.meta.url), 'utf8');
  return new RegExp(`^\\s*(?:require\\s+)?${module.replaceAll('.', '\\.')}\\s+(v\\S+)`, 'm').exec(text)?.[1];
};

describe('ensure.sh', () => {
  let tools: HelmTools;
  beforeAll(async () => {
    tools = await ensureHelmTools();
  });

  it('builds the helm release pinned in helm/go.mod, and answers that version', async () => {
    expect(tools.helmVersion).toBe(await pinned('helm/go.mod', 'helm.sh/helm/v3'));
    expect(await ensureHelm()).toBe(tools.helm);
    const { stdout } = await run(tools.helm, ['version', '--template', '{{ .Version }}']);
    expect(stdout.trim()).toBe(tools.helmVersion);
  });

  it('builds helm assuming the Kubernetes release of its client-go, not its v1.20 fallback', async () => {
    const clientGo = await pinned('helm/go.mod', 'k8s.io/client-go');
    const minor = /^v0\.(\d+)\./.exec(clientGo ?? '')?.[1];
    expect(minor).toBeDefined();
    const chart = await mkdtemp(join(tmpdir(), 'iinfra-helm-version-'));
    try {
      await mkdir(join(chart, 'templates'));
      await writeFile(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: probe\nversion: 0.1.0\n');
      await writeFile(
        join(chart, 'templates', 'cm.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\ndata:\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n',
      );
      const { stdout } = await run(tools.helm, ['template', 'probe', chart]);
      expect(stdout).toContain(`kube: "v1.${minor}.0"`);
    } finally {
      await rm(chart, { recursive: true, force: true });
    }
  });

  it('builds clusterctl at the Cluster API version the management plane pins', async () => {
    expect(tools.clusterApiVersion).toBe(CLUSTER_API_VERSION);
    expect(await pinned('clusterctl/go.mod', 'sigs.k8s.io/cluster-api')).toBe(CLUSTER_API_VERSION);
    expect(await ensureClusterctl()).toBe(tools.clusterctl);
    const { stdout } = await run(tools.clusterctl, ['version', '-o', 'short']);
    expect(stdout.trim()).toBe(CLUSTER_API_VERSION);
  });

  it("builds kustomize at the release the pinned Cluster API's Makefile renders its components with", async () => {
    expect(tools.kustomizeVersion).toBe(
      await pinned('kustomize/go.mod', 'sigs.k8s.io/kustomize/kustomize/v5'),
    );
    const capi = await goModuleDir('clusterctl', `sigs.k8s.io/cluster-api@${CLUSTER_API_VERSION}`);
    const makefile = await readFile(join(capi, 'Makefile'), 'utf8');
    expect(/^KUSTOMIZE_VER\s*:=\s*(\S+)/m.exec(makefile)?.[1]).toBe(tools.kustomizeVersion);
    expect(await ensureKustomize()).toBe(tools.kustomize);
    const { stdout } = await run(tools.kustomize, ['version']);
    expect(stdout.trim()).toBe(tools.kustomizeVersion);
  });

  it('reuses the cached build: a second run prints the same paths without building', async () => {
    const { stdout, stderr } = await run('bash', [new URL('../ensure.sh', import.meta.url).pathname]);
    expect(JSON.parse(stdout)).toEqual(tools);
    expect(stderr).not.toContain('building');
  });
});
