/**
 * What to look at next (investigation.md §12 step 1), as a list of phases: each asks for calls
 * from what the earlier phases showed, and the first phase with a call not made yet is the next
 * turn. Only offered tools are used, each argument set once; every phase is bounded so a big
 * namespace cannot turn into dozens of calls.
 */
import { FULL_CHAIN, analyze, leadingFinding } from './analyzers.ts';
import { earlyActionList } from './discovery.ts';
import { callKey, type Conversation } from './conversation.ts';
import { TOOLS, canonicalKind, refKey, type Evidence } from './evidence.ts';
import type { OfferedTool } from './openai-wire.ts';
import { isFailing, isPending, latestEvent, podViews, type PodView } from './pods.ts';

export interface PlannedCall {
  tool: string;
  args: Record<string, unknown>;
}

const MAX_POD_DESCRIBES = 3;
const MAX_LOGS = 2;
const MAX_NODE_DESCRIBES = 5;

/** The arguments as the offered schema takes them: unknown members dropped, `kind` spelled as its enum spells it. */
export function shapeArgs(tool: OfferedTool, args: Record<string, unknown>): Record<string, unknown> {
  const props = tool.parameters.properties as Record<string, { enum?: unknown[] }> | undefined;
  if (!props || typeof props !== 'object') return args;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    if (!(k in props)) continue;
    const choices = props[k]?.enum;
    if (k === 'kind' && typeof v === 'string' && Array.isArray(choices)) {
      const want = canonicalKind(v);
      const hit = choices.find((c) => typeof c === 'string' && canonicalKind(c) === want);
      out[k] = hit ?? v;
    } else {
      out[k] = v;
    }
  }
  return out;
}

export class CallPicker {
  private readonly offered: Map<string, OfferedTool>;
  constructor(
    tools: OfferedTool[],
    private readonly conv: Conversation,
  ) {
    this.offered = new Map(tools.map((t) => [t.name, t]));
  }

  isOffered(tool: string): boolean {
    return this.offered.has(tool);
  }

  /** The calls of a phase that are offered and not made yet (duplicates removed). */
  pending(calls: PlannedCall[]): PlannedCall[] {
    const out: PlannedCall[] = [];
    const keys = new Set<string>();
    for (const c of calls) {
      const tool = this.offered.get(c.tool);
      if (!tool) continue;
      const args = shapeArgs(tool, c.args);
      const key = callKey(c.tool, args);
      if (this.conv.made.has(key) || keys.has(key)) continue;
      keys.add(key);
      out.push({ tool: c.tool, args });
    }
    return out;
  }
}

function withNs(namespace: string | undefined, args: Record<string, unknown>): Record<string, unknown> {
  return namespace ? { ...args, namespace } : args;
}

function initial(ev: Evidence): PlannedCall[] {
  const s = ev.signal;
  if (!s) return [];
  const kind = canonicalKind(s.kind);
  if (!s.namespace) {
    return [
      { tool: TOOLS.describe, args: { kind, name: s.name } },
      ...(kind === 'Node' ? [{ tool: TOOLS.listInCluster, args: { kind: 'Node' } }] : []),
    ];
  }
  return [
    { tool: TOOLS.describe, args: { kind, name: s.name, namespace: s.namespace } },
    { tool: TOOLS.listInNamespace, args: { kind: 'Pod', namespace: s.namespace } },
  ];
}

/** Failing pods worth a closer look: the first of each distinct status (replicas failing alike share a cause). */
function podsToInspect(ev: Evidence): PodView[] {
  const byStatus = new Map<string, PodView>();
  for (const p of podViews(ev)) {
    if (!p.row || !isFailing(p)) continue;
    if (!byStatus.has(p.row.status)) byStatus.set(p.row.status, p);
  }
  return [...byStatus.values()];
}

const PENDING_ROW = new Set(['Pending', 'ContainerCreating']);

/**
 * Second look, from the pod list: describe the failing pods, the previous logs of restarting pods,
 * and the cheap lists the usual causes need (claims and storage classes for pods that cannot
 * start, nodes for any failing pod), all in one turn.
 */
function secondLook(ev: Evidence): PlannedCall[] {
  const namespace = ev.signal?.namespace;
  if (!namespace) return [];
  const inspect = podsToInspect(ev);
  const calls: PlannedCall[] = inspect.slice(0, MAX_POD_DESCRIBES).map((p) => ({ tool: TOOLS.describe, args: { kind: 'Pod', name: p.name, namespace } }));
  for (const p of inspect.filter((x) => (x.row?.restarts ?? 0) > 0).slice(0, MAX_LOGS)) {
    calls.push({ tool: TOOLS.logs, args: { namespace, pod: p.name, previous: true } });
  }
  if (inspect.some((p) => PENDING_ROW.has(p.row?.status ?? ''))) {
    calls.push({ tool: TOOLS.listInNamespace, args: { kind: 'PersistentVolumeClaim', namespace } });
    calls.push({ tool: TOOLS.listInCluster, args: { kind: 'StorageClass' } });
  }
  if (inspect.length > 0) {
    calls.push({ tool: TOOLS.listInCluster, args: { kind: 'Node' } });
    // Discovery step 1 ahead of time: saves a turn when the target is the signal's workload.
    calls.push(...earlyActionList(ev));
  }
  return calls;
}

/** Logs of a restarting container the second look could not get without naming the container. */
function containerLogs(ev: Evidence): PlannedCall[] {
  const namespace = ev.signal?.namespace;
  if (!namespace) return [];
  const calls: PlannedCall[] = [];
  for (const p of podViews(ev)) {
    if (calls.length >= MAX_LOGS || !p.detail || !isFailing(p) || ev.logs.has(`${p.name}/`)) continue;
    const c = p.detail.containers.find((x) => x.restartCount > 0 && x.lastReason !== 'OOMKilled');
    if (c && !ev.logs.has(`${p.name}/${c.name}`)) calls.push({ tool: TOOLS.logs, args: { namespace, pod: p.name, container: c.name, previous: true } });
  }
  return calls;
}

const HOSTNAME_LABEL = 'kubernetes.io/hostname';
const CLAIM_TEXT = /PersistentVolumeClaim|\bPVC\b|claim/i;
const NODE_TEXT = /taint|node affinity|node selector|didn't match|Insufficient|were unschedulable/i;

/** What the described pods turned out to need that the second look did not fetch. */
function supportingLists(ev: Evidence): PlannedCall[] {
  const namespace = ev.signal?.namespace;
  const failing = podViews(ev).filter(isFailing);
  const calls: PlannedCall[] = [];
  const claimTrouble = failing.some((p) => isPending(p) && ((p.detail?.claims.length ?? 0) > 0 || p.events.some((e) => e.type === 'Warning' && CLAIM_TEXT.test(e.message))));
  if (claimTrouble && namespace) {
    calls.push({ tool: TOOLS.listInNamespace, args: { kind: 'PersistentVolumeClaim', namespace } });
    calls.push({ tool: TOOLS.listInCluster, args: { kind: 'StorageClass' } });
  }
  const nodeTrouble = failing.some((p) => latestEvent(p, 'FailedScheduling') !== undefined || (p.detail?.node ?? p.row?.node) !== undefined);
  if (nodeTrouble) calls.push({ tool: TOOLS.listInCluster, args: { kind: 'Node' } });
  return calls;
}

function nodeDescribes(ev: Evidence): PlannedCall[] {
  const table = ev.nodeTable;
  if (!table) return [];
  const failing = podViews(ev).filter(isFailing);
  const wanted: string[] = [];
  const notReady = table.filter((r) => /NotReady|Unknown/i.test(r.status)).map((r) => r.name);
  // Nodes failing pods run on, when those nodes are not Ready.
  for (const p of failing) {
    const on = p.detail?.node ?? p.row?.node;
    if (on && notReady.includes(on)) wanted.push(on);
  }
  if (ev.signal && canonicalKind(ev.signal.kind) === 'Node') wanted.push(ev.signal.name);
  // A scheduler that names taints or selectors: read the taints and labels of the nodes the pod
  // may run on — the one its hostname selector names, else every node, not-ready ones first.
  for (const p of failing) {
    if (!NODE_TEXT.test(latestEvent(p, 'FailedScheduling')?.message ?? '')) continue;
    const host = p.detail?.nodeSelectors[HOSTNAME_LABEL];
    if (host && table.some((r) => r.name === host)) wanted.push(host);
    else wanted.push(...notReady, ...table.map((r) => r.name));
  }
  return [...new Set(wanted)].slice(0, MAX_NODE_DESCRIBES).map((name) => ({ tool: TOOLS.describe, args: { kind: 'Node', name } }));
}

/**
 * The namespace's events, unless what was read already shows a full causal chain (or a healthy
 * resource): they are the largest result an investigation fetches, resent on every later turn, and
 * mostly repeat what the describes already showed.
 */
function namespaceEvents(ev: Evidence): PlannedCall[] {
  const namespace = ev.signal?.namespace;
  if (!namespace) return [];
  const lead = leadingFinding(analyze(ev));
  if (lead && (lead.analyzer === 'healthy-now' || lead.confidence >= FULL_CHAIN)) return [];
  return [{ tool: TOOLS.events, args: { namespace } }];
}

/** Evidence-gathering calls still to make, or none when the picture is complete. */
export function nextGatherCalls(ev: Evidence, picker: CallPicker): PlannedCall[] {
  for (const phase of [initial, secondLook, containerLogs, supportingLists, nodeDescribes, namespaceEvents]) {
    const calls = picker.pending(phase(ev));
    if (calls.length > 0) return calls;
  }
  return [];
}

/** `get_resource_context` on the leading finding's suspect, when not asked yet. */
export function contextCall(ev: Evidence, picker: CallPicker): PlannedCall[] {
  const lead = leadingFinding(analyze(ev));
  if (!lead?.suspect) return [];
  const s = lead.suspect;
  if (ev.contexts.has(refKey(s))) return [];
  return picker.pending([{ tool: TOOLS.context, args: withNs(s.namespace, { kind: s.kind, name: s.name }) }]);
}
