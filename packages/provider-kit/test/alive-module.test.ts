import { describe, expect, it } from 'vitest';
import {
  aliveModuleConfigProblem,
  aliveModuleInfo,
  aliveModuleInfoName,
  aliveModuleInfoPatch,
  aliveModuleInfoReady,
  controlPlaneNodesProblem,
  isManagedAliveModuleInfo,
  type PlatformObject,
  resolveAliveVersion,
} from '../src/index.js';

// Computed apart from the kit: node -e 'crypto.createHash("sha256").update("demo:alive:alive").digest("hex").slice(0,32)'
const DEMO_HASH = 'd78f0e504a793bfce14214042efeaba1';
const PROD_EAST_HASH = '6eedd2a95c401c2f0cd62d5d396df78b';

const balancer = { host: '10.0.1.100', port: 6443, vrid: 42 };
const plugin = (status: Record<string, unknown>, labels: Record<string, string> = {}): PlatformObject => ({
  metadata: { name: 'alive', labels },
  status,
});

describe('the alive ModuleInfo', () => {
  it("is named <cluster>-<first 32 hex of sha256('<cluster>:alive:alive')>", () => {
    expect(aliveModuleInfoName('demo')).toBe(`demo-${DEMO_HASH}`);
    expect(aliveModuleInfoName('prod-east')).toBe(`prod-east-${PROD_EAST_HASH}`);
  });

  it('takes the override first, then the version for the cluster, then latestVersion', () => {
    const p = plugin({ latestVersion: 'v4.1.0', targetClusterVersions: { 'v4.0.3': 'v4.0.9' } });
    const module = (version: string): PlatformObject => ({ metadata: { name: 'demo' }, spec: { version } });
    expect(resolveAliveVersion({ plugin: p, clusterModule: module('v4.0.3') })).toEqual({
      ok: true,
      version: 'v4.0.9',
      source: 'targetClusterVersions',
    });
    expect(resolveAliveVersion({ plugin: p, clusterModule: module('v3.18.0') })).toMatchObject({
      version: 'v4.1.0',
      source: 'latestVersion',
    });
    expect(
      resolveAliveVersion({ plugin: p, clusterModule: module('v4.0.3'), override: 'v9.9.9' }),
    ).toMatchObject({
      version: 'v9.9.9',
      source: 'override',
    });
    const none = resolveAliveVersion({ plugin: plugin({}), clusterModule: module('v4.0.3') });
    expect(none.ok).toBe(false);
    expect(!none.ok && none.message).toContain(
      'no status.latestVersion and no status.targetClusterVersions entry for v4.0.3',
    );
  });

  it('needs the ModuleConfig alive-<version> to exist and be ready for deploy', () => {
    expect(aliveModuleConfigProblem('v4.1.0', undefined)).toMatchObject({
      reason: 'AliveModuleConfigMissing',
      message: expect.stringContaining('ModuleConfig alive-v4.1.0 does not exist'),
    });
    const config = (status: Record<string, unknown>): PlatformObject => ({
      metadata: { name: 'alive-v4.1.0' },
      status,
    });
    expect(aliveModuleConfigProblem('v4.1.0', config({ readyForDeploy: false }))?.reason).toBe(
      'AliveModuleConfigNotReady',
    );
    expect(aliveModuleConfigProblem('v4.1.0', config({ readyForDeploy: true }))).toBeUndefined();
  });

  it('is created with the identity labels, the catalog and product of the plugin, and the config without masterIPs', () => {
    const created = aliveModuleInfo({
      cluster: 'demo',
      version: 'v4.1.0',
      balancer: { ...balancer, interface: 'eth1' },
      plugin: plugin(
        {},
        { 'cpaas.io/module-catalog': 'platform', 'cpaas.io/product': 'Container-Platform', other: 'x' },
      ),
    });
    expect(created).toEqual({
      apiVersion: 'cluster.alauda.io/v1alpha1',
      kind: 'ModuleInfo',
      metadata: {
        name: `demo-${DEMO_HASH}`,
        annotations: { 'cpaas.io/display-name': 'alive' },
        labels: {
          'cpaas.io/cluster-name': 'demo',
          'cpaas.io/module-name': 'alive',
          'cpaas.io/module-type': 'plugin',
          'infrastructure.cluster.x-k8s.io/self-built-lb-managed': 'true',
          'cpaas.io/module-catalog': 'platform',
          'cpaas.io/product': 'Container-Platform',
        },
      },
      spec: {
        version: 'v4.1.0',
        config: {
          vip: '10.0.1.100',
          vrid: 42,
          apiserverPort: 6443,
          httpPort: 11780,
          httpsPort: 11781,
          extraPorts: '',
          interface: 'eth1',
        },
      },
    });
    expect(isManagedAliveModuleInfo(created)).toBe(true);
    expect(isManagedAliveModuleInfo({ metadata: { name: created.metadata.name } })).toBe(false);
  });

  it('is patched only where it differs, in labels, version and config, never touching what others added', () => {
    const created = aliveModuleInfo({ cluster: 'demo', version: 'v4.1.0', balancer, plugin: plugin({}) });
    const withPlatformKeys: PlatformObject = {
      ...created,
      metadata: { ...created.metadata, labels: { ...created.metadata.labels, 'cpaas.io/product': 'kept' } },
      spec: { ...created.spec, config: { ...(created.spec?.config as object), masterIPs: '10.0.1.11' } },
    };
    expect(
      aliveModuleInfoPatch(withPlatformKeys, { cluster: 'demo', version: 'v4.1.0', balancer }),
    ).toBeUndefined();
    const patch = aliveModuleInfoPatch(withPlatformKeys, {
      cluster: 'demo',
      version: 'v4.2.0',
      balancer: { ...balancer, vrid: 7 },
    });
    expect(patch).toMatchObject({ spec: { version: 'v4.2.0', config: { vrid: 7, interface: '' } } });
    expect(JSON.stringify(patch)).not.toContain('masterIPs');
    expect(JSON.stringify(patch)).not.toContain('cpaas.io/product');
  });

  it('is ready when status.version is the spec.version, whatever the phase', () => {
    const at = (spec?: string, status?: string): PlatformObject => ({
      metadata: { name: 'm' },
      spec: { version: spec },
      status: { version: status, phase: 'Deploying' },
    });
    expect(aliveModuleInfoReady(at('v4.1.0', 'v4.1.0'))).toBe(true);
    expect(aliveModuleInfoReady(at('v4.1.0', 'v4.0.9'))).toBe(false);
    expect(aliveModuleInfoReady(at('v4.1.0'))).toBe(false);
    expect(aliveModuleInfoReady(at(undefined, undefined))).toBe(false);
  });

  it('waits for every control plane Machine to have a Node, and for at least one', () => {
    expect(controlPlaneNodesProblem([])).toContain('no control plane Machine');
    expect(controlPlaneNodesProblem([{ status: { nodeRef: { name: 'a' } } }, { status: {} }, {}])).toContain(
      '1 of 3 control plane Machines',
    );
    expect(controlPlaneNodesProblem([{ status: { nodeRef: { name: 'a' } } }])).toBeUndefined();
  });
});
