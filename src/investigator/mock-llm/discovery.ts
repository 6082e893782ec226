/**
 * The catalog half of a decision (investigation.md §12 steps 3-5 and 7): the remediation target
 * from `get_resource_context`, then list_available_actions → list_workflows → get_workflow for the
 * best-fitting action type, skipping workflows the validator could not find, that the target's
 * remediation history shows did not help, or that the catalog no longer serves.
 *
 * Discovery answers depend on the session's context, which every get_resource_context call moves
 * (investigation.md §4), and the investigator runs a turn's calls in order. So a catalog answer
 * counts only when it was given under the context of the current target: after the latest context
 * call, or — for the action list the mock fetches early to save a turn — before any context call
 * when the target turned out to be of the signal's own Kind (the context then differs only by
 * detected labels, which can only narrow what list_workflows returns).
 */
import type { Finding } from './analyzers.ts';
import { fillParameters, ineffectiveWorkflows, rankActionTypes, type ScoredActionType } from './catalog-choice.ts';
import type { Conversation, ResourceRef } from './conversation.ts';
import { TOOLS, WORKLOAD_KINDS, actionTypesOf, canonicalKind, refKey, type ActionPage, type Evidence, type WorkflowEntry, type WorkflowSummary } from './evidence.ts';
import type { CallPicker, PlannedCall } from './gather.ts';

const MAX_ACTION_PAGES = 5;

export type Discovery =
  | { status: 'calls'; calls: PlannedCall[] }
  | {
      status: 'chosen';
      actionType: ScoredActionType;
      workflow: WorkflowEntry;
      parameters: Record<string, string>;
      alternatives: WorkflowSummary[];
    }
  /** The catalog was consulted and nothing fits (or everything that fit was ruled out). */
  | { status: 'no_match'; ruledOut: string[] }
  /** The catalog could not be consulted (tools not offered, or they failed). */
  | { status: 'unavailable' };

/**
 * The remediation target: the root owner `get_resource_context` reported for the suspect; without
 * one, the signal's workload for its pods and claims, else the suspect itself.
 */
export function remediationTarget(ev: Evidence, finding: Finding): { owner: ResourceRef; history: Array<Record<string, unknown>> } {
  const suspect = finding.suspect ?? ev.signal;
  if (!suspect) return { owner: { kind: 'Unknown', name: 'unknown' }, history: [] };
  const ctx = ev.contexts.get(refKey(suspect));
  if (ctx?.rootOwner) return { owner: ctx.rootOwner, history: ctx.history };
  const predicted = predictedOwner(ev, suspect);
  return { owner: predicted ?? suspect, history: ctx?.history ?? [] };
}

/** A pod's or claim's owner is, most of the time, the workload the alert is about. */
function predictedOwner(ev: Evidence, suspect: ResourceRef): ResourceRef | undefined {
  const signal = ev.signal;
  const suspectKind = canonicalKind(suspect.kind);
  if (signal && (suspectKind === 'Pod' || suspectKind === 'PersistentVolumeClaim') && WORKLOAD_KINDS.has(canonicalKind(signal.kind))) {
    return { ...signal, kind: canonicalKind(signal.kind) };
  }
  return undefined;
}

export function ruledOutWorkflows(conv: Conversation, history: Array<Record<string, unknown>>): Set<string> {
  const out = new Set(ineffectiveWorkflows(history));
  for (const f of conv.feedback) {
    if (f.rejectedWorkflowId && f.errors.some((e) => e.code === 'workflow_not_found')) out.add(f.rejectedWorkflowId);
  }
  return out;
}

/** Parameters the validator refused, by name, with the code (the repair skips values refused before). */
function refusedParameters(conv: Conversation, workflowId: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of conv.feedback) {
    if (f.rejectedWorkflowId !== workflowId) continue;
    for (const e of f.errors) if (e.parameter) out.set(e.parameter, e.code);
  }
  return out;
}

function lastContextOrder(ev: Evidence): number {
  return ev.contextOrders.length ? Math.max(...ev.contextOrders) : -1;
}

/** Action pages answered under the context of a target of this Kind (see the module comment). */
function validPages(ev: Evidence, targetKind: string): ActionPage[] {
  const last = lastContextOrder(ev);
  const first = ev.contextOrders.length ? Math.min(...ev.contextOrders) : Infinity;
  const sameKind = ev.signal !== undefined && canonicalKind(ev.signal.kind) === canonicalKind(targetKind);
  return ev.actionPages.filter((p) => p.order > last || (sameKind && p.order < first));
}

/** The first argument set of `tool` not used yet (a repeated question needs other arguments, e.g. `offset: 0`). */
function fresh(picker: CallPicker, tool: string, variants: Array<Record<string, unknown>>): PlannedCall[] {
  for (const args of variants) {
    const call = picker.pending([{ tool, args }]);
    if (call.length > 0) return call;
  }
  return [];
}

function actionPageCalls(pages: ActionPage[], picker: CallPicker): PlannedCall[] | undefined {
  if (pages.length === 0) return fresh(picker, TOOLS.actions, [{}, { offset: 0 }]);
  const last = [...pages].sort((a, b) => a.offset - b.offset)[pages.length - 1];
  if (!last.hasMore || pages.length >= MAX_ACTION_PAGES) return undefined;
  return fresh(picker, TOOLS.actions, [{ offset: last.nextOffset }]);
}

/** list_available_actions early (with the second look), when the target will likely be the signal's workload. */
export function earlyActionList(ev: Evidence): PlannedCall[] {
  return ev.signal && WORKLOAD_KINDS.has(canonicalKind(ev.signal.kind)) ? [{ tool: TOOLS.actions, args: {} }] : [];
}

/**
 * The turn that resolves the target: get_resource_context on the suspect, then in the same turn
 * what discovery needs next under the context it sets — list_workflows for the best action type
 * of the early action list when the target will likely be of the signal's Kind, else
 * list_available_actions.
 */
export function contextTurn(ev: Evidence, conv: Conversation, picker: CallPicker, finding: Finding, context: PlannedCall[]): PlannedCall[] {
  if (finding.analyzer === 'healthy-now' || !picker.isOffered(TOOLS.actions)) return context;
  const predicted = finding.suspect ? predictedOwner(ev, finding.suspect) : undefined;
  const early = predicted ? ev.actionPages.filter((p) => ev.contextOrders.length === 0 || p.order < Math.min(...ev.contextOrders)) : [];
  if (early.length > 0 && !early.some((p) => p.hasMore)) {
    const best = rankActionTypes(actionTypesOf(early), finding)[0];
    // Nothing fits in the early list: if the target is indeed of the signal's Kind, that is the answer.
    if (!best) return context;
    return [...context, ...fresh(picker, TOOLS.workflows, [{ action_type: best.actionType }, { action_type: best.actionType, offset: 0 }])];
  }
  return [...context, ...fresh(picker, TOOLS.actions, [{}, { offset: 0 }])];
}

export function discover(ev: Evidence, conv: Conversation, picker: CallPicker, finding: Finding): Discovery {
  const { owner, history } = remediationTarget(ev, finding);
  const pages = validPages(ev, owner.kind);
  if (!picker.isOffered(TOOLS.actions) && pages.length === 0) return { status: 'unavailable' };
  const pageCalls = actionPageCalls(pages, picker);
  if (pageCalls && pageCalls.length > 0) return { status: 'calls', calls: pageCalls };
  if (pages.length === 0) return { status: 'unavailable' };

  const since = lastContextOrder(ev);
  const ruledOut = ruledOutWorkflows(conv, history);
  for (const scored of rankActionTypes(actionTypesOf(pages), finding)) {
    const known = ev.workflowLists.get(scored.actionType);
    if (!known || known.order < since) {
      const call = fresh(picker, TOOLS.workflows, [{ action_type: scored.actionType }, { action_type: scored.actionType, offset: 0 }]);
      if (call.length > 0) return { status: 'calls', calls: call };
      if (!picker.isOffered(TOOLS.workflows)) return { status: 'unavailable' };
      if (!known) continue;
    }
    const listed = (known.workflows ?? []).filter((w) => !ruledOut.has(w.workflowId));
    for (const w of listed) {
      if (!ev.workflowEntries.has(w.workflowId)) {
        const call = picker.pending([{ tool: TOOLS.workflow, args: { workflow_id: w.workflowId } }]);
        if (call.length > 0) return { status: 'calls', calls: call };
        // get_workflow not offered: choose it without its parameter schema.
        if (!picker.isOffered(TOOLS.workflow)) {
          return { status: 'chosen', actionType: scored, workflow: { ...w, parameters: [] }, parameters: {}, alternatives: listed.filter((x) => x !== w) };
        }
        continue;
      }
      const entry = ev.workflowEntries.get(w.workflowId);
      if (!entry) continue;
      const parameters = fillParameters(entry.parameters, { facts: finding.facts, owner, refused: refusedParameters(conv, entry.workflowId) });
      return { status: 'chosen', actionType: scored, workflow: { ...entry, version: entry.version ?? w.version }, parameters, alternatives: listed.filter((x) => x.workflowId !== w.workflowId) };
    }
  }
  return { status: 'no_match', ruledOut: [...ruledOut] };
}
