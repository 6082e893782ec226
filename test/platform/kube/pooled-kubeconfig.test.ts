/** Every API call through the pooled KubeConfig has a time limit; a server that never answers cannot hold a caller forever. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api } from '@kubernetes/client-node';
import { PooledKubeConfig } from '../../../src/platform/kube/pooled-kubeconfig.ts';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function configFor(url: string, timeoutMs: number): PooledKubeConfig {
  const kc = new PooledKubeConfig();
  kc.loadFromClusterAndUser({ name: 'c', server: url, skipTLSVerify: true }, { name: 'u' });
  kc.requestTimeoutMs = timeoutMs;
  return kc;
}

test('a request the server never answers fails after the time limit instead of hanging', { timeout: 30_000 }, async () => {
  // Accepts the request and keeps the connection open without a word.
  const silent = createServer(() => undefined);
  const url = await listen(silent);
  const kc = configFor(url, 300);
  try {
    const started = Date.now();
    await assert.rejects(kc.makeApiClient(CoreV1Api).readNamespace({ name: 'default' }), (err: Error) => /abort|timeout/i.test(`${err.name} ${err.message}`));
    assert.ok(Date.now() - started >= 250, 'not before the limit');
  } finally {
    kc.destroyAgents();
    silent.closeAllConnections();
    silent.close();
  }
});

test('answers within the limit are unaffected, on a reused connection', async () => {
  let connections = 0;
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }));
  });
  server.on('connection', () => connections++);
  const url = await listen(server);
  const kc = configFor(url, 5_000);
  try {
    const api = kc.makeApiClient(CoreV1Api);
    for (let i = 0; i < 3; i++) assert.equal((await api.readNamespace({ name: 'default' })).metadata?.name, 'default');
    assert.equal(connections, 1, 'keep-alive connection reused');
  } finally {
    kc.destroyAgents();
    server.close();
  }
});
