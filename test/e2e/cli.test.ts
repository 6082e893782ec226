/**
 * The `kubernaut` command line as a newcomer meets it: --version, --help, `up`'s progress lines and
 * log file, endpoints.json, and `kubernaut wait` as scripts use it.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, ROOT } from '../helpers/kubernaut-process.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kubernaut-cli-'));
  dirs.push(d);
  return d;
}

function kubernaut(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/kubernaut.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `kubernaut <args>` in the background; resolves with its exit code and output when it ends. */
function background(args: string[], env: Record<string, string> = {}) {
  const proc = spawn(process.execPath, ['bin/kubernaut.js', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, exited, stdout: () => stdout, stderr: () => stderr };
}

test('--version prints the package version', () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const r = kubernaut(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), version);
});

test('up --help describes the whole stack and shows durations as durations', () => {
  const r = kubernaut(['up', '--help']);
  assert.equal(r.code, 0, r.stderr);
  const help = r.stdout.replace(/\s+/g, ' ');
  assert.match(help, /API server, control plane, DataStorage, Gateway, remediation controllers, investigator \(with the offline mock LLM unless a model is configured\) and alerting/);
  assert.match(help, /--llm-provider <name>/);
  assert.match(help, /--no-investigator/);
  assert.match(help, /--scrape-interval <d> .*?\(default: 30s\)/);
  assert.match(help, /--evaluation-interval <d> .*?\(default: 30s\)/);
  assert.match(help, /--log-format <format>/);
  assert.doesNotMatch(help, /30000/);
});

test('up: progress lines on stdout, JSON logs in the data dir; `wait` started first returns once every component is ready', async () => {
  const dir = dataDir();
  const waiter = background(['wait', '--data-dir', dir, '--timeout', '90s']);
  const up = background(['up', '--ephemeral', '--data-dir', dir, '--port', '0', '--no-control-plane', '--no-datastorage', '--prometheus', 'none'], { KUBERNAUT_LOG_LEVEL: 'info' });
  try {
    assert.equal(await waiter.exited, 0, waiter.stderr());
    assert.equal(waiter.stdout().trim(), 'ready: api-server, gateway, controllers');

    const endpoints = JSON.parse(readFileSync(join(dir, 'endpoints.json'), 'utf8'));
    assert.match(endpoints.apiServer, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(endpoints.gateway, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(endpoints.pid, up.proc.pid);
    assert.deepEqual(endpoints.ready, { apiServer: true, gateway: true, controllers: true });

    await eventually(() => /^kubernaut is ready/m.test(up.stdout()), 'the ready line');
    const lines = up.stdout().trim().split('\n');
    assert.equal(lines.length, 5, up.stdout());
    assert.equal(lines[0], `API server: ${endpoints.apiServer}`);
    assert.equal(lines[1], `export KUBECONFIG=${join(dir, 'kubeconfig')}`);
    assert.match(lines[2], new RegExp(`^gateway: ${endpoints.gateway} `));
    assert.equal(lines[3], `controllers: signalprocessing, orchestrator, workflowexecution, effectiveness, notification (metrics ${endpoints.controllers}/metrics)`);
    assert.equal(lines[4].replace(/after [\d.]+ s/, 'after N s'), `kubernaut is ready after N s (logs: ${join(dir, 'logs', 'kubernaut.log')})`);
    assert.ok(!lines.some((l) => l.startsWith('{')), 'no JSON log line among the progress lines');
    const log = readFileSync(join(dir, 'logs', 'kubernaut.log'), 'utf8').trim().split('\n');
    assert.ok(log.length > 0 && log.every((l) => typeof JSON.parse(l).msg === 'string'), 'the log file holds JSON lines');

    // `kubernaut endpoints` reads the same file: one URL for scripts, or every running component.
    const gateway = kubernaut(['endpoints', 'gateway', '--data-dir', dir]);
    assert.equal(gateway.code, 0, gateway.stderr);
    assert.equal(gateway.stdout, `${endpoints.gateway}\n`);
    const all = kubernaut(['endpoints', '--data-dir', dir]);
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(all.stdout.trim().split('\n').map((l) => l.split(/\s+/)), [['api-server', endpoints.apiServer], ['gateway', endpoints.gateway], ['controllers', endpoints.controllers]]);
    const prometheus = kubernaut(['endpoints', 'prometheus', '--data-dir', dir]);
    assert.equal(prometheus.code, 1);
    assert.match(prometheus.stderr, /prometheus is not running/);
    const unknown = kubernaut(['endpoints', 'grafana', '--data-dir', dir]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown endpoint "grafana" \(one of: api-server, /);

    const controlPlane = kubernaut(['wait', '--data-dir', dir, '--for', 'control-plane']);
    assert.equal(controlPlane.code, 1);
    assert.match(controlPlane.stderr, /this stack does not run control-plane/);
  } finally {
    up.proc.kill('SIGTERM');
    assert.equal(await up.exited, 0, up.stderr());
  }
  assert.equal(existsSync(join(dir, 'endpoints.json')), false, 'endpoints.json describes running stacks only');
});

test('wait fails at once on endpoints.json left by a process that is gone', () => {
  const dir = dataDir();
  const gone = spawnSync(process.execPath, ['-e', '']);
  writeFileSync(join(dir, 'endpoints.json'), JSON.stringify({ apiServer: 'http://127.0.0.1:1', pid: gone.pid, ready: { apiServer: true } }));
  const r = kubernaut(['wait', '--data-dir', dir, '--timeout', '90s']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`kubernaut up \\(pid ${gone.pid}\\) is not running`));
});

test('endpoints says so when no stack runs on the data dir', () => {
  const dir = dataDir();
  const r = kubernaut(['endpoints', 'gateway', '--data-dir', dir]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `kubernaut endpoints: no kubernaut up is running on ${dir}\n`);
});

test('wait gives up after its timeout when no stack runs on the data dir', () => {
  const r = kubernaut(['wait', '--data-dir', dataDir(), '--timeout', '300ms']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /timed out: no kubernaut up is running on /);
});

test('up stops the API server it started when a later component fails, and leaves no endpoints.json', () => {
  const dir = dataDir();
  const r = kubernaut(['up', '--ephemeral', '--data-dir', dir, '--port', '0', '--no-control-plane', '--no-datastorage', '--no-gateway', '--prometheus', 'external', '--prometheus-port', '0']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^API server: http/m);
  assert.match(r.stderr, /--prometheus external needs a data dir/);
  assert.equal(existsSync(join(dir, 'endpoints.json')), false);
});
