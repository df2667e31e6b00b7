import 'reflect-metadata';
import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { generateControlPlanePki } from '@immutable-infra/testkit';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import {
  clusterCaFrom,
  KUBELET_CERT_PATH,
  KUBELET_KEY_PATH,
  kubeletServingCertificate,
  kubeletServingFiles,
} from '../src/index.js';

/** An RSA CA with its key in PKCS#1, as kubeadm writes `<cluster>-ca`. */
async function kubeadmStyleCa() {
  const algorithm = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=kubernetes',
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 3600_000 * 24),
    keys,
    signingAlgorithm: algorithm,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const pkcs1 = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({
    type: 'pkcs1',
    format: 'pem',
  });
  return { certificate: cert.toString('pem'), privateKey: String(pkcs1) };
}

describe('the kubelet serving certificate of a control plane node', () => {
  it('is signed by a kubeadm RSA CA (PKCS#1 key) for system:node:<hostname> with the hostname and IPs', async () => {
    const ca = await kubeadmStyleCa();
    expect(ca.privateKey).toContain('BEGIN RSA PRIVATE KEY');
    const issued = await kubeletServingCertificate(ca, 'master-1.example.org', ['192.168.10.11']);
    const cert = new X509Certificate(issued.certificate);
    const caCert = new X509Certificate(ca.certificate);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.subject).toContain('CN=system:node:master-1.example.org');
    expect(cert.subject).toContain('O=system:nodes');
    expect(cert.subjectAltName).toBe('DNS:master-1.example.org, DNS:master-1, IP Address:192.168.10.11');
    expect(createPrivateKey(issued.privateKey).asymmetricKeyType).toBe('ec');
  });

  it('is signed by an ECDSA CA too', async () => {
    const { ca } = await generateControlPlanePki();
    const issued = await kubeletServingCertificate(ca, 'master-2', ['192.168.10.12']);
    expect(
      new X509Certificate(issued.certificate).verify(new X509Certificate(ca.certificate).publicKey),
    ).toBe(true);
  });

  it('reads the CA from the tls.crt and tls.key of the Secret, and waits while either is missing', () => {
    expect(clusterCaFrom({ 'tls.crt': 'c', 'tls.key': 'k' })).toEqual({ certificate: 'c', privateKey: 'k' });
    expect(clusterCaFrom({ 'tls.crt': 'c' })).toBeUndefined();
    expect(clusterCaFrom(undefined)).toBeUndefined();
  });
});

describe('the kubelet serving files of a node', () => {
  it('waits for the cluster CA Secret, then writes the certificate and its key where the kubelet patch points', async () => {
    const ca = await kubeadmStyleCa();
    const secrets: Record<string, Record<string, string>> = {};
    const reader = { read: async (namespace: string, name: string) => secrets[`${namespace}/${name}`] };
    const node = { namespace: 'ns', clusterName: 'c1', hostname: 'node-1', ips: ['10.0.0.5'] };
    expect(await kubeletServingFiles(reader, node)).toEqual({
      ok: false,
      message: 'waiting for the cluster CA Secret c1-ca',
    });
    secrets['ns/c1-ca'] = { 'tls.crt': ca.certificate, 'tls.key': ca.privateKey };
    const written = await kubeletServingFiles(reader, node);
    if (!written.ok) throw new Error(written.message);
    expect(written.files.map(({ path, mode }) => ({ path, mode }))).toEqual([
      { path: KUBELET_CERT_PATH, mode: '0644' },
      { path: KUBELET_KEY_PATH, mode: '0600' },
    ]);
    const cert = new X509Certificate(written.files[0]?.content ?? '');
    expect(cert.subject).toContain('CN=system:node:node-1');
    expect(cert.checkIP('10.0.0.5')).toBe('10.0.0.5');
    expect(written.files[1]?.content).toContain('BEGIN PRIVATE KEY');
  });
});
