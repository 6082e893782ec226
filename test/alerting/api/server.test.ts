import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startAlertingApi } from '../../../src/alerting/api/index.ts';
import { startStack } from './fixture.ts';

test('startAlertingApi listens on a free port (port 0) and serves the probes as text', async (t) => {
  const { backend } = startStack();
  const api = await startAlertingApi({ backend, host: '127.0.0.1', port: 0 });
  t.after(() => api.close());
  assert.match(api.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const healthy = await fetch(`${api.url}/-/healthy`);
  assert.equal(healthy.status, 200);
  assert.match(healthy.headers.get('content-type') ?? '', /^text\/plain/);
  assert.equal(await healthy.text(), 'Prometheus Server is Healthy.\n');
  const ready = await fetch(`${api.url}/-/ready`);
  assert.equal(await ready.text(), 'Prometheus Server is Ready.\n');
  const form = await fetch(`${api.url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: '1+1', time: '10' }) });
  assert.deepEqual(await form.json(), { status: 'success', data: { resultType: 'scalar', result: [10, '2'] } });
});

test('a busy port is an error, not a silent fallback', async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const port = (blocker.address() as { port: number }).port;
  const { backend } = startStack();
  await assert.rejects(startAlertingApi({ backend, host: '127.0.0.1', port }), (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE');
});
