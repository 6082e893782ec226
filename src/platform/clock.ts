/**
 * The one clock of the embedded stack. Every wait (controller delays, rule `for` windows,
 * backoffs, stabilization windows) goes through it, so `--time-scale N` shrinks them all by N,
 * while timestamps written into objects stay real wall-clock time.
 */

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Waiting times are divided by this factor (1 = real time). */
  readonly timeScale: number;
  /** Real wall-clock time: use it for every timestamp. */
  now(): Date;
  nowMs(): number;
  /** A nominal duration (as written in config or a spec) converted to the real milliseconds we wait. */
  scaled(nominalMs: number): number;
  /** The nominal duration that corresponds to a real elapsed time (inverse of `scaled`). */
  nominal(realMs: number): number;
  sleep(nominalMs: number, signal?: AbortSignal): Promise<void>;
  setTimeout(fn: () => void, nominalMs: number): Timer;
  setInterval(fn: () => void, nominalMs: number): Timer;
}

export class ScaledClock implements Clock {
  constructor(readonly timeScale = 1) {
    if (!(timeScale > 0) || !Number.isFinite(timeScale)) {
      throw new Error(`time scale must be a positive number, got ${timeScale}`);
    }
  }

  now(): Date {
    return new Date();
  }

  nowMs(): number {
    return Date.now();
  }

  scaled(nominalMs: number): number {
    return Math.max(0, nominalMs / this.timeScale);
  }

  nominal(realMs: number): number {
    return realMs * this.timeScale;
  }

  sleep(nominalMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
      const handle = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, this.scaled(nominalMs));
      const onAbort = () => {
        clearTimeout(handle);
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  setTimeout(fn: () => void, nominalMs: number): Timer {
    const handle = setTimeout(fn, this.scaled(nominalMs));
    return { cancel: () => clearTimeout(handle) };
  }

  setInterval(fn: () => void, nominalMs: number): Timer {
    const handle = setInterval(fn, Math.max(1, this.scaled(nominalMs)));
    return { cancel: () => clearInterval(handle) };
  }
}

/**
 * Parses a duration of Kubernaut's own flags ("90s", "1.5s", "1h30m", "250ms") into milliseconds.
 * Lenient on purpose (fractions, any order of units); what a Prometheus binary would also read goes
 * through the strict parsePromDuration of src/alerting/prometheus-duration.ts instead.
 */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/g;
  const units: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5, y: 31536e6 };
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    if (m.index !== consumed) break;
    total += Number(m[1]) * units[m[2]];
    consumed += m[0].length;
  }
  if (consumed === 0 || consumed !== text.length) throw new Error(`invalid duration "${text}"`);
  return total;
}
