import { gunzipSync } from 'node:zlib';
import type { BootstrapData, HostContext } from '@immutable-infra/core';
import type { IgnitionFile, IgnitionUnit } from '@immutable-infra/provider-kit';
import {
  clusterCaFrom,
  ENCRYPTION_CONFIG_PATH,
  ensureEncryptionSecret,
  kubeletServingCertificate,
  readEncryptionConfig,
} from '@immutable-infra/provider-kit';
import { DCS_API_VERSION } from '../api/common.js';
import type { DCSClusterObject } from '../api/dcs-cluster.js';

/** Where the documented kubelet configuration patch points `tlsCertFile` and `tlsPrivateKeyFile`. */
export const KUBELET_CERT_PATH = '/etc/kubernetes/pki/kubelet.crt';
export const KUBELET_KEY_PATH = '/etc/kubernetes/pki/kubelet.key';
/** The unit the documentation names for the self-built VIP's first node. */
export const BOOTSTRAP_VIP_UNIT = 'dcs-bootstrap-vip.service';

/** The Secret the provider generates for a cluster whose DCSCluster names none. */
export const encryptionSecretName = (cluster: string) => `${cluster}-dcs-encryption-provider`;

type Cluster = Pick<DCSClusterObject, 'metadata' | 'spec'>;

/**
 * The encryption configuration a control plane node writes: the Secret `encryptionProviderConfigRef`
 * names (it wins over a file in the bootstrap data), else one generated for the cluster, which a
 * file the user put inline in the KubeadmControlPlane keeps its place over (its key is the one the
 * cluster already encrypts with).
 */
export async function encryptionFile(
  ctx: Pick<HostContext, 'kube' | 'secrets'>,
  cluster: Cluster,
  clusterName: string,
): Promise<{ ok: true; file: IgnitionFile } | { ok: false; message: string }> {
  const namespace = cluster.metadata.namespace ?? 'default';
  const named = cluster.spec.encryptionProviderConfigRef?.name;
  if (!named) {
    const { name, uid } = cluster.metadata;
    await ensureEncryptionSecret(ctx, {
      namespace,
      name: encryptionSecretName(clusterName),
      clusterName,
      owner: { apiVersion: DCS_API_VERSION, kind: 'DCSCluster', name, uid: uid ?? '' },
    });
  }
  const read = await readEncryptionConfig(ctx, {
    namespace,
    name: named ?? encryptionSecretName(clusterName),
  });
  if (!read.found) return { ok: false, message: read.message };
  return {
    ok: true,
    file: { path: ENCRYPTION_CONFIG_PATH, content: read.content, mode: '0600', keepBootstrapFile: !named },
  };
}

/** A kubelet serving certificate and key signed by the cluster CA (Cluster API's `<cluster>-ca` Secret). */
export async function kubeletFiles(
  ctx: Pick<HostContext, 'secrets'>,
  namespace: string,
  clusterName: string,
  hostname: string,
  ips: string[],
): Promise<{ ok: true; files: IgnitionFile[] } | { ok: false; message: string }> {
  const caSecret = `${clusterName}-ca`;
  const ca = clusterCaFrom(await ctx.secrets.read(namespace, caSecret));
  if (!ca) return { ok: false, message: `waiting for the cluster CA Secret ${caSecret}` };
  const kubelet = await kubeletServingCertificate(ca, hostname, ips);
  return {
    ok: true,
    files: [
      { path: KUBELET_CERT_PATH, content: kubelet.certificate, mode: '0644' },
      { path: KUBELET_KEY_PATH, content: kubelet.privateKey, mode: '0600' },
    ],
  };
}

function decodedContents(source: string, compression: string | undefined): string {
  const match = /^data:([^,]*),(.*)$/s.exec(source);
  if (!match) return '';
  const [, meta = '', payload = ''] = match;
  let bytes = meta.split(';').includes('base64')
    ? Buffer.from(payload, 'base64')
    : Buffer.from(decodeURIComponent(payload), 'utf8');
  if (compression === 'gzip') bytes = gunzipSync(bytes);
  return bytes.toString('utf8');
}

/** Whether the bootstrap data runs `kubeadm init` (it carries an InitConfiguration): the cluster's first node. */
export function runsKubeadmInit(data: BootstrapData): boolean {
  if (data.format !== 'ignition') return /kind:\s*InitConfiguration/.test(data.value);
  const config = JSON.parse(data.value) as {
    storage?: { files?: { contents?: { source?: string; compression?: string } }[] };
  };
  return (config.storage?.files ?? []).some((file) =>
    /kind:\s*InitConfiguration/.test(
      file.contents?.source ? decodedContents(file.contents.source, file.contents.compression) : '',
    ),
  );
}

/**
 * The documented bootstrap half of a self-built VIP: the first (`kubeadm init`) control plane node
 * holds `<vip>/32` before kubeadm starts, on the named interface or the one with the node's IP, so
 * the API server answers at the endpoint it certifies.
 */
export function bootstrapVipUnit(
  vip: string,
  nodeIp: string,
  interfaceName: string | undefined,
): IgnitionUnit {
  // systemd reads $$ as $: the interface that holds the node's IP, found when the unit runs.
  const device = interfaceName ?? `$$(ip -o -4 addr show to ${nodeIp}/32 | cut -d' ' -f2)`;
  return {
    name: BOOTSTRAP_VIP_UNIT,
    contents: [
      '[Unit]',
      'Description=Self-built VIP on the first control plane node until alive takes it over',
      'Wants=network-online.target',
      'After=network-online.target',
      'Before=kubelet.service kubeadm.service',
      '',
      '[Service]',
      'Type=oneshot',
      'RemainAfterExit=yes',
      `ExecStart=/bin/sh -c "ip addr replace ${vip}/32 dev ${device}"`,
      '',
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ].join('\n'),
  };
}
