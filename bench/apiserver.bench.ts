/**
 * API server figures, measured on the API server alone (no control plane, DataStorage, Gateway or
 * alerting sharing its process): creates/s, list latency at 10,000 pods, watch fan-out latency with
 * 50 watchers, resident memory at 10,000 pods. One more line gives creates/s and memory with the
 * rest of the stack's services in the same process (`up --no-control-plane`), for comparison.
 */
import { request } from 'node:http';
import { API_SERVER_ALONE, rssMb, startStack, totalRssMb } from './stack.ts';

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function json(url: string, method = 'GET', body?: unknown, contentType = 'application/json'): Promise<any> {
  const res = await fetch(url, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': contentType } });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

const pod = (i: number) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `bench-${i}`, labels: { app: 'bench', shard: String(i % 10) } },
  spec: { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
});

const N = 10_000;
const CONCURRENCY = 16;

/** Creates N pods over HTTP from CONCURRENCY clients; resolves to creates per second. */
async function createPods(base: string): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) await json(base, 'POST', pod(next++));
    }),
  );
  return N / ((performance.now() - t0) / 1000);
}

export async function apiServerBench(): Promise<void> {
  const server = await startStack(API_SERVER_ALONE);
  const base = `${server.url}/api/v1/namespaces/bench/pods`;
  try {
    await json(`${server.url}/api/v1/namespaces`, 'POST', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
    const idleRss = rssMb(server.pid);
    console.log(`watch fan-out on an empty server: ${await watchFanOut(server.url, 'idle')}`);
    const rate = await createPods(base);
    console.log(`creates: ${N} pods at ${Math.round(rate)} creates/s (HTTP, ${CONCURRENCY} concurrent clients)`);

    const createdRss = rssMb(server.pid);
    // Latency = request sent to last byte received; parsing the 15 MB answer is the client's cost.
    const listTimes: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      const text = await (await fetch(base)).text();
      listTimes.push(performance.now() - t);
      bytes = text.length;
      if (i === 0 && JSON.parse(text).items.length !== N) throw new Error(`expected ${N} pods`);
    }
    console.log(`list 10,000 pods (${(bytes / 1e6).toFixed(1)} MB): p50 ${pct(listTimes, 50).toFixed(0)} ms, max ${Math.max(...listTimes).toFixed(0)} ms`);
    const selTimes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await json(`${base}?labelSelector=shard%3D3`);
      selTimes.push(performance.now() - t);
    }
    console.log(`list with label selector (1,000 of 10,000): p50 ${pct(selTimes, 50).toFixed(0)} ms`);
    console.log(`resident memory at 10,000 pods: ${createdRss.toFixed(0)} MB after the creates, ${rssMb(server.pid).toFixed(0)} MB after 20 lists (idle ${idleRss.toFixed(0)} MB)`);

    console.log(`watch fan-out with 10,000 pods stored: ${await watchFanOut(server.url, 'busy')}`);
  } finally {
    await server.stop();
  }
  await withServicesBeside();
}

/** The same creates with DataStorage (PGlite), the Gateway and embedded alerting in the API server's process. */
async function withServicesBeside(): Promise<void> {
  const stack = await startStack(['--no-control-plane']);
  try {
    await json(`${stack.url}/api/v1/namespaces`, 'POST', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
    const idleRss = totalRssMb(stack.pids);
    const rate = await createPods(`${stack.url}/api/v1/namespaces/bench/pods`);
    console.log(`whole stack without control plane (up --no-control-plane, both processes): ${Math.round(rate)} creates/s, resident memory ${totalRssMb(stack.pids).toFixed(0)} MB at 10,000 pods (idle ${idleRss.toFixed(0)} MB)`);
  } finally {
    await stack.stop();
  }
}

/**
 * 50 watchers on one namespace's ConfigMaps; 200 updates of one object. Latency is measured
 * from the moment the write is sent to the moment each watcher has read the event.
 */
async function watchFanOut(url: string, name: string): Promise<string> {
  const path = `${url}/api/v1/namespaces/bench/configmaps`;
  await json(path, 'POST', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `beat-${name}` }, data: { t: '0' } });
  const rv = (await json(`${path}?limit=1`)).metadata.resourceVersion;
  const latencies: number[] = [];
  const sent = new Map<string, number>();
  const watchers = await Promise.all(
    Array.from({ length: 50 }, () =>
      new Promise<{ close: () => void }>((resolve) => {
        const req = request(`${path}?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Dbeat-${name}`, (res) => {
          let buf = '';
          res.on('data', (d) => {
            buf += d;
            let nl;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const ev = JSON.parse(buf.slice(0, nl));
              buf = buf.slice(nl + 1);
              const at = sent.get(ev.object?.data?.t);
              if (at !== undefined) latencies.push(performance.now() - at);
            }
          });
          resolve({ close: () => req.destroy() });
        });
        req.end();
      }),
    ),
  );
  for (let i = 1; i <= 200; i++) {
    const tag = `${name}-${i}`;
    sent.set(tag, performance.now());
    await json(`${path}/beat-${name}`, 'PATCH', { data: { t: tag } }, 'application/merge-patch+json');
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 500));
  watchers.forEach((w) => w.close());
  return `50 watchers, 200 updates, ${latencies.length} deliveries: p50 ${pct(latencies, 50).toFixed(2)} ms, p99 ${pct(latencies, 99).toFixed(2)} ms`;
}
