/**
 * DataStorage figures, on the embedded PGlite and (when KUBERNAUT_TEST_PG_URL names a server) on
 * PostgreSQL: audit events written per second in batches of 100 from 4 concurrent writers, and
 * discovery latency (step 2, ranked workflows of one action type) over a catalog of 1,000 workflows.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startDataStorage } from '../src/datastorage/server.ts';
import { SYNTHETIC_DISCOVERY_QUERY, syntheticWorkflows } from '../src/datastorage/workflows/synthetic.ts';
import { ScaledClock } from '../src/platform/clock.ts';

const pct = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

const event = (i: number) => ({
  eventId: randomUUID(),
  eventTimestamp: new Date().toISOString(),
  eventType: 'gateway.signal.received',
  eventCategory: 'gateway',
  eventAction: 'received',
  eventOutcome: 'success',
  correlationId: `rr-bench-${i % 500}`,
  actorType: 'service',
  actorId: 'bench',
  resourceType: 'StatefulSet',
  resourceName: 'kv-store',
  namespace: 'demo-statefulset',
  eventData: { alertname: 'KubernautStatefulSetReplicasMismatch', labels: { severity: 'critical' }, i },
});

async function freshPgUrl(admin: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `kubernaut_bench_${Date.now()}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

async function run(label: string, databaseUrl?: string): Promise<void> {
  const ds = await startDataStorage({ clock: new ScaledClock(), databaseUrl });
  try {
    const batches = 100;
    const writers = 4;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: writers }, async () => {
        for (let b = next++; b < batches; b = next++) await post(`${ds.url}/api/v1/audit/events/batch`, { events: Array.from({ length: 100 }, (_, i) => event(b * 100 + i)) });
      }),
    );
    const s = (performance.now() - t0) / 1000;
    console.log(`${label}: audit ${(batches * 100).toLocaleString()} events in batches of 100, ${writers} writers: ${Math.round((batches * 100) / s).toLocaleString()} events/s (hash-chained)`);

    const t1 = performance.now();
    for (const w of syntheticWorkflows(1000)) await post(`${ds.url}/api/v1/workflows`, w);
    console.log(`${label}: registered 1,000 workflows over HTTP in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    const lat: number[] = [];
    for (let i = 0; i < 500; i++) {
      const q0 = performance.now();
      const res = await fetch(`${ds.url}/api/v1/workflows?${SYNTHETIC_DISCOVERY_QUERY}`);
      if (!res.ok) throw new Error(`discovery: ${res.status}`);
      await res.arrayBuffer();
      lat.push(performance.now() - q0);
    }
    console.log(`${label}: discovery (ranked workflows of one action type) over 1,000 workflows: p50 ${pct(lat, 50).toFixed(1)} ms, p99 ${pct(lat, 99).toFixed(1)} ms`);
  } finally {
    await ds.close();
  }
}

export async function dataStorageBench(): Promise<void> {
  await run('PGlite');
  const admin = process.env.KUBERNAUT_TEST_PG_URL;
  if (!admin) {
    console.log('PostgreSQL: skipped (set KUBERNAUT_TEST_PG_URL, e.g. from scripts/ci/start-postgres.sh)');
    return;
  }
  const db = await freshPgUrl(admin);
  try {
    await run('PostgreSQL', db.url);
  } finally {
    await db.drop();
  }
}
