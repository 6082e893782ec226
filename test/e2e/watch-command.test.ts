/**
 * `kubernaut watch` and the `kubectl kubernaut` plugin against the real `kubernaut up`: a
 * RemediationRequest and its children stream by in one table with their printer columns as the
 * SignalProcessing controller and the Orchestrator move them, the approval and the analysis
 * driven by hand as in remediation-lifecycle.test.ts. Also what kubectl itself offers: the
 * multi-kind `get` of the scenario, and `get -w` of a single kind in Table form.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { eventually, ROOT, startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';
import { completeAnalysisWithWorkflow, createRR, waitForPhase } from '../helpers/remediation.ts';

const NS = 'demo-statefulset';
const MANIFESTS = `${ROOT}deploy/demo/scenarios/statefulset-pvc-failure/manifests`;
/** Long enough that no timeout interferes on a busy machine. */
const PATIENT = { global: '100h', processing: '100h', analyzing: '100h', awaitingApproval: '100h', executing: '100h', verifying: '100h' };

let k: RunningKubernaut;
/** Whatever a failed test left running. */
const spawned: ChildProcess[] = [];
before(async () => {
  k = await startKubernaut({ args: ['--ephemeral', '--no-investigator', '--only-controllers', 'sp,ro', '--time-scale', '30', '--kubelet-delays', '0', '--prometheus', 'none'] });
  k.kubectlOk(['apply', '-f', `${MANIFESTS}/namespace.yaml`, '-f', `${MANIFESTS}/statefulset.yaml`]);
});
after(async () => {
  for (const p of spawned) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await k?.stop();
});

interface Background {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

/** Runs a command in the background with the kubeconfig of `up` in its environment, unless `env` says otherwise. */
function background(cmd: string, args: string[], env: Record<string, string | undefined> = {}): Background {
  const proc = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: k.kubeconfig, HOME: k.dataDir, ...env } });
  spawned.push(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout += d));
  proc.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, exited, stdout: () => stdout, stderr: () => stderr };
}

/** The line of `name` (of any kind) showing `cells` in order, in what was printed so far. */
function lineOf(out: string, qualifiedName: string, ...cells: string[]): string | undefined {
  const pattern = new RegExp(`(?:^|\\s)${[qualifiedName, ...cells].map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+')}\\s`, 'm');
  return pattern.exec(out)?.[0];
}

test('watch streams the RR and its children with their printer columns, one line per visible change; Ctrl-C exits 0', async () => {
  // No KUBECONFIG: --data-dir finds the stack's.
  const w = background(process.execPath, ['bin/kubernaut.js', 'watch', '-n', NS, '--kinds', 'rr,sp,aa,we,ea,rar', '--data-dir', k.dataDir], { KUBECONFIG: undefined });
  await eventually(() => /No resources found in demo-statefulset namespace/.test(w.stderr()), 'the empty initial list');

  const rr = createRR(k, { timeouts: PATIENT });
  await eventually(() => lineOf(w.stdout(), `remediationrequest.kubernaut.ai/${rr}`, 'Analyzing'), 'the RR in Analyzing', 60_000);
  await eventually(() => lineOf(w.stdout(), `signalprocessing.kubernaut.ai/sp-${rr}`, 'Completed', 'critical', 'production', 'P0'), 'the classified SP', 30_000);
  await eventually(() => w.stdout().includes(`aianalysis.kubernaut.ai/ai-${rr}`), 'the AA');
  let out = w.stdout();
  // One header per kind, the CRDs' printer columns in the server's order.
  assert.match(out, /^NAME\s+PHASE\s+OUTCOME\s+AGE$/m);
  assert.match(out, /^NAME\s+PHASE\s+SEVERITY\s+ENVIRONMENT\s+PRIORITY\s+AGE$/m);
  assert.match(out, /^NAME\s+PHASE\s+ACTIONTYPE\s+CONFIDENCE\s+APPROVALREQUIRED\s+AGE$/m);
  assert.equal(out.match(/^NAME\s+PHASE\s+OUTCOME/gm)?.length, 1, 'the RR header once');
  // The RR's phases in order, each once.
  const rrPhases = [...out.matchAll(new RegExp(`^remediationrequest\\.kubernaut\\.ai/${rr}\\s+(\\S+)`, 'gm'))].map((m) => m[1]);
  assert.deepEqual(rrPhases.filter((p, i) => p === rrPhases[i - 1]), [], `no repeated line: ${rrPhases.join(' ')}`);
  assert.ok(rrPhases.indexOf('Processing') < rrPhases.indexOf('Analyzing'), rrPhases.join(' '));

  // Later changes, by hand and by the Orchestrator, arrive as new lines.
  completeAnalysisWithWorkflow(k, NS, rr, { approvalRequired: true });
  await waitForPhase(k, NS, rr, 'AwaitingApproval');
  await eventually(() => lineOf(w.stdout(), `aianalysis.kubernaut.ai/ai-${rr}`, 'Completed', 'RecreatePVC', '0.92', 'true'), 'the completed AA');
  await eventually(() => lineOf(w.stdout(), `remediationrequest.kubernaut.ai/${rr}`, 'AwaitingApproval'), 'the RR awaiting approval');
  await eventually(() => lineOf(w.stdout(), `remediationapprovalrequest.kubernaut.ai/rar-${rr}`, `ai-${rr}`), 'the approval request');
  const approve = spawnSync(process.execPath, ['bin/kubernaut.js', 'approve', rr, '-n', NS, '--kubeconfig', k.kubeconfig], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(approve.status, 0, approve.stderr);
  await eventually(() => lineOf(w.stdout(), `remediationapprovalrequest.kubernaut.ai/rar-${rr}`, `ai-${rr}`, '0.92', 'Approved'), 'the decision');
  await eventually(() => lineOf(w.stdout(), `remediationrequest.kubernaut.ai/${rr}`, 'Executing'), 'the RR executing', 30_000);
  await eventually(() => w.stdout().includes(`workflowexecution.kubernaut.ai/we-${rr}`), 'the WE');

  out = w.stdout();
  w.proc.kill('SIGINT');
  assert.equal(await w.exited, 0, w.stderr());
  assert.equal(w.stderr().replace(/No resources found in demo-statefulset namespace\.\n/, ''), '');
  // Changes only the AGE would show are not printed again.
  const lines = out.split('\n').filter((l) => l.includes('.kubernaut.ai/')).map((l) => l.replace(/\s+\S+$/, ''));
  assert.deepEqual(lines.filter((l, i) => lines.indexOf(l) !== i), [], 'no line printed twice');
});

test('kubectl kubernaut watch: the plugin is found on the PATH and streams like the command', async () => {
  const PATH = `${ROOT}bin:${process.env.PATH}`;
  const list = spawnSync('kubectl', ['plugin', 'list'], { encoding: 'utf8', env: { ...process.env, PATH, KUBECONFIG: k.kubeconfig } });
  assert.match(list.stdout, /bin\/kubectl-kubernaut$/m, list.stderr);

  const rr = createRR(k, { timeouts: PATIENT });
  const w = background('kubectl', ['kubernaut', 'watch', '-n', NS, '--timestamps'], { PATH });
  await eventually(() => lineOf(w.stdout(), `remediationrequest.kubernaut.ai/${rr}`, 'Analyzing') ?? lineOf(w.stdout(), `remediationrequest.kubernaut.ai/${rr}`, 'Blocked'), 'the RR through the plugin', 60_000);
  assert.match(w.stdout(), /^TIME\s+NAME\s+PHASE\s+OUTCOME\s+AGE$/m);
  assert.match(w.stdout(), /^\d\d:\d\d:\d\d\s+remediationrequest\.kubernaut\.ai\//m);
  w.proc.kill('SIGINT');
  assert.equal(await w.exited, 0, w.stderr());
});

test('a reader that goes away (`| head`) ends the watch with exit 0', async () => {
  const w = background(process.execPath, ['bin/kubernaut.js', 'watch', '-n', NS]);
  await eventually(() => w.stdout().includes('remediationrequest.kubernaut.ai/'), 'the first lines');
  w.proc.stdout!.destroy();
  // The next change has nowhere to go.
  createRR(k, { timeouts: PATIENT });
  assert.equal(await w.exited, 0, w.stderr());
});

test('bad input: clear errors, exit 1', () => {
  const run = (args: string[]) => spawnSync(process.execPath, ['bin/kubernaut.js', 'watch', ...args, '--kubeconfig', k.kubeconfig], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const json = run(['-n', NS, '-o', 'json']);
  assert.equal(json.status, 1);
  assert.match(json.stderr, /-o json is not supported \(only -o wide\)/);
  const kinds = run(['-n', NS, '--kinds', 'rr,pods']);
  assert.equal(kinds.status, 1);
  assert.match(kinds.stderr, /"pods" is not a Kubernaut kind/);
});

test('kubectl: the scenario\'s multi-kind get works as written; get -w of one kind streams Table rows', async () => {
  const rr = createRR(k, { timeouts: PATIENT });
  await waitForPhase(k, NS, rr, 'Analyzing');
  const got = k.kubectlOk(['get', 'rr,sp,aa,we,ea', '-n', NS]);
  assert.ok(lineOf(got, `remediationrequest.kubernaut.ai/${rr}`, 'Analyzing'), got);
  assert.ok(lineOf(got, `signalprocessing.kubernaut.ai/sp-${rr}`, 'Completed', 'critical'), got);
  assert.match(got, /^NAME\s+PHASE\s+SEVERITY\s+ENVIRONMENT\s+PRIORITY\s+AGE$/m);

  // kubectl refuses -w with several kinds ("you may only specify a single resource type"): hence `kubernaut watch`.
  const w = k.kubectlBackground(['get', 'rr', '-n', NS, '-w']);
  spawned.push(w.proc);
  await eventually(() => lineOf(w.output(), rr, 'Analyzing'), 'kubectl get -w listing');
  const next = createRR(k, { timeouts: PATIENT });
  await eventually(() => lineOf(w.output(), next, 'Analyzing'), 'kubectl get -w following a change', 60_000);
  assert.match(w.output(), /^NAME\s+PHASE\s+OUTCOME\s+AGE$/m);
  w.stop();
});
