import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EnvtestAssets } from './assets.js';
import { renderKubeconfig } from './kubeconfig.js';
import {
  type CertificateAuthority,
  type ControlPlanePki,
  generateControlPlanePki,
  generateServiceAccountKeys,
  LOCAL_API_SERVER_NAMES,
} from './pki.js';
import { freePort } from './ports.js';
import { probe, type TlsClient } from './probes.js';
import {
  bindToThisProcess,
  isRunning,
  logTail,
  type ManagedProcess,
  spawnLogged,
  terminate,
} from './processes.js';

export interface StartControlPlaneOptions {
  assets: EnvtestAssets;
  /** Where PKI, etcd data, logs and the kubeconfig go. A temporary directory, removed on stop, when omitted. */
  stateDir?: string;
  /**
   * `attached` (tests): the processes die with this one, even if it is killed.
   * `detached` (`iinfra env up`): they keep running after this process exits.
   */
  lifetime?: 'attached' | 'detached';
  /** Names the kubeconfig's cluster and context. */
  name?: string;
  /** Extra kube-apiserver flags, e.g. `--etcd-compaction-interval=1s` for tests of 410 Gone. */
  apiServerFlags?: readonly string[];
  onProgress?: (message: string) => void;
  readyTimeoutMs?: number;
  /**
   * Serve with certificates from this authority instead of a fresh one, e.g. a
   * workload cluster's `<cluster>-ca` that its kubeconfig Secret trusts.
   */
  certificateAuthority?: CertificateAuthority;
  /** Service account signing keys (PEM); fresh ones when omitted. */
  serviceAccountKeys?: { publicKey: string; privateKey: string } | undefined;
  /** Address kube-apiserver binds and advertises (default 127.0.0.1). */
  host?: string;
  /** Port of kube-apiserver (default: a free one). */
  port?: number;
  /**
   * kube-controller-manager controllers to run beside kube-apiserver, as a real
   * cluster does (e.g. `garbagecollector`, `namespace`); none when omitted, so a
   * test's objects with made-up owners stay. Needs `assets.kubeControllerManager`.
   */
  controllers?: readonly string[];
}

/** What is written to `state.json` so another process can find and stop the control plane. */
export interface ControlPlaneState {
  name: string;
  server: string;
  kubeconfigPath: string;
  stateDir: string;
  kubernetesVersion: string;
  startedAt: string;
  processes: ManagedProcess[];
}

export interface ControlPlane extends ControlPlaneState {
  /** Stops kube-apiserver and etcd; removes the state directory if it was temporary. */
  stop(): Promise<void>;
  /**
   * Stops kube-apiserver and starts it again on the same port with the same
   * etcd, as an upgrade or a crash would: clients see their connections and
   * watches cut, then the same server back.
   */
  restartApiServer(): Promise<void>;
}

const STATE_FILE = 'state.json';

export async function startControlPlane(options: StartControlPlaneOptions): Promise<ControlPlane> {
  const lifetime = options.lifetime ?? 'attached';
  const name = options.name ?? 'envtest';
  const progress = options.onProgress ?? (() => {});
  const temporary = options.stateDir === undefined;
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'iinfra-envtest-')));
  const dirs = { pki: join(stateDir, 'pki'), logs: join(stateDir, 'logs'), etcd: join(stateDir, 'etcd') };
  await Promise.all(Object.values(dirs).map((dir) => mkdir(dir, { recursive: true, mode: 0o700 })));

  const started: { child: ChildProcess; process: ManagedProcess }[] = [];
  let release = () => {};
  const stopAll = async () => {
    // The watchdog stays until every process is gone: a runner killed in the middle of stopping
    // (a failed test's teardown, a closed pipe) must not leave etcd and the API server behind.
    for (const { process } of [...started].reverse()) await terminate(process);
    release();
  };

  try {
    progress('generating certificates');
    const host = options.host ?? '127.0.0.1';
    const pki = options.certificateAuthority
      ? await pkiFrom(options.certificateAuthority, host, options.serviceAccountKeys)
      : await generateControlPlanePki();
    const files = {
      ca: join(dirs.pki, 'ca.crt'),
      servingCert: join(dirs.pki, 'apiserver.crt'),
      servingKey: join(dirs.pki, 'apiserver.key'),
      saPub: join(dirs.pki, 'sa.pub'),
      saKey: join(dirs.pki, 'sa.key'),
    };
    await Promise.all([
      writeFile(files.ca, pki.ca.certificate),
      writeFile(files.servingCert, pki.apiServer.certificate),
      writeFile(files.servingKey, pki.apiServer.privateKey, { mode: 0o600 }),
      writeFile(files.saPub, pki.serviceAccount.publicKey),
      writeFile(files.saKey, pki.serviceAccount.privateKey, { mode: 0o600 }),
    ]);
    const tls: TlsClient = { ca: pki.ca.certificate, cert: pki.admin.certificate, key: pki.admin.privateKey };
    const detached = lifetime === 'detached';
    const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;

    progress('starting etcd');
    const etcd = await startUntilReady({
      name: 'etcd',
      binary: join(options.assets.binDir, 'etcd'),
      logFile: join(dirs.logs, 'etcd.log'),
      detached,
      readyTimeoutMs,
      args: async () => {
        const client = await freePort();
        const peer = await freePort();
        const clientUrl = `http://127.0.0.1:${client}`;
        const peerUrl = `http://127.0.0.1:${peer}`;
        return {
          url: clientUrl,
          args: [
            '--name=default',
            `--data-dir=${dirs.etcd}`,
            `--listen-client-urls=${clientUrl}`,
            `--advertise-client-urls=${clientUrl}`,
            `--listen-peer-urls=${peerUrl}`,
            `--initial-advertise-peer-urls=${peerUrl}`,
            `--initial-cluster=default=${peerUrl}`,
            // A throwaway store: losing it on power loss is fine, fsync on every write is not.
            '--unsafe-no-fsync=true',
            '--log-level=warn',
          ],
        };
      },
      ready: async (url) => (await probe(`${url}/health`)).body.includes('"health":"true"'),
    });
    started.push(etcd.started);

    progress('starting kube-apiserver');
    const apiServer = await startUntilReady({
      name: 'kube-apiserver',
      binary: join(options.assets.binDir, 'kube-apiserver'),
      logFile: join(dirs.logs, 'kube-apiserver.log'),
      detached,
      readyTimeoutMs,
      args: async () => {
        const port = options.port ?? (await freePort());
        return {
          url: `https://${host}:${port}`,
          args: [
            `--etcd-servers=${etcd.url}`,
            `--bind-address=${host}`,
            `--advertise-address=${host}`,
            `--secure-port=${port}`,
            `--cert-dir=${dirs.pki}`,
            `--tls-cert-file=${files.servingCert}`,
            `--tls-private-key-file=${files.servingKey}`,
            `--client-ca-file=${files.ca}`,
            `--service-account-key-file=${files.saPub}`,
            `--service-account-signing-key-file=${files.saKey}`,
            '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
            '--service-cluster-ip-range=10.0.0.0/24',
            '--authorization-mode=RBAC',
            '--allow-privileged=true',
            // No controller manager runs here to create the service account tokens that plugin expects.
            '--disable-admission-plugins=ServiceAccount',
            ...(options.apiServerFlags ?? []),
          ],
        };
      },
      ready: async (url) => (await probe(`${url}/readyz`, tls)).status === 200,
    });
    started.push(apiServer.started);

    const bind = () => {
      if (!detached)
        release = bindToThisProcess(
          started.map((s) => s.process),
          temporary ? stateDir : undefined,
        );
    };
    bind();

    const kubeconfigPath = join(stateDir, 'kubeconfig');
    await writeFile(
      kubeconfigPath,
      renderKubeconfig({
        name,
        server: apiServer.url,
        caCertificate: pki.ca.certificate,
        clientCertificate: pki.admin.certificate,
        clientKey: pki.admin.privateKey,
      }),
      { mode: 0o600 },
    );
    const state: ControlPlaneState = {
      name,
      server: apiServer.url,
      kubeconfigPath,
      stateDir,
      kubernetesVersion: options.assets.kubernetesVersion,
      startedAt: new Date().toISOString(),
      processes: started.map((s) => s.process),
    };
    progress(`kube-apiserver ready at ${apiServer.url}`);

    const controllers = options.controllers ?? [];
    if (controllers.length > 0) {
      const binary = options.assets.kubeControllerManager;
      if (!binary) {
        throw new Error(
          'controllers were asked for but the envtest assets have no kube-controller-manager ' +
            '(built by tools/envtest/ensure.sh unless IINFRA_SKIP_CAPI_CONTROLLERS=1)',
        );
      }
      progress(`starting kube-controller-manager (${controllers.join(', ')})`);
      const controllerManager = await startUntilReady({
        name: 'kube-controller-manager',
        binary,
        logFile: join(dirs.logs, 'kube-controller-manager.log'),
        detached,
        readyTimeoutMs,
        args: async () => {
          const port = await freePort(host);
          return {
            url: `https://${host}:${port}`,
            args: [
              `--kubeconfig=${kubeconfigPath}`,
              `--authentication-kubeconfig=${kubeconfigPath}`,
              `--authorization-kubeconfig=${kubeconfigPath}`,
              `--bind-address=${host}`,
              `--secure-port=${port}`,
              // The API server's serving certificate names this host too, so one CA checks both.
              `--tls-cert-file=${files.servingCert}`,
              `--tls-private-key-file=${files.servingKey}`,
              `--controllers=${controllers.join(',')}`,
              '--leader-elect=false',
            ],
          };
        },
        ready: async (url) => (await probe(`${url}/healthz`, tls)).status === 200,
      });
      started.push(controllerManager.started);
      state.processes = started.map((s) => s.process);
      release();
      bind();
    }
    await writeFile(join(stateDir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);

    let stopped: Promise<void> | undefined;
    const restartApiServer = async () => {
      const index = started.findIndex((s) => s.process.name === 'kube-apiserver');
      const previous = started[index];
      if (!previous) throw new Error('kube-apiserver is not running');
      release();
      await terminate(previous.process);
      const again = await startUntilReady({
        name: 'kube-apiserver',
        binary: previous.process.binary,
        logFile: previous.process.logFile,
        detached,
        readyTimeoutMs,
        args: async () => ({ url: apiServer.url, args: apiServer.args }),
        ready: async (url) => (await probe(`${url}/readyz`, tls)).status === 200,
      });
      started[index] = again.started;
      state.processes = started.map((s) => s.process);
      await writeFile(join(stateDir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
      bind();
    };
    return {
      ...state,
      get processes() {
        return state.processes;
      },
      restartApiServer,
      stop: () => {
        stopped ??= (async () => {
          await stopAll();
          if (temporary) await rm(stateDir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  } catch (error) {
    await stopAll();
    if (temporary) await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
}

/** Serving and admin certificates from an existing authority. */
async function pkiFrom(
  ca: CertificateAuthority,
  host: string,
  serviceAccountKeys?: { publicKey: string; privateKey: string },
): Promise<ControlPlanePki> {
  const ips = [...new Set([host, ...LOCAL_API_SERVER_NAMES.ips])];
  return {
    ca: { certificate: ca.certificate, privateKey: ca.privateKey },
    apiServer: await ca.issue({
      subject: 'CN=kube-apiserver',
      usage: 'server',
      ips,
      dnsNames: LOCAL_API_SERVER_NAMES.dnsNames,
    }),
    admin: await ca.issue({ subject: 'CN=iinfra-admin, O=system:masters', usage: 'client' }),
    serviceAccount: serviceAccountKeys ?? (await generateServiceAccountKeys()),
  };
}

interface StartUntilReadyOptions {
  name: string;
  binary: string;
  logFile: string;
  detached: boolean;
  readyTimeoutMs: number;
  /** Picks fresh ports on every attempt. */
  args: () => Promise<{ url: string; args: string[] }>;
  ready: (url: string) => Promise<boolean>;
}

const START_ATTEMPTS = 3;

/** Starts a server and waits until it answers; retries with new ports if another process took one meanwhile. */
async function startUntilReady(
  options: StartUntilReadyOptions,
): Promise<{ url: string; args: string[]; started: { child: ChildProcess; process: ManagedProcess } }> {
  if (!existsSync(options.binary)) throw new Error(`${options.name} binary not found at ${options.binary}`);
  for (let attempt = 1; ; attempt++) {
    const { url, args } = await options.args();
    const started = spawnLogged({ ...options, args });
    let exited = false;
    started.child.once('exit', () => {
      exited = true;
    });
    const deadline = Date.now() + options.readyTimeoutMs;
    while (!exited && Date.now() < deadline) {
      if (await options.ready(url)) return { url, args, started };
      await sleep(100);
    }
    await terminate(started.process);
    const log = logTail(options.logFile);
    if (exited && /address already in use/.test(log) && attempt < START_ATTEMPTS) continue;
    const why = exited ? 'exited before it was ready' : `was not ready within ${options.readyTimeoutMs} ms`;
    throw new Error(`${options.name} ${why}; last lines of ${options.logFile}:\n${log}`);
  }
}

/** Reads the state a control plane left in its directory, or undefined if there is none. */
export async function readControlPlaneState(stateDir: string): Promise<ControlPlaneState | undefined> {
  try {
    return JSON.parse(await readFile(join(stateDir, STATE_FILE), 'utf8')) as ControlPlaneState;
  } catch {
    return undefined;
  }
}

/** True when every process of the control plane runs and the API server reports ready. */
export async function isControlPlaneHealthy(state: ControlPlaneState): Promise<boolean> {
  for (const process of state.processes) if (!(await isRunning(process))) return false;
  const pki = join(state.stateDir, 'pki');
  const kubeconfig = await readFile(state.kubeconfigPath, 'utf8').catch(() => undefined);
  if (kubeconfig === undefined) return false;
  const { parse } = await import('yaml');
  const user = (parse(kubeconfig) as { users: { user: Record<string, string> }[] }).users[0]?.user ?? {};
  const decode = (value: string | undefined) => Buffer.from(value ?? '', 'base64').toString();
  const tls: TlsClient = {
    ca: await readFile(join(pki, 'ca.crt'), 'utf8'),
    cert: decode(user['client-certificate-data']),
    key: decode(user['client-key-data']),
  };
  return (await probe(`${state.server}/readyz`, tls)).status === 200;
}

/** Stops a control plane found through its state directory, then removes that directory. */
export async function stopControlPlaneAt(stateDir: string): Promise<ControlPlaneState | undefined> {
  const state = await readControlPlaneState(stateDir);
  if (state) for (const process of [...state.processes].reverse()) await terminate(process);
  await rm(stateDir, { recursive: true, force: true });
  return state;
}
