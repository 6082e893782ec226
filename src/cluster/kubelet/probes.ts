/**
 * A container probe's schedule and thresholds, as the kubelet's prober workers run them: the
 * first probe after initialDelaySeconds, then one every periodSeconds; the result flips only after
 * successThreshold consecutive successes or failureThreshold consecutive failures. What a probe
 * returns is simulated (the container's scripted behaviour decides).
 */
import type { Clock, Timer } from '../../platform/clock.ts';

export type ProbeKind = 'readiness' | 'liveness' | 'startup';

export interface ProbeCallbacks {
  /** The scripted outcome of one probe right now. */
  passes(): boolean;
  /** A probe failed (each time; the kubelet records an Unhealthy event for it). */
  failed(): void;
  /** The result crossed a threshold: true = success threshold reached, false = failure threshold. */
  changed(healthy: boolean): void;
}

/** The text after "Readiness probe failed: " upstream's probers produce for the handler. */
export function probeFailureMessage(probe: any, podIP: string | undefined): string {
  if (probe?.httpGet) return 'HTTP probe failed with statuscode: 503';
  if (probe?.tcpSocket) return `dial tcp ${podIP ?? ''}:${probe.tcpSocket.port}: connect: connection refused`;
  if (probe?.grpc) return 'service unhealthy (responded with "NOT_SERVING")';
  // An exec probe reports the command's output, which a failing simulated command leaves empty.
  return '';
}

export class ProbeWorker {
  private timer: Timer | undefined;
  private successes = 0;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly probe: any,
    private readonly callbacks: ProbeCallbacks,
    /** Readiness starts unhealthy and liveness/startup start "unknown": no change until a threshold. */
    private healthy: boolean | undefined,
  ) {}

  start(): void {
    const initial = (this.probe.initialDelaySeconds ?? 0) * 1000;
    this.timer = this.clock.setTimeout(() => this.tick(), initial);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private tick(): void {
    if (this.stopped) return;
    const ok = this.callbacks.passes();
    if (ok) {
      this.successes++;
      this.failures = 0;
      if (this.healthy !== true && this.successes >= (this.probe.successThreshold ?? 1)) {
        this.healthy = true;
        this.callbacks.changed(true);
      }
    } else {
      this.failures++;
      this.successes = 0;
      this.callbacks.failed();
      if (this.healthy !== false && this.failures >= (this.probe.failureThreshold ?? 3)) {
        this.healthy = false;
        this.callbacks.changed(false);
      }
    }
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => this.tick(), (this.probe.periodSeconds ?? 10) * 1000);
  }
}
