/**
 * The log of a WorkflowExecution's Job: its newest pod (label batch.kubernetes.io/job-name, or the
 * older job-name), the last lines, cut to a few KB. The WorkflowExecution controller deletes the
 * Job a while after it finished, so the last log read of each Job is kept (a bounded number of
 * them) and the console reads it as the execution progresses (`capture`), not only when someone
 * opens the page: the log stays visible after its pod is gone.
 */
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { ExecutionView, ObjectRef } from '../../api-types.ts';

/** The tail shown: at most this many bytes of the last lines. */
export const MAX_LOG_BYTES = 8 * 1024;
const TAIL_LINES = 400;
const TIMEOUT_MS = 5000;
/** Logs kept after their pod is gone (8 KiB each at most). */
const MAX_KEPT_LOGS = 200;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

/** The last `maxBytes` of `text`, starting at a line boundary when one is near. */
export function logTail(text: string, maxBytes = MAX_LOG_BYTES): { text: string; truncated: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { text, truncated: false };
  let tail = bytes.subarray(bytes.length - maxBytes).toString('utf8').replace(/^\uFFFD+/, '');
  const newline = tail.indexOf('\n');
  if (newline >= 0 && newline < 200) tail = tail.slice(newline + 1);
  return { text: tail, truncated: true };
}

type JobLog = NonNullable<ExecutionView['log']>;

export class JobLogReader {
  private readonly core: CoreV1Api;
  private readonly kept = new Map<string, JobLog>();
  private readonly reading = new Map<string, Promise<JobLog | undefined>>();

  constructor(kc: KubeConfig) {
    this.core = kc.makeApiClient(CoreV1Api);
  }

  /** The Job's log now, else the last one read while its pod existed. */
  async tail(job: ObjectRef | undefined): Promise<ExecutionView['log']> {
    if (!job?.namespace || job.kind !== 'Job') return undefined;
    const key = `${job.namespace}/${job.name}`;
    let read = this.reading.get(key);
    if (!read) {
      read = this.read(job.namespace, job.name).finally(() => this.reading.delete(key));
      this.reading.set(key, read);
    }
    const log = await read;
    if (!log) return this.kept.get(key);
    this.kept.delete(key);
    this.kept.set(key, log);
    if (this.kept.size > MAX_KEPT_LOGS) this.kept.delete(this.kept.keys().next().value!);
    return log;
  }

  /** Reads (and keeps) the log of a running or finished execution's Job, in the background. */
  capture(job: ObjectRef | undefined): void {
    void this.tail(job);
  }

  private async read(namespace: string, jobName: string): Promise<JobLog | undefined> {
    try {
      let pods: V1Pod[] = [];
      for (const label of ['batch.kubernetes.io/job-name', 'job-name']) {
        pods = (await withTimeout(this.core.listNamespacedPod({ namespace, labelSelector: `${label}=${jobName}` }), TIMEOUT_MS)).items;
        if (pods.length) break;
      }
      const started = pods.filter((p) => p.status?.phase && p.status.phase !== 'Pending');
      const createdMs = (p: V1Pod) => new Date(p.metadata?.creationTimestamp ?? 0).getTime() || 0;
      const pod = started.sort((a, b) => createdMs(b) - createdMs(a))[0];
      if (!pod?.metadata?.name) return undefined;
      const text = String((await withTimeout(this.core.readNamespacedPodLog({ name: pod.metadata.name, namespace, tailLines: TAIL_LINES }), TIMEOUT_MS)) ?? '');
      const tail = logTail(text);
      return { pod: pod.metadata.name, text: tail.text, truncated: tail.truncated || text.split('\n').filter(Boolean).length >= TAIL_LINES };
    } catch {
      // No pod (cleaned up), no log yet, or the API is unreachable.
      return undefined;
    }
  }
}
