/**
 * The identity the services of `kubernaut up --require-auth` use with each other and with the API
 * server: a random token generated on every start, added to the API server's token file (with the
 * user's own tokens) as a `system:masters` user, like kube-apiserver's loopback client.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const STACK_USER = 'kubernaut:stack';

export interface StackIdentity {
  token: string;
  /** The token file the API server loads: the user's tokens plus the stack's. */
  tokenFile: string;
}

export function createStackIdentity(dataDir: string, userTokenFile: string | undefined): StackIdentity {
  const token = randomBytes(32).toString('hex');
  const dir = join(dataDir, 'auth');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tokenFile = join(dir, 'tokens.csv');
  const userTokens = userTokenFile ? readFileSync(userTokenFile, 'utf8').replace(/\n*$/, '\n') : '';
  writeFileSync(tokenFile, `${userTokens}${token},${STACK_USER},${STACK_USER},"system:masters"\n`, { mode: 0o600 });
  return { token, tokenFile };
}
