import { resolve } from 'node:path';

/** Where `kubernaut up` keeps its state, kubeconfig, endpoints.json and logs. */
export function resolveDataDir(flag: string | undefined): string {
  return resolve(flag ?? process.env.KUBERNAUT_HOME ?? '.kubernaut');
}
