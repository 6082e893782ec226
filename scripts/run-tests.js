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
// One TAP copy per run, so runs side by side never read each other's counts.
const tapFile = join(tmpdir(), `kubernaut-test-results-${process.pid}.tap`);
const skippedFile = join(tmpdir(), `kubernaut-test-skipped-${process.pid}.jsonl`);
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', '--test-reporter-destination=' + tapFile,
    '--test-reporter=' + join(root, 'scripts/skipped-tests-reporter.js'), '--test-reporter-destination=' + skippedFile,
    '--test-concurrency=2', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'test' } },
);
// A plain closing line that any CI log reader understands, from the TAP copy of the run.
try {
  const tap = readFileSync(tapFile, 'utf8');
  rmSync(tapFile, { force: true });
  const count = (key) => Number((tap.match(new RegExp(`^# ${key} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  console.log(`tests: ${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped`);
} catch {
  // no TAP file: the runner itself failed before running anything; its exit code says so
}
let status = result.status ?? 1;
let skipped = [];
try {
  skipped = readFileSync(skippedFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  rmSync(skippedFile, { force: true });
} catch {
  // no file: nothing ran
}
if (skipped.length) {
  const ci = process.env.CI === 'true';
  console.log(ci ? `${skipped.length} tests skipped or marked todo, which CI does not allow:` : 'skipped or marked todo here:');
  for (const t of skipped) console.log(`  ${relative(root, t.file ?? '')}: ${t.name} (${t.why}${t.reason ? `: ${t.reason}` : ''})`);
  if (ci) status = status || 1;
}
process.exit(status);
