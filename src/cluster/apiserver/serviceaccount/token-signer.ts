/**
 * The key that signs ServiceAccount tokens (kube-apiserver's --service-account-signing-key-file)
 * and the compact JWS (ES256) those tokens are. The key pair is made on first use and kept as
 * `sa.key` / `sa.pub` in the cluster's PKI directory (kubeadm's names), so tokens survive a
 * restart; without a directory it lives in memory only.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A token longer than this is not one of ours; checked before any parsing. */
const MAX_TOKEN_BYTES = 16 * 1024;

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export class TokenSigner {
  private keys: { privateKey: KeyObject; publicKey: KeyObject; kid: string } | undefined;

  constructor(private readonly dir: string | undefined) {}

  /** Signs the claims as a compact JWS. */
  sign(claims: object): string {
    const { privateKey, kid } = this.keyPair();
    const input = `${b64url(JSON.stringify({ alg: 'ES256', kid }))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${b64url(signature)}`;
  }

  /**
   * The claims of a token this signer made, or undefined for anything else (another issuer's
   * JWT, a static token, garbage). Claims are not checked here, only the signature.
   */
  verify(token: string): Record<string, any> | undefined {
    if (token.length > MAX_TOKEN_BYTES) return undefined;
    const parts = token.split('.');
    if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) return undefined;
    // No key yet means no token was ever issued: nothing to verify against (and no key to make).
    if (!this.keys && !this.storedKeyExists()) return undefined;
    const { publicKey, kid } = this.keyPair();
    try {
      const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      if (header?.alg !== 'ES256' || (header.kid !== undefined && header.kid !== kid)) return undefined;
      const ok = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(parts[2], 'base64url'));
      if (!ok) return undefined;
      const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
      return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? claims : undefined;
    } catch {
      return undefined;
    }
  }

  private storedKeyExists(): boolean {
    return this.dir !== undefined && existsSync(join(this.dir, 'sa.key'));
  }

  private keyPair(): { privateKey: KeyObject; publicKey: KeyObject; kid: string } {
    if (this.keys) return this.keys;
    let privateKey: KeyObject;
    const keyFile = this.dir ? join(this.dir, 'sa.key') : undefined;
    if (keyFile && existsSync(keyFile)) privateKey = createPrivateKey(readFileSync(keyFile, 'utf8'));
    else {
      privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      if (this.dir && keyFile) {
        mkdirSync(this.dir, { recursive: true, mode: 0o700 });
        writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
        writeFileSync(join(this.dir, 'sa.pub'), createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }));
      }
    }
    const publicKey = createPublicKey(privateKey);
    // The key id kube-apiserver derives: the SHA-256 of the public key's DER, base64url.
    const kid = b64url(createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest());
    this.keys = { privateKey, publicKey, kid };
    return this.keys;
  }
}
