/** Listening ports for the child processes, which cannot report back a port chosen by the OS. */
import { createServer } from 'node:net';

/** The port a listen on `host:port` got (port 0: one the OS chose), or undefined when it is taken. */
export function probePort(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(undefined));
    s.listen(port, host, () => {
      const got = (s.address() as { port: number }).port;
      s.close(() => resolve(got));
    });
  });
}

/**
 * `requested` when it is free on `host` (else an error naming it: the user asked for that port), or
 * for 0 a port the OS calls free right now. Another process could still take it before the child
 * binds it; the child then fails to start and its output says why.
 */
export async function choosePort(host: string, requested: number, what: string): Promise<number> {
  const got = await probePort(host, requested);
  if (got === undefined) {
    throw new Error(requested === 0 ? `no free port on ${host} for ${what}` : `${what} port ${requested} on ${host} is already in use`);
  }
  return got;
}
