#!/usr/bin/env node
// Runs every test/**/*.test.ts with node's test runner through tsx.
// Node 20's --test neither expands globs nor finds .ts files itself, so we list them here.
// A skipped test is listed at the end; in CI (CI=true) it fails the run, as CI has every tool and
// database a test needs and must never lose a test silently.
// Usage: npm test [-- <substring filter>...]
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else if (name.endsWith('.test.ts')) out.push(relative(root, full));
  }
  return out;
}

const files = walk(join(root, 'test'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// The end-to-end tests spawn bin/kubernaut.js, which runs dist/ only when it was built from the
// sources as they are: build it now (a no-op when fresh) so they run what users run, and start fast.
if (spawnSync(process.execPath, [join(root, 'scripts/build.js')], { stdio: 'inherit' }).status !== 0) {
  console.error('build failed: bin/kubernaut.js will run the TypeScript sources through tsx');
}
// One record per run, so runs side by side never read each other's counts.
const recordFile = join(tmpdir(), `kubernaut-test-run-${process.pid}.jsonl`);
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=' + join(root, 'scripts/run-record-reporter.js'), '--test-reporter-destination=' + recordFile,
    '--test-concurrency=2', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'test' } },
);
let status = result.status ?? 1;
let record = [];
try {
  record = readFileSync(recordFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  rmSync(recordFile, { force: true });
} catch {
  // no record: the runner itself failed before running anything; its exit code says so
}
const totals = Object.fromEntries(record.filter((r) => r.total).map((r) => [r.total, r.count]));
const skipped = record.filter((r) => r.skipped).map((r) => r.skipped);
if (skipped.length) {
  const ci = process.env.CI === 'true';
  console.log(ci ? `${skipped.length} tests skipped or marked todo, which CI does not allow:` : 'skipped or marked todo here:');
  for (const t of skipped) console.log(`  ${relative(root, t.file ?? '')}: ${t.name} (${t.why}${t.reason ? `: ${t.reason}` : ''})`);
  if (ci) status = status || 1;
}
// A plain closing line that any CI log reader understands.
if ('pass' in totals) console.log(`tests: ${totals.pass} passed, ${totals.fail ?? 0} failed, ${totals.skipped ?? 0} skipped`);
process.exit(status);
