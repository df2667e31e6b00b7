import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { loadCertificateAuthority } from '../src/pki.js';

/** A certificate's issuer or subject name with each value's ASN.1 string type: Go compares the encoded bytes. */
function nameDer(pem: string, field: 'issuer' | 'subject'): string {
  const der = execFileSync('openssl', ['x509', '-noout', `-${field}`, '-nameopt', 'RFC2253,show_type'], {
    input: pem,
  }).toString();
  return der.trim().replace(/^(issuer|subject)=/, '');
}

it('issues certificates from a CA made elsewhere (RSA, PKCS#1 key, its own key identifier) that chain to it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pki-test-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  // Like Cluster API's cluster CA: RSA, a PKCS#1 key, and a subject key id not derived from the key.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=kubernetes',
      '-keyout',
      join(dir, 'ca.key'),
      '-out',
      join(dir, 'ca.crt'),
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,digitalSignature',
      '-addext',
      'subjectKeyIdentifier=0102030405060708090a0b0c0d0e0f1011121314',
      '-addext',
      'authorityKeyIdentifier=none',
    ],
    { stdio: 'ignore' },
  );
  execFileSync('openssl', ['rsa', '-in', join(dir, 'ca.key'), '-traditional', '-out', join(dir, 'ca1.key')], {
    stdio: 'ignore',
  });
  const caPem = readFileSync(join(dir, 'ca.crt'), 'utf8');
  const keyPem = readFileSync(join(dir, 'ca1.key'), 'utf8');
  expect(keyPem).toContain('BEGIN RSA PRIVATE KEY');

  const ca = await loadCertificateAuthority(caPem, keyPem);
  const leaf = await ca.issue({ subject: 'CN=kube-apiserver', usage: 'server', ips: ['127.0.0.9'] });
  const caCert = new X509Certificate(caPem);
  const leafCert = new X509Certificate(leaf.certificate);
  expect(leafCert.verify(caCert.publicKey)).toBe(true);
  expect(leafCert.checkIssued(caCert)).toBe(true);
  expect(nameDer(leaf.certificate, 'issuer')).toBe(nameDer(caPem, 'subject'));
  expect(leafCert.toLegacyObject().ext_key_usage).toContain('1.3.6.1.5.5.7.3.1');
  expect(leafCert.checkIP('127.0.0.9')).toBe('127.0.0.9');
  writeFileSync(join(dir, 'leaf.crt'), leaf.certificate);
  const verify = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'leaf.crt')]);
  expect(verify.toString()).toMatch(/OK/);
});
