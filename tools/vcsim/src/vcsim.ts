import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateCertificateAuthority } from '@immutable-infra/management-plane';

const run = promisify(execFile);
/** This package's folder (dist/ or src/ is one level down): ensure.sh and the Go sources travel with it. */
const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** The inventory vcsim builds: per datacenter (DC0, DC1: two failure domains). */
export interface VcsimInventory {
  datacenters?: number;
  clustersPerDatacenter?: number;
  hostsPerCluster?: number;
  datastores?: number;
  /** VMs per resource pool; the first of each datacenter's cluster pool becomes the template. */
  vmsPerPool?: number;
  portGroups?: number;
}

export interface VcsimOptions {
  inventory?: VcsimInventory;
  username?: string;
  password?: string;
  /**
   * Name the inventory as the product documentation's manifests do: datacenters dc-a and dc-b,
   * compute clusters compute-a and compute-b, port groups pg-business and pg-storage, datastores
   * datastore-cp, datastore-worker and datastore-a (dc-a) and datastore-b (dc-b), and the template
   * microos-k8s-template, so those manifests run unchanged.
   */
  documentedNames?: boolean;
  /** More templates, copies of the first, in every datacenter (a new release's, for an upgrade). */
  extraTemplates?: string[];
  /** `Name:ms` task delays, e.g. `{ CloneVm: 1500 }` (the simulator's task names), so a test can see a task running. */
  taskDelays?: Record<string, number>;
}

export interface Vcsim {
  /** `https://127.0.0.1:PORT` */
  server: string;
  username: string;
  password: string;
  /** PEM of the CA that signed vcsim's certificate. */
  caCertificate: string;
  /** SHA-256 thumbprint of vcsim's (leaf) certificate, `AB:CD:...`. */
  thumbprint: string;
  /** SHA-1 thumbprint of the same certificate (what vSphere manifests carry). */
  sha1Thumbprint: string;
  /** Per datacenter: its template's inventory path and the folder, pool and datastore for clones. */
  datacenters: {
    name: string;
    template: string;
    folder: string;
    pool: string;
    datastore: string;
  }[];
  /** Runs govc against this vcsim (verifying its certificate by the CA); returns stdout. */
  govc(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

interface Binaries {
  vcsim: string;
  govc: string;
  govmomiVersion: string;
}

let binaries: Promise<Binaries> | undefined;

/**
 * Builds (first time) or finds vcsim and govc through this package's ensure.sh, which caches the
 * build outside the repository (so an installed copy of the package, in the compatibility run's
 * scratch project, finds the same build).
 */
export function vcsimBinaries(): Promise<Binaries> {
  binaries ??= run('bash', [join(packageDir, 'ensure.sh')], {
    maxBuffer: 1 << 20,
    timeout: 15 * 60_000,
  }).then(({ stdout }) => JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Binaries);
  return binaries;
}

export const TEMPLATE_NAME = 'ubuntu-2404-kube-v1.34';
export const DOCUMENTED_TEMPLATE = 'microos-k8s-template';
const DOCUMENTED = [
  { dc: 'dc-a', compute: 'compute-a', datastores: ['datastore-cp', 'datastore-worker', 'datastore-a'] },
  // The documented worker pool puts worker-02 in dc-b with the worker template's datastore.
  { dc: 'dc-b', compute: 'compute-b', datastores: ['datastore-b', 'datastore-worker'] },
];

/**
 * Starts vcsim on a free loopback port with a certificate from a fresh CA, seeds what the provider
 * clones from (per datacenter: a powered-off template with a snapshot `base` for linked clones, a
 * `workloads` folder), and returns how to reach it. `stop()` ends the process and removes its files;
 * vcsim also exits when this process dies (its stdin closes).
 */
export async function startVcsim(options: VcsimOptions = {}): Promise<Vcsim> {
  const { vcsim, govc } = await vcsimBinaries();
  const inventory = options.inventory ?? {};
  const username = options.username ?? 'administrator@vsphere.local';
  const password = options.password ?? 'vcsim-Passw0rd!';
  const dir = await mkdtemp(join(tmpdir(), 'iinfra-vcsim-'));
  let child: ChildProcess | undefined;
  const stop = async () => {
    const running = child;
    child = undefined;
    if (running && running.exitCode === null && running.signalCode === null) {
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGTERM');
      const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ca = await generateCertificateAuthority('vcsim test CA');
    const leaf = await ca.issue({ subject: 'CN=vcsim', usage: 'server', ips: ['127.0.0.1'], dnsNames: [] });
    const certFile = join(dir, 'vcsim.crt');
    const keyFile = join(dir, 'vcsim.key');
    const caFile = join(dir, 'ca.crt');
    await Promise.all([
      writeFile(certFile, leaf.certificate, { mode: 0o600 }),
      writeFile(keyFile, leaf.privateKey, { mode: 0o600 }),
      writeFile(caFile, ca.certificate, { mode: 0o600 }),
    ]);
    const datacenters = inventory.datacenters ?? 2;
    const args = [
      '-l',
      '127.0.0.1:0',
      '-tlscert',
      certFile,
      '-tlskey',
      keyFile,
      '-username',
      username,
      '-password',
      password,
      '-dc',
      String(datacenters),
      '-cluster',
      String(inventory.clustersPerDatacenter ?? 1),
      '-host',
      String(inventory.hostsPerCluster ?? 2),
      '-standalone-host',
      '0',
      '-ds',
      String(inventory.datastores ?? 2),
      '-vm',
      String(inventory.vmsPerPool ?? 3),
      '-pool',
      '0',
      '-pg',
      String(inventory.portGroups ?? 1),
      '-folder',
      '0',
      '-exit-on-stdin-eof',
    ];
    const delays = Object.entries(options.taskDelays ?? {});
    if (delays.length > 0) args.push('-task-delay', delays.map(([name, ms]) => `${name}:${ms}`).join(','));
    const started = spawn(vcsim, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    child = started;
    const stderr: string[] = [];
    started.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 200) stderr.push(chunk.toString('utf8'));
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`vcsim did not start in 30 s: ${stderr.join('')}`)),
        30_000,
      );
      const lines = createInterface({ input: started.stdout as NodeJS.ReadableStream });
      lines.on('line', (line) => {
        const match = /GOVC_URL=(\S+)/.exec(line);
        if (!match?.[1]) return;
        clearTimeout(timer);
        resolve(match[1]);
      });
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`vcsim exited (${code}) before serving: ${stderr.join('')}`));
      });
    });
    const parsed = new URL(url);
    const server = `https://${parsed.host}`;
    const govcEnv = {
      ...process.env,
      GOVC_URL: `${server}/sdk`,
      GOVC_USERNAME: username,
      GOVC_PASSWORD: password,
      GOVC_TLS_CA_CERTS: caFile,
      GOVC_INSECURE: 'false',
    };
    const runGovc = async (...govcArgs: string[]) =>
      (await run(govc, govcArgs, { env: govcEnv, maxBuffer: 16 << 20 })).stdout;

    const seeded: Vcsim['datacenters'] = [];
    for (let i = 0; i < datacenters; i++) {
      const documented = options.documentedNames ? DOCUMENTED[i] : undefined;
      let dc = `DC${i}`;
      let compute = `${dc}_C0`;
      const source = `/${dc}/vm/${dc}_C0_RP0_VM0`;
      const templateName = documented ? DOCUMENTED_TEMPLATE : TEMPLATE_NAME;
      await runGovc('vm.power', '-off', '-force', source);
      await runGovc('snapshot.create', '-vm', source, 'base');
      await runGovc('object.rename', source, templateName);
      let datastore = `/${dc}/datastore/LocalDS_0`;
      if (documented) {
        await runGovc('object.rename', `/${dc}`, documented.dc);
        await runGovc('object.rename', `/${documented.dc}/host/${compute}`, documented.compute);
        // Made, not renamed: vcsim's rename leaves a port group's config.name (what lookups match) behind.
        for (const portGroup of ['pg-business', 'pg-storage'])
          await runGovc('dvs.portgroup.add', '-dc', documented.dc, '-dvs', 'DVS0', portGroup);
        const hosts = (await runGovc('ls', `/${documented.dc}/host/${documented.compute}`))
          .split('\n')
          .filter((line) => /_H\d+$/.test(line));
        // vcsim cannot rename a datastore; local ones with the documented names are made on every host.
        for (const name of documented.datastores) {
          const path = join(dir, `${documented.dc}-${name}`);
          await mkdir(path);
          await runGovc('datastore.create', '-type', 'local', '-name', name, '-path', path, ...hosts);
        }
        dc = documented.dc;
        compute = documented.compute;
        datastore = `/${dc}/datastore/${documented.datastores[0]}`;
      }
      const template = `/${dc}/vm/${templateName}`;
      for (const extra of options.extraTemplates ?? []) {
        await runGovc(
          'vm.clone',
          '-dc',
          dc,
          '-vm',
          template,
          '-on=false',
          '-pool',
          `/${dc}/host/${compute}/Resources`,
          '-folder',
          `/${dc}/vm`,
          '-ds',
          datastore,
          extra,
        );
        await runGovc('vm.markastemplate', `/${dc}/vm/${extra}`);
      }
      await runGovc('vm.markastemplate', template);
      await runGovc('folder.create', `/${dc}/vm/workloads`);
      seeded.push({
        name: dc,
        template,
        folder: `/${dc}/vm/workloads`,
        pool: `/${dc}/host/${compute}/Resources`,
        datastore,
      });
    }
    return {
      server,
      username,
      password,
      caCertificate: ca.certificate,
      thumbprint: new X509Certificate(leaf.certificate).fingerprint256,
      sha1Thumbprint: new X509Certificate(leaf.certificate).fingerprint,
      datacenters: seeded,
      govc: runGovc,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
