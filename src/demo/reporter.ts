/**
 * Where the demo's lines go: the timeline on stdout, and while nothing happens a "waiting for ..."
 * status line, redrawn in place on a terminal and printed now and then otherwise (a CI log or a
 * pipe would otherwise fill with carriage returns).
 */
import { formatEntry, formatHeading, waitingText, type TimelineEntry } from './timeline.ts';

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Non-TTY: one "waiting" line this often. */
const PLAIN_WAITING_EVERY_MS = 10_000;

export class Reporter {
  injectedAt: Date | undefined;
  private waiting: { what: string; since: number } | undefined;
  private statusShown = false;
  private timer: NodeJS.Timeout | undefined;
  private lastPlainWaiting = 0;

  constructor(private readonly out: Output = process.stdout) {}

  entry(e: TimelineEntry): void {
    this.line(formatEntry(e, this.injectedAt));
  }

  heading(text: string): void {
    this.line(formatHeading(text));
  }

  line(text: string): void {
    this.clearStatus();
    this.out.write(`${text}\n`);
    this.drawStatus();
  }

  /** Shows that the demo waits for `what` until the returned function is called. */
  waitFor(what: string): () => void {
    this.waiting = { what, since: Date.now() };
    this.lastPlainWaiting = Date.now();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.tick(), this.out.isTTY ? 1000 : 1000);
    this.timer.unref();
    this.drawStatus();
    return () => {
      if (this.waiting?.what !== what) return;
      this.clearStatus();
      this.waiting = undefined;
      clearInterval(this.timer);
    };
  }

  private tick(): void {
    if (!this.waiting) return;
    if (this.out.isTTY) {
      this.clearStatus();
      this.drawStatus();
    } else if (Date.now() - this.lastPlainWaiting >= PLAIN_WAITING_EVERY_MS) {
      this.lastPlainWaiting = Date.now();
      this.out.write(`${waitingText(this.waiting.what, Date.now() - this.waiting.since)}\n`);
    }
  }

  private drawStatus(): void {
    if (!this.waiting || !this.out.isTTY) return;
    this.out.write(`\x1b[2m${waitingText(this.waiting.what, Date.now() - this.waiting.since)}\x1b[0m`);
    this.statusShown = true;
  }

  private clearStatus(): void {
    if (!this.statusShown) return;
    this.out.write('\r\x1b[2K');
    this.statusShown = false;
  }

  close(): void {
    this.clearStatus();
    clearInterval(this.timer);
    this.waiting = undefined;
  }
}
