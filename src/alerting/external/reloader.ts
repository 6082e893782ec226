/**
 * Asks Prometheus to re-read its rule files (`POST /-/reload`, needs --web.enable-lifecycle).
 * Requests coalesce: however many rule changes arrive during a reload, one more reload follows.
 * Until enable() (Prometheus not listening yet) requests are only remembered.
 */
import type { Logger } from '../../platform/log.ts';

export class PrometheusReloader {
  private enabled = false;
  private pending = false;
  private running?: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {}

  request(): void {
    this.pending = true;
    if (this.enabled && !this.running) this.running = this.loop().finally(() => (this.running = undefined));
  }

  /** Prometheus is ready: send any reload requested while it was starting. */
  enable(): void {
    this.enabled = true;
    if (this.pending) this.request();
  }

  disable(): void {
    this.enabled = false;
  }

  /** Resolves when no reload is in flight. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    while (this.pending && this.enabled) {
      this.pending = false;
      try {
        const res = await fetch(`${this.url}/-/reload`, { method: 'POST', signal: AbortSignal.timeout(30_000) });
        const body = await res.text();
        if (res.ok) this.log.info('Prometheus reloaded its rules');
        else this.log.warn({ status: res.status, body: body.trim() }, 'Prometheus refused to reload');
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'could not reach Prometheus to reload');
      }
    }
  }
}
