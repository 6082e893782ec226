/**
 * The embedded cluster's PKI: a self-signed CA and a serving certificate for the API server
 * (SANs: localhost, 127.0.0.1, ::1 and the listen host), kept under `<dataDir>/pki` so the
 * kubeconfig stays valid across restarts, as kind's certificates do.
 */
import { webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
// @peculiar/x509 resolves its ASN.1 services through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

export interface ServingPki {
  caPem: string;
  certPem: string;
  keyPem: string;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

function keyPem(der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN PRIVATE KEY-----\n${b64.trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

async function generate(hosts: string[]): Promise<ServingPki> {
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const subtle = webcrypto.subtle;
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + TEN_YEARS_MS);
  const caKeys = (await subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=kubernaut-ca',
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  const serverKeys = (await subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const names = [...new Set(['localhost', '127.0.0.1', '::1', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', '10.96.0.1', ...hosts])];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=kube-apiserver',
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.SubjectAlternativeNameExtension(names.map((n) => (isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n }))),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    ],
  });
  return { caPem: ca.toString('pem'), certPem: cert.toString('pem'), keyPem: keyPem(await subtle.exportKey('pkcs8', serverKeys.privateKey)) };
}

/** Loads the PKI from `dir`, creating it on first use. Without a dir it lives in memory only. */
export async function servingPki(dir: string | undefined, hosts: string[]): Promise<ServingPki> {
  const files = dir ? { ca: join(dir, 'ca.crt'), cert: join(dir, 'apiserver.crt'), key: join(dir, 'apiserver.key') } : undefined;
  if (files && existsSync(files.ca) && existsSync(files.cert) && existsSync(files.key)) {
    const stored = { caPem: readFileSync(files.ca, 'utf8'), certPem: readFileSync(files.cert, 'utf8'), keyPem: readFileSync(files.key, 'utf8') };
    const cert = new x509.X509Certificate(stored.certPem);
    const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
    const covered = hosts.every((h) => san?.names.items.some((n) => n.value === h));
    if (covered && cert.notAfter.getTime() > Date.now()) return stored;
  }
  const pki = await generate(hosts);
  if (files && dir) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(files.ca, pki.caPem);
    writeFileSync(files.cert, pki.certPem);
    writeFileSync(files.key, pki.keyPem, { mode: 0o600 });
  }
  return pki;
}
