/**
 * Socket-level limits every Kubernaut HTTP service shares, so a client cannot hold a service's
 * connections (and with them its request slots) for as long as it likes: a cap on connections per
 * client address, checked as each connection arrives, before a byte of it is read. The request and
 * header deadlines are the HTTP server's own (see createHttpApp).
 */
import type { Server, Socket } from 'node:net';

export const DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 256;

/** Refuses (closes at once) a client's connection beyond `max` open ones from the same address. */
export function capConnectionsPerClient(server: Server, max: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const client = socket.remoteAddress ?? 'unknown';
    const n = open.get(client) ?? 0;
    if (n >= max) {
      socket.destroy();
      return;
    }
    open.set(client, n + 1);
    socket.once('close', () => {
      const left = (open.get(client) ?? 1) - 1;
      if (left > 0) open.set(client, left);
      else open.delete(client);
    });
  });
}
