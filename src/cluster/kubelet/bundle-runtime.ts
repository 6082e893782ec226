/**
 * What the kubelet needs to run a workflow bundle container as a local process: the argv (image
 * ENTRYPOINT/CMD, or the container's command/args with `$(VAR)` expanded), the environment (the
 * image's ENV, then the container's env/envFrom, then KUBECONFIG, HOSTNAME, HOME and a PATH that
 * finds the real kubectl) and a private working directory holding a kubeconfig for the pod's
 * ServiceAccount: a TokenRequest bound to the pod, as the kubelet's projected token is, so the
 * token dies with the pod.
 *
 * The endpoint is always HTTPS, as the in-cluster endpoint of a real cluster is (kubectl sends a
 * token over TLS only); the embedded cluster opens one for pods when it serves plain HTTP.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { ClientError, type ClusterClient } from '../client/cluster-client.ts';
import type { KubeObject } from '../core/types.ts';
import { type BundleLookup, type BundleRegistry, resolveProgram, type WorkflowBundle } from './bundles.ts';
import { containerEnvironment, expandVars, type PodAddresses } from './container-env.ts';

/** What the control plane tells the kubelet about running bundles. */
export interface BundleRuntimeConfig {
  registry: BundleRegistry;
  /** The HTTPS endpoint of the API server the processes talk to, and its CA (asked on first use). */
  apiServer: () => Promise<ApiEndpoint>;
}

export interface ApiEndpoint {
  url: string;
  caPem?: string;
}

/** The kubelet asks for projected tokens of this lifetime (see KUBELET_TOKEN_SECONDS). */
const TOKEN_SECONDS = 3607;

/** The ServiceAccount token could not be had: the kubelet reports it as a failed mount. */
export class TokenFetchError extends Error {}

export interface PreparedProcess {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** Removes the working directory (and the kubeconfig in it). */
  cleanup(): void;
}

export class BundleRuntime {
  private hostPath: string | undefined;

  constructor(
    private readonly config: BundleRuntimeConfig,
    private readonly client: ClusterClient,
  ) {}

  lookup(image: string): BundleLookup {
    return this.config.registry.find(image);
  }

  /** Builds argv, env and working directory for one instance; throws ContainerConfigError or TokenFetchError. */
  async prepare(pod: KubeObject, container: any, bundle: WorkflowBundle, addresses: PodAddresses): Promise<PreparedProcess> {
    const token = await this.podToken(pod);
    const containerEnv = await containerEnvironment(this.client, pod, container, addresses);
    const argv = this.argv(container, bundle, containerEnv);
    const cwd = mkdtempSync(join(tmpdir(), `kubernaut-bundle-${pod.metadata.name}-`));
    try {
      const kubeconfig = join(cwd, 'kubeconfig');
      writeFileSync(kubeconfig, this.kubeconfig(await this.config.apiServer(), token, pod.metadata.namespace!), { mode: 0o600 });
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(bundle.env)) if (k !== 'PATH' && k !== 'HOME') env[k] = v;
      env.HOSTNAME = pod.spec?.hostname ?? pod.metadata.name!;
      env.HOME = cwd;
      for (const [k, v] of containerEnv) env[k] = v;
      env.PATH = containerEnv.has('PATH') ? `${containerEnv.get('PATH')}${delimiter}${this.pathWithKubectl()}` : this.pathWithKubectl();
      env.KUBECONFIG = kubeconfig;
      return { argv, env, cwd, cleanup: () => rmSync(cwd, { recursive: true, force: true }) };
    } catch (e) {
      rmSync(cwd, { recursive: true, force: true });
      throw e;
    }
  }

  /** command/args as the runtime combines them with the image's ENTRYPOINT/CMD. */
  private argv(container: any, bundle: WorkflowBundle, env: Map<string, string>): string[] {
    const expand = (list: unknown) => (Array.isArray(list) ? list.map((a) => expandVars(String(a), env)) : []);
    const command = expand(container.command);
    const args = expand(container.args);
    if (command.length === 0) return [...bundle.entrypoint, ...(args.length ? args : bundle.args)];
    const program = resolveProgram(bundle.dir, bundle.files, command[0]) ?? (existsSync(command[0]) ? command[0] : command[0].split('/').pop()!);
    return [program, ...command.slice(1), ...args];
  }

  private async podToken(pod: KubeObject): Promise<string> {
    const ns = pod.metadata.namespace!;
    const sa = pod.spec?.serviceAccountName ?? 'default';
    try {
      const res = await this.client.request('POST', `/api/v1/namespaces/${encodeURIComponent(ns)}/serviceaccounts/${encodeURIComponent(sa)}/token`, {
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { expirationSeconds: TOKEN_SECONDS, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid } },
        },
      });
      const token = res?.status?.token;
      if (typeof token !== 'string') throw new Error('the TokenRequest answer holds no token');
      return token;
    } catch (e) {
      throw new TokenFetchError(`failed to fetch token: ${e instanceof ClientError ? e.message : (e as Error).message}`);
    }
  }

  private kubeconfig({ url, caPem }: ApiEndpoint, token: string, namespace: string): string {
    return JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'kubernaut', cluster: { server: url, ...(caPem ? { 'certificate-authority-data': Buffer.from(caPem).toString('base64') } : {}) } }],
      users: [{ name: 'pod', user: { token } }],
      contexts: [{ name: 'pod', context: { cluster: 'kubernaut', user: 'pod', namespace } }],
      'current-context': 'pod',
    }, null, 2);
  }

  /** The kubelet's own PATH, plus the directory of the kubectl it finds, once. */
  private pathWithKubectl(): string {
    if (this.hostPath !== undefined) return this.hostPath;
    const path = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
    const dirs = path.split(delimiter).filter(Boolean);
    const hasKubectl = dirs.some((d) => existsSync(join(d, 'kubectl')));
    const fallback = ['/usr/local/bin', '/usr/bin'].find((d) => existsSync(join(d, 'kubectl')));
    this.hostPath = hasKubectl || !fallback ? path : `${path}${delimiter}${dirname(join(fallback, 'kubectl'))}`;
    return this.hostPath;
  }
}
