/**
 * Delivers one NotificationRequest to one target and reports how it went; never throws. Each
 * error message passes through `redact` once more before it can reach a status, an Event or a log.
 */
import type { NotificationRequest } from '../../../api/v1alpha1/index.ts';
import type { Logger } from '../../../platform/log.ts';
import type { DeliveryTarget } from '../routing.ts';
import { DeliveryError, type FailureKind } from './delivery-error.ts';
import { FileAppender, fileLine } from './file-channel.ts';
import { deliverToSlack, deliverToWebhook } from './http-channels.ts';
import type { PostLimits } from './http-post.ts';
import { deliverToConsole, deliverToLog, type LineWriter } from './local-channels.ts';
import { redact } from './secrets.ts';

export type DeliveryResult = { ok: true; durationSeconds: number } | { ok: false; kind: FailureKind; error: string; durationSeconds: number };

export interface DelivererOptions {
  /** Where console lines go (default stdout). */
  console?: LineWriter;
  /** The structured log the `log` channel writes to. */
  log: Logger;
  /** Time and size limits of the HTTP channels, and a fetch of your own. */
  http?: PostLimits;
  now: () => Date;
}

const MAX_ERROR = 1024;

export class Deliverer {
  private readonly files = new FileAppender();

  constructor(private readonly o: DelivererOptions) {}

  async deliver(nr: NotificationRequest, target: DeliveryTarget, attempt: number): Promise<DeliveryResult> {
    const started = performance.now();
    const took = () => Math.round(performance.now() - started) / 1000;
    try {
      await this.send(nr, target, attempt);
      return { ok: true, durationSeconds: took() };
    } catch (err) {
      const kind: FailureKind = err instanceof DeliveryError ? err.kind : 'transient';
      const message = redact(err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR);
      return { ok: false, kind, error: message || 'unknown error', durationSeconds: took() };
    }
  }

  private async send(nr: NotificationRequest, target: DeliveryTarget, attempt: number): Promise<void> {
    if ('unavailable' in target) throw new DeliveryError('permanent', target.unavailable);
    switch (target.kind) {
      case 'console':
        return void deliverToConsole(nr, this.o.console ?? process.stdout);
      case 'log':
        return deliverToLog(nr, target.config, this.o.log);
      case 'file':
        return this.files.append(target.config, fileLine(nr, target.id, this.o.now()));
      case 'slack':
        return deliverToSlack(nr, target.config, this.o.http ?? {});
      case 'webhook':
        return deliverToWebhook(nr, target.config, { channel: target.id, attempt }, this.o.http ?? {});
    }
  }
}
