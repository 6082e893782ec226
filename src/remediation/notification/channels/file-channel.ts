/**
 * The file channel: one JSON line per notification appended to a configured path. Before a line
 * would take the file past its size cap, the file is renamed to `<path>.1` (replacing the previous
 * one) and a new file begun, so the disk use stays under twice the cap. Appends to one path are
 * serialised, so concurrent deliveries never interleave or race a rotation.
 */
import { appendFile, mkdir, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { NotificationRequest } from '../../../api/v1alpha1/index.ts';
import type { FileConfig } from '../routing-config.ts';
import { DeliveryError } from './delivery-error.ts';

export function fileLine(nr: NotificationRequest, channel: string, at: Date): string {
  const m = nr.metadata ?? {};
  return `${JSON.stringify({ time: at.toISOString(), channel, name: m.name, namespace: m.namespace, uid: m.uid, spec: nr.spec })}\n`;
}

export class FileAppender {
  private readonly queues = new Map<string, Promise<unknown>>();

  append(config: FileConfig, line: string): Promise<void> {
    const previous = this.queues.get(config.path) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.write(config, line));
    this.queues.set(config.path, next);
    // Forget a finished queue so the map does not grow with every path ever used.
    void next.finally(() => this.queues.get(config.path) === next && this.queues.delete(config.path)).catch(() => undefined);
    return next;
  }

  private async write(config: FileConfig, line: string): Promise<void> {
    const bytes = Buffer.byteLength(line, 'utf8');
    if (bytes > config.maxSizeBytes) throw new DeliveryError('permanent', `the notification (${bytes} bytes) is larger than the file's cap of ${config.maxSizeBytes} bytes`);
    try {
      await mkdir(dirname(config.path), { recursive: true });
      const size = await stat(config.path).then(
        (s) => s.size,
        () => 0,
      );
      if (size > 0 && size + bytes > config.maxSizeBytes) await rename(config.path, `${config.path}.1`);
      await appendFile(config.path, line, { encoding: 'utf8', mode: 0o640 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      // A full disk or a missing permission may be fixed by someone: worth trying again.
      throw new DeliveryError('transient', `cannot append to ${config.path} (${code})`);
    }
  }
}
