/** Picks the describer of a kind; kinds without their own fall back to the generic outline. */
import type { KubeObject } from '../client.ts';
import type { ResolvedKind } from '../kinds.ts';
import { describeConfigMap, describeNamespace, describeSecret } from './config.ts';
import { eventsOf, type DescribeContext, type Describer } from './context.ts';
import { describeGeneric } from './generic.ts';
import { describeNode } from './node.ts';
import { describePod } from './pod.ts';
import { describeService } from './service.ts';
import { describePersistentVolume, describePersistentVolumeClaim, describeStorageClass } from './storage.ts';
import { describeDaemonSet, describeDeployment, describeJob, describeReplicaSet, describeStatefulSet } from './workloads.ts';

export type { DescribeContext } from './context.ts';

const DESCRIBERS: Record<string, Describer> = {
  '/Pod': async (pod, ctx) => describePod(pod, await eventsOf(ctx, pod, 'Pod'), ctx.nowMs),
  'apps/StatefulSet': describeStatefulSet,
  'apps/Deployment': describeDeployment,
  'apps/ReplicaSet': describeReplicaSet,
  'apps/DaemonSet': describeDaemonSet,
  'batch/Job': describeJob,
  '/PersistentVolumeClaim': describePersistentVolumeClaim,
  '/PersistentVolume': describePersistentVolume,
  'storage.k8s.io/StorageClass': describeStorageClass,
  '/Node': describeNode,
  '/Service': describeService,
  '/ConfigMap': describeConfigMap,
  '/Secret': describeSecret,
  '/Namespace': describeNamespace,
};

export function describeObject(obj: KubeObject, kind: ResolvedKind, ctx: DescribeContext): Promise<string> {
  const describer = DESCRIBERS[`${kind.group}/${kind.kind}`];
  return describer ? describer(obj, ctx) : describeGeneric(obj, ctx, kind.kind);
}
