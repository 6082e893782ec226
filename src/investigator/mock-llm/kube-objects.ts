/**
 * What the mock LLM reads out of kubectl text: pods, workloads, claims, nodes, storage classes and
 * events, each from `describe` output or from a `get` table. Only facts an SRE would read are kept;
 * annotations are never looked at (the simulator's `sim.kubernaut.ai/...` scripts live there, and
 * a real model could not know what they mean).
 */
import { child, listOf, parseDescribe, parseTable, readyCounts, splitKindName, tableOf, valueOf, type DescribeNode, type TableRow } from './kubectl-text.ts';

export interface KubeEvent {
  type: string;
  reason: string;
  /** `Pod/name`-style object of a namespace event list; undefined inside a describe (the object itself). */
  object?: { kind: string; name: string };
  message: string;
}

export interface ContainerStatus {
  name: string;
  init: boolean;
  image?: string;
  state?: string;
  stateReason?: string;
  lastState?: string;
  lastReason?: string;
  lastExitCode?: number;
  ready?: boolean;
  restartCount: number;
  memoryLimit?: string;
}

export interface PodDetail {
  name: string;
  namespace?: string;
  status?: string;
  /** Node the pod is bound to (without the IP), undefined when unscheduled. */
  node?: string;
  controlledBy?: { kind: string; name: string };
  nodeSelectors: Record<string, string>;
  containers: ContainerStatus[];
  claims: Array<{ volume: string; claim: string }>;
  conditions: Record<string, string>;
  events: KubeEvent[];
}

export interface WorkloadDetail {
  kind: string;
  name: string;
  namespace?: string;
  desired?: number;
  ready?: number;
  available?: number;
  unavailable?: number;
  /** StatefulSet `Pods Status: 2 Running / 1 Waiting / ...`. */
  running?: number;
  waiting?: number;
  claimTemplateStorageClasses: string[];
  events: KubeEvent[];
}

export interface ClaimDetail {
  name: string;
  namespace?: string;
  status: string;
  storageClass?: string;
  volume?: string;
  events: KubeEvent[];
}

export interface NodeDetail {
  name: string;
  /** `Ready` condition status: True, False, Unknown. */
  ready?: string;
  readyReason?: string;
  readyMessage?: string;
  unschedulable?: boolean;
  labels: Record<string, string>;
  taints: Array<{ key: string; value?: string; effect: string }>;
  events: KubeEvent[];
}

export interface PodRow {
  name: string;
  namespace?: string;
  ready?: [number, number];
  status: string;
  restarts: number;
  node?: string;
}

export interface ClaimRow {
  name: string;
  namespace?: string;
  status: string;
  storageClass?: string;
}

export interface NodeRow {
  name: string;
  status: string;
}

const MAX_MESSAGE_CHARS = 2000;

function eventsFrom(rows: TableRow[]): KubeEvent[] {
  return rows
    .filter((r) => r.REASON !== undefined)
    .map((r) => {
      const object = r.OBJECT ? splitKindName(r.OBJECT) : undefined;
      // Event messages are short; a longer one is cut so no pattern ever scans a huge text.
      return { type: r.TYPE ?? '', reason: r.REASON ?? '', ...(object ? { object } : {}), message: (r.MESSAGE ?? '').slice(0, MAX_MESSAGE_CHARS) };
    });
}

function keyValues(items: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const m = /^([^=\s]+)=(.*)$/.exec(item.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

function int(text: string | undefined): number | undefined {
  const m = /^-?\d+/.exec((text ?? '').trim());
  return m ? Number(m[0]) : undefined;
}

function containersOf(node: DescribeNode | undefined, init: boolean): ContainerStatus[] {
  if (!node) return [];
  return node.children.map((c) => {
    const state = child(c, 'State');
    const last = child(c, 'Last State');
    const limits = child(c, 'Limits');
    const ready = valueOf(c, 'Ready');
    return {
      name: c.key,
      init,
      image: valueOf(c, 'Image'),
      state: state?.value.trim() || undefined,
      stateReason: valueOf(state, 'Reason'),
      lastState: last?.value.trim() || undefined,
      lastReason: valueOf(last, 'Reason'),
      lastExitCode: int(valueOf(last, 'Exit Code')),
      ready: ready === undefined ? undefined : ready === 'True',
      restartCount: int(valueOf(c, 'Restart Count')) ?? 0,
      memoryLimit: valueOf(limits, 'memory'),
    };
  });
}

export function parsePodDescribe(text: string): PodDetail | undefined {
  const doc = parseDescribe(text);
  const name = valueOf(doc, 'Name');
  if (!name) return undefined;
  const node = valueOf(doc, 'Node');
  const controlledBy = valueOf(doc, 'Controlled By');
  const claims: PodDetail['claims'] = [];
  for (const v of child(doc, 'Volumes')?.children ?? []) {
    const claim = valueOf(v, 'ClaimName');
    if (claim) claims.push({ volume: v.key, claim });
  }
  const conditions: Record<string, string> = {};
  for (const r of tableOf(doc, 'Conditions')) if (r.TYPE) conditions[r.TYPE] = r.STATUS ?? '';
  return {
    name,
    namespace: valueOf(doc, 'Namespace'),
    status: valueOf(doc, 'Status'),
    node: node ? node.split('/')[0] : undefined,
    controlledBy: controlledBy ? splitKindName(controlledBy) : undefined,
    nodeSelectors: keyValues(listOf(doc, 'Node-Selectors')),
    containers: [...containersOf(child(doc, 'Init Containers'), true), ...containersOf(child(doc, 'Containers'), false)],
    claims,
    conditions,
    events: eventsFrom(tableOf(doc, 'Events')),
  };
}

export function parseWorkloadDescribe(kind: string, text: string): WorkloadDetail | undefined {
  const doc = parseDescribe(text);
  const name = valueOf(doc, 'Name');
  if (!name) return undefined;
  const out: WorkloadDetail = { kind, name, namespace: valueOf(doc, 'Namespace'), claimTemplateStorageClasses: [], events: eventsFrom(tableOf(doc, 'Events')) };
  // Deployment: `2 desired | 2 updated | 2 total | 0 available | 2 unavailable`; StatefulSet: `3 desired | 3 total`.
  const replicas = valueOf(doc, 'Replicas') ?? '';
  for (const m of replicas.matchAll(/(\d+)\s+(desired|available|unavailable|ready)/g)) out[m[2] as 'desired'] = Number(m[1]);
  // DaemonSet.
  const dsDesired = int(valueOf(doc, 'Desired Number of Nodes Scheduled'));
  if (dsDesired !== undefined) out.desired = dsDesired;
  const dsAvailable = int(valueOf(doc, 'Number of Nodes Scheduled with Available Pods'));
  if (dsAvailable !== undefined) out.available = dsAvailable;
  const podsStatus = valueOf(doc, 'Pods Status') ?? '';
  const running = /(\d+)\s+Running/.exec(podsStatus);
  const waiting = /(\d+)\s+Waiting/.exec(podsStatus);
  if (running) out.running = Number(running[1]);
  if (waiting) out.waiting = Number(waiting[1]);
  const templates = child(doc, 'Volume Claims');
  if (templates) {
    for (const line of templates.block) {
      const m = /^\s*StorageClass:\s*(\S*)\s*$/.exec(line);
      if (m && m[1]) out.claimTemplateStorageClasses.push(m[1]);
    }
  }
  return out;
}

export function parseClaimDescribe(text: string): ClaimDetail | undefined {
  const doc = parseDescribe(text);
  const name = valueOf(doc, 'Name');
  if (!name) return undefined;
  return {
    name,
    namespace: valueOf(doc, 'Namespace'),
    // `Terminating (lasts 21s)` → Terminating.
    status: (valueOf(doc, 'Status') ?? '').split(/\s/)[0],
    storageClass: valueOf(doc, 'StorageClass'),
    volume: valueOf(doc, 'Volume'),
    events: eventsFrom(tableOf(doc, 'Events')),
  };
}

/** `key=value:Effect` or `key:Effect`. */
export function parseTaint(text: string): { key: string; value?: string; effect: string } | undefined {
  const m = /^([^=:\s]+)(?:=([^:\s]*))?:(\w+)$/.exec(text.trim());
  return m ? { key: m[1], ...(m[2] ? { value: m[2] } : {}), effect: m[3] } : undefined;
}

export function parseNodeDescribe(text: string): NodeDetail | undefined {
  const doc = parseDescribe(text);
  const name = valueOf(doc, 'Name');
  if (!name) return undefined;
  const ready = tableOf(doc, 'Conditions').find((r) => r.TYPE === 'Ready');
  const taints = listOf(doc, 'Taints')
    .map(parseTaint)
    .filter((t): t is NonNullable<typeof t> => t !== undefined);
  return {
    name,
    ready: ready?.STATUS,
    readyReason: ready?.REASON,
    readyMessage: ready?.MESSAGE,
    unschedulable: valueOf(doc, 'Unschedulable') === 'true',
    labels: keyValues(listOf(doc, 'Labels')),
    taints,
    events: eventsFrom(tableOf(doc, 'Events')),
  };
}

export function parsePodTable(text: string): PodRow[] {
  return parseTable(text)
    .filter((r) => r.NAME)
    .map((r) => ({
      name: r.NAME,
      ...(r.NAMESPACE ? { namespace: r.NAMESPACE } : {}),
      ready: readyCounts(r.READY),
      status: r.STATUS ?? '',
      restarts: int(r.RESTARTS) ?? 0,
      ...(r.NODE && r.NODE !== '<none>' ? { node: r.NODE } : {}),
    }));
}

export function parseClaimTable(text: string): ClaimRow[] {
  return parseTable(text)
    .filter((r) => r.NAME)
    .map((r) => {
      const sc = r.STORAGECLASS ?? r['STORAGE CLASS'];
      return { name: r.NAME, ...(r.NAMESPACE ? { namespace: r.NAMESPACE } : {}), status: r.STATUS ?? '', ...(sc && sc !== '<unset>' && sc !== '<none>' ? { storageClass: sc } : {}) };
    });
}

export function parseNodeTable(text: string): NodeRow[] {
  return parseTable(text)
    .filter((r) => r.NAME)
    .map((r) => ({ name: r.NAME, status: r.STATUS ?? '' }));
}

/** StorageClass names; `standard (default)` → `standard`. */
export function parseStorageClassTable(text: string): string[] {
  return parseTable(text)
    .filter((r) => r.NAME)
    .map((r) => r.NAME.replace(/\s*\(default\)\s*$/, ''));
}

export function parseEventTable(text: string): KubeEvent[] {
  return eventsFrom(parseTable(text));
}
