/**
 * The scenario's Gherkin feature (deploy/demo/scenarios/statefulset-pvc-failure/*.feature), executed
 * step by step by cucumber-js against its own embedded stack (test/bdd), as `npm run test:bdd` runs
 * it. Passes only when cucumber exits 0 and its summary counts every scenario and every step passed
 * (an undefined or skipped step fails too); on failure the whole of cucumber's output is shown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/kubernaut-process.ts';

const FEATURE_DIR = join(ROOT, 'deploy/demo/scenarios/statefulset-pvc-failure');
const CUCUMBER = join(ROOT, 'node_modules/@cucumber/cucumber/bin/cucumber.js');

/** Runs cucumber-js as `npm run test:bdd` does, collecting stdout and stderr together. */
function runCucumber(timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', CUCUMBER, '--config', 'test/bdd/cucumber.mjs'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let output = '';
    proc.stdout.on('data', (d) => (output += d));
    proc.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[bdd.test] cucumber still running after ${timeoutMs} ms: stopped`;
      proc.kill('SIGTERM');
    }, timeoutMs);
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The counts in cucumber's summary line, e.g. "8 scenarios (8 passed)". */
function summary(output: string, noun: 'scenarios' | 'steps'): { total: number; passed: number } | undefined {
  const m = new RegExp(`^(\\d+) ${noun} \\(([^)]*)\\)`, 'm').exec(output);
  if (!m) return undefined;
  const passed = /(\d+) passed/.exec(m[2]);
  return { total: Number(m[1]), passed: passed ? Number(passed[1]) : 0 };
}

test('the scenario\'s feature passes step by step under cucumber-js against the embedded stack', { timeout: 1_000_000 }, async () => {
  const features = readdirSync(FEATURE_DIR).filter((f) => f.endsWith('.feature'));
  assert.deepEqual(features, ['statefulset-pvc-failure.feature']);
  const scenarios = (readFileSync(join(FEATURE_DIR, features[0]), 'utf8').match(/^\s*Scenario:/gm) ?? []).length;
  assert.ok(scenarios >= 8, `the feature has its scenarios (${scenarios})`);

  const { code, output } = await runCucumber(900_000);
  const shown = `cucumber-js output:\n${output}`;
  assert.equal(code, 0, shown);
  assert.deepEqual(summary(output, 'scenarios'), { total: scenarios, passed: scenarios }, shown);
  const steps = summary(output, 'steps');
  assert.ok(steps && steps.total > scenarios * 4 && steps.passed === steps.total, shown);
});
