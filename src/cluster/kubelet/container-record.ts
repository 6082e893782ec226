/**
 * The kubelet's view of one container of a pod across its instances (restarts): the current
 * state, the last terminated instance, counters and logs. `toStatus()` renders the v1
 * ContainerStatus, so everything a restarted kubelet needs can be read back from pod status
 * (`fromStatus`).
 */
import type { LogLine } from './container-logs.ts';
import { imageId, normalizeImage } from './images.ts';
import type { ContainerBehavior } from './behavior.ts';
import type { BundleProcess, ProcessExit } from './bundle-process.ts';

/** The local process of a workflow bundle container instance (see bundle-runtime.ts). */
export interface RunningProcess {
  process: BundleProcess;
  exited: Promise<ProcessExit>;
  cleanup(): void;
}

export interface TerminatedState {
  exitCode: number;
  reason: string;
  message?: string;
  startedAt: string;
  finishedAt: string;
  containerID: string;
}

export type ContainerState =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | { terminated: TerminatedState };

/** init: runs to completion before the next; sidecar: an init container with restartPolicy Always. */
export type ContainerKind = 'init' | 'sidecar' | 'regular';

export class ContainerRecord {
  state: ContainerState = { waiting: { reason: 'ContainerCreating' } };
  lastTerminated: TerminatedState | undefined;
  restartCount = 0;
  ready = false;
  /** startupProbe passed (or none): the `started` field. */
  started = false;
  containerID: string | undefined;
  imageID = '';
  /** The image reference as the runtime reports it once the container exists. */
  runtimeImage: string | undefined;
  logs: LogLine[] = [];
  previousLogs: LogLine[] | undefined;
  /** Bumped on every start and stop: timers of an older instance check it and do nothing. */
  generation = 0;
  /** Crash-loop back-off: current delay (0 = next restart is immediate) and when it last grew (real ms). */
  crashBackoffMs = 0;
  crashBackoffAtMs = 0;
  /** Image pull back-off delay (0 = first attempt). */
  pullBackoffMs = 0;
  /** A start is in progress (pulling/creating), so nobody starts it twice. */
  starting = false;
  /** Set while a workflow bundle instance runs as a real process. */
  proc: RunningProcess | undefined;

  constructor(
    readonly spec: any,
    readonly kind: ContainerKind,
    public behavior: ContainerBehavior,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  /** `spec.containers{app}` / `spec.initContainers{init}`, the events' fieldPath. */
  get fieldPath(): string {
    return `${this.kind === 'regular' ? 'spec.containers' : 'spec.initContainers'}{${this.name}}`;
  }

  get isRunning(): boolean {
    return 'running' in this.state;
  }

  get terminated(): TerminatedState | undefined {
    return 'terminated' in this.state ? this.state.terminated : undefined;
  }

  get waitingReason(): string | undefined {
    return 'waiting' in this.state ? this.state.waiting.reason : undefined;
  }

  /** An init container that finished successfully. */
  get completed(): boolean {
    return this.terminated?.exitCode === 0;
  }

  setRunning(startedAt: string, containerID: string): void {
    this.state = { running: { startedAt } };
    this.containerID = containerID;
    this.imageID = imageId(this.spec.image);
    this.runtimeImage = normalizeImage(this.spec.image);
  }

  toStatus(): Record<string, unknown> {
    const mounts = (this.spec.volumeMounts ?? []).map((m: any) => ({
      mountPath: m.mountPath,
      name: m.name,
      ...(m.readOnly ? { readOnly: true, recursiveReadOnly: 'Disabled' } : {}),
    }));
    return {
      ...(this.containerID ? { containerID: this.containerID } : {}),
      image: this.runtimeImage ?? this.spec.image,
      imageID: this.imageID,
      lastState: this.lastTerminated ? { terminated: { ...this.lastTerminated } } : {},
      name: this.name,
      ready: this.ready,
      restartCount: this.restartCount,
      started: this.started,
      state: structuredClone(this.state),
      ...(mounts.length ? { volumeMounts: mounts } : {}),
    };
  }

  /** Picks up where a previous kubelet process left this container. */
  static fromStatus(spec: any, kind: ContainerKind, behavior: ContainerBehavior, status: any | undefined): ContainerRecord {
    const r = new ContainerRecord(spec, kind, behavior);
    if (!status) return r;
    r.restartCount = status.restartCount ?? 0;
    r.lastTerminated = status.lastState?.terminated ? { ...status.lastState.terminated } : undefined;
    if (status.state?.running || status.state?.terminated) {
      r.state = structuredClone(status.state);
      r.containerID = status.containerID;
      r.imageID = status.imageID ?? '';
      r.runtimeImage = status.image;
      r.ready = !!status.ready;
      r.started = !!status.started;
    } else if (status.state?.waiting) {
      r.state = structuredClone(status.state);
    }
    return r;
  }
}
