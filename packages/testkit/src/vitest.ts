import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createManagementPlane,
  type EnvtestAssets,
  type ManagementPlaneOptions,
} from '@immutable-infra/management-plane';
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { beforeAll, inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { auditFlags, SERVICE_ACCOUNT_AUDIT_POLICY } from './api-audit.js';
import { apiServerVerdict, documentedFixtures } from './api-server-verdict.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin kubeconfig of the run's shared kube-apiserver. */
    iinfraKubeconfigPath: string;
    iinfraKubernetesVersion: string;
    /** The binaries and CRDs the run uses, for tests that start more servers. */
    iinfraEnvtestAssets: EnvtestAssets;
    /** The audit log of service accounts' requests (JSON lines), when the setup asked for it; '' otherwise. */
    iinfraAuditLogPath: string;
  }
}

/**
 * A vitest `globalSetup` that starts one real kube-apiserver and etcd for the
 * whole run, with Cluster API's CRDs installed, and stops it afterwards.
 * Use it from a package's own setup file:
 *
 *     // test/global-setup.ts
 *     export default createGlobalSetup({ crdFiles: [...] });
 */
export function createGlobalSetup(options: GlobalSetupOptions = {}) {
  return async function setup(project: TestProject): Promise<() => Promise<void>> {
    const { auditServiceAccounts, ...planeOptions } = options;
    let auditDir: string | undefined;
    let auditLogPath = '';
    if (auditServiceAccounts) {
      auditDir = await mkdtemp(join(tmpdir(), 'iinfra-audit-'));
      const policyPath = join(auditDir, 'policy.yaml');
      auditLogPath = join(auditDir, 'audit.log');
      await writeFile(policyPath, SERVICE_ACCOUNT_AUDIT_POLICY);
      planeOptions.apiServerFlags = [
        ...(planeOptions.apiServerFlags ?? []),
        ...auditFlags(policyPath, auditLogPath),
      ];
    }
    const plane = await createManagementPlane({ ...planeOptions, lifetime: 'attached' });
    project.provide('iinfraKubeconfigPath', plane.controlPlane.kubeconfigPath);
    project.provide('iinfraKubernetesVersion', plane.assets.kubernetesVersion);
    project.provide('iinfraEnvtestAssets', plane.assets);
    project.provide('iinfraAuditLogPath', auditLogPath);
    return async () => {
      await plane.controlPlane.stop();
      if (auditDir) await rm(auditDir, { recursive: true, force: true });
    };
  };
}

export interface GlobalSetupOptions extends Omit<ManagementPlaneOptions, 'lifetime' | 'stateDir'> {
  /**
   * Log every request a service account makes (Metadata level, see `SERVICE_ACCOUNT_AUDIT_POLICY`)
   * to the file tests find as `inject('iinfraAuditLogPath')`: what proves a chart's RBAC is enough and not more.
   */
  auditServiceAccounts?: boolean;
}

/** A KubeConfig for the run's shared API server; call inside a test file. */
export function testKubeConfig(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(inject('iinfraKubeconfigPath'));
  return kubeConfig;
}

/**
 * Creates a namespace with a unique name. Test files share one API server and
 * isolate from each other by namespace. (Unless the setup runs the namespace
 * controller, a deleted namespace stays Terminating; names are simply never reused.)
 */
export async function createTestNamespace(kubeConfig: KubeConfig, prefix = 'test'): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`.slice(0, 63);
  await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}
export { type DocumentedCrdDigest, describeDocumentedCrds, documentedCrdDigest } from './documented-crds.js';

/**
 * For a `describe` that holds spec values to the installed CRDs: a namespace of its own (made in
 * `beforeAll`) and a function that creates an infrastructure object of `kind` with `spec` there and
 * answers `accepted` or the API server's refusal (see `apiServerVerdict`).
 */
export function infrastructureSpecVerdicts(namespacePrefix: string) {
  let objects: KubernetesObjectApi;
  let namespace: string;
  let counter = 0;
  beforeAll(async () => {
    const kubeConfig = testKubeConfig();
    objects = KubernetesObjectApi.makeApiClient(kubeConfig);
    namespace = await createTestNamespace(kubeConfig, namespacePrefix);
  });
  return (kind: string, spec: unknown): Promise<string> =>
    apiServerVerdict(objects, {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
      kind,
      metadata: { name: `verdict-${++counter}`, namespace },
      spec,
    });
}

/** What `documentedCrdTest` gives a CRD test; read the getters inside tests and hooks. */
export interface DocumentedCrdTest {
  /** The run's shared API server. */
  readonly kubeConfig: KubeConfig;
  readonly objects: KubernetesObjectApi;
  /** The test file's own namespace. */
  readonly namespace: string;
  /** The documented manifests, for that namespace (see `documentedFixtures`). */
  readonly fixtures: ReturnType<typeof documentedFixtures>;
  /** Creates the object and answers `accepted` or the API server's refusal (see `apiServerVerdict`). */
  create(object: unknown): Promise<string>;
}

/**
 * The head every provider's CRD test shares: a namespace of its own (made in `beforeAll`, named
 * from `namespacePrefix`) on the run's API server, where the CRDs the global setup installed are,
 * and the documented manifests of `fixturesFile` (multi-document YAML, `NAMESPACE` standing for
 * that namespace) to create as they are or break one field at a time.
 */
export function documentedCrdTest(namespacePrefix: string, fixturesFile: URL): DocumentedCrdTest {
  let kubeConfig: KubeConfig | undefined;
  let objects: KubernetesObjectApi | undefined;
  let namespace: string | undefined;
  const ready = <T>(value: T | undefined, name: string): T => {
    if (value === undefined)
      throw new Error(`documentedCrdTest: ${name} is set in beforeAll; read it in a test`);
    return value;
  };
  beforeAll(async () => {
    kubeConfig = testKubeConfig();
    objects = KubernetesObjectApi.makeApiClient(kubeConfig);
    namespace = await createTestNamespace(kubeConfig, namespacePrefix);
  });
  return {
    get kubeConfig() {
      return ready(kubeConfig, 'kubeConfig');
    },
    get objects() {
      return ready(objects, 'objects');
    },
    get namespace() {
      return ready(namespace, 'namespace');
    },
    fixtures: documentedFixtures(fixturesFile, () => ready(namespace, 'namespace')),
    create: (object) => apiServerVerdict(ready(objects, 'objects'), object),
  };
}

/** A suite's tasks as vitest hands them to `afterAll`: enough to tell whether any test failed. */
interface TaskTree {
  result?: { state?: string } | undefined;
  tasks?: readonly TaskTree[] | undefined;
}

/**
 * Whether any test (or hook) under `suite` failed, for an `afterAll((suite) => ...)` that keeps
 * diagnostics only when there is something to diagnose.
 */
export function anyTestFailed(suite: TaskTree): boolean {
  return suite.result?.state === 'fail' || (suite.tasks ?? []).some((task) => anyTestFailed(task));
}
