/**
 * Answers for requests that fail before they reach a route (the HTTP parser refused them, or the
 * request deadline passed): the same RFC 7807 problem documents as every other error of the
 * service, written straight to the socket, which is then closed as Node does for client errors.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

/** What each parser or server error code means for the client. */
function statusFor(code: string | undefined): { status: number; detail: string } {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, detail: 'the request did not arrive in time' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, detail: 'the request line and headers exceed the size limit' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, detail: 'chunk extensions exceed the size limit' };
    default:
      return { status: 400, detail: 'malformed HTTP request' };
  }
}

export function problemClientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, detail } = statusFor(err.code);
  const title = STATUS_CODES[status] ?? 'Bad Request';
  const body = JSON.stringify({ type: 'about:blank', title, status, detail });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}
