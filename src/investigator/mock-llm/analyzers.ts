/**
 * The mock's generic analyzers (investigation.md §12 step 2). Each looks at what the tools showed
 * — pod and container states, scheduler and kubelet events, claims, storage classes, nodes — and
 * says what is wrong, which resource is to blame, how sure it is, and which words describe a fix.
 * No analyzer reads names for meaning: renaming a namespace, workload or alert changes nothing,
 * changing the cluster's state changes the finding.
 */
import type { ResourceRef } from './conversation.ts';
import { canonicalKind, type Evidence } from './evidence.ts';
import type { ContainerStatus, NodeDetail } from './kube-objects.ts';
import { isFailing, isPending, latestEvent, podViews, rowIsFailing, selectorMatches, type PodView } from './pods.ts';

export type AnalyzerName = 'pending-pod-volume' | 'crash-loop' | 'oom' | 'image-pull' | 'unschedulable' | 'node-not-ready' | 'healthy-now';

/** Table order of §12: it breaks confidence ties. */
export const ANALYZER_ORDER: AnalyzerName[] = ['pending-pod-volume', 'crash-loop', 'oom', 'image-pull', 'unschedulable', 'node-not-ready', 'healthy-now'];

export const FULL_CHAIN = 0.9;
export const SINGLE_INDICATOR = 0.75;
export const HEALTHY = 0.85;

/** Facts a workflow's parameters may be filled from. */
export interface Facts {
  namespace?: string;
  pod?: string;
  container?: string;
  claim?: string;
  node?: string;
  taintKey?: string;
  taintValue?: string;
  taintEffect?: string;
  memoryLimit?: string;
  image?: string;
  storageClass?: string;
}

export interface Finding {
  analyzer: AnalyzerName;
  confidence: number;
  summary: string;
  evidence: string[];
  /** The resource whose state or configuration is wrong; undefined for `healthy-now`. */
  suspect?: ResourceRef;
  keywords: string[];
  facts: Facts;
}

const KEYWORDS: Record<string, string[]> = {
  volume: ['persistentvolumeclaim', 'pvc', 'claim', 'volume', 'storage', 'storageclass', 'bind', 'terminating', 'missing', 'pending'],
  crash: ['crash', 'crashloopbackoff', 'restart', 'rollback', 'roll', 'configuration', 'configmap', 'exit', 'revision'],
  oom: ['memory', 'limit', 'oom', 'oomkilled', 'killed', '137'],
  image: ['image', 'pull', 'imagepullbackoff', 'errimagepull', 'registry', 'rollback', 'roll', 'revision'],
  taint: ['taint', 'tolerate', 'toleration', 'node', 'schedule', 'failedscheduling', 'nodeselector', 'affinity', 'pending'],
  capacity: ['capacity', 'insufficient', 'node', 'schedule', 'scale', 'pending'],
  node: ['node', 'notready', 'unknown', 'unreachable', 'kubelet', 'cordon', 'drain', 'evict'],
};

function clip(text: string, max = 220): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

function ns(ev: Evidence): string | undefined {
  return ev.signal?.namespace;
}

function podRef(ev: Evidence, pod: string): ResourceRef {
  return { kind: 'Pod', name: pod, ...(ns(ev) ? { namespace: ns(ev) } : {}) };
}

// ---------------------------------------------------------------------------------------------
// pending-pod volume

const CLAIM_MESSAGES: Array<{ re: RegExp; what: string }> = [
  { re: /persistentvolumeclaim "([^"]+)" not found/i, what: 'not found' },
  { re: /persistentvolumeclaim "([^"]+)" is being deleted/i, what: 'being deleted' },
  { re: /error processing PVC [^/\s]+\/([^\s:]+): PVC is being deleted/i, what: 'being deleted' },
  { re: /error processing PVC [^/\s]+\/([^\s:]+)/i, what: 'not usable' },
  { re: /unbound immediate PersistentVolumeClaims/i, what: 'unbound' },
  { re: /(?:PersistentVolumeClaim|PVC)s? .*(?:not found|being deleted|not bound|unbound)/i, what: 'not usable' },
];

interface ClaimProblem {
  claim: string;
  text: string;
  storageClass?: string;
}

function claimProblem(ev: Evidence, claim: string): ClaimProblem | undefined {
  const detail = ev.claims.get(claim);
  const row = ev.claimTable?.find((r) => r.name === claim);
  if (!detail && !row) {
    // Only a fetched claim list can tell that a claim is missing.
    return ev.claimTable ? { claim, text: 'does not exist (it was deleted or never created)' } : undefined;
  }
  const status = detail?.status || row?.status || '';
  const sc = detail?.storageClass ?? row?.storageClass;
  if (status === 'Terminating') return { claim, text: 'is Terminating (being deleted) while a pod still needs it' };
  const scMissing =
    (sc !== undefined && ev.storageClasses !== undefined && !ev.storageClasses.includes(sc)) ||
    ev.events.some((e) => e.object?.name === claim && /storageclass[^"]*"([^"]+)" not found/i.test(e.message)) ||
    (detail?.events ?? []).some((e) => /storageclass[^"]*"([^"]+)" not found/i.test(e.message));
  if (scMissing && status !== 'Bound') return { claim, text: `is ${status || 'not Bound'}: it names StorageClass ${sc ?? '(unknown)'}, which does not exist`, storageClass: sc };
  if (status === 'Pending' || status === 'Lost') return { claim, text: `is ${status} (not bound to a volume)` };
  return undefined;
}

function pendingPodVolume(ev: Evidence, pods: PodView[]): Finding | undefined {
  for (const p of pods) {
    if (!isFailing(p) || !isPending(p)) continue;
    const referenced = p.detail?.claims.map((c) => c.claim) ?? [];
    let message: { text: string; claim?: string; what: string } | undefined;
    for (const e of p.events.filter((e) => /^(FailedScheduling|FailedMount|FailedAttachVolume)$/.test(e.reason))) {
      for (const { re, what } of CLAIM_MESSAGES) {
        const m = re.exec(e.message);
        if (m) {
          message = { text: e.message, claim: m[1] && !/immediate/i.test(m[0]) ? m[1] : undefined, what };
          break;
        }
      }
    }
    const candidates = [...new Set([...(message?.claim ? [message.claim] : []), ...referenced])];
    const problem = candidates.map((c) => claimProblem(ev, c)).find((x) => x !== undefined);
    if (!message && !problem) continue;
    const claim = problem?.claim ?? message?.claim ?? referenced[0];
    if (!claim) continue;
    const evidence = [
      `Pod ${p.name} is ${p.row?.status && p.row.status !== 'Pending' ? `Pending (${p.row.status})` : 'Pending'} and mounts PersistentVolumeClaim ${claim}.`,
      ...(message ? [`${/mount/i.test(message.text) ? 'Kubelet' : 'Scheduler'}: ${clip(message.text)}`] : []),
      ...(problem ? [`PersistentVolumeClaim ${claim} ${problem.text}.`] : []),
    ];
    const state = problem ? problem.text : message?.what === 'unbound' ? 'is not bound' : `is ${message?.what ?? 'not usable'}`;
    return {
      analyzer: 'pending-pod-volume',
      // The chain: a Pending pod that mounts the claim (or a scheduler/kubelet message about it) and the claim's bad state.
      confidence: problem && (message || referenced.includes(problem.claim)) ? FULL_CHAIN : SINGLE_INDICATOR,
      summary: `PersistentVolumeClaim ${claim} ${state}, so pod ${p.name} is stuck Pending and cannot start.`,
      evidence,
      suspect: { kind: 'PersistentVolumeClaim', name: claim, ...(ns(ev) ? { namespace: ns(ev) } : {}) },
      keywords: KEYWORDS.volume,
      facts: { namespace: ns(ev), pod: p.name, claim, ...(problem?.storageClass ? { storageClass: problem.storageClass } : {}) },
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// crash loop, OOM, image pull

const ERROR_LINE = /\b(error|fatal|panic|exception|failed|invalid|cannot|unable|refused|denied|traceback)\b/i;
const IMAGE_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

function errorLines(ev: Evidence, pod: string, container: string): string[] {
  const text = ev.logs.get(`${pod}/${container}`) ?? ev.logs.get(`${pod}/`) ?? '';
  return text
    .split('\n')
    .filter((l) => ERROR_LINE.test(l) && !/^Error from server/.test(l))
    .slice(-3)
    .map((l) => clip(l, 200));
}

function containers(p: PodView): ContainerStatus[] {
  return p.detail?.containers ?? [];
}

function anyDescribed(pods: PodView[]): boolean {
  return pods.some((p) => p.detail !== undefined);
}

/** Restarts after which a failed last run means the container is crashing, even while it is up between two crashes: one is enough, since the back-off starts after the first. */
const RESTARTS_OF_A_LOOP = 1;

function crashLoop(ev: Evidence, pods: PodView[]): Finding | undefined {
  for (const p of pods) {
    const failing = isFailing(p);
    for (const c of containers(p)) {
      const exitedBadly = c.lastExitCode !== undefined && c.lastExitCode !== 0;
      // A crash-looping container is Running and even Ready for a moment after each restart: the
      // investigation may look right then. Its restarts and failed last run still tell the story.
      const betweenCrashes = !failing && c.restartCount >= RESTARTS_OF_A_LOOP && exitedBadly;
      if (!failing && !betweenCrashes) continue;
      const looping = c.stateReason === 'CrashLoopBackOff' || c.restartCount > 0;
      if (!looping || c.lastReason === 'OOMKilled' || c.stateReason === 'OOMKilled' || IMAGE_REASONS.has(c.stateReason ?? '')) continue;
      const lines = errorLines(ev, p.name, c.name);
      const full = (c.stateReason === 'CrashLoopBackOff' || betweenCrashes) && (exitedBadly || lines.length > 0);
      const how = [c.stateReason, `${c.restartCount} restarts`, c.lastExitCode !== undefined ? `last exit code ${c.lastExitCode}${c.lastReason ? ` (${c.lastReason})` : ''}` : undefined].filter(Boolean).join(', ');
      return {
        analyzer: 'crash-loop',
        confidence: full ? FULL_CHAIN : SINGLE_INDICATOR,
        summary: `Container ${c.name} of pod ${p.name} keeps crashing (${how})${lines.length ? `; its previous run logged: ${lines[lines.length - 1]}` : ''}.`,
        evidence: [`Pod ${p.name}, container ${c.name}: ${how}.`, ...lines.map((l) => `Previous log: ${l}`)],
        suspect: podRef(ev, p.name),
        keywords: KEYWORDS.crash,
        facts: { namespace: ns(ev), pod: p.name, container: c.name, ...(c.image ? { image: c.image } : {}) },
      };
    }
  }
  // Nothing described (describe not offered or failed): the table's status is the only indicator.
  if (anyDescribed(pods)) return undefined;
  const row = pods.map((p) => p.row).find((r) => r && r.status === 'CrashLoopBackOff');
  if (!row) return undefined;
  return {
    analyzer: 'crash-loop',
    confidence: SINGLE_INDICATOR,
    summary: `Pod ${row.name} is in CrashLoopBackOff (${row.restarts} restarts).`,
    evidence: [`Pod ${row.name}: STATUS CrashLoopBackOff, ${row.restarts} restarts.`],
    suspect: podRef(ev, row.name),
    keywords: KEYWORDS.crash,
    facts: { namespace: ns(ev), pod: row.name },
  };
}

function oom(ev: Evidence, pods: PodView[]): Finding | undefined {
  for (const p of pods) {
    for (const c of containers(p)) {
      if (c.lastReason !== 'OOMKilled' && c.stateReason !== 'OOMKilled') continue;
      const full = c.restartCount > 0 || c.lastExitCode === 137;
      const limit = c.memoryLimit ? ` at its memory limit of ${c.memoryLimit}` : '';
      return {
        analyzer: 'oom',
        confidence: full ? FULL_CHAIN : SINGLE_INDICATOR,
        summary: `Container ${c.name} of pod ${p.name} is killed by the OOM killer${limit} (OOMKilled, exit code ${c.lastExitCode ?? 137}, ${c.restartCount} restarts).`,
        evidence: [
          `Pod ${p.name}, container ${c.name}: last state Terminated, reason OOMKilled, exit code ${c.lastExitCode ?? 137}.`,
          `Restart count ${c.restartCount}${c.stateReason ? `, now ${c.stateReason}` : ''}.`,
          ...(c.memoryLimit ? [`Memory limit ${c.memoryLimit}.`] : []),
        ],
        suspect: podRef(ev, p.name),
        keywords: KEYWORDS.oom,
        facts: { namespace: ns(ev), pod: p.name, container: c.name, ...(c.memoryLimit ? { memoryLimit: c.memoryLimit } : {}) },
      };
    }
  }
  if (anyDescribed(pods)) return undefined;
  const row = pods.map((p) => p.row).find((r) => r && r.status === 'OOMKilled');
  if (!row) return undefined;
  return {
    analyzer: 'oom',
    confidence: SINGLE_INDICATOR,
    summary: `Pod ${row.name} was OOMKilled (${row.restarts} restarts).`,
    evidence: [`Pod ${row.name}: STATUS OOMKilled.`],
    suspect: podRef(ev, row.name),
    keywords: KEYWORDS.oom,
    facts: { namespace: ns(ev), pod: row.name },
  };
}

function imagePull(ev: Evidence, pods: PodView[]): Finding | undefined {
  for (const p of pods) {
    const pullFailed = p.events.filter((e) => /Failed to pull image|pull access denied|manifest unknown|ErrImagePull/i.test(e.message));
    const c = containers(p).find((x) => IMAGE_REASONS.has(x.stateReason ?? ''));
    const rowSays = p.row !== undefined && IMAGE_REASONS.has(p.row.status);
    if (!c && !(rowSays && !p.detail)) continue;
    const detailMessage = pullFailed.find((e) => /Failed to pull image/i.test(e.message)) ?? pullFailed[0];
    const reason = c?.stateReason ?? p.row?.status;
    return {
      analyzer: 'image-pull',
      confidence: c && detailMessage ? FULL_CHAIN : SINGLE_INDICATOR,
      summary: `Pod ${p.name} cannot pull ${c?.image ? `image ${c.image}` : 'its image'}${c ? ` for container ${c.name}` : ''} (${reason})${detailMessage ? `: ${clip(detailMessage.message, 160)}` : ''}.`,
      evidence: [`Pod ${p.name}${c ? `, container ${c.name}` : ''}: waiting, reason ${reason}.`, ...(detailMessage ? [`Kubelet: ${clip(detailMessage.message)}`] : [])],
      suspect: podRef(ev, p.name),
      keywords: KEYWORDS.image,
      facts: { namespace: ns(ev), pod: p.name, ...(c ? { container: c.name } : {}), ...(c?.image ? { image: c.image } : {}) },
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// scheduling and nodes

const SYSTEM_TAINT = /^node\.kubernetes\.io\//;

interface SchedulingMessage {
  text: string;
  taints: Array<{ key: string; value?: string }>;
  insufficient: string[];
  selectorMismatch: boolean;
  cordoned: boolean;
}

function schedulingMessage(p: PodView): SchedulingMessage | undefined {
  const e = latestEvent(p, 'FailedScheduling');
  if (!e || CLAIM_MESSAGES.some(({ re }) => re.test(e.message))) return undefined;
  const taints = [...e.message.matchAll(/had (?:untolerated )?taint\(?s?\)? ?\{([^:}]+):\s*([^}]*)\}/g)].map((m) => ({ key: m[1].trim(), ...(m[2].trim() ? { value: m[2].trim() } : {}) }));
  return {
    text: e.message,
    taints,
    insufficient: [...e.message.matchAll(/Insufficient ([\w./-]+)/g)].map((m) => m[1]),
    selectorMismatch: /didn't match Pod's node affinity\/selector|node affinity|node selector/i.test(e.message),
    cordoned: /node\(s\) were unschedulable/.test(e.message),
  };
}

function nodeCandidates(ev: Evidence, p: PodView, taint: { key: string; value?: string }): NodeDetail[] {
  const selector = p.detail?.nodeSelectors ?? {};
  return [...ev.nodes.values()].filter((n) => n.taints.some((t) => t.key === taint.key && (taint.value === undefined || t.value === taint.value)) && selectorMatches(selector, n.labels));
}

function taintText(t: { key: string; value?: string; effect?: string }): string {
  return `${t.key}${t.value ? `=${t.value}` : ''}${t.effect ? `:${t.effect}` : ''}`;
}

function unschedulable(ev: Evidence, pods: PodView[]): Finding | undefined {
  for (const p of pods) {
    if (!isFailing(p) || !isPending(p)) continue;
    const msg = schedulingMessage(p);
    if (!msg) continue;
    const selector = p.detail?.nodeSelectors ?? {};
    const pinned = Object.keys(selector).length > 0;
    const selectorText = pinned ? ` (nodeSelector ${Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(', ')})` : '';
    const nodesKnown = ev.nodes.size > 0;
    for (const taint of msg.taints.filter((t) => !SYSTEM_TAINT.test(t.key))) {
      const nodes = nodeCandidates(ev, p, taint);
      // The described nodes show that no node the pod may run on carries this taint: not the blocker.
      if (nodesKnown && nodes.length === 0 && pinned) continue;
      const node = nodes[0];
      const onNode = node?.taints.find((t) => t.key === taint.key);
      const full = node !== undefined && pinned;
      return {
        analyzer: 'unschedulable',
        confidence: full ? FULL_CHAIN : SINGLE_INDICATOR,
        summary: node
          ? `Pod ${p.name} cannot be scheduled: the node it may run on${selectorText}, ${node.name}, has taint ${taintText(onNode ?? taint)} that the pod does not tolerate.`
          : `Pod ${p.name} cannot be scheduled: nodes have taint ${taintText(taint)} that the pod does not tolerate.`,
        evidence: [`Scheduler: ${clip(msg.text)}`, ...(node ? [`Node ${node.name} has taint ${taintText(onNode ?? taint)}${pinned ? ` and the labels the pod's nodeSelector asks for` : ''}.`] : [])],
        suspect: node ? { kind: 'Node', name: node.name } : podRef(ev, p.name),
        keywords: KEYWORDS.taint,
        facts: { namespace: ns(ev), pod: p.name, ...(node ? { node: node.name } : {}), taintKey: taint.key, ...(taint.value ? { taintValue: taint.value } : {}), ...(onNode ? { taintEffect: onNode.effect } : {}) },
      };
    }
    if (msg.insufficient.length > 0 || msg.cordoned) {
      const what = msg.insufficient.length ? `not enough free ${msg.insufficient.join(', ')} on any node` : 'the nodes it may run on are cordoned (unschedulable)';
      return {
        analyzer: 'unschedulable',
        confidence: SINGLE_INDICATOR,
        summary: `Pod ${p.name} cannot be scheduled: ${what}.`,
        evidence: [`Scheduler: ${clip(msg.text)}`],
        suspect: podRef(ev, p.name),
        keywords: KEYWORDS.capacity,
        facts: { namespace: ns(ev), pod: p.name },
      };
    }
  }
  return undefined;
}

function notReadyNodes(ev: Evidence): Array<{ name: string; detail?: NodeDetail; status: string }> {
  const out = new Map<string, { name: string; detail?: NodeDetail; status: string }>();
  for (const r of ev.nodeTable ?? []) if (/NotReady|Unknown/i.test(r.status)) out.set(r.name, { name: r.name, status: r.status, detail: ev.nodes.get(r.name) });
  for (const n of ev.nodes.values()) if (n.ready !== undefined && n.ready !== 'True') out.set(n.name, { name: n.name, detail: n, status: `Ready=${n.ready}` });
  // A node described as Ready outranks an older table row.
  for (const [name, entry] of out) if (entry.detail?.ready === 'True') out.delete(name);
  return [...out.values()];
}

function nodeNotReady(ev: Evidence, pods: PodView[]): Finding | undefined {
  const signalIsNode = ev.signal !== undefined && canonicalKind(ev.signal.kind) === 'Node';
  for (const n of notReadyNodes(ev)) {
    const links: string[] = [];
    let strong = false;
    if (signalIsNode && ev.signal?.name === n.name) {
      links.push(`The alert is about node ${n.name}.`);
      strong = true;
    }
    for (const p of pods.filter(isFailing)) {
      const on = p.detail?.node ?? p.row?.node;
      if (on === n.name) {
        links.push(`Pod ${p.name} runs on node ${n.name} and is not ready.`);
        strong = true;
        continue;
      }
      const msg = latestEvent(p, 'FailedScheduling');
      if (!msg || !/node\.kubernetes\.io\/(unreachable|not-ready)/.test(msg.message)) continue;
      const selector = p.detail?.nodeSelectors ?? {};
      if (n.detail && !selectorMatches(selector, n.detail.labels)) continue;
      links.push(`Pod ${p.name} cannot be scheduled: ${clip(msg.message, 180)}`);
      if (n.detail && Object.keys(selector).length > 0) strong = true;
    }
    if (links.length === 0) continue;
    const d = n.detail;
    const condition = d?.ready ? `Ready=${d.ready}${d.readyReason ? ` (${d.readyReason}${d.readyMessage ? `: ${d.readyMessage}` : ''})` : ''}` : n.status;
    return {
      analyzer: 'node-not-ready',
      confidence: strong && d !== undefined ? FULL_CHAIN : SINGLE_INDICATOR,
      summary: `Node ${n.name} is NotReady (${condition}); the workloads that must run on it are down.`,
      evidence: [`Node ${n.name}: ${condition}.`, ...links.slice(0, 3)],
      suspect: { kind: 'Node', name: n.name },
      keywords: KEYWORDS.node,
      facts: { namespace: ns(ev), node: n.name },
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// healthy now

function healthyNow(ev: Evidence, pods: PodView[]): Finding | undefined {
  const s = ev.signal;
  const d = ev.signalDescribe;
  if (!s || !d?.ok) return undefined;
  if (pods.some(isFailing)) return undefined;
  const kind = canonicalKind(s.kind);
  let state: string | undefined;
  if (d.workload) {
    const w = d.workload;
    if (w.desired === undefined) return undefined;
    const readyRows = pods.filter((p) => p.row && !rowIsFailing(p.row)).length;
    const ok =
      w.available !== undefined
        ? w.available >= w.desired && (w.unavailable ?? 0) === 0
        : ev.podTable !== undefined && readyRows >= w.desired && (w.waiting ?? 0) === 0;
    if (!ok) return undefined;
    state = `${w.available ?? readyRows}/${w.desired} replicas ready and no pod is failing`;
  } else if (d.pod) {
    if (d.pod.status !== 'Running' || d.pod.containers.some((c) => !c.init && c.ready !== true)) return undefined;
    state = 'it is Running and all its containers are ready';
  } else if (d.node) {
    if (d.node.ready !== 'True') return undefined;
    state = 'it is Ready';
  } else if (ev.podTable !== undefined) {
    state = 'no pod in its namespace is failing';
  } else {
    return undefined;
  }
  return {
    analyzer: 'healthy-now',
    confidence: HEALTHY,
    summary: `${kind} ${s.name} is healthy now: ${state}. The problem that raised the alert is no longer present.`,
    evidence: [`${kind} ${s.name}: ${state}.`],
    keywords: [],
    facts: { namespace: ns(ev) },
  };
}

// ---------------------------------------------------------------------------------------------

/** Every analyzer's finding, in table order. */
export function analyze(ev: Evidence): Finding[] {
  const pods = podViews(ev);
  const findings = [pendingPodVolume(ev, pods), crashLoop(ev, pods), oom(ev, pods), imagePull(ev, pods), unschedulable(ev, pods), nodeNotReady(ev, pods)].filter(
    (f): f is Finding => f !== undefined,
  );
  if (findings.length === 0) {
    const healthy = healthyNow(ev, pods);
    if (healthy) findings.push(healthy);
  }
  return findings;
}

/** Highest confidence wins; the table order breaks ties. */
export function leadingFinding(findings: Finding[]): Finding | undefined {
  return [...findings].sort((a, b) => b.confidence - a.confidence || ANALYZER_ORDER.indexOf(a.analyzer) - ANALYZER_ORDER.indexOf(b.analyzer))[0];
}
