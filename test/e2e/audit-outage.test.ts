/**
 * Issue acceptance: the Gateway and DataStorage as separate processes, as in a real deployment.
 * DataStorage is killed (SIGKILL) during a burst of 1,000 signals and stays down for 30 s; after it
 * comes back on the same data dir, every audit event of the burst is there exactly once, and the
 * hash chain verifies.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort, ROOT, startKubernaut, startService, type RunningKubernaut, type RunningService } from '../helpers/kubernaut-process.ts';

const NS = 'burst';
const TARGETS = 100;
const SIGNALS = 1000;
let k: RunningKubernaut;
let gateway: RunningService;
let ds: RunningService;
let dsArgs: string[];
const work = mkdtempSync(join(tmpdir(), 'kubernaut-outage-'));

const alert = (service: string) =>
  JSON.stringify({
    version: '4',
    status: 'firing',
    receiver: 'kubernaut',
    alerts: [{ status: 'firing', labels: { alertname: 'ServiceDown', severity: 'critical', namespace: NS, service }, annotations: {}, startsAt: new Date().toISOString() }],
  });

async function countEvents(base: string, eventType: string): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  do {
    const q = new URLSearchParams({ eventType, limit: '1000', ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${base}/api/v1/audit/events?${q}`);
    assert.equal(res.status, 200);
    const page = (await res.json()) as { events: unknown[]; nextCursor?: string };
    n += page.events.length;
    cursor = page.nextCursor;
  } while (cursor);
  return n;
}

before(async () => {
  k = await startKubernaut({ args: ['--ephemeral', '--no-gateway', '--no-datastorage', '--kubelet-delays', '0'] });
  k.kubectlOk(['apply', '-f', join(ROOT, 'deploy/crds/')]);
  k.kubectlOk(['create', 'namespace', NS]);
  k.kubectlOk(['label', 'namespace', NS, 'kubernaut.ai/managed=true']);
  const services = Array.from({ length: TARGETS }, (_, i) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: NS }, spec: { ports: [{ port: 80 }] } }));
  k.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: services }) });
  const port = await freePort();
  dsArgs = ['datastorage', '--host', '127.0.0.1', '--port', String(port), '--data-dir', join(work, 'ds')];
  ds = await startService(dsArgs, /datastorage: (\S+)/);
  gateway = await startService(
    ['gateway', '--kubeconfig', k.kubeconfig, '--host', '127.0.0.1', '--port', '0', '--datastorage-url', ds.url, '--audit-spill-dir', join(work, 'spill')],
    /gateway: (\S+)/,
  );
});
after(async () => {
  await gateway?.stop();
  await ds?.stop();
  await k?.stop();
});

test('DataStorage down for 30 s during a burst of 1,000 signals: no audit event lost, chain valid', async () => {
  let sent = 0;
  let killed = false;
  const statuses = new Map<string, number>();
  const send = async () => {
    for (let i = sent++; i < SIGNALS; i = sent++) {
      if (i === 300 && !killed) {
        killed = true;
        await ds.stop('SIGKILL');
      }
      const res = await fetch(`${gateway.url}/api/v1/signals/prometheus`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: alert(`svc-${i % TARGETS}`) });
      const body = (await res.json()) as { status: string };
      statuses.set(body.status, (statuses.get(body.status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: 20 }, send));
  assert.deepEqual(Object.fromEntries(statuses), { created: TARGETS, duplicate: SIGNALS - TARGETS });
  assert.ok(killed);

  await new Promise((r) => setTimeout(r, 30_000));
  ds = await startService(dsArgs, /datastorage: (\S+)/);
  await eventually(async () => (await countEvents(ds.url, 'gateway.signal.received')) === SIGNALS, 'every received event stored', 120_000, 1000);
  assert.equal(await countEvents(ds.url, 'gateway.crd.created'), TARGETS);
  assert.equal(await countEvents(ds.url, 'gateway.signal.deduplicated'), SIGNALS - TARGETS);
  const verify = await fetch(`${ds.url}/api/v1/audit/verify-chain`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const result = (await verify.json()) as { valid: boolean; checked: number };
  assert.equal(result.valid, true);
  assert.ok(result.checked >= 2 * SIGNALS);
  assert.equal(JSON.parse(k.kubectlOk(['get', 'rr', '-n', NS, '-o', 'json'])).items.length, TARGETS);
});
