import { createPrivateKey, webcrypto } from 'node:crypto';

/**
 * @peculiar/x509, loaded on first use: it resolves its ASN.1 services through tsyringe, which needs
 * the Reflect metadata polyfill, and a provider that never signs a certificate should not carry it.
 */
async function loadX509() {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  return x509;
}

const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const RSA_KEY = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
const YEAR_MS = 365 * 24 * 3600 * 1000;

export interface CertificateAndKey {
  certificate: string;
  privateKey: string;
}

/** The CA's key as WebCrypto takes it: kubeadm writes RSA keys in PKCS#1, WebCrypto wants PKCS#8. */
async function importSigningKey(pem: string) {
  const key = createPrivateKey(pem);
  const der = key.export({ type: 'pkcs8', format: 'der' });
  const algorithm = key.asymmetricKeyType === 'ec' ? EC_KEY : RSA_KEY;
  return {
    algorithm,
    key: await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']),
  };
}

/**
 * A kubelet serving certificate for a control plane node, signed by the cluster CA (the `tls.crt`
 * and `tls.key` of Cluster API's `<cluster>-ca` Secret): subject `system:node:<hostname>` in
 * `system:nodes`, the hostname and node IPs as names, for the `kubelet-certificate-authority`
 * check the documented kube-apiserver arguments turn on.
 */
export async function kubeletServingCertificate(
  ca: CertificateAndKey,
  hostname: string,
  ips: readonly string[],
  now: Date = new Date(),
): Promise<CertificateAndKey> {
  const x509 = await loadX509();
  const caCert = new x509.X509Certificate(ca.certificate);
  const signing = await importSigningKey(ca.privateKey);
  const keys = await webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
  const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString('hex')
    .replace(/^[89a-f]/, '1');
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: `CN=system:node:${hostname}, O=system:nodes`,
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - 3600 * 1000),
    notAfter: new Date(now.getTime() + YEAR_MS),
    publicKey: keys.publicKey,
    signingKey: signing.key,
    signingAlgorithm: signing.algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
      new x509.SubjectAlternativeNameExtension(
        [
          { type: 'dns', value: hostname },
          ...(hostname.includes('.')
            ? [{ type: 'dns' as const, value: hostname.split('.')[0] as string }]
            : []),
          ...ips.map((value) => ({ type: 'ip' as const, value })),
        ],
        false,
      ),
    ],
  });
  const privateKey = x509.PemConverter.encode(
    await webcrypto.subtle.exportKey('pkcs8', keys.privateKey),
    'PRIVATE KEY',
  );
  return { certificate: cert.toString('pem'), privateKey };
}

/** The cluster CA from Cluster API's `<cluster>-ca` Secret; undefined until the control plane provider made it. */
export function clusterCaFrom(data: Record<string, string> | undefined): CertificateAndKey | undefined {
  const certificate = data?.['tls.crt'];
  const privateKey = data?.['tls.key'];
  return certificate && privateKey ? { certificate, privateKey } : undefined;
}

/** Where the documented kubelet configuration patch points `tlsCertFile` and `tlsPrivateKeyFile`. */
export const KUBELET_CERT_PATH = '/etc/kubernetes/pki/kubelet.crt';
export const KUBELET_KEY_PATH = '/etc/kubernetes/pki/kubelet.key';

/** A file of the kubelet serving certificate, with its octal mode (the key is 0600). */
export interface KubeletServingFile {
  path: string;
  content: string;
  mode: '0644' | '0600';
}

/**
 * The kubelet serving certificate and key a node writes where the documented kubelet patch points,
 * signed by the cluster CA (Cluster API's `<cluster>-ca` Secret); what the node waits for while that
 * Secret is not there yet.
 */
export async function kubeletServingFiles(
  secrets: { read(namespace: string, name: string): Promise<Record<string, string> | undefined> },
  node: { namespace: string; clusterName: string; hostname: string; ips: readonly string[] },
): Promise<{ ok: true; files: KubeletServingFile[] } | { ok: false; message: string }> {
  const caSecret = `${node.clusterName}-ca`;
  const ca = clusterCaFrom(await secrets.read(node.namespace, caSecret));
  if (!ca) return { ok: false, message: `waiting for the cluster CA Secret ${caSecret}` };
  const kubelet = await kubeletServingCertificate(ca, node.hostname, node.ips);
  return {
    ok: true,
    files: [
      { path: KUBELET_CERT_PATH, content: kubelet.certificate, mode: '0644' },
      { path: KUBELET_KEY_PATH, content: kubelet.privateKey, mode: '0600' },
    ],
  };
}
