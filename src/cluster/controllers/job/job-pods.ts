/**
 * What a Job's pods look like and how Indexed Jobs track indexes: the tracking finalizer, the
 * completion-index label/annotation/hostname/env for Indexed mode, and the `completedIndexes`
 * interval notation ("0-2,5").
 */
import type { KubeObject } from '../../core/types.ts';
import { podFromTemplate } from '../shared/controller-utils.ts';

/** Keeps a finished pod around until the Job controller has counted it. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

export function isIndexed(job: KubeObject): boolean {
  return job.spec?.completionMode === 'Indexed';
}

/** The completion index of an Indexed Job's pod (annotation, else label), or undefined. */
export function podIndex(pod: KubeObject): number | undefined {
  const raw = pod.metadata.annotations?.[COMPLETION_INDEX] ?? pod.metadata.labels?.[COMPLETION_INDEX];
  const n = Number(raw);
  return raw !== undefined && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** A pod for `job` (and `index` in Indexed mode), carrying the tracking finalizer. */
export function podForJob(job: KubeObject, index?: number): KubeObject {
  if (index === undefined) return podFromTemplate(job.spec?.template, job, { finalizers: [JOB_TRACKING_FINALIZER] });
  const spec = structuredClone(job.spec?.template?.spec ?? {});
  // Upstream gives each index a stable hostname and exposes the index to the containers.
  spec.hostname ??= `${job.metadata.name}-${index}`;
  const env = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.annotations['${COMPLETION_INDEX}']` } } };
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if ((c.env ?? []).some((e: any) => e.name === env.name)) continue;
    c.env = [...(c.env ?? []), structuredClone(env)];
  }
  return podFromTemplate(job.spec?.template, job, {
    generateName: `${job.metadata.name}-${index}-`,
    labels: { [COMPLETION_INDEX]: String(index) },
    annotations: { [COMPLETION_INDEX]: String(index) },
    finalizers: [JOB_TRACKING_FINALIZER],
    spec,
  });
}

/** "0-2,5" → {0,1,2,5}. */
export function parseIndexes(text: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map(Number);
    for (let i = a; i <= (b ?? a); i++) out.add(i);
  }
  return out;
}

/** {0,1,2,5} → "0-2,5". */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
