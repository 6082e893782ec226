/**
 * From a finding to a catalog workflow (investigation.md §12 steps 4-5): the action type whose
 * name and description share the most of the finding's keywords (words in `whenNotToUse` count
 * against it), the best-ranked workflow of that type not ruled out, and its parameters filled by
 * name from the evidence, most specific pattern first.
 */
import type { Facts, Finding } from './analyzers.ts';
import type { ResourceRef } from './conversation.ts';
import type { ActionTypeLite, WorkflowParameter } from './evidence.ts';

/** Words of a text: lower-cased, with CamelCase also split (`FixStatefulSetPVC` → fixstatefulsetpvc, fix, stateful, set, pvc). */
export function words(text: string): Set<string> {
  const out = new Set<string>();
  for (const raw of text.match(/[A-Za-z0-9]+/g) ?? []) {
    out.add(raw.toLowerCase());
    for (const part of raw.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g) ?? []) out.add(part.toLowerCase());
  }
  return out;
}

/** `restarts`, `tainted`, `scheduling` match `restart`, `taint`, `schedule` (a short suffix). */
function hasWord(set: Set<string>, keyword: string): boolean {
  for (const w of set) if (w === keyword || (w.startsWith(keyword) && w.length - keyword.length <= 3)) return true;
  for (const w of set) if (keyword.endsWith('e') && w.startsWith(keyword.slice(0, -1)) && w.length - keyword.length <= 3) return true;
  return false;
}

export interface ScoredActionType {
  actionType: string;
  score: number;
  matched: string[];
  against: string[];
}

/** Name hits count twice, description hits once, `whenNotToUse` hits twice against. */
export function scoreActionType(a: ActionTypeLite, keywords: string[]): ScoredActionType {
  const name = words(a.actionType);
  const positive = words([a.description.what, a.description.whenToUse].filter(Boolean).join(' '));
  const negative = words(a.description.whenNotToUse ?? '');
  let score = 0;
  const matched: string[] = [];
  const against: string[] = [];
  for (const k of new Set(keywords)) {
    const inName = hasWord(name, k);
    const inText = hasWord(positive, k);
    if (inName) score += 2;
    if (inText) score += 1;
    if (inName || inText) matched.push(k);
    if (hasWord(negative, k)) {
      score -= 2;
      against.push(k);
    }
  }
  return { actionType: a.actionType, score, matched, against };
}

/** Action types that share keywords with the finding, best first (ties: catalog order). */
export function rankActionTypes(types: ActionTypeLite[], finding: Finding): ScoredActionType[] {
  return types
    .map((t) => scoreActionType(t, finding.keywords))
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score);
}

/** Workflows a `remediation_history` entry shows failed or did not help: never repeated. */
export function ineffectiveWorkflows(history: Array<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const h of history) {
    const id = typeof h.workflow_id === 'string' ? h.workflow_id : undefined;
    if (!id) continue;
    const outcome = typeof h.outcome === 'string' ? h.outcome : '';
    const score = typeof h.effectiveness_score === 'number' ? h.effectiveness_score : undefined;
    if (/fail|ineffective|not.?effective|regress/i.test(outcome) || (score !== undefined && score < 0.5)) out.push(id);
  }
  return out;
}

export interface FillContext {
  facts: Facts;
  /** The remediation target (root owner). */
  owner: ResourceRef;
  /** Parameters the validator refused with these codes last time (name → code). */
  refused: Map<string, string>;
}

/**
 * Most specific first: the first pattern a name matches decides where its value comes from. Only
 * identities are filled (names, namespace, kind, taint): a value the workflow should change to (a
 * new image, limit or storage class) is never guessed from the broken state.
 */
const PATTERNS: Array<{ test: (n: string) => boolean; value: (c: FillContext) => string | undefined }> = [
  { test: (n) => n.includes('NAMESPACE'), value: (c) => c.owner.namespace ?? c.facts.namespace },
  { test: (n) => n.includes('TAINT') && n.includes('KEY'), value: (c) => c.facts.taintKey },
  { test: (n) => n.includes('TAINT') && n.includes('EFFECT'), value: (c) => c.facts.taintEffect },
  { test: (n) => n.includes('TAINT') && n.includes('VALUE'), value: (c) => c.facts.taintValue },
  { test: (n) => n.includes('PVC') || n.includes('CLAIM'), value: (c) => c.facts.claim },
  { test: (n) => n.includes('CONTAINER'), value: (c) => c.facts.container },
  { test: (n) => n.includes('POD'), value: (c) => c.facts.pod },
  { test: (n) => n.includes('NODE'), value: (c) => c.facts.node ?? (c.owner.kind === 'Node' ? c.owner.name : undefined) },
  { test: (n) => n.includes('KIND'), value: (c) => c.owner.kind },
  {
    test: (n) => /STATEFULSET|DEPLOYMENT|DAEMONSET|REPLICASET|WORKLOAD|_NAME$|^NAME$|^TARGET$/.test(n),
    value: (c) => c.owner.name,
  },
];

function fitsSchema(p: WorkflowParameter, value: string): string | undefined {
  if (p.enum && p.enum.length > 0) {
    const hit = p.enum.find((e) => String(e).toLowerCase() === value.toLowerCase());
    return hit === undefined ? undefined : String(hit);
  }
  if (p.pattern) {
    try {
      if (!new RegExp(`^(?:${p.pattern})$`).test(value)) return undefined;
    } catch {
      // an unusable pattern: let the validator judge
    }
  }
  if (p.type === 'integer' && !/^-?\d+$/.test(value)) return undefined;
  return value;
}

/**
 * Values for the workflow's parameters from the evidence. Optional parameters nothing is known
 * about are left out (their defaults apply); a required one falls back to its default.
 */
export function fillParameters(params: WorkflowParameter[], ctx: FillContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of params) {
    const upper = p.name.toUpperCase();
    const refusedAs = ctx.refused.get(p.name);
    const pattern = PATTERNS.find((x) => x.test(upper));
    const raw = refusedAs && refusedAs !== 'missing_required' ? undefined : pattern?.value(ctx);
    const value = raw !== undefined ? fitsSchema(p, raw) : undefined;
    if (value !== undefined) {
      out[p.name] = value;
    } else if (p.required && p.default !== undefined) {
      out[p.name] = typeof p.default === 'string' ? p.default : JSON.stringify(p.default);
    } else if (p.required && p.enum?.length === 1) {
      out[p.name] = String(p.enum[0]);
    }
  }
  return out;
}
