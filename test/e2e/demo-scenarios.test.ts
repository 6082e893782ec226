/**
 * Every catalog scenario the evaluation fixtures cover heals for real through `kubernaut demo
 * <name>`: each on its own stack, a real alert from its PrometheusRule, the whole pipeline, the
 * workflow bundle run as a Job, and the scenario's own healed-state checks. One at a time (each
 * starts a stack); the demo's exit code is the verdict, its output is shown when it fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/kubernaut-process.ts';

const SCENARIOS = [
  'oom-killed',
  'deployment-bad-configmap-crashloop',
  'image-pull-failure',
  'statefulset-claim-missing-storageclass',
  'prompt-injection-in-logs',
  'untolerated-taint',
  'node-not-ready',
];
/** Generous: each run takes about a minute on an idle machine (node-not-ready two: the drain waits for its pods); CI machines are not idle. */
const RUN_TIMEOUT_MS = 6 * 60_000;

function demo(name: string, dataDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/kubernaut.js', 'demo', name, '--data-dir', dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBERNAUT_LOG_LEVEL: 'warn' } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGINT');
      reject(new Error(`demo ${name} did not finish in time:\n${output}`));
    }, RUN_TIMEOUT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

for (const name of SCENARIOS) {
  test(`kubernaut demo ${name} heals for real`, { timeout: RUN_TIMEOUT_MS + 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), `kubernaut-demo-${name}-`));
    try {
      const { code, output } = await demo(name, join(dir, 'data'));
      assert.equal(code, 0, `demo ${name} exited ${code}:\n${output}`);
      assert.match(output, /PASSED: every criterion holds/);
      assert.match(output, /healed: /, 'the scenario checked its own healed state');
      assert.doesNotMatch(output, /^✗/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
