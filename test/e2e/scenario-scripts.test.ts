/**
 * The scenario's own scripts (deploy/demo/scenarios/statefulset-pvc-failure) against a running
 * `kubernaut up`, time-scaled, as a person runs them: run.sh heals the workload end to end with the
 * approval auto-approved (and says so), validate.sh passes every criterion, run.sh runs again at
 * once (removing the first run itself), cleanup.sh leaves nothing behind, and run.sh --interactive
 * waits for a person's `kubernaut approve`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';
import { SCENARIO_KUBELET_DELAYS } from '../helpers/reference-scenario.ts';

const NS = 'demo-statefulset';
const SCENARIO = join(ROOT, 'deploy/demo/scenarios/statefulset-pvc-failure');
const SCRIPTS = ['lib.sh', 'run.sh', 'inject-pvc-issue.sh', 'validate.sh', 'cleanup.sh'].map((s) => join(SCENARIO, s));
const RUN_TIMEOUT_MS = 600_000;
let k: RunningKubernaut;

before(async () => {
  k = await startKubernaut({ args: ['--ephemeral', '--time-scale', '20', '--kubelet-delays', SCENARIO_KUBELET_DELAYS] });
});
after(async () => {
  await k?.stop();
});

const scriptEnv = () => ({ ...process.env, KUBECONFIG: k.kubeconfig, KUBERNAUT_HOME: k.dataDir, HOME: k.dataDir });

interface ScriptRun {
  code: number | null;
  output: string;
}

/** Runs a scenario script; `onOutput` sees everything printed so far, each time more arrives. */
function runScript(script: string, args: string[] = [], onOutput?: (output: string) => void): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const proc = spawn('bash', [join(SCENARIO, script), ...args], { cwd: ROOT, env: scriptEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (d: Buffer) => {
      output += d;
      onOutput?.(output);
    };
    proc.stdout.on('data', collect);
    proc.stderr.on('data', collect);
    const timer = setTimeout(() => proc.kill('SIGTERM'), RUN_TIMEOUT_MS);
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** validate.sh's criteria lines (the contract: PASS/FAIL first, one per criterion). */
const criteria = (output: string) => output.split('\n').filter((l) => /^(PASS|FAIL) /.test(l));

function assertHealed(run: ScriptRun): string {
  assert.equal(run.code, 0, run.output);
  const lines = criteria(run.output);
  assert.ok(lines.length >= 20, `validate.sh ran its criteria:\n${run.output}`);
  assert.deepEqual(lines.filter((l) => !l.startsWith('PASS ')), [], run.output);
  const rr = /==> RemediationRequest (\S+) created by the Gateway/.exec(run.output)?.[1];
  assert.ok(rr, `run.sh names the RemediationRequest:\n${run.output}`);
  assert.match(run.output, /Baseline \(.*\):\n(\s+.*\n)*\s+claim data-kv-store-2 Bound volume=pvc-/);
  return rr;
}

const probe = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
const noShellcheck = probe.status === 0 ? undefined : 'shellcheck is not installed (scripts/ci/install-shellcheck.sh installs it)';

test('shellcheck finds nothing in the scenario scripts', { skip: process.env.CI === 'true' ? undefined : noShellcheck }, () => {
  assert.equal(noShellcheck, undefined, noShellcheck);
  const r = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '--external-sources', '--format=gcc', ...SCRIPTS], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});

test('bad arguments are refused clearly', async () => {
  const run = await runScript('run.sh', ['--bogus']);
  assert.equal(run.code, 2);
  assert.match(run.output, /unknown option --bogus/);
  const validate = await runScript('validate.sh', ['--rr']);
  assert.equal(validate.code, 2);
  assert.match(validate.output, /--rr needs a RemediationRequest name/);
});

let firstRR = '';

test('run.sh deploys, injects, auto-approves (announced) and validates: every criterion PASS', { timeout: RUN_TIMEOUT_MS + 60_000 }, async () => {
  const run = await runScript('run.sh');
  firstRR = assertHealed(run);
  assert.match(run.output, /AUTO-APPROVING rar-\S+: the demo approves on your behalf/);
  const rar = JSON.parse(k.kubectlOk(['get', 'remediationapprovalrequest', `rar-${firstRR}`, '-n', NS, '-o', 'json']));
  assert.equal(rar.status.decision, 'Approved');
  assert.match(rar.status.decidedBy, /auto-approved/);
  assert.ok(rar.status.decidedAt, 'the Orchestrator stamped decidedAt');

  // validate.sh on its own finds the same RR (the newest for the alert) and prints only criteria.
  const validate = await runScript('validate.sh');
  assert.equal(validate.code, 0, validate.output);
  const lines = validate.output.split('\n').filter(Boolean);
  assert.deepEqual(lines.filter((l) => !l.startsWith('PASS ')), [], validate.output);
  assert.ok(lines.some((l) => l.includes(firstRR)));
});

test('run.sh a second time in a row removes the first run and heals again', { timeout: RUN_TIMEOUT_MS + 60_000 }, async () => {
  const run = await runScript('run.sh', ['--no-validate']);
  assert.equal(run.code, 0, run.output);
  assert.match(run.output, /demo-statefulset is left from an earlier run: removing it first/);
  const rr = /==> RemediationRequest (\S+) created by the Gateway/.exec(run.output)?.[1];
  assert.ok(rr && rr !== firstRR, `a new RemediationRequest:\n${run.output}`);
  assert.match(run.output, new RegExp(`${rr} ended: Completed Remediated`));
  assert.equal(criteria(run.output).length, 0, '--no-validate skips validate.sh');
  const validate = await runScript('validate.sh', ['--rr', rr]);
  assert.equal(validate.code, 0, validate.output);
});

test('cleanup.sh removes everything; validate.sh then fails with FAIL lines', { timeout: 300_000 }, async () => {
  const baseline = join(k.dataDir, 'demo-statefulset-baseline.txt');
  assert.ok(existsSync(baseline), 'run.sh recorded its baseline in the data dir');
  const run = await runScript('cleanup.sh');
  assert.equal(run.code, 0, run.output);
  assert.notEqual(k.kubectl(['get', 'namespace', NS]).code, 0, 'the namespace is gone');
  const pvs = JSON.parse(k.kubectlOk(['get', 'pv', '-o', 'json'])).items.filter((pv: any) => pv.spec?.claimRef?.namespace === NS);
  assert.deepEqual(pvs.map((pv: any) => pv.metadata.name), []);
  const jobs = JSON.parse(k.kubectlOk(['get', 'jobs', '-n', 'kubernaut-workflows', '-l', `kubernaut.ai/source-namespace=${NS}`, '-o', 'json'])).items;
  assert.deepEqual(jobs.map((j: any) => j.metadata.name), []);
  assert.ok(!existsSync(baseline), 'the baseline is removed');

  const validate = await runScript('validate.sh');
  assert.equal(validate.code, 1);
  assert.ok(criteria(validate.output).some((l) => l.startsWith('FAIL StatefulSet kv-store has 3 replicas')), validate.output);
});

test('after cleanup.sh, run.sh --interactive waits for a person, who approves with `kubernaut approve`', { timeout: RUN_TIMEOUT_MS + 60_000 }, async () => {
  let approved: ReturnType<typeof spawnSync> | undefined;
  const run = await runScript('run.sh', ['--interactive'], (output) => {
    const command = /approve:\s+npx kubernaut approve (\S+) -n demo-statefulset/.exec(output);
    if (command && !approved) {
      approved = spawnSync(process.execPath, ['bin/kubernaut.js', 'approve', command[1], '-n', NS, '-m', 'looks right'], { cwd: ROOT, env: scriptEnv(), encoding: 'utf8', timeout: 60_000 });
    }
  });
  assert.ok(approved, `run.sh printed the approve command:\n${run.output}`);
  assert.equal(approved.status, 0, String(approved.stderr));
  assert.doesNotMatch(run.output, /AUTO-APPROVING/);
  assert.match(run.output, /kubectl patch remediationapprovalrequest rar-\S+ -n demo-statefulset --subresource=status --type=merge/);
  const rr = assertHealed(run);
  const rar = JSON.parse(k.kubectlOk(['get', 'remediationapprovalrequest', `rar-${rr}`, '-n', NS, '-o', 'json']));
  assert.equal(rar.status.decisionMessage, 'looks right');
});
