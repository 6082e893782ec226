/**
 * Follows the pipeline as it happens: informers (list + watch through client-node) on the
 * scenario's namespace for the RemediationRequest and its children, on the workflow namespace for
 * the WorkflowExecution's Job and pod (whose log is read while it runs), and the stack's Prometheus
 * API for the alert. It only reports what changed, as TimelineEntries; timeline.ts words them.
 */
import { CoreV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { KUBERNAUT_RESOURCES, CORE_RESOURCES } from '../kube/resource.ts';
import { Informer } from '../kube/informer.ts';
import { ScaledClock } from '../platform/clock.ts';
import { rootLogger } from '../platform/log.ts';
import { analysisLines, clockTime, effectivenessText, phaseText, type TimelineEntry } from './timeline.ts';

type Obj = KubernetesObject & { spec?: any; status?: any };

/** The kinds the follower knows, by the short name the timeline uses. */
const CHILD_KINDS = [
  ['RR', 'RemediationRequest'],
  ['SP', 'SignalProcessing'],
  ['AA', 'AIAnalysis'],
  ['RAR', 'RemediationApprovalRequest'],
  ['WE', 'WorkflowExecution'],
  ['EA', 'EffectivenessAssessment'],
] as const;
export type ChildAbbreviation = (typeof CHILD_KINDS)[number][0];

const CHILD_PREFIX: Record<Exclude<ChildAbbreviation, 'RR'>, string> = { SP: 'sp-', AA: 'ai-', RAR: 'rar-', WE: 'we-', EA: 'ea-' };

/** The alert as the Prometheus API shows it. */
export interface AlertSighting {
  state: 'pending' | 'firing' | 'resolved';
  activeAt: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Real time the follower first saw it in this state. */
  seenAt: Date;
}

export interface FollowerOptions {
  kc: KubeConfig;
  namespace: string;
  workflowNamespace: string;
  prometheusUrl?: string;
  signalName: string;
  emit: (entry: TimelineEntry) => void;
}

/** The phase (or equivalent) of one of Kubernaut's objects, as the timeline tracks it. */
export function phaseOf(kind: ChildAbbreviation, o: Obj): string {
  const s = o.status ?? {};
  if (kind === 'RR') return s.overallPhase ?? 'Pending';
  if (kind === 'RAR') return s.decision || 'Pending';
  return s.phase ?? 'Pending';
}

export class PipelineFollower {
  /** The RemediationRequest the scenario's alert produced (the first one for its signal). */
  rrName: string | undefined;
  /** The latest version of the RR and each child. */
  readonly latest = new Map<ChildAbbreviation, Obj>();
  /** Every alert state change seen, in order. */
  readonly alertSightings: AlertSighting[] = [];
  /** The Job's log lines as read (the pod may be cleaned up once the Job finishes). */
  readonly jobLog: string[] = [];
  /** When each child was first seen in each phase (real ms). */
  readonly phaseSeenAt = new Map<string, number>();
  private readonly informers: Informer<Obj>[] = [];
  private readonly lastPhase = new Map<string, string>();
  private readonly listeners = new Set<() => void>();
  private readonly logCursor = new Map<string, number>();
  private readonly readingLogs = new Set<string>();
  private pollTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly core: CoreV1Api;
  private followFrom = 0;

  constructor(private readonly opts: FollowerOptions) {
    this.core = opts.kc.makeApiClient(CoreV1Api);
  }

  /** Starts watching; RRs created before `fromMs` are ignored (leftovers of an earlier run). */
  async start(fromMs: number): Promise<void> {
    this.followFrom = fromMs;
    // The demo's own observation, not Kubernaut's waiting: real time, and its logs kept quiet.
    const clock = new ScaledClock(1);
    const log = rootLogger.child({ component: 'demo-follower' });
    for (const [abbr, kind] of CHILD_KINDS) {
      const inf = new Informer<Obj>(this.opts.kc, KUBERNAUT_RESOURCES[kind], clock, { namespace: this.opts.namespace, log });
      inf.onEvent((event, obj) => this.onChild(abbr, event, obj));
      this.informers.push(inf);
    }
    const jobs = new Informer<Obj>(this.opts.kc, CORE_RESOURCES.jobs, clock, { namespace: this.opts.workflowNamespace, log });
    jobs.onEvent((event, obj) => this.onJob(event, obj));
    const pods = new Informer<Obj>(this.opts.kc, CORE_RESOURCES.pods, clock, { namespace: this.opts.workflowNamespace, log });
    pods.onEvent((event, obj) => this.onJobPod(event, obj));
    this.informers.push(jobs, pods);
    await Promise.all(this.informers.map((i) => i.start()));
    if (this.opts.prometheusUrl) this.pollAlerts();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.pollTimer);
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  /** Calls `listener` after every change the follower saw; returns its removal. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  private say(subject: string, text: string, detail = false, at = new Date()): void {
    this.opts.emit({ at, subject, text, detail });
  }

  private belongsToRun(abbr: ChildAbbreviation, o: Obj): boolean {
    const name = o.metadata?.name ?? '';
    if (abbr === 'RR') {
      if (o.spec?.signalName !== this.opts.signalName) return false;
      if (this.rrName) return name === this.rrName;
      const created = Date.parse(String(o.metadata?.creationTimestamp ?? ''));
      if (!(created >= this.followFrom - 1000)) return false;
      this.rrName = name;
      return true;
    }
    return !!this.rrName && name === `${CHILD_PREFIX[abbr]}${this.rrName}`;
  }

  private onChild(abbr: ChildAbbreviation, event: string, o: Obj): void {
    if (event === 'delete' || !this.belongsToRun(abbr, o)) return;
    this.latest.set(abbr, o);
    const phase = phaseOf(abbr, o);
    const key = `${abbr}/${o.metadata!.name}`;
    const before = this.lastPhase.get(key);
    if (before !== phase) {
      this.lastPhase.set(key, phase);
      this.phaseSeenAt.set(`${abbr}:${phase}`, Date.now());
      this.describe(abbr, o, phase, before === undefined);
    }
    this.changed();
  }

  /** What the timeline says when an object appears or changes phase. */
  private describe(abbr: ChildAbbreviation, o: Obj, phase: string, created: boolean): void {
    const name = o.metadata!.name!;
    const s = o.status ?? {};
    const kind = CHILD_KINDS.find(([a]) => a === abbr)![1];
    if (abbr === 'RR') {
      if (created) {
        const t = o.spec?.targetResource ?? {};
        this.say('RR', `${kind} ${name} created by the Gateway for ${o.spec?.signalName} on ${t.kind ?? '?'}/${t.name ?? '?'}`);
        if (phase === 'Pending') return;
      }
      const reason = s.outcome ?? s.failureReason ?? s.blockReason ?? s.skipReason;
      this.say('RR', phaseText(kind, name, phase, reason));
      return;
    }
    if (abbr === 'RAR') {
      if (created) this.say('RAR', `${kind} ${name} created: approval required by ${o.spec?.requiredBy ? clockTime(new Date(o.spec.requiredBy)) : '?'}`);
      if (s.decision) this.say('RAR', `${s.decision} by ${s.decidedBy ?? '?'}${s.decisionMessage ? `: ${s.decisionMessage}` : ''}`);
      return;
    }
    this.say(abbr, phaseText(kind, name, phase, abbr === 'WE' && phase === 'Failed' ? s.failureReason : s.reason && s.reason !== phase ? s.reason : undefined));
    if (abbr === 'SP' && phase === 'Completed') {
      const env = s.environmentClassification?.environment;
      const prio = s.priorityAssignment?.priority;
      this.say('SP', `environment ${env ?? '?'}, priority ${prio ?? '?'}, severity ${s.severity ?? '?'}`, true);
    }
    if (abbr === 'AA' && (phase === 'Completed' || phase === 'Failed')) {
      const lines = analysisLines({
        rootCause: s.rootCause,
        rootCauseSummary: s.rootCauseAnalysis?.summary,
        affected: s.rootCauseAnalysis?.affectedResource,
        detectedLabels: s.postRCAContext?.detectedLabels,
        workflowId: s.selectedWorkflow?.workflowId,
        version: s.selectedWorkflow?.version,
        confidence: s.selectedWorkflow?.confidence ?? s.confidence,
        rationale: s.selectedWorkflow?.rationale,
        approvalRequired: s.approvalRequired,
        approvalReason: s.approvalReason,
        llmLatencyMs: s.investigationUsage?.latencyMs,
        llmTurns: s.investigationUsage?.llmTurns,
        toolCalls: s.investigationUsage?.toolCalls,
      });
      if (phase === 'Failed' && s.message) lines.unshift(`failed: ${s.message}`);
      for (const l of lines) this.say('AA', l, true);
    }
    if (abbr === 'WE' && s.executionRef?.name && phase === 'Running') this.say('WE', `runs Job ${s.executionRef.namespace ?? this.opts.workflowNamespace}/${s.executionRef.name}`, true);
    if (abbr === 'EA' && phase === 'Completed') {
      this.say('EA', effectivenessText({ healthScore: s.components?.healthScore, alertScore: s.components?.alertScore, metricsScore: s.components?.metricsScore, overallScore: s.overallScore, reason: s.assessmentReason }), true);
    }
  }

  private ownJob(o: Obj): boolean {
    return !!this.rrName && o.metadata?.labels?.['kubernaut.ai/remediation-request'] === this.rrName;
  }

  private onJob(event: string, job: Obj): void {
    if (!this.ownJob(job)) return;
    const s = job.status ?? {};
    const phase = event === 'delete' ? 'deleted' : s.succeeded ? 'Complete' : s.failed && (job.status?.conditions ?? []).some((c: any) => c.type === 'Failed' && c.status === 'True') ? 'Failed' : s.active ? 'Running' : 'Created';
    const key = `Job/${job.metadata!.name}`;
    if (this.lastPhase.get(key) === phase) return;
    this.lastPhase.set(key, phase);
    this.say('Job', `Job ${job.metadata!.name} → ${phase}`);
    this.changed();
  }

  private onJobPod(event: string, pod: Obj): void {
    if (!this.ownJob(pod)) return;
    const name = pod.metadata!.name!;
    const key = `Pod/${name}`;
    const phase = event === 'delete' ? 'deleted' : (pod.status?.phase ?? 'Pending');
    if (this.lastPhase.get(key) !== phase) {
      this.lastPhase.set(key, phase);
      this.say('Pod', `Pod ${name} → ${phase}`);
    }
    if (event !== 'delete' && (phase === 'Running' || phase === 'Succeeded' || phase === 'Failed')) void this.readLog(name, phase !== 'Running');
    this.changed();
  }

  /** Reads the Job pod's log and prints the lines not printed yet; while it runs, again shortly. */
  private async readLog(pod: string, final: boolean): Promise<void> {
    if (this.readingLogs.has(pod) || this.stopped) return;
    this.readingLogs.add(pod);
    try {
      const text = await this.core.readNamespacedPodLog({ name: pod, namespace: this.opts.workflowNamespace });
      const lines = String(text ?? '').split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
      const from = this.logCursor.get(pod) ?? 0;
      for (const line of lines.slice(from)) {
        this.jobLog.push(line);
        this.say('Job', line, true);
      }
      this.logCursor.set(pod, Math.max(from, lines.length));
    } catch {
      // Not started yet, or already cleaned up with its Job: nothing (more) to show.
    } finally {
      this.readingLogs.delete(pod);
    }
    if (!final && !this.stopped && this.lastPhase.get(`Pod/${pod}`) === 'Running') setTimeout(() => void this.readLog(pod, false), 500).unref();
    this.changed();
  }

  private pollAlerts(): void {
    const tick = async () => {
      try {
        const res = await fetch(`${this.opts.prometheusUrl}/api/v1/alerts`, { signal: AbortSignal.timeout(5_000) });
        const body = (await res.json()) as { data?: { alerts?: any[] } };
        const alert = (body.data?.alerts ?? []).find((a) => a.labels?.alertname === this.opts.signalName);
        const last = this.alertSightings.at(-1);
        if (alert && (alert.state === 'pending' || alert.state === 'firing') && (last?.state !== alert.state || last?.activeAt !== alert.activeAt)) {
          const sighting: AlertSighting = { state: alert.state, activeAt: alert.activeAt, labels: alert.labels ?? {}, annotations: alert.annotations ?? {}, seenAt: new Date() };
          this.alertSightings.push(sighting);
          const since = ((sighting.seenAt.getTime() - Date.parse(alert.activeAt)) / 1000).toFixed(1);
          this.say('Alert', `${this.opts.signalName} ${alert.state}${alert.state === 'firing' ? ` (active since ${clockTime(new Date(alert.activeAt))}, ${since} s ago)` : ''}`);
          if (alert.annotations?.summary && alert.state === 'firing') this.say('Alert', alert.annotations.summary, true);
          this.changed();
        } else if (!alert && last && last.state !== 'resolved') {
          this.alertSightings.push({ ...last, state: 'resolved', seenAt: new Date() });
          this.say('Alert', `${this.opts.signalName} ${last.state === 'pending' ? 'no longer pending (inactive)' : 'resolved'}`);
          this.changed();
        }
      } catch {
        // The next look will tell.
      }
      if (!this.stopped) this.pollTimer = setTimeout(() => void tick(), 250);
    };
    void tick();
  }
}
