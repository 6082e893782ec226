/**
 * Everything the tool results of a conversation say, sorted by what they are about: the signal
 * resource, pods, claims, storage classes, nodes, events, logs, resource contexts and the catalog.
 * Built from scratch for every request (the mock keeps no state).
 */
import type { Conversation, ResourceRef, ToolOutcome } from './conversation.ts';
import {
  parseClaimDescribe,
  parseClaimTable,
  parseEventTable,
  parseNodeDescribe,
  parseNodeTable,
  parsePodDescribe,
  parsePodTable,
  parseStorageClassTable,
  parseWorkloadDescribe,
  type ClaimDetail,
  type ClaimRow,
  type KubeEvent,
  type NodeDetail,
  type NodeRow,
  type PodDetail,
  type PodRow,
  type WorkloadDetail,
} from './kube-objects.ts';

export const TOOLS = {
  describe: 'kubectl_describe',
  listInNamespace: 'kubectl_get_by_kind_in_namespace',
  listInCluster: 'kubectl_get_by_kind_in_cluster',
  events: 'kubectl_events',
  logs: 'kubectl_logs',
  context: 'get_resource_context',
  actions: 'list_available_actions',
  workflows: 'list_workflows',
  workflow: 'get_workflow',
} as const;

const KIND_ALIASES: Record<string, string> = {
  po: 'Pod',
  pod: 'Pod',
  pods: 'Pod',
  deploy: 'Deployment',
  deployment: 'Deployment',
  deployments: 'Deployment',
  rs: 'ReplicaSet',
  replicaset: 'ReplicaSet',
  replicasets: 'ReplicaSet',
  sts: 'StatefulSet',
  statefulset: 'StatefulSet',
  statefulsets: 'StatefulSet',
  ds: 'DaemonSet',
  daemonset: 'DaemonSet',
  daemonsets: 'DaemonSet',
  job: 'Job',
  jobs: 'Job',
  cronjob: 'CronJob',
  cronjobs: 'CronJob',
  pvc: 'PersistentVolumeClaim',
  persistentvolumeclaim: 'PersistentVolumeClaim',
  persistentvolumeclaims: 'PersistentVolumeClaim',
  no: 'Node',
  node: 'Node',
  nodes: 'Node',
  sc: 'StorageClass',
  storageclass: 'StorageClass',
  storageclasses: 'StorageClass',
};

/** `pods`, `po`, `Pod`, `apps/v1/StatefulSet` → the Kind; unknown names are returned as given. */
export function canonicalKind(kind: string): string {
  const bare = kind.trim().split('/').pop() ?? kind;
  return KIND_ALIASES[bare.toLowerCase()] ?? KIND_ALIASES[bare.toLowerCase().split('.')[0]] ?? bare;
}

export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

export interface ResourceContextLite {
  /** Position of the call in the conversation (later calls have higher numbers). */
  order: number;
  rootOwner?: ResourceRef;
  exists?: boolean;
  history: Array<Record<string, unknown>>;
}

export interface ActionTypeLite {
  actionType: string;
  description: { what?: string; whenToUse?: string; whenNotToUse?: string; preconditions?: string };
}

export interface WorkflowSummary {
  workflowId: string;
  version?: string;
}

export interface WorkflowParameter {
  name: string;
  type?: string;
  required?: boolean;
  enum?: unknown[];
  pattern?: string;
  default?: unknown;
}

export interface WorkflowEntry {
  workflowId: string;
  version?: string;
  actionType?: string;
  parameters: WorkflowParameter[];
}

export interface ActionPage {
  order: number;
  offset: number;
  actionTypes: ActionTypeLite[];
  hasMore: boolean;
  nextOffset: number;
}

export interface Evidence {
  signal?: ResourceRef;
  /** The signal's describe: parsed per kind; `failed` when the call failed (e.g. not found). */
  signalDescribe?: { ok: boolean; workload?: WorkloadDetail; pod?: PodDetail; node?: NodeDetail; claim?: ClaimDetail };
  /** undefined: not fetched or failed. */
  podTable?: PodRow[];
  pods: Map<string, PodDetail>;
  claimTable?: ClaimRow[];
  claims: Map<string, ClaimDetail>;
  storageClasses?: string[];
  nodeTable?: NodeRow[];
  nodes: Map<string, NodeDetail>;
  /** Namespace events, oldest first. */
  events: KubeEvent[];
  /** Previous-instance logs by `pod/container`. */
  logs: Map<string, string>;
  contexts: Map<string, ResourceContextLite>;
  /** Positions of every get_resource_context call: each one moves the session's discovery context. */
  contextOrders: number[];
  actionPages: ActionPage[];
  /** By action type, the latest call; `workflows` undefined: the call failed. */
  workflowLists: Map<string, { order: number; workflows?: WorkflowSummary[] }>;
  /** By workflow id; `undefined` value: not found under this context. */
  workflowEntries: Map<string, WorkflowEntry | undefined>;
}

export function refKey(ref: ResourceRef): string {
  return `${canonicalKind(ref.kind)}/${ref.namespace ?? ''}/${ref.name}`;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function readRef(v: unknown): ResourceRef | undefined {
  const r = record(v);
  const kind = str(r?.kind);
  const name = str(r?.name);
  return kind && name ? { kind, name, ...(str(r?.namespace) ? { namespace: str(r?.namespace) } : {}) } : undefined;
}

function readContext(text: string, order: number): ResourceContextLite | undefined {
  const v = record(json(text));
  if (!v) return undefined;
  const resource = record(v.resource);
  return {
    order,
    rootOwner: readRef(v.root_owner),
    exists: typeof resource?.exists === 'boolean' ? resource.exists : undefined,
    history: Array.isArray(v.remediation_history) ? v.remediation_history.filter((h): h is Record<string, unknown> => record(h) !== undefined) : [],
  };
}

function readActionPage(text: string, offset: number, order: number): ActionPage | undefined {
  const v = record(json(text));
  if (!v || !Array.isArray(v.actionTypes)) return undefined;
  const actionTypes: ActionTypeLite[] = [];
  for (const a of v.actionTypes) {
    const r = record(a);
    const actionType = str(r?.actionType);
    if (!actionType) continue;
    const d = record(r?.description) ?? {};
    actionTypes.push({ actionType, description: { what: str(d.what), whenToUse: str(d.whenToUse), whenNotToUse: str(d.whenNotToUse), preconditions: str(d.preconditions) } });
  }
  const p = record(v.pagination);
  const pageOffset = typeof p?.offset === 'number' ? p.offset : offset;
  const limit = typeof p?.limit === 'number' ? p.limit : actionTypes.length;
  return { order, offset: pageOffset, actionTypes, hasMore: p?.hasMore === true, nextOffset: pageOffset + Math.max(limit, actionTypes.length, 1) };
}

function readWorkflowList(text: string): WorkflowSummary[] | undefined {
  const v = record(json(text));
  if (!v || !Array.isArray(v.workflows)) return undefined;
  return v.workflows
    .map((w) => record(w))
    .filter((w): w is Record<string, unknown> => w !== undefined && str(w.workflowId) !== undefined)
    .map((w) => ({ workflowId: str(w.workflowId)!, ...(str(w.version) ? { version: str(w.version) } : {}) }));
}

function readWorkflowEntry(text: string): WorkflowEntry | undefined {
  const v = record(json(text));
  if (!v) return undefined;
  const meta = record(v.metadata);
  const workflowId = str(v.workflowId) ?? str(meta?.workflowId);
  if (!workflowId) return undefined;
  const parameters: WorkflowParameter[] = [];
  if (Array.isArray(v.parameters)) {
    for (const p of v.parameters) {
      const r = record(p);
      const name = str(r?.name);
      if (!r || !name) continue;
      parameters.push({
        name,
        ...(str(r.type) ? { type: str(r.type) } : {}),
        required: r.required === true,
        ...(Array.isArray(r.enum) ? { enum: r.enum } : {}),
        ...(str(r.pattern) ? { pattern: str(r.pattern) } : {}),
        ...(r.default !== undefined ? { default: r.default } : {}),
      });
    }
  }
  return { workflowId, version: str(v.version) ?? str(meta?.version), actionType: str(v.actionType), parameters };
}

function argString(o: ToolOutcome, name: string): string | undefined {
  return str(o.args[name]);
}

export function collectEvidence(conv: Conversation): Evidence {
  const ev: Evidence = {
    signal: conv.signal,
    pods: new Map(),
    claims: new Map(),
    nodes: new Map(),
    events: [],
    logs: new Map(),
    contexts: new Map(),
    contextOrders: [],
    actionPages: [],
    workflowLists: new Map(),
    workflowEntries: new Map(),
  };
  const signal = conv.signal;
  for (const [order, o] of conv.outcomes.entries()) {
    const kind = canonicalKind(argString(o, 'kind') ?? '');
    switch (o.tool) {
      case TOOLS.describe: {
        const name = argString(o, 'name');
        const isSignal = signal !== undefined && name === signal.name && kind === canonicalKind(signal.kind) && (argString(o, 'namespace') ?? signal.namespace) === signal.namespace;
        if (!o.ok) {
          if (isSignal) ev.signalDescribe = { ok: false };
          break;
        }
        const parsed =
          kind === 'Pod'
            ? { pod: parsePodDescribe(o.text) }
            : kind === 'Node'
              ? { node: parseNodeDescribe(o.text) }
              : kind === 'PersistentVolumeClaim'
                ? { claim: parseClaimDescribe(o.text) }
                : WORKLOAD_KINDS.has(kind)
                  ? { workload: parseWorkloadDescribe(kind, o.text) }
                  : {};
        if (parsed.pod) ev.pods.set(parsed.pod.name, parsed.pod);
        if (parsed.node) ev.nodes.set(parsed.node.name, parsed.node);
        if (parsed.claim) ev.claims.set(parsed.claim.name, parsed.claim);
        if (isSignal) ev.signalDescribe = { ok: true, ...parsed };
        break;
      }
      case TOOLS.listInNamespace:
      case TOOLS.listInCluster: {
        if (!o.ok) break;
        if (kind === 'Pod') ev.podTable = parsePodTable(o.text);
        else if (kind === 'PersistentVolumeClaim') ev.claimTable = parseClaimTable(o.text);
        else if (kind === 'StorageClass') ev.storageClasses = parseStorageClassTable(o.text);
        else if (kind === 'Node') ev.nodeTable = parseNodeTable(o.text);
        break;
      }
      case TOOLS.events:
        if (o.ok) ev.events.push(...parseEventTable(o.text));
        break;
      case TOOLS.logs: {
        const pod = argString(o, 'pod');
        if (o.ok && pod) ev.logs.set(`${pod}/${argString(o, 'container') ?? ''}`, o.text);
        break;
      }
      case TOOLS.context: {
        const name = argString(o, 'name');
        if (!name) break;
        const ctx = o.ok ? readContext(o.text, order) : undefined;
        ev.contexts.set(refKey({ kind, name, namespace: argString(o, 'namespace') }), ctx ?? { order, history: [] });
        ev.contextOrders.push(order);
        break;
      }
      case TOOLS.actions: {
        const offset = typeof o.args.offset === 'number' ? o.args.offset : 0;
        const page = o.ok ? readActionPage(o.text, offset, order) : undefined;
        if (page) ev.actionPages.push(page);
        break;
      }
      case TOOLS.workflows: {
        const type = argString(o, 'action_type');
        if (type) ev.workflowLists.set(type, { order, ...(o.ok ? { workflows: readWorkflowList(o.text) } : {}) });
        break;
      }
      case TOOLS.workflow: {
        const id = argString(o, 'workflow_id');
        if (id) ev.workflowEntries.set(id, o.ok ? readWorkflowEntry(o.text) : undefined);
        break;
      }
    }
  }
  return ev;
}

/** Action types over these pages, in catalog order, each once. */
export function actionTypesOf(pages: ActionPage[]): ActionTypeLite[] {
  const seen = new Set<string>();
  const out: ActionTypeLite[] = [];
  for (const page of [...pages].sort((a, b) => a.offset - b.offset)) {
    for (const a of page.actionTypes) {
      if (seen.has(a.actionType)) continue;
      seen.add(a.actionType);
      out.push(a);
    }
  }
  return out;
}
