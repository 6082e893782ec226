/**
 * scripts/ci/install-prometheus.sh installs only what is missing. Run with a PATH of our own,
 * where `apt-get` and `sudo` are recorders that install nothing, so no test touches the system.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath } from '../../../src/alerting/external/index.ts';
import { ROOT } from '../../helpers/kubernaut-process.ts';
import { needs } from './tools.ts';

const SCRIPT = join(ROOT, 'scripts/ci/install-prometheus.sh');
const BASH = findOnPath('bash')!;
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kubernaut-install-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A PATH directory with the given real tools plus recording fakes of apt-get and sudo. */
function fakePath(name: string, tools: string[]): { path: string; log: string } {
  const bin = join(dir, name);
  mkdirSync(bin);
  const log = join(dir, `${name}.log`);
  for (const tool of ['id', 'head', ...tools]) symlinkSync(findOnPath(tool)!, join(bin, tool));
  const recorder = `#!${BASH}\necho "\${0##*/} $*" >> ${log}\n[[ "\${0##*/}" == sudo ]] && exec "$@"\nexit 0\n`;
  for (const fake of ['apt-get', 'sudo']) {
    writeFileSync(join(bin, fake), recorder);
    chmodSync(join(bin, fake), 0o755);
  }
  return { path: bin, log };
}

const run = (path: string) => spawnSync(BASH, [SCRIPT], { env: { PATH: path }, encoding: 'utf8', timeout: 30_000 });

test('everything installed: no apt, and the two versions on stdout', needs('prometheus', 'promtool', 'alertmanager', 'amtool'), () => {
  const { path, log } = fakePath('all', ['prometheus', 'promtool', 'prometheus-alertmanager', 'amtool']);
  const r = run(path);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!existsSync(log), 'apt-get was not called');
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^prometheus, version \d+\./);
  assert.match(lines[1], /^alertmanager, version \d+\./);
});

test('Alertmanager missing: apt installs only prometheus-alertmanager, and a failed install is an error', needs('prometheus', 'promtool'), () => {
  const { path, log } = fakePath('no-am', ['prometheus', 'promtool']);
  const r = run(path);
  // The recording apt-get installs nothing, so the script must notice the binary is still missing.
  assert.equal(r.status, 1);
  assert.match(r.stderr, /installing prometheus-alertmanager \(apt\)/);
  assert.match(r.stderr, /prometheus-alertmanager is still missing after the install/);
  const calls = readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('apt-get'));
  assert.deepEqual(calls, ['apt-get update -qq', 'apt-get install -y -qq --no-install-recommends prometheus-alertmanager']);
  assert.equal(r.stdout, '', 'nothing but versions ever goes to stdout');
});
