/**
 * Every workflow script (workflows/<id>/*.sh) passes Debian's `shellcheck`, as CI lints it.
 * Where shellcheck is missing the test skips, except in CI (CI=true), where it fails instead: a
 * missing linter there is a broken install step (scripts/ci/install-shellcheck.sh), not a pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../helpers/kubernaut-process.ts';

const WORKFLOWS = join(ROOT, 'workflows');
const scripts = readdirSync(WORKFLOWS, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(join(WORKFLOWS, d.name)).filter((f) => f.endsWith('.sh')).map((f) => join(WORKFLOWS, d.name, f)))
  .sort();

const probe = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
const missing = probe.status === 0 ? undefined : 'shellcheck is not installed (scripts/ci/install-shellcheck.sh installs it)';
const skip = process.env.CI === 'true' ? undefined : missing;

test('every workflow has its script', () => {
  const ids = readdirSync(WORKFLOWS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  assert.ok(ids.length >= 6);
  for (const id of ids) {
    const script = join(WORKFLOWS, id, 'remediate.sh');
    assert.ok(scripts.includes(script), `${id} has remediate.sh`);
    assert.ok(statSync(script).mode & 0o100, `${id}/remediate.sh is executable`);
    const text = readFileSync(script, 'utf8');
    assert.match(text, /^#!\/usr\/bin\/env bash\n/, `${id}: bash shebang`);
    assert.match(text, /^set -euo pipefail$/m, `${id}: strict mode`);
  }
});

test('shellcheck finds nothing in the workflow scripts', { skip }, () => {
  assert.equal(missing, undefined, missing);
  const r = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '--format=gcc', ...scripts], { encoding: 'utf8', timeout: 120_000 });
  const findings = `${r.stdout}${r.stderr}`.replaceAll(`${ROOT}/`, '');
  assert.equal(r.status, 0, `shellcheck on ${scripts.map((s) => relative(ROOT, s)).join(', ')}:\n${findings}`);
});
