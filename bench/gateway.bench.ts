/**
 * Gateway figures against the whole embedded stack (API server, DataStorage for the audit trail),
 * with the Gateway inside `kubernaut up` (in its services process, beside the cluster's process),
 * inside `kubernaut up --single-process` (one event loop for the cluster and every service, the
 * layout before the services process) and as its own process, as deployed: signals per second
 * and latency with 50 concurrent senders on loopback (autocannon), for new signals (each about a
 * different Service, so each creates a RemediationRequest) and for duplicates (the same few
 * incidents again, absorbed into existing RRs). A table puts the three side by side.
 */
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnKubernaut, startStack } from './stack.ts';

/** `kubernaut gateway` as its own process, as it is deployed; resolves to its URL. */
async function startGatewayProcess(kubeconfig: string, dataStorageUrl: string): Promise<{ url: string; stop: () => void }> {
  const { proc, match } = await spawnKubernaut(['gateway', '--kubeconfig', kubeconfig, '--host', '127.0.0.1', '--port', '0', '--datastorage-url', dataStorageUrl], /gateway: (\S+)/);
  return { url: match, stop: () => proc.kill('SIGTERM') };
}

const NS = 'gateway-bench';
const TARGETS = 3000;

const alert = (service: string) =>
  JSON.stringify({
    version: '4',
    status: 'firing',
    receiver: 'kubernaut',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'BenchServiceDown', severity: 'critical', namespace: NS, service },
        annotations: { summary: 'bench' },
        startsAt: new Date().toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
      },
    ],
  });

async function api(url: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status >= 300 && res.status !== 409) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

function report(label: string, r: autocannon.Result): Figures {
  const ok = r['2xx'];
  console.log(`${label}: ${ok.toLocaleString()} signals, ${Math.round(r.requests.average).toLocaleString()} signals/s, latency p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms (non-2xx ${r.non2xx}, errors ${r.errors})`);
  return { perSecond: Math.round(r.requests.average), p99: r.latency.p99 };
}

interface Figures {
  perSecond: number;
  p99: number;
}

type Layout = 'up' | 'single-process' | 'own process';

async function scenario(label: string, layout: Layout): Promise<{ fresh: Figures; dup: Figures }> {
  const separateProcess = layout === 'own process';
  const stack = await startStack(['--kubelet-delays', '0', ...(separateProcess ? ['--no-gateway'] : []), ...(layout === 'single-process' ? ['--single-process'] : [])]);
  let gateway: { url: string; stop: () => void } | undefined;
  try {
    const endpoints = JSON.parse(readFileSync(`${stack.dataDir}/endpoints.json`, 'utf8'));
    if (separateProcess) gateway = await startGatewayProcess(join(stack.dataDir, 'kubeconfig'), endpoints.dataStorage);
    const gw = `${gateway?.url ?? endpoints.gateway}/api/v1/signals/prometheus`;
    await api(stack.url, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'kubernaut.ai/managed': 'true' } } });
    for (let i = 0; i < TARGETS; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) =>
          api(stack.url, `/api/v1/namespaces/${NS}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i + j}` }, spec: { ports: [{ port: 80 }] } }),
        ),
      );
    }
    let n = 0;
    const fresh = await autocannon({
      url: gw,
      connections: 50,
      amount: TARGETS,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      requests: [{ setupRequest: (req: any) => ({ ...req, body: alert(`svc-${n++}`) }) }],
    });
    const freshFigures = report(`${label}, new signals (each creates an RR)`, fresh);
    let m = 0;
    const dup = await autocannon({
      url: gw,
      connections: 50,
      duration: 10,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      requests: [{ setupRequest: (req: any) => ({ ...req, body: alert(`svc-${m++ % 50}`) }) }],
    });
    return { fresh: freshFigures, dup: report(`${label}, duplicate signals (50 incidents, counted into their RRs)`, dup) };
  } finally {
    gateway?.stop();
    await stack.stop();
  }
}

export async function gatewayBench(): Promise<void> {
  const rows: Array<[string, { fresh: Figures; dup: Figures }]> = [
    ['inside `kubernaut up` (services process)', await scenario('Gateway inside `kubernaut up`', 'up')],
    ['inside `kubernaut up --single-process`', await scenario('Gateway inside `kubernaut up --single-process`', 'single-process')],
    ['as its own process', await scenario('Gateway as its own process', 'own process')],
  ];
  console.log('\nGateway                                     new signals/s   p99 ms   duplicates/s   p99 ms');
  for (const [label, { fresh, dup }] of rows) {
    console.log(`${label.padEnd(44)}${String(fresh.perSecond).padStart(13)}${String(fresh.p99).padStart(9)}${String(dup.perSecond).padStart(15)}${String(dup.p99).padStart(9)}`);
  }
}
