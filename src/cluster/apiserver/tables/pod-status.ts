/**
 * The pod row of `kubectl get pods`: READY, STATUS (the aggregate reason users know, such as
 * `Init:0/1`, `CrashLoopBackOff`, `Completed`, `Terminating`), RESTARTS with the time of the last
 * restart, and the wide columns.
 */
import type { KubeObject } from '../../core/types.ts';
import { ageCol, col, nameCol } from './columns.ts';
import { timestampSince, parseTimestamp } from './duration.ts';
import { arr, findCondition, int, obj, str } from './format.ts';
import type { Printer, TableRowCondition } from './model.ts';

/** Reason set on pods whose node stopped responding (the node lifecycle controller uses it). */
const NODE_LOST = 'NodeLost';

export interface PodSummary {
  /** `ready/total`, counting regular containers plus started sidecars (restartable init containers). */
  ready: string;
  status: string;
  restarts: number;
  /** Latest `lastState.terminated.finishedAt` among the containers counted in `restarts`. */
  lastRestart: Date | null;
}

function isSidecar(container: Record<string, any> | undefined): boolean {
  return container?.restartPolicy === 'Always';
}

function terminatedAt(status: Record<string, any>): Date | null {
  const t = obj(obj(status.lastState).terminated);
  if (Object.keys(t).length === 0) return null;
  return parseTimestamp(t.finishedAt) ?? null;
}

function later(a: Date | null, b: Date | null): Date | null {
  if (!b) return a;
  if (!a || b.getTime() > a.getTime()) return b;
  return a;
}

function isTerminalPhase(phase: string): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Computes the READY, STATUS and RESTARTS values of a pod. */
export function summarizePod(pod: KubeObject): PodSummary {
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  const phase = str(status.phase);
  const conditions = arr(status.conditions).map(obj);

  let reason = str(status.reason) || phase;
  if (conditions.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) {
    reason = 'SchedulingGated';
  }

  const initSpecs = new Map<string, Record<string, any>>();
  let total = arr(spec.containers).length;
  for (const c of arr(spec.initContainers).map(obj)) {
    initSpecs.set(str(c.name), c);
    if (isSidecar(c)) total++;
  }
  const initCount = arr(spec.initContainers).length;

  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: Date | null = null;
  let lastSidecarRestart: Date | null = null;

  let initializing = false;
  const initStatuses = arr(status.initContainerStatuses).map(obj);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const state = obj(cs.state);
    const sidecar = isSidecar(initSpecs.get(str(cs.name)));
    restarts += int(cs.restartCount);
    lastRestart = later(lastRestart, terminatedAt(cs));
    if (sidecar) {
      sidecarRestarts += int(cs.restartCount);
      lastSidecarRestart = later(lastSidecarRestart, terminatedAt(cs));
    }
    const terminated = state.terminated !== undefined && state.terminated !== null ? obj(state.terminated) : undefined;
    const waiting = state.waiting !== undefined && state.waiting !== null ? obj(state.waiting) : undefined;

    if (terminated && int(terminated.exitCode) === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready === true) ready++;
      continue;
    }
    if (terminated) {
      // Initialization failed.
      if (str(terminated.reason) === '') {
        reason = int(terminated.signal) !== 0 ? `Init:Signal:${int(terminated.signal)}` : `Init:ExitCode:${int(terminated.exitCode)}`;
      } else {
        reason = `Init:${str(terminated.reason)}`;
      }
    } else if (waiting && str(waiting.reason) !== '' && waiting.reason !== 'PodInitializing') {
      reason = `Init:${str(waiting.reason)}`;
    } else {
      reason = `Init:${i}/${initCount}`;
    }
    initializing = true;
    break;
  }

  const initializedTrue = conditions.some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initializedTrue) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = arr(status.containerStatuses).map(obj);
    // Walk backwards so the first container's state has the final say.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      const state = obj(cs.state);
      restarts += int(cs.restartCount);
      lastRestart = later(lastRestart, terminatedAt(cs));
      const terminated = state.terminated !== undefined && state.terminated !== null ? obj(state.terminated) : undefined;
      const waiting = state.waiting !== undefined && state.waiting !== null ? obj(state.waiting) : undefined;
      const running = state.running !== undefined && state.running !== null;
      if (waiting && str(waiting.reason) !== '') {
        reason = str(waiting.reason);
      } else if (terminated && str(terminated.reason) !== '') {
        reason = str(terminated.reason);
      } else if (terminated) {
        reason = int(terminated.signal) !== 0 ? `Signal:${int(terminated.signal)}` : `ExitCode:${int(terminated.exitCode)}`;
      } else if (cs.ready === true && running) {
        hasRunning = true;
        ready++;
      }
    }
    // A pod with a completed container but others still running is not complete.
    if (reason === 'Completed' && hasRunning) {
      reason = conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }

  const deleting = Boolean(pod.metadata.deletionTimestamp);
  if (deleting && status.reason === NODE_LOST) {
    reason = 'Unknown';
  } else if (deleting && !isTerminalPhase(phase)) {
    reason = 'Terminating';
  }

  return { ready: `${ready}/${total}`, status: reason, restarts, lastRestart };
}

/** `3`, or `3 (25s ago)` when the last restart time is known. */
export function formatRestarts(restarts: number, lastRestart: Date | null, now: Date): string {
  if (restarts !== 0 && lastRestart) {
    return `${restarts} (${timestampSince(lastRestart.toISOString(), now)} ago)`;
  }
  return String(restarts);
}

function readinessGates(pod: KubeObject): string {
  const gates = arr(obj(pod.spec).readinessGates).map(obj);
  if (gates.length === 0) return '<none>';
  const conditions = obj(pod.status).conditions;
  const trueCount = gates.filter((g) => findCondition(conditions, str(g.conditionType))?.status === 'True').length;
  return `${trueCount}/${gates.length}`;
}

export const podPrinter: Printer = {
  columns: [
    nameCol(),
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageCol(),
    col('IP', 'string', 'IP address allocated to the pod. Routable at least within the cluster.', 1),
    col('Node', 'string', 'NodeName indicates in which node this pod is scheduled.', 1),
    col('Nominated Node', 'string', 'nominatedNodeName is set when this pod preempts other pods on the node.', 1),
    col('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness.', 1),
  ],
  cells(pod, now) {
    const s = summarizePod(pod);
    const spec = obj(pod.spec);
    const status = obj(pod.status);
    const ip = str(obj(arr(status.podIPs)[0]).ip) || str(status.podIP) || '<none>';
    return [
      pod.metadata.name ?? '',
      s.ready,
      s.status,
      formatRestarts(s.restarts, s.lastRestart, now),
      timestampSince(pod.metadata.creationTimestamp, now),
      ip,
      str(spec.nodeName) || '<none>',
      str(status.nominatedNodeName) || '<none>',
      readinessGates(pod),
    ];
  },
  conditions(pod): TableRowCondition[] | undefined {
    switch (obj(pod.status).phase) {
      case 'Succeeded':
        return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
      case 'Failed':
        return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
      default:
        return undefined;
    }
  },
};
