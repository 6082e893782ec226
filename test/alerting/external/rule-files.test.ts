/**
 * The rules directory follows the PrometheusRule objects: one file per object, a file promtool
 * rejects is never installed (and takes the object's older version out), recreated objects
 * replace their file, and leftovers of an earlier run are cleared.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { RuleFiles } from '../../../src/alerting/external/index.ts';
import type { PrometheusRuleObject } from '../../../src/alerting/k8s/prometheus-rule-source.ts';
import { componentLogger } from '../../../src/platform/log.ts';
import { BINARIES, needs } from './tools.ts';

// Rejections are logged at warn; the assertions below check them, so keep the test output quiet.
const log = componentLogger('rule-files-test').child({}, { level: 'silent' });
let dir: string;
let rulesDir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kubernaut-rulefiles-'));
  rulesDir = join(dir, 'rules');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function rule(name: string, expr: string, uid = `uid-${name}`, forText = '1m'): PrometheusRuleObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name, namespace: 'demo', uid },
    spec: { groups: [{ name: `${name}-group`, rules: [{ alert: `${name}Alert`, expr, for: forText }] }] },
  };
}

const installed = () => readdirSync(rulesDir).sort();
const content = (file: string) => YAML.parse(readFileSync(join(rulesDir, file), 'utf8'));

test('reset creates the directory and removes files of an earlier run', async () => {
  mkdirSync(rulesDir, { recursive: true });
  writeFileSync(join(rulesDir, 'demo-stale-uid.yaml'), 'groups: []\n');
  const files = new RuleFiles({ dir: rulesDir, timeScale: 1, log });
  await files.reset();
  assert.deepEqual(installed(), []);
});

test('one file per object; unchanged objects are not rewritten; removal deletes the file', async () => {
  const files = new RuleFiles({ dir: rulesDir, timeScale: 10, log });
  await files.reset();
  assert.deepEqual(await files.upsert(rule('a', 'up == 0')), { status: 'written', file: 'demo-a-uid-a.yaml' });
  assert.deepEqual(await files.upsert(rule('b', 'up == 1')), { status: 'written', file: 'demo-b-uid-b.yaml' });
  assert.deepEqual(installed(), ['demo-a-uid-a.yaml', 'demo-b-uid-b.yaml']);
  assert.equal(content('demo-a-uid-a.yaml').groups[0].rules[0].for, '6s');
  assert.deepEqual(await files.upsert(rule('a', 'up == 0')), { status: 'unchanged', file: 'demo-a-uid-a.yaml' });
  assert.deepEqual(await files.upsert(rule('a', 'up == 0', 'uid-a', '2m')), { status: 'written', file: 'demo-a-uid-a.yaml' });
  assert.equal(content('demo-a-uid-a.yaml').groups[0].rules[0].for, '12s');

  assert.equal(await files.remove(rule('a', '')), true);
  assert.equal(await files.remove(rule('a', '')), false);
  assert.deepEqual(installed(), ['demo-b-uid-b.yaml']);
  assert.deepEqual(files.files(), ['demo-b-uid-b.yaml']);
});

test('an object recreated with a new uid replaces its old file', async () => {
  const files = new RuleFiles({ dir: rulesDir, timeScale: 1, log });
  await files.reset();
  await files.upsert(rule('a', 'up == 0', 'first'));
  await files.upsert(rule('a', 'up == 0', 'second'));
  assert.deepEqual(installed(), ['demo-a-second.yaml']);
});

test('promtool rejects a broken object: not installed, its older version removed, the others untouched', needs('promtool'), async () => {
  const files = new RuleFiles({ dir: rulesDir, timeScale: 1, promtool: BINARIES.promtool, log });
  await files.reset();
  await files.upsert(rule('good', 'up == 0'));
  await files.upsert(rule('changing', 'up == 1'));
  const outcome = await files.upsert(rule('changing', 'up =='));
  assert.equal(outcome.status, 'rejected');
  assert.ok(outcome.status === 'rejected' && outcome.removedPrevious);
  // promtool's reason, naming the object rather than a temporary file.
  assert.match(outcome.status === 'rejected' ? outcome.error : '', /demo\/changing.*parse error/s);
  assert.deepEqual(installed(), ['demo-good-uid-good.yaml']);

  const fresh = await files.upsert(rule('never-good', 'sum(up'));
  assert.equal(fresh.status, 'rejected');
  assert.ok(fresh.status === 'rejected' && !fresh.removedPrevious);
  assert.deepEqual(installed(), ['demo-good-uid-good.yaml']);
  // Nothing under check is left where Prometheus' glob could pick it up.
  assert.deepEqual(readdirSync(`${rulesDir}.staging`), []);

  // Fixed again: installed again.
  assert.equal((await files.upsert(rule('changing', 'up == 2'))).status, 'written');
  assert.deepEqual(installed(), ['demo-changing-uid-changing.yaml', 'demo-good-uid-good.yaml']);
});

test('without promtool, files are written unchecked', async () => {
  const files = new RuleFiles({ dir: rulesDir, timeScale: 1, log });
  await files.reset();
  assert.equal((await files.upsert(rule('broken', 'up =='))).status, 'written');
  assert.ok(existsSync(join(rulesDir, 'demo-broken-uid-broken.yaml')));
});
