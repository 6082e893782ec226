/**
 * `endpoints.json` in the data dir: where each running component of `kubernaut up` listens, and
 * which are ready. `up` rewrites it as components come up; `kubernaut wait` and scripts read it.
 *
 *   {"apiServer": "http://127.0.0.1:41234", "kubeStateMetrics": "...", "gateway": "...", ...,
 *    "pid": 4242, "ready": {"apiServer": true, "controlPlane": true, "dataStorage": false, ...}}
 *
 * The URLs stay top-level strings, as before readiness was recorded; a URL appears once its
 * component is ready. `ready` names exactly the components this `up` runs.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const COMPONENTS = ['apiServer', 'controlPlane', 'dataStorage', 'gateway', 'controllers', 'alerting', 'investigator', 'console'] as const;
export type Component = (typeof COMPONENTS)[number];

/** How the command line spells each component (`kubernaut wait --for control-plane`). */
export const COMPONENT_FLAGS: Record<Component, string> = {
  apiServer: 'api-server',
  controlPlane: 'control-plane',
  dataStorage: 'datastorage',
  gateway: 'gateway',
  controllers: 'controllers',
  alerting: 'alerting',
  investigator: 'investigator',
  console: 'console',
};

export type EndpointUrls = Partial<Record<'apiServer' | 'kubeStateMetrics' | 'dataStorage' | 'gateway' | 'controllers' | 'prometheus' | 'alertmanager' | 'investigator' | 'mockLlm' | 'console' | 'consoleSignIn', string>>;

export interface Endpoints extends EndpointUrls {
  /** The `kubernaut up` process, so a reader can tell a live stack from a file left by a killed one. */
  pid: number;
  /** The process of Kubernaut's services that `up` forked (absent with --single-process). */
  servicesPid?: number;
  ready: Partial<Record<Component, boolean>>;
}

export function endpointsPath(dataDir: string): string {
  return join(dataDir, 'endpoints.json');
}

/** The file's content, or undefined while there is none (not started yet, or shut down). */
export function readEndpoints(dataDir: string): Endpoints | undefined {
  let text: string;
  try {
    text = readFileSync(endpointsPath(dataDir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return JSON.parse(text) as Endpoints;
}

/** The writer `up` keeps: records each component's readiness and URLs as they arrive. */
export class EndpointsFile {
  private readonly content: Endpoints;

  constructor(
    private readonly dataDir: string,
    components: readonly Component[],
    pid = process.pid,
  ) {
    this.content = { pid, ready: Object.fromEntries(components.map((c) => [c, false])) };
  }

  ready(component: Component, urls: EndpointUrls = {}): void {
    for (const [key, url] of Object.entries(urls)) if (url) this.content[key as keyof EndpointUrls] = url;
    this.content.ready[component] = true;
    this.write();
  }

  /** Records URLs of a part that has no readiness of its own (e.g. the mock LLM, ready with the investigator). */
  update(urls: EndpointUrls): void {
    for (const [key, url] of Object.entries(urls)) if (url) this.content[key as keyof EndpointUrls] = url;
    this.write();
  }

  /** Records the services process `up` forked (written with the next change). */
  setServicesPid(pid: number): void {
    this.content.servicesPid = pid;
  }

  /** endpoints.json describes running components only. */
  remove(): void {
    rmSync(endpointsPath(this.dataDir), { force: true });
  }

  private write(): void {
    // Written aside and renamed, so a reader polling the file never sees half of it.
    const path = endpointsPath(this.dataDir);
    const { pid, ready, ...urls } = this.content;
    // Owner-only: consoleSignIn carries the local user's sign-in token.
    writeFileSync(`${path}.tmp`, JSON.stringify({ ...urls, pid, ready }, null, 2) + '\n', { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
  }
}
