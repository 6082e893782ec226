/**
 * One pod on this node, from admission to deletion: mount volumes, start the sandbox, run init
 * containers in order, then the containers (pull, create, start), probe them, restart them per
 * restartPolicy with crash-loop back-off, and on deletion stop them and remove the pod. All of it
 * is driven by timers on the stack clock; every state change ends in a (coalesced) write of
 * pods/status. A worker can pick up a pod a previous kubelet process was running from its status.
 *
 * Containers are simulated (behavior.ts), except those whose image names a known workflow bundle:
 * they run as local processes (bundle-runtime.ts), whose output is the log and whose exit code the
 * terminated state. `activeDeadlineSeconds` ends the pod (Failed, DeadlineExceeded) either way.
 */
import type { Clock, Timer } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import type { KubeObject } from '../core/types.ts';
import { ClientError, type ClusterClient } from '../client/cluster-client.ts';
import { PODS } from '../client/resources.ts';
import type { KubeletTimings } from './config.ts';
import type { EventRecorder } from '../client/event-recorder.ts';
import { BEHAVIOR_ANNOTATION, oomKillAfter, parseBehavior, type ParsedBehavior } from './behavior.ts';
import { BundleProcess, type ProcessExit } from './bundle-process.ts';
import { type BundleRuntime, TokenFetchError } from './bundle-runtime.ts';
import type { WorkflowBundle } from './bundles.ts';
import { ContainerConfigError } from './container-env.ts';
import type { LogLine } from './container-logs.ts';
import { ContainerRecord, type ContainerKind, type RunningProcess, type TerminatedState } from './container-record.ts';
import { formatGoDuration } from './go-duration.ts';
import { type ImageStore, newContainerId, pullErrorMessage } from './images.ts';
import type { PodIpAllocator } from './ip-allocator.ts';
import { metaTime } from '../core/meta-time.ts';
import { computePodStatus, podPhase } from './pod-status.ts';
import { probeFailureMessage, ProbeWorker } from './probes.ts';
import { volumeProblems } from './volumes.ts';

/** Back-off for restarting crashed containers and re-pulling images: 10 s doubling to 5 min. */
const BACKOFF_INITIAL_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;
/** Volume mount retries: 1 s doubling to 2 min (upstream's exponential back-off for volume operations). */
const MOUNT_RETRY_INITIAL_MS = 1_000;
const MOUNT_RETRY_MAX_MS = 120_000;
/** How long ErrImagePull shows before the next sync turns it into ImagePullBackOff. */
const IMAGE_PULL_ERROR_VISIBLE_MS = 1_000;

export interface PodWorkerDeps {
  nodeName: string;
  hostIP: string;
  clock: Clock;
  client: ClusterClient;
  recorder: EventRecorder;
  log: Logger;
  images: ImageStore;
  ips: PodIpAllocator;
  timings: KubeletTimings;
  /** Runs workflow bundle images for real; without it every container is simulated. */
  bundles?: BundleRuntime;
}

const DEADLINE_EXCEEDED = { reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' };

export class PodWorker {
  readonly uid: string;
  private pod: KubeObject;
  private init: ContainerRecord[];
  private containers: ContainerRecord[];
  private behavior: ParsedBehavior;
  private timers = new Set<Timer>();
  private probes = new Map<ContainerRecord, ProbeWorker[]>();
  private dropped = false;
  private volumesMounted = false;
  private mounting = false;
  private mountRetry: Timer | undefined;
  private mountRetryMs = 0;
  private sandboxReady = false;
  private podIP: string | undefined;
  private readonly startTime: string;
  private terminating = false;
  /** activeDeadlineSeconds passed: containers are being (or have been) stopped for good. */
  private deadlineHit = false;
  private podReason: { reason: string; message: string } | undefined;
  private terminalPhase: 'Succeeded' | 'Failed' | undefined;
  private deleted = false;
  /** A pod that was already finished when we found it: its status is history, never rewritten. */
  private keepStatus = false;
  // Status writes: one at a time, coalesced.
  private writing: Promise<void> | undefined;
  private dirty = false;

  constructor(
    private readonly deps: PodWorkerDeps,
    pod: KubeObject,
  ) {
    this.pod = pod;
    this.uid = pod.metadata.uid!;
    this.startTime = metaTime(deps.clock.now());
    this.behavior = parseBehavior(pod.metadata.annotations?.[BEHAVIOR_ANNOTATION]);
    const statuses = new Map<string, any>([...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].map((s: any) => [s.name, s]));
    const record = (spec: any, kind: ContainerKind) => ContainerRecord.fromStatus(spec, kind, this.behavior.forContainer(spec.name), statuses.get(spec.name));
    this.init = (pod.spec?.initContainers ?? []).map((c: any) => record(c, c.restartPolicy === 'Always' ? 'sidecar' : 'init'));
    this.containers = (pod.spec?.containers ?? []).map((c: any) => record(c, 'regular'));
  }

  get namespace(): string {
    return this.pod.metadata.namespace!;
  }

  get name(): string {
    return this.pod.metadata.name!;
  }

  /** Begins (or resumes) running the pod. */
  start(): void {
    if (this.behavior.error) this.event('Warning', 'InvalidSimulation', this.behavior.error);
    const phase = this.pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      // Finished pods keep their status; only a deletion still needs us.
      this.terminalPhase = phase;
      this.keepStatus = true;
      if (this.pod.metadata.deletionTimestamp) void this.terminate();
      return;
    }
    this.armDeadline();
    const sandboxWasUp = (this.pod.status?.conditions ?? []).some((c: any) => c.type === 'PodReadyToStartContainers' && c.status === 'True');
    if (sandboxWasUp) this.adopt();
    else {
      this.sync();
      this.after(this.deps.timings.volumeMountMs, () => void this.mount());
    }
    if (this.pod.metadata.deletionTimestamp) void this.terminate();
  }

  /** A newer version of the pod from the informer. */
  update(pod: KubeObject): void {
    if (this.dropped || rv(pod) < rv(this.pod)) return;
    const annotationChanged = pod.metadata.annotations?.[BEHAVIOR_ANNOTATION] !== this.pod.metadata.annotations?.[BEHAVIOR_ANNOTATION];
    const gatesMatter = (pod.spec?.readinessGates ?? []).length > 0;
    this.pod = pod;
    if (annotationChanged) {
      this.behavior = parseBehavior(pod.metadata.annotations?.[BEHAVIOR_ANNOTATION]);
      if (this.behavior.error) this.event('Warning', 'InvalidSimulation', this.behavior.error);
      for (const c of this.allContainers()) c.behavior = this.behavior.forContainer(c.name);
    }
    if (pod.metadata.deletionTimestamp) void this.terminate();
    else if (gatesMatter) this.sync();
  }

  /** A claim, volume, configMap or secret changed: a pod waiting to mount tries again now. */
  volumesChanged(): void {
    if (this.dropped || this.volumesMounted || this.mounting || !this.mountRetry) return;
    this.mountRetry.cancel();
    this.timers.delete(this.mountRetry);
    this.mountRetry = undefined;
    void this.mount();
  }

  /** The pod is gone from the API (or the kubelet stops): forget it, cancel everything. */
  drop(): void {
    this.dropped = true;
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    for (const c of this.allContainers()) {
      this.stopProbes(c);
      // Nothing waits for these any more: kill at once, as a force deletion does.
      c.proc?.process.signal('SIGKILL');
    }
    this.deps.ips.release(this.uid);
  }

  /** Log lines for `kubectl logs`, or why there are none. */
  logs(container: string, previous: boolean): LogLine[] | { error: string } | undefined {
    const c = this.allContainers().find((x) => x.name === container);
    if (!c) return undefined;
    if (previous) return c.previousLogs ?? { error: `previous terminated container "${container}" in pod "${this.name}" not found` };
    if (!c.containerID) return { error: `container "${container}" in pod "${this.name}" is waiting to start: ${c.waitingReason ?? 'ContainerCreating'}` };
    return c.logs;
  }

  // ---- lifecycle -------------------------------------------------------------------------

  /** A pod a previous kubelet process started: its volumes and sandbox are still there. */
  private adopt(): void {
    this.volumesMounted = true;
    this.sandboxReady = true;
    const ip = this.pod.status?.podIP;
    if (this.pod.spec?.hostNetwork) this.podIP = this.deps.hostIP;
    else if (ip && this.deps.ips.reserve(this.uid, ip)) this.podIP = ip;
    else this.podIP = this.deps.ips.allocate(this.uid);
    const policy: string = this.pod.spec?.restartPolicy ?? 'Always';
    for (const c of this.allContainers()) {
      c.generation++;
      if (c.isRunning && this.bundleOf(c)) {
        // Its process ended with the kubelet process that started it.
        this.containerExited(c, c.generation, 137, 'Error', 'the container process ended with the previous kubelet');
      } else if (c.isRunning) {
        // The container's output is in its log file on the node, which outlives the kubelet process.
        const startedMs = Date.parse((c.state as any).running.startedAt);
        c.logs = c.behavior.logs.map((text) => ({ timeMs: startedMs, text }));
        this.armRunningContainer(c, startedMs);
      } else if (c.terminated && this.restartable(c, c.terminated.exitCode, policy)) this.scheduleRestart(c);
    }
    this.sync();
    this.advance();
  }

  private async mount(): Promise<void> {
    if (this.dropped || this.halted || this.volumesMounted || this.mounting) return;
    this.mountRetry = undefined;
    this.mounting = true;
    let problems: string[];
    try {
      problems = await volumeProblems(this.deps.client, this.pod);
    } catch (e) {
      problems = [`Unable to attach or mount volumes: ${(e as Error).message}`];
    } finally {
      this.mounting = false;
    }
    if (this.dropped || this.halted) return;
    if (problems.length) {
      for (const p of problems) this.event('Warning', 'FailedMount', p);
      this.mountRetryMs = this.mountRetryMs ? Math.min(this.mountRetryMs * 2, MOUNT_RETRY_MAX_MS) : MOUNT_RETRY_INITIAL_MS;
      this.mountRetry = this.after(this.mountRetryMs, () => void this.mount());
      return;
    }
    // From here on the pod's volumes stay mounted, whatever happens to its claims later.
    this.volumesMounted = true;
    try {
      this.podIP = this.pod.spec?.hostNetwork ? this.deps.hostIP : this.deps.ips.allocate(this.uid);
    } catch (e) {
      this.event('Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(e as Error).message}`);
      this.volumesMounted = false;
      this.mountRetry = this.after(MOUNT_RETRY_INITIAL_MS, () => void this.mount());
      return;
    }
    this.sandboxReady = true;
    this.sync();
    this.advance();
  }

  /** Starts whatever may start now: the next init container, else every container not running. */
  private advance(): void {
    if (this.dropped || this.halted || this.terminalPhase || !this.sandboxReady) return;
    for (const c of this.init) {
      if (c.kind === 'init') {
        if (c.completed) continue;
        if (!c.isRunning && !c.starting && !c.terminated) this.startContainer(c);
        return;
      }
      if (!c.isRunning && !c.starting) this.startContainer(c);
      if (!c.started) return;
    }
    for (const c of this.containers) {
      if (!c.isRunning && !c.starting && !c.terminated) this.startContainer(c);
    }
  }

  /** Pull (or not), create and start one container instance. */
  private startContainer(c: ContainerRecord): void {
    c.starting = true;
    const gen = ++c.generation;
    const live = () => !this.dropped && !this.halted && c.generation === gen;
    const image: string = c.spec.image;
    const policy: string = c.spec.imagePullPolicy ?? (/:[^/]+$/.test(image) && !image.endsWith(':latest') ? 'IfNotPresent' : 'Always');
    const lookup = this.deps.bundles?.lookup(image);
    const bundle = lookup && 'bundle' in lookup ? lookup.bundle : undefined;
    const pullError = lookup && 'pullError' in lookup ? lookup.pullError : undefined;
    // A bundle is on every node already, as an image `kind load` put there.
    if (bundle) this.deps.images.add(image);
    const present = this.deps.images.has(image);
    const pullFails = c.behavior.imagePull === 'fail' || pullError !== undefined;
    if (policy === 'Never' && !present) {
      // Stays `starting`: nothing retries until the pod is replaced, as the image will not appear.
      this.toWaiting(c, 'ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`);
      this.event('Warning', 'ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`, c.fieldPath);
      this.event('Warning', 'Failed', 'Error: ErrImageNeverPull', c.fieldPath);
      this.sync();
      return;
    }
    const create = () => {
      if (!live()) return;
      if (bundle) {
        this.after(this.deps.timings.containerStartMs, () => void (live() && this.startProcess(c, gen, bundle, 0)));
        return;
      }
      this.event('Normal', 'Created', `Created container: ${c.name}`, c.fieldPath);
      this.after(this.deps.timings.containerStartMs, () => {
        if (!live()) return;
        this.event('Normal', 'Started', `Started container ${c.name}`, c.fieldPath);
        this.containerStarted(c);
      });
    };
    if (!pullFails && (policy === 'Never' || (policy === 'IfNotPresent' && present))) {
      this.event('Normal', 'Pulled', `Container image "${image}" already present on machine`, c.fieldPath);
      create();
      return;
    }
    this.event('Normal', 'Pulling', `Pulling image "${image}"`, c.fieldPath);
    const pullMs = this.deps.timings.imagePullMs;
    const started = this.deps.clock.nowMs();
    this.after(pullMs, () => {
      if (!live()) return;
      if (pullFails) return this.pullFailed(c, gen, pullError);
      c.pullBackoffMs = 0;
      this.deps.images.add(image);
      // The pull as it really took (the timing may be given in nominal time).
      const took = formatGoDuration(this.deps.clock.nowMs() - started);
      this.event('Normal', 'Pulled', `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: 0 bytes.`, c.fieldPath);
      create();
    });
  }

  /** ErrImagePull now, ImagePullBackOff at the next sync, another pull once the back-off expires. */
  private pullFailed(c: ContainerRecord, gen: number, message?: string): void {
    const image: string = c.spec.image;
    const err = message ?? pullErrorMessage(image);
    this.event('Warning', 'Failed', `Failed to pull image "${image}": ${err}`, c.fieldPath);
    this.event('Warning', 'Failed', 'Error: ErrImagePull', c.fieldPath);
    this.toWaiting(c, 'ErrImagePull', err);
    this.sync();
    c.pullBackoffMs = c.pullBackoffMs ? Math.min(c.pullBackoffMs * 2, BACKOFF_MAX_MS) : BACKOFF_INITIAL_MS;
    const backoff = c.pullBackoffMs;
    this.after(Math.min(IMAGE_PULL_ERROR_VISIBLE_MS, backoff), () => {
      if (c.generation !== gen || this.dropped || this.halted) return;
      const msg = `Back-off pulling image "${image}"`;
      this.toWaiting(c, 'ImagePullBackOff', msg);
      this.event('Normal', 'BackOff', msg, c.fieldPath);
      this.event('Warning', 'Failed', 'Error: ImagePullBackOff', c.fieldPath);
      this.sync();
    });
    this.after(backoff, () => {
      if (c.generation !== gen || this.dropped || this.halted) return;
      this.startContainer(c);
    });
  }

  /**
   * Runs a workflow bundle instance as a local process. Its environment or token not being
   * available yet is retried with back-off, reported as the kubelet does (CreateContainerConfigError,
   * FailedMount); the process's exit is the container's.
   */
  private async startProcess(c: ContainerRecord, gen: number, bundle: WorkflowBundle, attempt: number): Promise<void> {
    const live = () => !this.dropped && !this.halted && c.generation === gen;
    let prepared;
    try {
      prepared = await this.deps.bundles!.prepare(this.pod, c.spec, bundle, { hostIP: this.deps.hostIP, podIP: this.podIP });
    } catch (e) {
      if (!live()) return;
      const msg = (e as Error).message;
      if (e instanceof TokenFetchError) this.event('Warning', 'FailedMount', `MountVolume.SetUp failed for volume "kube-api-access" : ${msg}`);
      else {
        if (!(e instanceof ContainerConfigError)) this.deps.log.warn({ pod: `${this.namespace}/${this.name}`, container: c.name, err: msg }, 'cannot prepare workflow bundle container');
        this.toWaiting(c, 'CreateContainerConfigError', msg);
        this.event('Warning', 'Failed', `Error: ${msg}`, c.fieldPath);
        this.sync();
      }
      const backoff = Math.min(BACKOFF_INITIAL_MS * 2 ** attempt, BACKOFF_MAX_MS);
      this.after(backoff, () => void (live() && this.startProcess(c, gen, bundle, attempt + 1)));
      return;
    }
    if (!live()) {
      prepared.cleanup();
      return;
    }
    this.event('Normal', 'Created', `Created container: ${c.name}`, c.fieldPath);
    let resolveExit!: (exit: ProcessExit) => void;
    const exited = new Promise<ProcessExit>((resolve) => (resolveExit = resolve));
    const proc = new BundleProcess({
      argv: prepared.argv,
      env: prepared.env,
      cwd: prepared.cwd,
      nowMs: () => this.deps.clock.nowMs(),
      onExit: (exit) => {
        prepared.cleanup();
        if (c.proc?.process === proc) c.proc = undefined;
        resolveExit(exit);
        const reason = exit.startError ? 'StartError' : exit.exitCode === 0 ? 'Completed' : 'Error';
        this.containerExited(c, gen, exit.exitCode, reason, exit.startError);
      },
    });
    c.proc = { process: proc, exited, cleanup: prepared.cleanup };
    this.event('Normal', 'Started', `Started container ${c.name}`, c.fieldPath);
    this.containerStarted(c, proc.logs);
  }

  /** A new instance runs: rotate logs and last state, write its log lines, arm timers and probes. */
  private containerStarted(c: ContainerRecord, processLogs?: LogLine[]): void {
    const nowMs = this.deps.clock.nowMs();
    const hadInstance = !!c.containerID || !!c.lastTerminated;
    if (c.terminated) c.lastTerminated = { ...c.terminated };
    if (hadInstance) {
      c.restartCount++;
      c.previousLogs = c.logs;
    }
    c.setRunning(metaTime(new Date(nowMs)), newContainerId());
    c.starting = false;
    c.logs = processLogs ?? c.behavior.logs.map((text) => ({ timeMs: nowMs, text }));
    c.started = !c.spec.startupProbe;
    c.ready = c.started && !c.spec.readinessProbe && c.kind !== 'init';
    this.armRunningContainer(c, nowMs);
    this.sync();
    this.advance();
  }

  /** Scripted exits and probes for a running instance that started at `startedMs` (real). */
  private armRunningContainer(c: ContainerRecord, startedMs: number): void {
    const gen = c.generation;
    const elapsedNominal = this.deps.clock.nominal(Math.max(0, this.deps.clock.nowMs() - startedMs));
    const b = c.behavior;
    const exitIn = (seconds: number) => Math.max(0, seconds * 1000 - elapsedNominal);
    const oom = oomKillAfter(b, c.spec.resources?.limits?.memory);
    const exit = c.kind === 'init' && b.exitAfterSeconds === undefined ? 0 : b.exitAfterSeconds;
    if (c.proc) {
      // A real process: it ends when it ends.
    } else if (oom !== undefined && (exit === undefined || oom <= exit)) {
      this.after(exitIn(oom), () => this.containerExited(c, gen, 137, 'OOMKilled'));
    } else if (exit !== undefined) {
      const code = b.exitCode;
      this.after(exitIn(exit), () => this.containerExited(c, gen, code, code === 0 ? 'Completed' : 'Error'));
    }
    this.startProbes(c, gen);
  }

  private startProbes(c: ContainerRecord, gen: number): void {
    this.stopProbes(c);
    const workers: ProbeWorker[] = [];
    const live = () => !this.dropped && !this.halted && c.generation === gen && c.isRunning;
    const unhealthy = (kind: string, probe: any) => this.event('Warning', 'Unhealthy', `${kind} probe failed: ${probeFailureMessage(probe, this.podIP)}`, c.fieldPath);
    const startOthers = () => {
      if (c.spec.readinessProbe) {
        const w = new ProbeWorker(this.deps.clock, c.spec.readinessProbe, {
          passes: () => c.behavior.readiness === 'pass',
          failed: () => live() && unhealthy('Readiness', c.spec.readinessProbe),
          changed: (healthy) => {
            if (!live()) return;
            c.ready = healthy;
            this.sync();
          },
        }, c.ready);
        workers.push(w);
        w.start();
      }
      if (c.spec.livenessProbe) {
        const w = new ProbeWorker(this.deps.clock, c.spec.livenessProbe, {
          passes: () => c.behavior.liveness === 'pass',
          failed: () => live() && unhealthy('Liveness', c.spec.livenessProbe),
          changed: (healthy) => {
            if (!live() || healthy) return;
            this.event('Normal', 'Killing', `Container ${c.name} failed liveness probe, will be restarted`, c.fieldPath);
            this.containerExited(c, gen, 137, 'Error');
          },
        }, true);
        workers.push(w);
        w.start();
      }
    };
    if (c.spec.startupProbe && !c.started) {
      // The simulated startup probe always succeeds; until then the other probes do not run.
      const w = new ProbeWorker(this.deps.clock, c.spec.startupProbe, {
        passes: () => true,
        failed: () => undefined,
        changed: (healthy) => {
          if (!live() || !healthy) return;
          c.started = true;
          if (!c.spec.readinessProbe && c.kind !== 'init') c.ready = true;
          this.sync();
          this.advance();
          startOthers();
        },
      }, undefined);
      workers.push(w);
      w.start();
    } else startOthers();
    this.probes.set(c, workers);
  }

  private stopProbes(c: ContainerRecord): void {
    for (const w of this.probes.get(c) ?? []) w.stop();
    this.probes.delete(c);
  }

  /** The instance ended by itself (or was killed by the liveness probe / OOM killer). */
  private containerExited(c: ContainerRecord, gen: number, exitCode: number, reason: string, message?: string): void {
    if (this.dropped || this.halted || c.generation !== gen || !c.isRunning) return;
    this.stopProbes(c);
    c.state = { terminated: this.terminatedState(c, exitCode, reason, message) };
    c.generation++;
    c.ready = c.kind === 'init' && exitCode === 0;
    c.started = false;
    const policy: string = this.pod.spec?.restartPolicy ?? 'Always';
    if (this.restartable(c, exitCode, policy)) this.scheduleRestart(c);
    else {
      const phase = podPhase(this.pod, this.view());
      if (phase === 'Succeeded' || phase === 'Failed') this.finish(phase);
    }
    this.sync();
    this.advance();
  }

  /** Whether restartPolicy (or being a sidecar) brings an exited container back. */
  private restartable(c: ContainerRecord, exitCode: number, policy: string): boolean {
    if (c.kind === 'sidecar') return true;
    if (c.kind === 'init') return exitCode !== 0 && policy !== 'Never';
    return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
  }

  private terminatedState(c: ContainerRecord, exitCode: number, reason: string, message?: string): TerminatedState {
    const running = (c.state as any).running;
    return { containerID: c.containerID ?? '', exitCode, finishedAt: metaTime(this.deps.clock.now()), ...(message ? { message } : {}), reason, startedAt: running?.startedAt ?? metaTime(this.deps.clock.now()) };
  }

  /**
   * Upstream's crash-loop back-off: a restart right away unless the container finished within the
   * current back-off window since the last restart, which then doubles (10 s .. 5 min); a
   * container that stayed quiet for 10 minutes starts over at no back-off.
   */
  private scheduleRestart(c: ContainerRecord): void {
    const clock = this.deps.clock;
    const now = clock.nowMs();
    const sinceLast = clock.nominal(now - c.crashBackoffAtMs);
    if (c.crashBackoffMs && sinceLast > 2 * BACKOFF_MAX_MS) c.crashBackoffMs = 0;
    c.starting = true;
    const gen = c.generation;
    const restart = () => {
      if (this.dropped || this.halted || c.generation !== gen) return;
      c.crashBackoffMs = c.crashBackoffMs ? Math.min(c.crashBackoffMs * 2, BACKOFF_MAX_MS) : BACKOFF_INITIAL_MS;
      c.crashBackoffAtMs = clock.nowMs();
      this.startContainer(c);
    };
    if (!c.crashBackoffMs || sinceLast >= c.crashBackoffMs) {
      restart();
      return;
    }
    const pod = `${this.name}_${this.namespace}(${this.uid})`;
    this.toWaiting(c, 'CrashLoopBackOff', `back-off ${formatGoDuration(c.crashBackoffMs)} restarting failed container=${c.name} pod=${pod}`);
    this.event('Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${pod}`, c.fieldPath);
    this.after(c.crashBackoffMs - sinceLast, restart);
  }

  /** Every container is done for good: the pod is terminal and its sandbox goes away. */
  private finish(phase: 'Succeeded' | 'Failed'): void {
    this.terminalPhase = phase;
    this.sandboxReady = false;
    for (const c of this.allContainers()) this.stopProbes(c);
    this.deps.ips.release(this.uid);
  }

  /**
   * Graceful deletion: stop every running container (quickly, or after the whole grace period
   * for one that ignores SIGTERM), report the final status, then remove the pod for good.
   */
  private async terminate(): Promise<void> {
    if (this.terminating || this.dropped) return;
    this.terminating = true;
    this.mountRetry?.cancel();
    await this.stopContainers((this.pod.metadata.deletionGracePeriodSeconds ?? this.pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000);
    if (this.dropped) return;
    if (!this.terminalPhase) {
      const allSucceeded = this.containers.every((c) => c.terminated?.exitCode === 0);
      this.finish(allSucceeded ? 'Succeeded' : 'Failed');
    }
    this.sync();
    await this.flushStatus();
    if (this.dropped || this.deleted) return;
    this.deleted = true;
    try {
      await this.deps.client.delete(PODS, this.namespace, this.name, { gracePeriodSeconds: 0, preconditions: { uid: this.uid } });
    } catch (e) {
      if (!(e instanceof ClientError && (e.code === 404 || e.code === 409))) {
        this.deleted = false;
        this.deps.log.warn({ pod: `${this.namespace}/${this.name}`, err: (e as Error).message }, 'could not delete terminated pod; retrying');
        this.after(1000, () => {
          this.terminating = false;
          void this.terminate();
        });
      }
    }
  }

  /** Stops every running container: a simulated one as scripted, a process by SIGTERM, then SIGKILL after the grace period. */
  private async stopContainers(graceMs: number): Promise<void> {
    const stops: Array<Promise<void>> = [];
    for (const c of this.allContainers()) {
      c.starting = false;
      this.stopProbes(c);
      if (!c.isRunning) continue;
      this.event('Normal', 'Killing', `Stopping container ${c.name}`, c.fieldPath);
      if (c.proc) {
        stops.push(this.stopProcess(c, c.proc, graceMs));
        continue;
      }
      const stopMs = c.behavior.ignoreSigterm ? graceMs : Math.min(this.deps.timings.containerStartMs, graceMs);
      const [code, reason] = c.behavior.ignoreSigterm ? [137, 'Error'] : [0, 'Completed'];
      stops.push(
        new Promise<void>((resolve) =>
          this.after(stopMs, () => {
            c.state = { terminated: this.terminatedState(c, code, reason) };
            c.ready = false;
            c.started = false;
            resolve();
          }),
        ),
      );
    }
    await Promise.all(stops);
  }

  private async stopProcess(c: ContainerRecord, proc: RunningProcess, graceMs: number): Promise<void> {
    proc.process.signal('SIGTERM');
    let graceTimer: Timer | undefined;
    const graceOver = await Promise.race([proc.exited.then(() => false), new Promise<boolean>((resolve) => (graceTimer = this.after(graceMs, () => resolve(true))))]);
    graceTimer?.cancel();
    if (graceOver) proc.process.signal('SIGKILL');
    const exit = await proc.exited;
    if (!c.isRunning) return;
    c.state = { terminated: this.terminatedState(c, exit.exitCode, exit.exitCode === 0 ? 'Completed' : 'Error') };
    c.ready = false;
    c.started = false;
  }

  /** Upstream's active deadline: measured from status.startTime, in the clock's nominal time. */
  private armDeadline(): void {
    const seconds = this.pod.spec?.activeDeadlineSeconds;
    if (typeof seconds !== 'number' || !(seconds > 0)) return;
    const started = Date.parse(this.pod.status?.startTime ?? this.startTime);
    const elapsed = this.deps.clock.nominal(Math.max(0, this.deps.clock.nowMs() - (Number.isFinite(started) ? started : this.deps.clock.nowMs())));
    this.after(Math.max(0, seconds * 1000 - elapsed), () => void this.deadlineExceeded());
  }

  /** The pod ran out of time: stop its containers for good, the pod is Failed (DeadlineExceeded). */
  private async deadlineExceeded(): Promise<void> {
    if (this.halted || this.terminalPhase || this.dropped) return;
    this.deadlineHit = true;
    this.podReason = DEADLINE_EXCEEDED;
    this.mountRetry?.cancel();
    this.event('Normal', DEADLINE_EXCEEDED.reason, DEADLINE_EXCEEDED.message);
    await this.stopContainers((this.pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000);
    if (this.dropped) return;
    if (!this.terminalPhase) this.finish('Failed');
    this.sync();
  }

  // ---- status ----------------------------------------------------------------------------

  private view() {
    return { init: this.init, containers: this.containers, sandboxReady: this.sandboxReady, podIP: this.podIP, hostIP: this.deps.hostIP, startTime: this.startTime, terminalPhase: this.terminalPhase, podReason: this.podReason };
  }

  /** Requests a status write; writes are serialized and skipped when nothing changed. */
  private sync(): void {
    if (this.dropped || this.keepStatus) return;
    this.dirty = true;
    if (!this.writing) this.writing = this.writeLoop().finally(() => (this.writing = undefined));
  }

  private async flushStatus(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async writeLoop(): Promise<void> {
    while (this.dirty && !this.dropped) {
      this.dirty = false;
      const old = this.pod.status ?? {};
      const status = computePodStatus(this.pod, this.view(), metaTime(this.deps.clock.now()));
      if (JSON.stringify(status) === JSON.stringify(old)) continue;
      // A PUT at the resourceVersion we computed from: a change someone else made meanwhile (or a
      // same-named successor pod, as StatefulSets create) answers 409 instead of being overwritten.
      const body = { ...this.pod, status };
      try {
        const updated = await this.deps.client.update(PODS, body, 'status');
        if (rv(updated) >= rv(this.pod)) this.pod = updated;
      } catch (e) {
        if (e instanceof ClientError && e.code === 404) return; // gone: the informer drops this worker
        if (e instanceof ClientError && e.code === 409) {
          if (await this.refresh()) this.dirty = true;
          continue;
        }
        this.deps.log.warn({ pod: `${this.namespace}/${this.name}`, err: (e as Error).message }, 'pod status update failed; retrying');
        this.after(1000, () => this.sync());
        return;
      }
    }
  }

  /** Re-reads the pod after a conflict; false when it is gone or now a different pod. */
  private async refresh(): Promise<boolean> {
    try {
      const fresh = await this.deps.client.find(PODS, this.namespace, this.name);
      if (!fresh || fresh.metadata.uid !== this.uid) return false;
      this.pod = fresh;
      return true;
    } catch {
      return false;
    }
  }

  // ---- helpers ---------------------------------------------------------------------------

  /** A waiting state; the instance that ended before it becomes the last state. */
  private toWaiting(c: ContainerRecord, reason: string, message: string): void {
    if (c.terminated) c.lastTerminated = { ...c.terminated };
    c.state = { waiting: { reason, message } };
  }

  /** Stopping for deletion or for the active deadline: nothing starts or restarts any more. */
  private get halted(): boolean {
    return this.terminating || this.deadlineHit;
  }

  private bundleOf(c: ContainerRecord): WorkflowBundle | undefined {
    const lookup = this.deps.bundles?.lookup(c.spec.image);
    return lookup && 'bundle' in lookup ? lookup.bundle : undefined;
  }

  private allContainers(): ContainerRecord[] {
    return [...this.init, ...this.containers];
  }

  private after(nominalMs: number, fn: () => void): Timer {
    const t = this.deps.clock.setTimeout(() => {
      this.timers.delete(t);
      if (!this.dropped) fn();
    }, nominalMs);
    this.timers.add(t);
    return t;
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void {
    if (this.dropped) return;
    this.deps.recorder.event(this.pod, type, reason, message, fieldPath);
  }
}

function rv(obj: KubeObject): number {
  const n = Number(obj.metadata.resourceVersion);
  return Number.isFinite(n) ? n : 0;
}
