/** Restarting `kubernaut up` on the same data dir keeps objects and resourceVersions, a crash included. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { eventually, ROOT, startKubernaut } from '../helpers/kubernaut-process.ts';

test('state survives a clean restart, with uids and resourceVersions', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubernaut-persist-'));
  try {
    const first = await startKubernaut({ dataDir });
    first.kubectlOk(['create', 'namespace', 'keep']);
    first.kubectlOk(['create', 'configmap', 'c', '-n', 'keep', '--from-literal=a=1']);
    const before = JSON.parse(first.kubectlOk(['get', 'cm', 'c', '-n', 'keep', '-o', 'json']));
    assert.equal(await first.stop('SIGTERM'), 0, 'clean shutdown on SIGTERM');

    const second = await startKubernaut({ dataDir });
    try {
      const after = JSON.parse(second.kubectlOk(['get', 'cm', 'c', '-n', 'keep', '-o', 'json']));
      assert.equal(after.metadata.uid, before.metadata.uid);
      assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
      assert.deepEqual(after.data, { a: '1' });
      second.kubectlOk(['create', 'configmap', 'd', '-n', 'keep']);
      const d = JSON.parse(second.kubectlOk(['get', 'cm', 'd', '-n', 'keep', '-o', 'json']));
      assert.ok(Number(d.metadata.resourceVersion) > Number(before.metadata.resourceVersion), 'resourceVersions keep growing');
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** One write a writer sent: what it asked for, and what the server answered if it answered 2xx. */
interface Write {
  name: string;
  data: Record<string, string>;
  acked?: { uid: string; resourceVersion: string };
}

test('a SIGKILL amid a stream of writes loses no acknowledged write and tears none', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubernaut-crash-'));
  const NS = 'crash';
  try {
    const first = await startKubernaut({ dataDir });
    first.kubectlOk(['create', 'namespace', NS]);
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(first.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);

    // Four writers, one request in flight each, creating objects and replacing the one they just
    // created, until the server dies under them. Every write is recorded before it is sent.
    const writes: Write[] = [];
    let acked = 0;
    const writer = async (w: number) => {
      for (let i = 0; ; i++) {
        const name = `w${w}-${Math.floor(i / 2)}`;
        const write: Write = { name, data: { writer: String(w), step: String(i), payload: `${name}:${i}:`.padEnd(512, 'x') } };
        writes.push(write);
        const body = { metadata: { name, labels: { stream: 'crash' } }, data: write.data };
        try {
          const res = i % 2 === 0 ? await core.createNamespacedConfigMap({ namespace: NS, body }) : await core.replaceNamespacedConfigMap({ namespace: NS, name, body });
          write.acked = { uid: res.metadata!.uid!, resourceVersion: res.metadata!.resourceVersion! };
          acked++;
        } catch {
          return; // the server is gone: this write may or may not have landed
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    await eventually(() => acked >= 400, '400 acknowledged writes', 60_000, 5);
    await first.stop('SIGKILL');
    await Promise.all(writers);
    assert.ok(writes.some((w) => !w.acked), 'writes were still in flight when the server died');

    const second = await startKubernaut({ dataDir });
    try {
      const list = JSON.parse(second.kubectlOk(['get', 'cm', '-n', NS, '-l', 'stream=crash', '-o', 'json']));
      const stored = new Map<string, any>(list.items.map((cm: any) => [cm.metadata.name, cm]));
      const byName = new Map<string, Write[]>();
      for (const w of writes) byName.set(w.name, [...(byName.get(w.name) ?? []), w]);
      for (const [name, history] of byName) {
        const lastAcked = history.filter((w) => w.acked).at(-1);
        const unacked = history.filter((w) => !w.acked); // at most the last write of a writer
        const cm = stored.get(name);
        if (!cm) {
          assert.equal(lastAcked, undefined, `${name}: acknowledged at resourceVersion ${lastAcked?.acked?.resourceVersion}, gone after the crash`);
          continue;
        }
        if (cm.metadata.resourceVersion === lastAcked?.acked?.resourceVersion) {
          assert.deepEqual(cm.data, lastAcked!.data, `${name}: content of the acknowledged write`);
          assert.equal(cm.metadata.uid, lastAcked!.acked!.uid);
        } else {
          // Only the write in flight at the kill may have landed after the last acknowledged one, and whole.
          assert.ok(!lastAcked || Number(cm.metadata.resourceVersion) > Number(lastAcked.acked!.resourceVersion), `${name}: resourceVersion ${cm.metadata.resourceVersion} older than the acknowledged ${lastAcked?.acked?.resourceVersion}`);
          assert.equal(unacked.length, 1, `${name}: stored at ${cm.metadata.resourceVersion}, which no write explains`);
          assert.deepEqual(cm.data, unacked[0].data, `${name}: the unacknowledged write landed torn`);
        }
      }
      assert.deepEqual([...stored.keys()].filter((n) => !byName.has(n)), [], 'objects nobody wrote');
      const landed = writes.filter((w) => !w.acked && stored.get(w.name)?.data?.step === w.data.step).length;
      t.diagnostic(`${acked} writes acknowledged before the kill, ${writes.length - acked} in flight, ${landed} of those stored`);

      // The restarted server goes on from the highest resourceVersion it stored.
      const highest = Math.max(...[...stored.values()].map((cm) => Number(cm.metadata.resourceVersion)));
      second.kubectlOk(['create', 'configmap', 'after', '-n', NS]);
      const after = JSON.parse(second.kubectlOk(['get', 'cm', 'after', '-n', NS, '-o', 'json']));
      assert.ok(Number(after.metadata.resourceVersion) > highest, 'resourceVersions keep growing after a crash');
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('--ephemeral keeps nothing', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubernaut-eph-'));
  try {
    const a = await startKubernaut({ dataDir, args: ['--ephemeral'] });
    a.kubectlOk(['create', 'namespace', 'gone']);
    await a.stop();
    const b = await startKubernaut({ dataDir, args: ['--ephemeral'] });
    try {
      b.kubectlOk(['get', 'ns', 'default']); // the server answers ...
      const gone = b.kubectl(['get', 'ns', 'gone']);
      assert.notEqual(gone.code, 0);
      assert.match(gone.stderr, /namespaces "gone" not found/); // ... and says the namespace is not there
    } finally {
      await b.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('--storage-quota refuses growing writes with etcd\'s error; deletes make room again', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubernaut-quota-'));
  const big = join(dataDir, 'payload.txt');
  writeFileSync(big, 'x'.repeat(700_000));
  const refused = spawnSync(process.execPath, [join(ROOT, 'bin/kubernaut.js'), 'up', '--data-dir', dataDir, '--storage-quota', 'lots'], { encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /--storage-quota.*must be a positive size in bytes/);
  const k = await startKubernaut({ dataDir, args: ['--storage-quota', '4Mi', '--no-control-plane'] });
  try {
    k.kubectlOk(['create', 'namespace', 'q']);
    let stored = 0;
    let last = k.kubectl(['create', 'configmap', `big-${stored}`, '-n', 'q', `--from-file=payload=${big}`]);
    while (last.code === 0 && stored < 10) {
      stored++;
      last = k.kubectl(['create', 'configmap', `big-${stored}`, '-n', 'q', `--from-file=payload=${big}`]);
    }
    assert.ok(stored >= 1 && stored < 6, `4 MiB hold a few 700 KB objects, not ${stored}`);
    assert.match(last.stderr, /etcdserver: mvcc: database space exceeded/);
    assert.match(k.kubectl(['get', 'configmap', `big-${stored}`, '-n', 'q']).stderr, /not found/, 'the refused write changed nothing');
    k.kubectlOk(['delete', 'configmap', 'big-0', '-n', 'q']);
    k.kubectlOk(['create', 'configmap', `big-${stored}`, '-n', 'q', `--from-file=payload=${big}`]);
  } finally {
    await k.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a data dir that cannot be loaded is reported with the file and the reason, not a stack trace', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubernaut-corrupt-'));
  try {
    const wal = join(dataDir, 'cluster', 'wal.jsonl');
    mkdirSync(dirname(wal));
    writeFileSync(wal, '{"rv":1,"op":"put","k":"/configmaps","o":{"meta\n{"rv":2,"op":"del","k":"/configmaps","ns":"a","n":"b"}\n');
    const r = spawnSync(process.execPath, ['bin/kubernaut.js', 'up', '--data-dir', dataDir, '--port', '0', '--no-control-plane', '--no-gateway', '--no-datastorage', '--prometheus', 'none'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000, // a dir that loads would start and keep running
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`${wal}: line 1 is corrupt \\(.+\\) and more records follow it`));
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
