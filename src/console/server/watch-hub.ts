/**
 * The console's live view of the cluster: one informer (list + watch, every namespace) per kind of
 * the pipeline, RemediationRequests and their children. Their caches answer the JSON views without
 * a request to the API server; each change becomes a ConsoleEvent told to every subscriber (the
 * `/api/events` streams), naming the RemediationRequest the object belongs to.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ChildKind, ConsoleEvent } from '../api-types.ts';
import { Informer, type InformerEvent } from '../../kube/informer.ts';
import { KUBERNAUT_RESOURCES } from '../../kube/resource.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import { remediationOf, type KObj, type RemediationFamily } from './views/objects.ts';

export const WATCHED_KINDS = ['RemediationRequest', 'SignalProcessing', 'AIAnalysis', 'RemediationApprovalRequest', 'WorkflowExecution', 'EffectivenessAssessment', 'NotificationRequest'] as const satisfies ReadonlyArray<'RemediationRequest' | ChildKind>;
export type WatchedKind = (typeof WATCHED_KINDS)[number];

/** The name each single child has: `sp-<rr>`, ... (crds.md §1), preferred should several point at one RR. */
const CHILD_PREFIX: Record<Exclude<WatchedKind, 'RemediationRequest' | 'NotificationRequest'>, string> = {
  SignalProcessing: 'sp-',
  AIAnalysis: 'ai-',
  RemediationApprovalRequest: 'rar-',
  WorkflowExecution: 'we-',
  EffectivenessAssessment: 'ea-',
};

const EVENT_TYPES: Record<InformerEvent, ConsoleEvent['type']> = { add: 'ADDED', update: 'MODIFIED', delete: 'DELETED' };

export type ConsoleEventListener = (event: ConsoleEvent) => void;

export class WatchHub {
  private readonly informers = new Map<WatchedKind, Informer<KObj & { metadata?: any }>>();
  private readonly listeners = new Set<ConsoleEventListener>();

  constructor(kc: KubeConfig, clock: Clock, log: Logger) {
    for (const kind of WATCHED_KINDS) {
      const informer = new Informer<KObj & { metadata?: any }>(kc, KUBERNAUT_RESOURCES[kind], clock, {
        log,
        indexers: { remediation: (o) => [remediationOf(o) ?? ''].filter(Boolean) },
      });
      informer.onEvent((event, obj) => this.tell(kind, event, obj));
      this.informers.set(kind, informer);
    }
  }

  /** Resolves once every cache holds its first list. */
  async start(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.start()));
  }

  /** The kinds whose first list has not arrived yet (to say why the console does not start). */
  unsynced(): WatchedKind[] {
    return WATCHED_KINDS.filter((k) => !this.informers.get(k)!.hasSynced());
  }

  async stop(): Promise<void> {
    this.listeners.clear();
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }

  /** Adds a listener of every change from now on; returns its removal. */
  subscribe(listener: ConsoleEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(kind: WatchedKind): KObj[] {
    return this.informers.get(kind)!.list();
  }

  get(kind: WatchedKind, namespace: string, name: string): KObj | undefined {
    return this.informers.get(kind)!.get({ namespace, name });
  }

  families(): RemediationFamily[] {
    return this.list('RemediationRequest').map((rr) => this.familyOf(rr));
  }

  family(namespace: string, name: string): RemediationFamily | undefined {
    const rr = this.informers.get('RemediationRequest')!.get({ namespace, name });
    return rr ? this.familyOf(rr) : undefined;
  }

  private familyOf(rr: KObj): RemediationFamily {
    const key = `${rr.metadata?.namespace ?? ''}/${rr.metadata?.name ?? ''}`;
    const children = (kind: WatchedKind) => this.informers.get(kind)!.byIndex('remediation', key);
    const one = (kind: keyof typeof CHILD_PREFIX) => {
      const all = children(kind);
      return all.find((o) => o.metadata?.name === `${CHILD_PREFIX[kind]}${rr.metadata?.name}`) ?? all[0];
    };
    return {
      rr,
      sp: one('SignalProcessing'),
      aa: one('AIAnalysis'),
      rar: one('RemediationApprovalRequest'),
      we: one('WorkflowExecution'),
      ea: one('EffectivenessAssessment'),
      notifications: children('NotificationRequest'),
    };
  }

  private tell(kind: WatchedKind, event: InformerEvent, obj: KObj): void {
    if (this.listeners.size === 0) return;
    const remediation = remediationOf(obj);
    const change: ConsoleEvent = {
      type: EVENT_TYPES[event],
      kind,
      namespace: obj.metadata?.namespace ?? '',
      name: obj.metadata?.name ?? '',
      ...(remediation ? { remediation } : {}),
    };
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch {
        // one broken stream must not keep the change from the others
      }
    }
  }
}
