/**
 * `kubernaut demo`, as a newcomer runs it: the real command on its own stack, at the default time
 * scale, twice in a row on the same data dir (the second run must not trip over the first).
 * --interactive is run by the console's browser test (console-browser.test.ts), where the person
 * approves by clicking; run.sh --interactive with `kubernaut approve` by scenario-scripts.test.ts.
 * Output is matched for the stages a person must be able to follow; no timing is asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/kubernaut-process.ts';

/** Generous: the demo runs in about a minute on an idle machine; CI machines are not idle. */
const RUN_TIMEOUT_MS = 6 * 60_000;

interface DemoRun {
  code: number | null;
  output: string;
}

function runDemo(args: string[], onOutput?: (all: string) => void): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/kubernaut.js', 'demo', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBERNAUT_LOG_LEVEL: 'warn' } });
    let output = '';
    const collect = (d: Buffer) => {
      output += d;
      onOutput?.(output);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      child.kill('SIGINT');
      reject(new Error(`demo did not finish in time:\n${output}`));
    }, RUN_TIMEOUT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The stages every run must show, in the order they happen. */
function assertStages(output: string): void {
  const stages: Array<[string, RegExp]> = [
    ['stack ready', /kubernaut is ready/],
    ['deployment', /roll out complete/],
    ['injection', /Deleting PVC data-kv-store-2/],
    ['alert pending', /KubernautStatefulSetReplicasMismatch pending/],
    ['alert firing', /KubernautStatefulSetReplicasMismatch firing/],
    ['RR created', /RemediationRequest rr-\S+ created by the Gateway/],
    ['SP completed', /SignalProcessing sp-rr-\S+ → Completed/],
    ['root cause', /root cause: .*data-kv-store-2/],
    ['workflow and confidence', /selected workflow: fix-statefulset-pvc-v1.*confidence \d+%/],
    ['WE running its Job', /runs Job kubernaut-workflows\//],
    ['Job log', /│ .*claim data-kv-store-2/],
    ['WE completed', /WorkflowExecution we-rr-\S+ → Completed/],
    ['effectiveness', /effectiveness: overall 1\.00, health 1\.00, alert resolved/],
    ['RR remediated', /RemediationRequest rr-\S+ → Completed \(Remediated\)/],
    ['checks', /✓ KubernautStatefulSetReplicasMismatch fired only after its for window/],
    ['audit chain', /✓ the audit hash chain verifies/],
    ['total', /^total \d+\.\d s/m],
  ];
  let from = 0;
  for (const [stage, re] of stages) {
    const m = re.exec(output.slice(from));
    assert.ok(m, `the output shows ${stage} (after the previous stage):\n${output}`);
    from += m.index;
  }
  assert.doesNotMatch(output, /^✗/m, output);
  assert.match(output, /PASSED: every criterion holds/);
}

test('npx kubernaut demo statefulset-pvc-failure passes, twice in a row on the same data dir', { timeout: 2 * RUN_TIMEOUT_MS + 60_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubernaut-demo-'));
  try {
    for (const run of [1, 2]) {
      const r = await runDemo(['statefulset-pvc-failure', '--data-dir', dataDir]);
      assert.equal(r.code, 0, `run ${run}:\n${r.output}`);
      assert.match(r.output, /time scale 60 /, 'the default time scale');
      assertStages(r.output);
      assert.match(r.output, /auto-approved by the demo \(use --interactive to decide yourself\)/);
      assert.match(r.output, /Approved by kubernaut-demo \(auto-approval\)/);
      assert.match(r.output, /stopping the stack/);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('bad usage: an unknown scenario exits 2 and lists the known ones; --list lists them', () => {
  const r = spawnSync(process.execPath, ['bin/kubernaut.js', 'demo', 'no-such-scenario'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /unknown scenario "no-such-scenario"/);
  assert.match(r.stderr, /statefulset-pvc-failure/);
  const list = spawnSync(process.execPath, ['bin/kubernaut.js', 'demo', '--list'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /^statefulset-pvc-failure\s+StatefulSet PVC failure/m);
  const contradiction = spawnSync(process.execPath, ['bin/kubernaut.js', 'demo', '--realtime', '--time-scale', '5'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(contradiction.status, 2);
  const badScale = spawnSync(process.execPath, ['bin/kubernaut.js', 'demo', '--time-scale', 'fast'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(badScale.status, 0);
  assert.match(badScale.stderr, /positive number/);
});
