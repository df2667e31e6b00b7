// @peculiar/x509 resolves its ASN.1 services through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const EC_KEY: webcrypto.EcKeyGenParams & webcrypto.EcdsaParams = {
  name: 'ECDSA',
  namedCurve: 'P-256',
  hash: 'SHA-256',
};
const YEAR_MS = 365 * 24 * 3600 * 1000;

/** PEM-encoded certificate and private key. */
export interface CertificateAndKey {
  certificate: string;
  privateKey: string;
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

interface LeafRequest {
  subject: string;
  usage: 'server' | 'client';
  sans?: x509.JsonGeneralNames;
}

/** A fresh certificate authority and the certificates signed by it. */
export async function generateControlPlanePki(now: Date = new Date()): Promise<ControlPlanePki> {
  const notBefore = new Date(now.getTime() - 3600 * 1000);
  const notAfter = new Date(now.getTime() + YEAR_MS);
  const caKeys = await generateKeys();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: 'CN=immutable-infra-envtest-ca',
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: EC_KEY,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const leaf = async (request: LeafRequest): Promise<CertificateAndKey> => {
    const keys = await generateKeys();
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension(
        [request.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
        false,
      ),
      await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
    ];
    if (request.sans) extensions.push(new x509.SubjectAlternativeNameExtension(request.sans, false));
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject: request.subject,
      issuer: caCert.subject,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: EC_KEY,
      extensions,
    });
    return { certificate: cert.toString('pem'), privateKey: await exportPrivateKey(keys.privateKey) };
  };

  const saKeys = await generateKeys();
  return {
    ca: { certificate: caCert.toString('pem'), privateKey: await exportPrivateKey(caKeys.privateKey) },
    apiServer: await leaf({
      subject: 'CN=kube-apiserver',
      usage: 'server',
      sans: [
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
        { type: 'ip', value: '10.0.0.1' },
        { type: 'dns', value: 'localhost' },
        { type: 'dns', value: 'kubernetes.default.svc' },
      ],
    }),
    admin: await leaf({ subject: 'CN=iinfra-admin, O=system:masters', usage: 'client' }),
    serviceAccount: {
      publicKey: await exportPublicKey(saKeys.publicKey),
      privateKey: await exportPrivateKey(saKeys.privateKey),
    },
  };
}
