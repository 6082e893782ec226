/**
 * `kubernaut up` on two processes: the embedded cluster in `up`, Kubernaut's services in the
 * services process it forks. Checked from outside, as an operator would: which process owns which
 * listening socket (/proc), what happens when either process dies, and that nothing outlives `up`.
 * Also `up --config <kind config>`: the kind file's nodes and port mappings shape the stack.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { eventually, freePort, ROOT, startKubernaut } from '../helpers/kubernaut-process.ts';
import { processAlive } from '../../src/platform/process-alive.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kubernaut-procs-'));
  dirs.push(d);
  return d;
}

const LIGHT = ['--ephemeral', '--no-investigator', '--prometheus', 'none', '--kubelet-delays', '0'];

/** Alive as `up` itself judges it: a zombie (exited, not reaped by a container's PID 1) is gone. */
const alive = processAlive;

/** The process holding the TCP socket that listens on `port` (from /proc/net/tcp and each process's fds). */
function listenerPid(port: number): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[1].endsWith(`:${hexPort}`) && f[3] === '0A') inodes.add(f[9]);
    }
  }
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1])) return Number(pid);
      } catch {
        // gone meanwhile
      }
    }
  }
  return undefined;
}

function parentPid(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
}

const portOf = (url: string) => Number(new URL(url).port);

test('the Gateway and DataStorage answer from the services process, the API server from up; killing the services process stops up with an error', async () => {
  const up = await startKubernaut({ args: LIGHT });
  try {
    const endpoints = JSON.parse(readFileSync(join(up.dataDir, 'endpoints.json'), 'utf8'));
    assert.equal(endpoints.pid, up.process.pid);
    assert.equal(typeof endpoints.servicesPid, 'number');
    assert.notEqual(endpoints.servicesPid, endpoints.pid);
    assert.equal(parentPid(endpoints.servicesPid), up.process.pid, 'up forked the services process');
    assert.equal(listenerPid(portOf(endpoints.apiServer)), up.process.pid, 'the API server listens in up');
    assert.equal(listenerPid(portOf(endpoints.kubeStateMetrics)), up.process.pid, 'kube-state-metrics listens in up');
    assert.equal(listenerPid(portOf(endpoints.gateway)), endpoints.servicesPid, 'the Gateway listens in the services process');
    assert.equal(listenerPid(portOf(endpoints.dataStorage)), endpoints.servicesPid, 'DataStorage listens in the services process');
    assert.equal(listenerPid(portOf(endpoints.controllers)), endpoints.servicesPid, 'the controllers run in the services process');
    // Both answer, each from its own process.
    assert.equal((await fetch(`${endpoints.gateway}/healthz`)).status, 200);
    assert.equal(up.kubectl(['get', 'nodes']).code, 0);

    const exited = new Promise<number | null>((resolve) => up.process.on('exit', (code) => resolve(code)));
    process.kill(endpoints.servicesPid, 'SIGKILL');
    const code = await exited;
    assert.notEqual(code, 0);
    assert.match(up.output(), new RegExp(`the Kubernaut services process \\(pid ${endpoints.servicesPid}\\) was killed by SIGKILL; stopping the cluster`));
    assert.equal(existsSync(join(up.dataDir, 'endpoints.json')), false, 'endpoints.json describes running stacks only');
    assert.equal(listenerPid(portOf(endpoints.apiServer)), undefined, 'the API server is closed');
  } finally {
    await up.stop('SIGKILL');
  }
});

test('SIGTERM closes the services process, then the cluster: up exits 0 and leaves no process behind', async () => {
  const up = await startKubernaut({ args: ['--ephemeral', '--kubelet-delays', '0'] });
  const endpoints = JSON.parse(readFileSync(join(up.dataDir, 'endpoints.json'), 'utf8'));
  const servicesPid: number = endpoints.servicesPid;
  assert.ok(alive(servicesPid));
  assert.equal(await up.stop('SIGTERM'), 0);
  // up waits for the services process before it closes the cluster and exits.
  assert.equal(alive(servicesPid), false, 'the services process is gone when up exits');
  assert.equal(listenerPid(portOf(endpoints.gateway)), undefined);
  assert.equal(listenerPid(portOf(endpoints.prometheus)), undefined);
});

test('a SIGKILLed up takes its services process with it, and a new up on the data dir starts cleanly', async () => {
  const dir = dataDir();
  const first = await startKubernaut({ dataDir: dir, args: ['--no-investigator', '--prometheus', 'none', '--kubelet-delays', '0'] });
  const servicesPid: number = JSON.parse(readFileSync(join(dir, 'endpoints.json'), 'utf8')).servicesPid;
  first.kubectlOk(['create', 'namespace', 'survives']);
  await first.stop('SIGKILL');
  // The next up waits for the orphan to close its DataStorage files before opening them.
  const second = await startKubernaut({ dataDir: dir, args: ['--no-investigator', '--prometheus', 'none', '--kubelet-delays', '0'] });
  try {
    assert.equal(alive(servicesPid), false, 'the services process of the killed up closed');
    second.kubectlOk(['get', 'namespace', 'survives']);
    const endpoints = JSON.parse(readFileSync(join(dir, 'endpoints.json'), 'utf8'));
    assert.equal((await fetch(`${endpoints.dataStorage}/health`)).ok || (await fetch(`${endpoints.dataStorage}/healthz`)).ok, true);
  } finally {
    await second.stop();
  }
  await eventually(() => !alive(servicesPid), 'the orphaned services process to exit', 20_000);
});

test('a service that cannot start (its port is taken) fails up with the error, and nothing is left running', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    const dir = dataDir();
    const r = spawnSync(process.execPath, ['bin/kubernaut.js', 'up', '--data-dir', dir, ...LIGHT, '--port', '0', '--gateway-port', String(port)], { cwd: ROOT, encoding: 'utf8', timeout: 90_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^API server: http/m);
    assert.match(r.stderr, new RegExp(`EADDRINUSE.*127\\.0\\.0\\.1:${port}`));
    assert.doesNotMatch(r.stdout, /kubernaut is ready/);
    assert.equal(existsSync(join(dir, 'endpoints.json')), false);
    const leftovers = spawnSync('pgrep', ['-f', '__up-services'], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number);
    assert.ok(leftovers.every((pid) => parentPid(pid) !== r.pid), 'no services process of this up survives');
  } finally {
    taken.close();
  }
});

/** Runs `up` (no helper: its --prometheus-port 0 would override the config) until it is ready. */
async function upWithConfig(dir: string, args: string[]): Promise<{ proc: ChildProcess; stdout: () => string; stderr: () => string; stop: () => Promise<number | null> }> {
  const proc = spawn(process.execPath, ['bin/kubernaut.js', 'up', '--data-dir', dir, '--ephemeral', '--port', '0', '--no-investigator', '--kubelet-delays', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout += d));
  proc.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  await Promise.race([eventually(() => /^kubernaut is ready/m.test(stdout), 'up --config to be ready', 90_000), exited.then((code) => assert.fail(`up exited with ${code}:\n${stdout}\n${stderr}`))]);
  return {
    proc,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: async () => {
      proc.kill('SIGTERM');
      return exited;
    },
  };
}

/** The scenario's kind config with its hostPorts moved to free ones, so the test never depends on 9190 or 30080. */
async function scenarioConfigCopy(dir: string): Promise<{ file: string; gateway: number; alerts: number }> {
  const [gateway, alerts] = [await freePort(), await freePort()];
  const text = readFileSync(join(ROOT, 'deploy/demo/scenarios/kind-config-singlenode.yaml'), 'utf8')
    .replace('containerPort: 30080, hostPort: 30080', `containerPort: 30080, hostPort: ${gateway}`)
    .replace('containerPort: 30190, hostPort: 9190', `containerPort: 30190, hostPort: ${alerts}`);
  assert.match(text, new RegExp(`hostPort: ${alerts}`));
  const file = join(dir, 'kind-config.yaml');
  writeFileSync(file, text);
  return { file, gateway, alerts };
}

test('up --config <the scenario kind config>: its node and its port mappings (Gateway, alerts page) shape the stack', async () => {
  const dir = dataDir();
  const { file, gateway, alerts } = await scenarioConfigCopy(dir);
  const up = await upWithConfig(dir, ['--config', file]);
  try {
    assert.match(up.stdout(), new RegExp(`^config ${file}: kind cluster "kind", nodes kind-control-plane; gateway on ${gateway}, alerts page on ${alerts}$`, 'm'));
    assert.match(up.stdout(), /^control plane: 1 node, /m);
    const endpoints = JSON.parse(readFileSync(join(dir, 'endpoints.json'), 'utf8'));
    assert.equal(endpoints.gateway, `http://127.0.0.1:${gateway}`);
    assert.equal(endpoints.prometheus, `http://127.0.0.1:${alerts}`);
    const page = await fetch(`http://127.0.0.1:${alerts}/alerts`);
    assert.equal(page.status, 200);
    const nodes = spawnSync('kubectl', ['get', 'nodes', '-o', 'name'], { env: { ...process.env, KUBECONFIG: join(dir, 'kubeconfig'), HOME: dir }, encoding: 'utf8' });
    assert.equal(nodes.stdout.trim(), 'node/kind-control-plane', nodes.stderr);
  } finally {
    assert.equal(await up.stop(), 0);
  }
});

test('up --config: flags given explicitly win; unknown containerPorts are warned about; ignored fields are named once', async () => {
  const dir = dataDir();
  const [mapped, explicit] = [await freePort(), await freePort()];
  const file = join(dir, 'kind.yaml');
  writeFileSync(
    file,
    [
      'kind: Cluster',
      'apiVersion: kind.x-k8s.io/v1alpha4',
      'name: lab',
      'networking: { disableDefaultCNI: true }',
      'nodes:',
      '- role: control-plane',
      `  extraPortMappings: [{ containerPort: 30080, hostPort: ${mapped} }, { containerPort: 80, hostPort: 8080 }]`,
      '- role: worker',
    ].join('\n'),
  );
  const up = await upWithConfig(dir, ['--config', file, '--prometheus', 'none', '--nodes', '3', '--gateway-port', String(explicit)]);
  try {
    const endpoints = JSON.parse(readFileSync(join(dir, 'endpoints.json'), 'utf8'));
    assert.equal(endpoints.gateway, `http://127.0.0.1:${explicit}`);
    assert.match(up.stdout(), /^config .*: kind cluster "lab", nodes lab-control-plane, lab-worker, lab-worker2; gateway on \d+$/m);
    assert.match(up.stdout(), /^control plane: 3 nodes, /m);
    assert.equal(up.stdout().match(/not simulated by the embedded cluster, ignored: networking$/gm)?.length, 1);
    assert.match(up.stderr(), /containerPort 80 is none of Kubernaut's NodePorts/);
  } finally {
    assert.equal(await up.stop(), 0);
  }
});

test('up --config with invalid YAML or a config of another kind: exit 2, a clear message, nothing started', () => {
  const dir = dataDir();
  for (const [text, message] of [
    ['kind: Cluster\n  apiVersion: [', /^kubernaut up: --config .*kind\.yaml is not valid YAML/],
    ['apiVersion: v1\nkind: Pod\nmetadata: { name: x }\n', /^kubernaut up: --config .*kind\.yaml is a Pod of v1, not a kind cluster configuration/],
  ] as const) {
    const file = join(dir, 'kind.yaml');
    writeFileSync(file, text);
    const home = join(dir, 'home');
    const r = spawnSync(process.execPath, ['bin/kubernaut.js', 'up', '--data-dir', home, '--ephemeral', '--port', '0', '--config', file], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
    assert.equal(existsSync(home), false, 'nothing started, not even the data dir');
  }
});
