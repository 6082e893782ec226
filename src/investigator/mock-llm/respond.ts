/**
 * The mock model itself: one reply as a pure function of the request (the conversation so far,
 * the offered tools, tool_choice) and the configured faults. Gather → analyze → resolve the target
 * → discover → answer (investigation.md §12); after validation feedback the same procedure runs
 * again with the refused workflows and parameters ruled out, which is the repair.
 */
import { analyze, leadingFinding } from './analyzers.ts';
import { buildAnswer, renderAnswer, renderMalformed, withConfidenceFault, withUnknownWorkflow, withWrongParameter } from './answer.ts';
import { readConversation, type Conversation } from './conversation.ts';
import { contextTurn, discover, type Discovery } from './discovery.ts';
import { TOOLS, canonicalKind, collectEvidence, type Evidence } from './evidence.ts';
import type { MockFaults } from './faults.ts';
import { CallPicker, contextCall, nextGatherCalls, shapeArgs, type PlannedCall } from './gather.ts';
import { offeredTools, toolChoiceOf, type MockReply, type OfferedTool, type WireChatRequest } from './openai-wire.ts';

function toolCalls(conv: Conversation, calls: PlannedCall[]): MockReply {
  return {
    content: null,
    toolCalls: calls.map((c, i) => ({ id: `call_${conv.turn}_${i + 1}`, name: c.tool, arguments: JSON.stringify(c.args) })),
    finishReason: 'tool_calls',
  };
}

/** A call for when one is demanded but the investigation needs none: look at the signal again. */
function fallbackCall(ev: Evidence, tools: OfferedTool[], only?: string): PlannedCall | undefined {
  const s = ev.signal;
  const candidates = tools.filter((t) => only === undefined || t.name === only);
  const describe = candidates.find((t) => t.name === TOOLS.describe);
  if (describe && s) {
    return { tool: describe.name, args: shapeArgs(describe, { kind: canonicalKind(s.kind), name: s.name, ...(s.namespace ? { namespace: s.namespace } : {}) }) };
  }
  const first = candidates[0];
  if (!first) return undefined;
  const args = s ? shapeArgs(first, { kind: canonicalKind(s.kind), name: s.name, ...(s.namespace ? { namespace: s.namespace } : {}) }) : {};
  return { tool: first.name, args };
}

export function respond(req: WireChatRequest, faults: MockFaults = {}): MockReply {
  const conv = readConversation(req.messages);
  const tools = offeredTools(req);
  const choice = toolChoiceOf(req);
  const ev = collectEvidence(conv);
  const picker = new CallPicker(
    choice.only ? tools.filter((t) => t.name === choice.only) : tools,
    conv,
  );
  const mayCall = choice.mode !== 'none' && tools.length > 0;

  const findings = analyze(ev);
  const lead = leadingFinding(findings);
  let discovery: Discovery | undefined;
  if (mayCall) {
    const gather = nextGatherCalls(ev, picker);
    if (gather.length > 0) return toolCalls(conv, gather);
    const context = contextCall(ev, picker);
    if (context.length > 0) return toolCalls(conv, lead ? contextTurn(ev, conv, picker, lead, context) : context);
  }
  if (lead && lead.analyzer !== 'healthy-now') {
    discovery = discover(ev, conv, picker, lead);
    if (discovery.status === 'calls') {
      if (mayCall) return toolCalls(conv, discovery.calls);
      // No more calls allowed: answer with what the catalog showed so far.
      discovery = { status: 'unavailable' };
    }
  }

  const demanded = choice.mode === 'required' || choice.only !== undefined;
  if ((faults.no_answer && mayCall) || demanded) {
    const call = fallbackCall(ev, tools, choice.only);
    if (call) return toolCalls(conv, [call]);
  }
  if (faults.no_answer) return { content: '', toolCalls: [], finishReason: 'stop' };

  let answer = buildAnswer(ev, lead, discovery);
  const firstAttempt = conv.feedback.length === 0;
  if (faults.low_confidence) answer = withConfidenceFault(answer);
  if (firstAttempt && faults.unknown_workflow_once) answer = withUnknownWorkflow(answer);
  if (firstAttempt && faults.wrong_parameter_once) answer = withWrongParameter(answer);
  const content = firstAttempt && faults.malformed_json_once ? renderMalformed(answer) : renderAnswer(answer);
  return { content, toolCalls: [], finishReason: 'stop' };
}
