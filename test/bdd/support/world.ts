/**
 * The World the scenario's steps share: one `kubernaut up` for the whole feature (started in
 * BeforeAll, stopped in AfterAll, see hooks.ts) and the story so far (what each step found that a
 * later step checks against). Steps reach the stack as a user would: the real kubectl, the
 * scenario's own scripts, the `kubernaut` CLI and the services' HTTP APIs.
 */
import { World, setWorldConstructor, type IWorldOptions } from '@cucumber/cucumber';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, type KubectlResult, type RunningKubernaut } from '../../helpers/kubernaut-process.ts';

export const NS = 'demo-statefulset';
export const STATEFULSET = 'kv-store';
export const SIGNAL = 'KubernautStatefulSetReplicasMismatch';
export const WORKFLOW_ID = 'fix-statefulset-pvc-v1';
export const WORKFLOW_NAMESPACE = 'kubernaut-workflows';
export const SCENARIO_DIR = join(ROOT, 'deploy/demo/scenarios/statefulset-pvc-failure');

type Json = Record<string, any>;

/** What the feature has established so far; scenarios run in order and each adds to it. */
export interface Story {
  stack?: RunningKubernaut;
  /** The stack's --time-scale: the alert's `for` and every Kubernaut wait are divided by it. */
  timeScale: number;
  /** Real ms when the fault was injected. */
  injectedAt?: number;
  /** The pod kv-store-2 and the volume of its claim before the fault. */
  podUidBeforeFault?: string;
  volumeBeforeFault?: string;
  /** The pod the StatefulSet recreated, stuck Pending. */
  stuckPodUid?: string;
  /** The alert as Prometheus' API showed it firing. */
  alert?: { activeAt: string; firingSeenAt: number };
  /** The RemediationRequest the Gateway created for the alert. */
  rr?: string;
}

export const story: Story = { timeScale: 10 };

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class KubernautWorld extends World {
  constructor(options: IWorldOptions) {
    super(options);
  }

  get stack(): RunningKubernaut {
    if (!story.stack) throw new Error('the Kubernaut stack is not running (BeforeAll failed)');
    return story.stack;
  }

  kubectl(args: string[], timeoutMs?: number): KubectlResult {
    return this.stack.kubectl(args, { timeoutMs });
  }

  kubectlOk(args: string[], timeoutMs?: number): string {
    return this.stack.kubectlOk(args, { timeoutMs });
  }

  /** `kubectl get ... -o json`, or undefined when the object does not exist. */
  getJson(kind: string, name: string, namespace: string | undefined = NS): Json | undefined {
    const r = this.kubectl(['get', kind, name, ...(namespace ? ['-n', namespace] : []), '-o', 'json']);
    if (r.code !== 0) {
      if (/NotFound|not found/.test(r.stderr)) return undefined;
      throw new Error(`kubectl get ${kind} ${name}: ${r.stderr}`);
    }
    return JSON.parse(r.stdout);
  }

  listJson(kind: string, args: string[] = []): Json[] {
    return JSON.parse(this.kubectlOk(['get', kind, '-n', NS, ...args, '-o', 'json'])).items;
  }

  /** A scenario script (run.sh, inject-pvc-issue.sh, validate.sh ...) against the stack's cluster. */
  runScript(script: string, args: string[] = [], timeoutMs = 120_000): ScriptResult {
    const r = spawnSync('bash', [join(SCENARIO_DIR, script), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: timeoutMs,
      env: { ...process.env, KUBECONFIG: this.stack.kubeconfig, KUBERNAUT_HOME: this.stack.dataDir, HOME: this.stack.dataDir },
    });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
  }

  /** The `kubernaut` CLI, as a user runs it with npx. */
  kubernautCli(args: string[]): ScriptResult {
    const r = spawnSync(process.execPath, ['bin/kubernaut.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, KUBECONFIG: this.stack.kubeconfig } });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** A component's URL from the stack's endpoints.json (dataStorage, prometheus, ...). */
  endpoint(name: string): string {
    const url = JSON.parse(readFileSync(join(this.stack.dataDir, 'endpoints.json'), 'utf8'))[name];
    if (typeof url !== 'string') throw new Error(`endpoints.json has no ${name}`);
    return url;
  }

  get rr(): string {
    if (!story.rr) throw new Error('no RemediationRequest yet');
    return story.rr;
  }

  rrObject(): Json {
    const o = this.getJson('remediationrequest', this.rr);
    if (!o) throw new Error(`RemediationRequest ${this.rr} is gone`);
    return o;
  }

  /** The RR's child named by its status ref (e.g. aiAnalysisRef), as kubectl shows it. */
  child(kind: string, ref: string): Json {
    const name = this.rrObject().status?.[ref]?.name;
    if (!name) throw new Error(`${this.rr} has no ${ref} yet`);
    const o = this.getJson(kind, name);
    if (!o) throw new Error(`${kind} ${name} does not exist`);
    return o;
  }
}

setWorldConstructor(KubernautWorld);

export const isReady = (pod: Json | undefined): boolean => (pod?.status?.conditions ?? []).some((c: Json) => c.type === 'Ready' && c.status === 'True');
