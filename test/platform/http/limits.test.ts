/**
 * The socket-level limits of createHttpApp, the foundation of the Gateway, DataStorage and the
 * services to come: a trickled body is cut off at the request deadline, a client's extra
 * connections are refused, and other clients are served meanwhile.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { createHttpApp } from '../../../src/platform/http/app.ts';

async function listening(opts: Parameters<typeof createHttpApp>[0]) {
  const { app } = createHttpApp(opts);
  app.post('/echo', async (req) => ({ got: req.body }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  return { app, port };
}

/** A raw connection that collects what the server sends and tells when it closes. */
function rawClient(port: number) {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (d) => (received += d));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const connected = new Promise<void>((resolve) => socket.on('connect', () => resolve()));
  return { socket, connected, closed, received: () => received };
}

test('a client trickling its body is answered 408 and disconnected at the request deadline; others are served meanwhile', { timeout: 60_000 }, async () => {
  const { app, port } = await listening({ name: 'limits-test', requestTimeoutMs: 1000 });
  const slow = rawClient(port);
  let trickle: NodeJS.Timeout | undefined;
  try {
    await slow.connected;
    slow.socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    // One byte every 100 ms would take 100 s to finish the body.
    trickle = setInterval(() => slow.socket.writable && slow.socket.write(' '), 100);
    const res = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    assert.deepEqual(await res.json(), { got: { a: 1 } });
    await slow.closed;
    assert.match(slow.received(), /^HTTP\/1\.1 408 /);
    assert.match(slow.received(), /\r\nContent-Type: application\/problem\+json\r\n/i);
    assert.equal(JSON.parse(slow.received().split('\r\n\r\n')[1]).status, 408);
  } finally {
    clearInterval(trickle);
    slow.socket.destroy();
    await app.close();
  }
});

test('connections beyond the per-client cap are closed as they arrive; a freed one can be used again', { timeout: 60_000 }, async () => {
  const { app, port } = await listening({ name: 'limits-test', maxConnectionsPerClient: 3 });
  const held: Socket[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const c = rawClient(port);
      await c.connected;
      held.push(c.socket);
    }
    // The server sees connections in order; ask it something on each held one so all three are counted.
    const extra = rawClient(port);
    extra.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await extra.closed;
    assert.equal(extra.received(), '', 'the fourth connection got no answer');

    held.pop()!.destroy();
    // Once the server has seen the close, a new connection is served.
    let answered = '';
    for (let attempt = 0; !answered.startsWith('HTTP/1.1 200') && attempt < 200; attempt++) {
      const again = rawClient(port);
      again.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      await again.closed;
      answered = again.received();
    }
    assert.match(answered, /^HTTP\/1\.1 200 /);
  } finally {
    held.forEach((s) => s.destroy());
    await app.close();
  }
});
