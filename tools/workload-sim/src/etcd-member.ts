import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CertificateAndKey,
  type CertificateAuthority,
  type ManagedProcess,
  spawnLogged,
  terminate,
} from '@immutable-infra/management-plane';

/** One stacked etcd member, as `kubeadm init`/`join` runs it on a control plane node. */
export interface EtcdMember {
  name: string;
  clientUrl: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

interface EtcdWire {
  members?: { ID?: string; name?: string; peerURLs?: string[]; clientURLs?: string[] }[];
}

/** Calls etcd's JSON gateway with a client certificate from the cluster's etcd CA. */
export function etcdCall<T>(clientUrl: string, path: string, body: unknown, client: TlsMaterial): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${clientUrl}${path}`,
      { method: 'POST', ca: client.ca, cert: client.certificate, key: client.privateKey, timeout: 5000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 300)
            reject(new Error(`etcd ${path} answered ${res.statusCode}: ${text}`));
          else resolve(JSON.parse(text || '{}') as T);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`etcd ${path} timed out`)));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

export interface TlsMaterial extends CertificateAndKey {
  ca: string;
}

export interface StartEtcdMemberOptions {
  binary: string;
  name: string;
  ip: string;
  dir: string;
  etcdCa: CertificateAuthority;
  /** A running member to join through (`member add`), absent for the first member. */
  join?: { clientUrl: string } | undefined;
  client: TlsMaterial;
  readyTimeoutMs?: number;
}

/**
 * Starts a real etcd on the node's address (client 2379, peer 2380) with
 * certificates from the cluster's etcd CA; a later member is first added to the
 * cluster through an existing one, as `kubeadm join --control-plane` does.
 */
export async function startEtcdMember(options: StartEtcdMemberOptions): Promise<EtcdMember> {
  const { ip, name } = options;
  const clientUrl = `https://${ip}:2379`;
  const peerUrl = `https://${ip}:2380`;
  const pki = join(options.dir, 'pki');
  await mkdir(pki, { recursive: true, mode: 0o700 });
  const names = { ips: [ip, '127.0.0.1'], dnsNames: ['localhost', name] };
  const server = await options.etcdCa.issue({ subject: `CN=${name}`, usage: 'both', ...names });
  const peer = await options.etcdCa.issue({ subject: `CN=${name}`, usage: 'both', ...names });
  const files = {
    ca: join(pki, 'ca.crt'),
    serverCert: join(pki, 'server.crt'),
    serverKey: join(pki, 'server.key'),
    peerCert: join(pki, 'peer.crt'),
    peerKey: join(pki, 'peer.key'),
  };
  await writeFile(files.ca, options.etcdCa.certificate);
  await writeFile(files.serverCert, server.certificate);
  await writeFile(files.serverKey, server.privateKey, { mode: 0o600 });
  await writeFile(files.peerCert, peer.certificate);
  await writeFile(files.peerKey, peer.privateKey, { mode: 0o600 });

  let initialCluster = `${name}=${peerUrl}`;
  let state = 'new';
  if (options.join) {
    const added = await etcdCall<EtcdWire>(
      options.join.clientUrl,
      '/v3/cluster/member/add',
      { peerURLs: [peerUrl] },
      options.client,
    );
    initialCluster = (added.members ?? [])
      .map((m) => `${m.name || name}=${m.peerURLs?.[0] ?? peerUrl}`)
      .join(',');
    state = 'existing';
  }

  const { child, process } = spawnLogged({
    name: `etcd-${name}`,
    binary: options.binary,
    logFile: join(options.dir, 'etcd.log'),
    detached: false,
    args: [
      `--name=${name}`,
      `--data-dir=${join(options.dir, 'data')}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=${initialCluster}`,
      `--initial-cluster-state=${state}`,
      `--cert-file=${files.serverCert}`,
      `--key-file=${files.serverKey}`,
      '--client-cert-auth=true',
      `--trusted-ca-file=${files.ca}`,
      `--peer-cert-file=${files.peerCert}`,
      `--peer-key-file=${files.peerKey}`,
      '--peer-client-cert-auth=true',
      `--peer-trusted-ca-file=${files.ca}`,
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ],
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const member: EtcdMember = { name, clientUrl, process, stop: () => terminate(process, 5_000) };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    const healthy = await etcdCall<{ header?: unknown }>(
      clientUrl,
      '/v3/maintenance/status',
      {},
      options.client,
    ).then(
      () => true,
      () => false,
    );
    if (healthy) return member;
    if (exited || Date.now() > deadline) {
      await member.stop();
      throw new Error(
        `etcd member ${name} did not come up at ${clientUrl} (log ${join(options.dir, 'etcd.log')})`,
      );
    }
    await sleep(200);
  }
}
