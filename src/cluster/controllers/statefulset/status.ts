/**
 * StatefulSet status as upstream counts it: `replicas` are created pods (ready or not),
 * `current`/`updated` replicas are live pods at the current/update revision, and a finished
 * rolling update moves the current revision to the update revision.
 */
import type { KubeObject } from '../../core/types.ts';
import { isCreated, isRunningAndAvailable, isRunningAndReady, podRevision } from './identity.ts';

export interface SetStatus {
  observedGeneration: number;
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
}

/** `minReadySeconds` in real seconds (the spec value divided by the time scale). */
export function computeStatus(set: KubeObject, pods: KubeObject[], currentRevision: string, updateRevision: string, collisionCount: number, nowMs: number, minReadySeconds: number): SetStatus {
  const s: SetStatus = {
    observedGeneration: set.metadata.generation ?? 0,
    replicas: 0,
    readyReplicas: 0,
    availableReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    currentRevision,
    updateRevision,
    collisionCount,
  };
  for (const pod of pods) {
    if (isCreated(pod)) s.replicas++;
    if (isRunningAndReady(pod)) {
      s.readyReplicas++;
      if (isRunningAndAvailable(pod, minReadySeconds, nowMs)) s.availableReplicas++;
    }
    if (isCreated(pod) && !pod.metadata.deletionTimestamp) {
      if (podRevision(pod) === currentRevision) s.currentReplicas++;
      if (podRevision(pod) === updateRevision) s.updatedReplicas++;
    }
  }
  return s;
}

/** Every pod updated and ready under RollingUpdate: the update revision becomes current. */
export function completeRollingUpdate(set: KubeObject, s: SetStatus): void {
  if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return;
  if (s.updatedReplicas === s.replicas && s.readyReplicas === s.replicas) {
    s.currentReplicas = s.updatedReplicas;
    s.currentRevision = s.updateRevision;
  }
}

/** Whether the stored status differs from `s` (status is written only when it changed). */
export function statusChanged(set: KubeObject, s: SetStatus): boolean {
  const cur = set.status ?? {};
  return (Object.keys(s) as Array<keyof SetStatus>).some((k) => (cur[k] ?? (k === 'currentRevision' || k === 'updateRevision' ? '' : 0)) !== s[k]);
}
