// @peculiar/x509 resolves its ASN.1 services through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { createPrivateKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const EC_KEY: webcrypto.EcKeyGenParams & webcrypto.EcdsaParams = {
  name: 'ECDSA',
  namedCurve: 'P-256',
  hash: 'SHA-256',
};
const RSA_SIGNING: webcrypto.RsaHashedImportParams = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
const YEAR_MS = 365 * 24 * 3600 * 1000;

/** PEM-encoded certificate and private key. */
export interface CertificateAndKey {
  certificate: string;
  privateKey: string;
}

/** What a leaf certificate is for, and the names it covers. */
export interface LeafRequest {
  /** Distinguished name, e.g. `CN=kube-apiserver` or `CN=admin, O=system:masters`. */
  subject: string;
  usage: 'server' | 'client' | 'both';
  /** IP addresses and DNS names of a serving certificate. */
  ips?: readonly string[];
  dnsNames?: readonly string[];
}

/** A certificate authority that can sign leaf certificates. */
export interface CertificateAuthority extends CertificateAndKey {
  issue(request: LeafRequest): Promise<CertificateAndKey>;
}

/** Everything a local kube-apiserver needs to serve TLS and authenticate an admin. */
export interface ControlPlanePki {
  ca: CertificateAndKey;
  /** Serving certificate for 127.0.0.1, ::1 and localhost. */
  apiServer: CertificateAndKey;
  /** Client certificate in group system:masters. */
  admin: CertificateAndKey;
  /** Key pair that signs and verifies service account tokens. */
  serviceAccount: { publicKey: string; privateKey: string };
}

async function exportPrivateKey(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function exportPublicKey(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('spki', key), 'PUBLIC KEY');
}

function serialNumber(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString('hex')
    .replace(/^[89a-f]/, '1');
}

function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
}

function validity(now: Date): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now.getTime() - 3600 * 1000), notAfter: new Date(now.getTime() + YEAR_MS) };
}

/**
 * The CA's own subject key identifier when it has one: verifiers match it to the
 * leaf's authority key identifier, and CAs made elsewhere (Cluster API's) do not
 * derive it from the key the way this library would.
 */
async function authorityKeyIdentifier(caCert: x509.X509Certificate): Promise<x509.Extension> {
  const ski = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski) return new x509.AuthorityKeyIdentifierExtension(ski.keyId, false);
  return x509.AuthorityKeyIdentifierExtension.create(caCert, false);
}

function authority(
  caCert: x509.X509Certificate,
  signingKey: CryptoKey,
  signingAlgorithm: webcrypto.EcdsaParams | webcrypto.RsaHashedImportParams,
  privateKeyPem: string,
  now: Date,
): CertificateAuthority {
  return {
    certificate: caCert.toString('pem'),
    privateKey: privateKeyPem,
    async issue(request) {
      const keys = await generateKeys();
      const usages = {
        server: [x509.ExtendedKeyUsage.serverAuth],
        client: [x509.ExtendedKeyUsage.clientAuth],
        both: [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
      }[request.usage];
      const extensions: x509.Extension[] = [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
          true,
        ),
        new x509.ExtendedKeyUsageExtension(usages, false),
        await authorityKeyIdentifier(caCert),
      ];
      const sans: x509.JsonGeneralNames = [
        ...(request.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
        ...(request.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
      ];
      if (sans.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(sans, false));
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serialNumber(),
        subject: request.subject,
        // The raw subject bytes: Go matches an issuer to its CA byte for byte, and CAs made
        // elsewhere (Cluster API's) may encode their name with other string types than ours.
        issuer: caCert.subjectName,
        ...validity(now),
        publicKey: keys.publicKey,
        signingKey,
        signingAlgorithm,
        extensions,
      });
      return { certificate: cert.toString('pem'), privateKey: await exportPrivateKey(keys.privateKey) };
    },
  };
}

/** A fresh self-signed certificate authority (ECDSA P-256). */
export async function generateCertificateAuthority(
  commonName: string,
  now: Date = new Date(),
): Promise<CertificateAuthority> {
  const caKeys = await generateKeys();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${commonName}`,
    ...validity(now),
    keys: caKeys,
    signingAlgorithm: EC_KEY,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  return authority(caCert, caKeys.privateKey, EC_KEY, await exportPrivateKey(caKeys.privateKey), now);
}

/**
 * An existing certificate authority from its PEM certificate and key (PKCS#1,
 * SEC1 or PKCS#8; RSA or ECDSA P-256), such as the `<cluster>-ca` Secret that
 * Cluster API's kubeadm providers generate.
 */
export async function loadCertificateAuthority(
  certificatePem: string,
  privateKeyPem: string,
  now: Date = new Date(),
): Promise<CertificateAuthority> {
  const key = createPrivateKey(privateKeyPem);
  const pkcs8 = key.export({ format: 'der', type: 'pkcs8' });
  const algorithm =
    key.asymmetricKeyType === 'rsa' ? RSA_SIGNING : key.asymmetricKeyType === 'ec' ? EC_KEY : undefined;
  if (algorithm === undefined) throw new Error(`unsupported CA key type ${key.asymmetricKeyType}`);
  const signingKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, algorithm, false, ['sign']);
  return authority(new x509.X509Certificate(certificatePem), signingKey, algorithm, privateKeyPem, now);
}

/** A fresh key pair for signing service account tokens, PEM encoded. */
export async function generateServiceAccountKeys(): Promise<{ publicKey: string; privateKey: string }> {
  const keys = await generateKeys();
  return {
    publicKey: await exportPublicKey(keys.publicKey),
    privateKey: await exportPrivateKey(keys.privateKey),
  };
}

/** The serving names every local kube-apiserver certificate carries. */
export const LOCAL_API_SERVER_NAMES = {
  ips: ['127.0.0.1', '::1', '10.0.0.1'],
  dnsNames: ['localhost', 'kubernetes.default.svc'],
} as const;

/** A fresh certificate authority and the certificates signed by it. */
export async function generateControlPlanePki(now: Date = new Date()): Promise<ControlPlanePki> {
  const ca = await generateCertificateAuthority('immutable-infra-envtest-ca', now);
  return {
    ca: { certificate: ca.certificate, privateKey: ca.privateKey },
    apiServer: await ca.issue({ subject: 'CN=kube-apiserver', usage: 'server', ...LOCAL_API_SERVER_NAMES }),
    admin: await ca.issue({ subject: 'CN=iinfra-admin, O=system:masters', usage: 'client' }),
    serviceAccount: await generateServiceAccountKeys(),
  };
}
