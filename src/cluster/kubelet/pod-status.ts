/**
 * Pod status as the v1.32 kubelet derives it from its containers: phase, the conditions it owns
 * (PodReadyToStartContainers, Initialized, Ready, ContainersReady) with transition times that
 * only move on a change, and container statuses. Conditions other components own (PodScheduled,
 * DisruptionTarget, readiness gates) are carried over untouched.
 */
import type { KubeObject } from '../core/types.ts';
import type { ContainerRecord } from './container-record.ts';

const KUBELET_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady'];

export interface PodRuntimeView {
  init: ContainerRecord[];
  containers: ContainerRecord[];
  sandboxReady: boolean;
  podIP: string | undefined;
  hostIP: string;
  startTime: string;
  /** Set once the pod reached a terminal phase (or was stopped for deletion). */
  terminalPhase: 'Succeeded' | 'Failed' | undefined;
  /** Why the kubelet ended the pod itself (e.g. DeadlineExceeded), for status.reason/message. */
  podReason?: { reason: string; message: string };
}

/** Upstream's getPhase: what the containers' states say about the pod. */
export function podPhase(pod: KubeObject, view: PodRuntimeView): string {
  if (view.terminalPhase) return view.terminalPhase;
  const policy: string = pod.spec?.restartPolicy ?? 'Always';
  const initDone = view.init.every((c) => c.kind === 'sidecar' ? c.started || c.isRunning : c.completed);
  if (!initDone) {
    const failedForGood = view.init.some((c) => c.kind === 'init' && c.terminated && c.terminated.exitCode !== 0 && policy === 'Never');
    return failedForGood ? 'Failed' : 'Pending';
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of view.containers) {
    if (c.isRunning) running++;
    else if (c.terminated) {
      stopped++;
      if (c.terminated.exitCode === 0) succeeded++;
    } else if (c.lastTerminated) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped === view.containers.length && view.containers.length > 0) {
    if (policy === 'Always') return 'Running';
    if (policy === 'OnFailure') return succeeded === stopped ? 'Succeeded' : 'Running';
    return succeeded === stopped ? 'Succeeded' : 'Failed';
  }
  return 'Pending';
}

interface ConditionValue {
  status: 'True' | 'False';
  reason?: string;
  message?: string;
}

function listNames(cs: ContainerRecord[]): string {
  return `[${cs.map((c) => c.name).join(' ')}]`;
}

/** The kubelet-owned conditions, without timestamps. */
function conditionValues(pod: KubeObject, view: PodRuntimeView, phase: string): Record<string, ConditionValue> {
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const sandbox: ConditionValue = { status: view.sandboxReady && !terminal ? 'True' : 'False' };
  const incompleteInit = view.init.filter((c) => (c.kind === 'sidecar' ? !c.started : !c.completed));
  let initialized: ConditionValue;
  if (terminal && phase === 'Succeeded') initialized = { status: 'True', reason: 'PodCompleted' };
  else if (incompleteInit.length === 0) initialized = { status: 'True' };
  else initialized = { status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: ${listNames(incompleteInit)}` };

  let containersReady: ConditionValue;
  if (terminal) containersReady = { status: 'False', reason: 'PodCompleted' };
  else {
    const sidecarsUnready = view.init.filter((c) => c.kind === 'sidecar' && !c.ready);
    const unready = [...sidecarsUnready, ...view.containers.filter((c) => !c.ready)];
    containersReady = unready.length === 0 ? { status: 'True' } : { status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: ${listNames(unready)}` };
  }
  let ready: ConditionValue = { ...containersReady };
  if (ready.status === 'True') {
    // Readiness gates: every gate's condition (set by some controller) must be True.
    for (const gate of pod.spec?.readinessGates ?? []) {
      const c = (pod.status?.conditions ?? []).find((x: any) => x.type === gate.conditionType);
      if (c?.status !== 'True') {
        ready = {
          status: 'False',
          reason: 'ReadinessGatesNotReady',
          message: c ? `the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}` : `corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`,
        };
        break;
      }
    }
  }
  return { PodReadyToStartContainers: sandbox, Initialized: initialized, Ready: ready, ContainersReady: containersReady };
}

/** The complete status to write, given what the pod shows now (`pod.status`). */
export function computePodStatus(pod: KubeObject, view: PodRuntimeView, now: string): Record<string, any> {
  const old = pod.status ?? {};
  const phase = podPhase(pod, view);
  const values = conditionValues(pod, view, phase);
  const previous = new Map<string, any>((old.conditions ?? []).map((c: any) => [c.type, c]));
  const ours = KUBELET_CONDITIONS.map((type) => {
    const v = values[type];
    const prev = previous.get(type);
    return {
      lastProbeTime: null,
      lastTransitionTime: prev && prev.status === v.status && prev.lastTransitionTime ? prev.lastTransitionTime : now,
      ...(v.message ? { message: v.message } : {}),
      ...(v.reason ? { reason: v.reason } : {}),
      status: v.status,
      type,
    };
  });
  const others = (old.conditions ?? []).filter((c: any) => !KUBELET_CONDITIONS.includes(c.type));
  const ip = view.podIP;
  const status: Record<string, any> = {
    ...old,
    phase,
    conditions: [...ours, ...others],
    hostIP: view.hostIP,
    hostIPs: [{ ip: view.hostIP }],
    startTime: old.startTime ?? view.startTime,
    qosClass: old.qosClass ?? qosClass(pod.spec),
    containerStatuses: view.containers.map((c) => c.toStatus()),
  };
  if (view.podReason) {
    status.reason = view.podReason.reason;
    status.message = view.podReason.message;
  }
  if (view.init.length) status.initContainerStatuses = view.init.map((c) => c.toStatus());
  markPodInitializing(view, status);
  if (ip) {
    status.podIP = ip;
    status.podIPs = [{ ip }];
  }
  return status;
}

/**
 * While init containers are still to run, containers that have not been created yet wait with
 * reason PodInitializing rather than ContainerCreating (the one being created keeps the latter).
 */
function markPodInitializing(view: PodRuntimeView, status: Record<string, any>): void {
  const current = view.init.findIndex((c) => (c.kind === 'sidecar' ? !c.started : !c.completed));
  if (current < 0) return;
  const relabel = (s: any) => {
    if (s.state?.waiting?.reason === 'ContainerCreating' && !s.containerID) s.state = { waiting: { reason: 'PodInitializing' } };
  };
  (status.initContainerStatuses as any[]).slice(current + 1).forEach(relabel);
  (status.containerStatuses as any[]).forEach(relabel);
}

/** Guaranteed / Burstable / BestEffort, for pods created before the API server filled it in. */
export function qosClass(spec: any): string {
  const all = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  let anySet = false;
  let guaranteed = true;
  for (const c of all) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) anySet = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && req[r] !== lim[r])) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
