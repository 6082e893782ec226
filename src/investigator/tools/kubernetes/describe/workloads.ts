/** `kubectl describe` of StatefulSets, Deployments, ReplicaSets, DaemonSets and Jobs. */
import { formatLabelSelector, formatLabels, humanDuration, parseTime, rfc1123z, selectorString } from '../format.ts';
import { canonicalQuantity } from '../quantity.ts';
import type { KubeObject } from '../client.ts';
import { eventsOf, podPhases, type DescribeContext } from './context.ts';
import { describePodTemplate } from './pod-spec.ts';
import { DescribeWriter, controllerOf, printAnnotations, printEvents, printLabels, type Writer } from './writer.ts';

type Json = any;

const podsStatus = (p: { running: number; waiting: number; succeeded: number; failed: number }): string => `${p.running} Running / ${p.waiting} Waiting / ${p.succeeded} Succeeded / ${p.failed} Failed`;

/** A claim's storage class: the beta annotation wins over the field, as in kubectl. */
export function claimClass(pvc: Json): string {
  return pvc?.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? pvc?.spec?.storageClassName ?? '';
}

export async function describeStatefulSet(sts: KubeObject, ctx: DescribeContext): Promise<string> {
  const [phases, events] = await Promise.all([podPhases(ctx, sts, sts.spec?.selector), eventsOf(ctx, sts, 'StatefulSet')]);
  const w = new DescribeWriter();
  const spec: Json = sts.spec ?? {};
  w.write(0, `Name:\t${sts.metadata.name}\n`);
  w.write(0, `Namespace:\t${sts.metadata.namespace ?? ''}\n`);
  w.write(0, `CreationTimestamp:\t${rfc1123z(sts.metadata.creationTimestamp)}\n`);
  w.write(0, `Selector:\t${selectorString(spec.selector)}\n`);
  printLabels(w, 'Labels', sts.metadata.labels);
  printAnnotations(w, 'Annotations', sts.metadata.annotations);
  w.write(0, `Replicas:\t${spec.replicas ?? 1} desired | ${sts.status?.replicas ?? 0} total\n`);
  w.write(0, `Update Strategy:\t${spec.updateStrategy?.type ?? ''}\n`);
  const ru = spec.updateStrategy?.rollingUpdate;
  if (ru && ru.partition !== undefined && ru.partition !== null) {
    w.write(1, `Partition:\t${ru.partition}\n`);
    if (ru.maxUnavailable !== undefined && ru.maxUnavailable !== null) w.write(1, `MaxUnavailable:\t${ru.maxUnavailable}\n`);
  }
  w.write(0, `Pods Status:\t${podsStatus(phases)}\n`);
  describePodTemplate(w, spec.template);
  const templates: Json[] = spec.volumeClaimTemplates ?? [];
  if (templates.length === 0) w.write(0, 'Volume Claims:\t<none>\n');
  else {
    w.write(0, 'Volume Claims:\n');
    for (const t of templates) {
      w.write(1, `Name:\t${t.metadata?.name ?? ''}\n`);
      w.write(1, `StorageClass:\t${claimClass(t)}\n`);
      printLabels(w, 'Labels', t.metadata?.labels, '  ');
      printLabels(w, 'Annotations', t.metadata?.annotations, '  ');
      const storage = t.spec?.resources?.requests?.storage;
      w.write(1, `Capacity:\t${storage === undefined ? '<default>' : canonicalQuantity(storage)}\n`);
      w.write(1, `Access Modes:\t[${(t.spec?.accessModes ?? []).join(' ')}]\n`);
    }
  }
  printEvents(w, events, ctx.nowMs);
  return w.toString();
}

export async function describeDeployment(d: KubeObject, ctx: DescribeContext): Promise<string> {
  const ns = d.metadata.namespace ?? '';
  const spec: Json = d.spec ?? {};
  const [replicaSets, events] = await Promise.all([
    ctx.reader.listOrEmpty(`/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/replicasets`, { labelSelector: selectorString(spec.selector) || undefined }),
    eventsOf(ctx, d, 'Deployment'),
  ]);
  const owned = replicaSets.filter((rs) => rs.metadata.ownerReferences?.some((r) => r.controller && r.uid === d.metadata.uid));
  // The new ReplicaSet is the oldest one running the current template; every other one is old.
  const newRS = [...owned]
    .sort((a, b) => (parseTime(a.metadata.creationTimestamp) ?? 0) - (parseTime(b.metadata.creationTimestamp) ?? 0))
    .find((rs) => sameTemplate(rs.spec?.template, spec.template));
  const oldRSs = owned.filter((rs) => rs !== newRS);
  const w = new DescribeWriter();
  w.write(0, `Name:\t${d.metadata.name}\n`);
  w.write(0, `Namespace:\t${ns}\n`);
  w.write(0, `CreationTimestamp:\t${rfc1123z(d.metadata.creationTimestamp)}\n`);
  printLabels(w, 'Labels', d.metadata.labels);
  printAnnotations(w, 'Annotations', d.metadata.annotations);
  w.write(0, `Selector:\t${selectorString(spec.selector)}\n`);
  const st: Json = d.status ?? {};
  w.write(0, `Replicas:\t${spec.replicas ?? 1} desired | ${st.updatedReplicas ?? 0} updated | ${st.replicas ?? 0} total | ${st.availableReplicas ?? 0} available | ${st.unavailableReplicas ?? 0} unavailable\n`);
  w.write(0, `StrategyType:\t${spec.strategy?.type ?? ''}\n`);
  w.write(0, `MinReadySeconds:\t${spec.minReadySeconds ?? 0}\n`);
  const ru = spec.strategy?.rollingUpdate;
  if (ru) w.write(0, `RollingUpdateStrategy:\t${ru.maxUnavailable ?? ''} max unavailable, ${ru.maxSurge ?? ''} max surge\n`);
  describePodTemplate(w, spec.template);
  printWorkloadConditions(w, st.conditions);
  if (oldRSs.length > 0 || newRS) {
    w.write(0, `OldReplicaSets:\t${replicaSetList(oldRSs)}\n`);
    w.write(0, `NewReplicaSet:\t${replicaSetList(newRS ? [newRS] : [])}\n`);
  }
  printEvents(w, events, ctx.nowMs);
  return w.toString();
}

function printWorkloadConditions(w: Writer, conditions: Json[] | undefined): void {
  if (!conditions?.length) return;
  w.write(0, 'Conditions:\n  Type\tStatus\tReason\n');
  w.write(1, '----\t------\t------\n');
  for (const c of conditions) w.write(1, `${c.type} \t${c.status}\t${c.reason ?? ''}\n`);
}

const replicaSetList = (list: KubeObject[]): string => list.map((rs) => `${rs.metadata.name} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 1} replicas created)`).join(', ') || '<none>';

/** Whether a ReplicaSet runs the Deployment's current template (its pod-template-hash label aside). */
function sameTemplate(a: Json, b: Json): boolean {
  const strip = (t: Json): Json => {
    const c = structuredClone(t ?? {});
    if (c.metadata?.labels) delete c.metadata.labels['pod-template-hash'];
    return c;
  };
  return canonicalJson(strip(a)) === canonicalJson(strip(b));
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined && x !== null && !(typeof x === 'object' && Object.keys(x as object).length === 0));
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export async function describeReplicaSet(rs: KubeObject, ctx: DescribeContext): Promise<string> {
  const [phases, events] = await Promise.all([podPhases(ctx, rs, rs.spec?.selector), eventsOf(ctx, rs, 'ReplicaSet')]);
  const w = new DescribeWriter();
  w.write(0, `Name:\t${rs.metadata.name}\n`);
  w.write(0, `Namespace:\t${rs.metadata.namespace ?? ''}\n`);
  w.write(0, `Selector:\t${formatLabelSelector(rs.spec?.selector)}\n`);
  printLabels(w, 'Labels', rs.metadata.labels);
  printAnnotations(w, 'Annotations', rs.metadata.annotations);
  const controller = controllerOf(rs);
  if (controller) w.write(0, `Controlled By:\t${controller}\n`);
  w.write(0, `Replicas:\t${rs.status?.replicas ?? 0} current / ${rs.spec?.replicas ?? 1} desired\n`);
  w.write(0, `Pods Status:\t${podsStatus(phases)}\n`);
  describePodTemplate(w, rs.spec?.template);
  printWorkloadConditions(w, rs.status?.conditions);
  printEvents(w, events, ctx.nowMs);
  return w.toString();
}

export async function describeDaemonSet(ds: KubeObject, ctx: DescribeContext): Promise<string> {
  const [phases, events] = await Promise.all([podPhases(ctx, ds, ds.spec?.selector), eventsOf(ctx, ds, 'DaemonSet')]);
  const w = new DescribeWriter();
  const st: Json = ds.status ?? {};
  w.write(0, `Name:\t${ds.metadata.name}\n`);
  w.write(0, `Selector:\t${selectorString(ds.spec?.selector)}\n`);
  w.write(0, `Node-Selector:\t${formatLabels(ds.spec?.template?.spec?.nodeSelector)}\n`);
  printLabels(w, 'Labels', ds.metadata.labels);
  printAnnotations(w, 'Annotations', ds.metadata.annotations);
  w.write(0, `Desired Number of Nodes Scheduled: ${st.desiredNumberScheduled ?? 0}\n`);
  w.write(0, `Current Number of Nodes Scheduled: ${st.currentNumberScheduled ?? 0}\n`);
  w.write(0, `Number of Nodes Scheduled with Up-to-date Pods: ${st.updatedNumberScheduled ?? 0}\n`);
  w.write(0, `Number of Nodes Scheduled with Available Pods: ${st.numberAvailable ?? 0}\n`);
  w.write(0, `Number of Nodes Misscheduled: ${st.numberMisscheduled ?? 0}\n`);
  w.write(0, `Pods Status:\t${podsStatus(phases)}\n`);
  describePodTemplate(w, ds.spec?.template);
  printEvents(w, events, ctx.nowMs);
  return w.toString();
}

export async function describeJob(job: KubeObject, ctx: DescribeContext): Promise<string> {
  const events = await eventsOf(ctx, job, 'Job');
  const w = new DescribeWriter();
  const spec: Json = job.spec ?? {};
  const st: Json = job.status ?? {};
  const has = (v: unknown): boolean => v !== undefined && v !== null;
  w.write(0, `Name:\t${job.metadata.name}\n`);
  w.write(0, `Namespace:\t${job.metadata.namespace ?? ''}\n`);
  w.write(0, `Selector:\t${selectorString(spec.selector)}\n`);
  printLabels(w, 'Labels', job.metadata.labels);
  printAnnotations(w, 'Annotations', job.metadata.annotations);
  const controller = controllerOf(job);
  if (controller) w.write(0, `Controlled By:\t${controller}\n`);
  if (has(spec.parallelism)) w.write(0, `Parallelism:\t${spec.parallelism}\n`);
  w.write(0, `Completions:\t${has(spec.completions) ? spec.completions : '<unset>'}\n`);
  if (has(spec.completionMode)) w.write(0, `Completion Mode:\t${spec.completionMode}\n`);
  if (has(spec.suspend)) w.write(0, `Suspend:\t${spec.suspend}\n`);
  if (has(spec.backoffLimit)) w.write(0, `Backoff Limit:\t${spec.backoffLimit}\n`);
  if (has(spec.ttlSecondsAfterFinished)) w.write(0, `TTL Seconds After Finished:\t${spec.ttlSecondsAfterFinished}\n`);
  if (st.startTime) w.write(0, `Start Time:\t${rfc1123z(st.startTime)}\n`);
  if (st.completionTime) w.write(0, `Completed At:\t${rfc1123z(st.completionTime)}\n`);
  if (st.startTime && st.completionTime) w.write(0, `Duration:\t${humanDuration((parseTime(st.completionTime) ?? 0) - (parseTime(st.startTime) ?? 0))}\n`);
  if (has(spec.activeDeadlineSeconds)) w.write(0, `Active Deadline Seconds:\t${spec.activeDeadlineSeconds}s\n`);
  w.write(
    0,
    has(st.ready)
      ? `Pods Statuses:\t${st.active ?? 0} Active (${st.ready} Ready) / ${st.succeeded ?? 0} Succeeded / ${st.failed ?? 0} Failed\n`
      : `Pods Statuses:\t${st.active ?? 0} Active / ${st.succeeded ?? 0} Succeeded / ${st.failed ?? 0} Failed\n`,
  );
  if (spec.completionMode === 'Indexed') w.write(0, `Completed Indexes:\t${st.completedIndexes || '<none>'}\n`);
  if (spec.completionMode === 'Indexed' && has(spec.backoffLimitPerIndex)) w.write(0, `Failed Indexes:\t${st.failedIndexes || '<none>'}\n`);
  describePodTemplate(w, spec.template);
  printEvents(w, events, ctx.nowMs);
  return w.toString();
}
