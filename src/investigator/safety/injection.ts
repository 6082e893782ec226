/**
 * The prompt-injection detector (investigation.md §9): flags text from the cluster or the alert
 * (logs, events, annotations, ConfigMaps, alert text) that tries to instruct the model. A hit never
 * hides the text (it stays visible as evidence); it adds the warning `prompt_injection_suspected`,
 * which makes the default approval policy require a human.
 *
 * The rules look for text *addressed to a model*: overriding its instructions, reassigning its
 * role, chat-template role markers, steering the workflow choice or the confidence, and tool-call
 * shaped JSON. Ordinary operational text (logs, kubectl describe, YAML, events) does not talk like
 * that, which keeps false positives rare. Patterns are bounded and linear.
 */
import type { InjectionFinding } from '../tools/types.ts';

interface InjectionRule {
  rule: string;
  re: RegExp;
}

const ANY = '(?:all|any|the|your|my|previous|prior|above|earlier|preceding|existing|original|system|other|these|those|of)';

const RULES: InjectionRule[] = [
  {
    rule: 'ignore_previous_instructions',
    re: new RegExp(
      `\\b(?:ignore|forget|disregard|override|bypass|skip|drop)\\s{1,4}(?:${ANY}\\s{1,4}){0,4}(?:instructions?|prompts?|rules|directives|guidelines|guardrails|system\\s+messages?)\\b`,
      'i',
    ),
  },
  { rule: 'new_instructions', re: /\b(?:new|updated|real|actual|revised|additional|secret|hidden)\s{1,4}(?:system\s{1,4})?instructions?\s{0,4}(?::|follow|for\s+(?:the\s+)?(?:ai|assistant|model|llm|agent))/i },
  { rule: 'role_reassignment', re: /\byou\s{1,4}are\s{1,4}(?:now|no\s+longer)\b|\bfrom\s+now\s+on,?\s{1,4}you\b|\bpretend\s{1,4}(?:to\s+be|you\s+are)\b|\bact\s{1,4}as\s{1,4}(?:an?\s+)?(?:unrestricted|different|new)\b/i },
  {
    rule: 'addressed_to_model',
    re: /\b(?:(?:note|message|instructions?|attention|notice)\s{1,4}(?:to|for)\s{1,4}(?:the\s{1,4})?(?:ai|llm|assistant|language\s+model|model|agent|chatbot)|(?:dear|hey|hello|hi)\s{1,4}(?:ai|llm|assistant|model|agent|chatgpt|claude|gpt|gemini)|if\s{1,4}you\s{1,4}are\s{1,4}(?:an?\s{1,4})?(?:ai|llm|language\s+model|assistant|agent|bot)|(?:ai|llm)\s{1,4}(?:agents?|assistants?|models?)\s{1,4}(?:must|should|reading\s+this))\b/i,
  },
  // Chat-template tokens and role headers of the common prompt formats.
  { rule: 'role_marker', re: /<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id)\|>|\[\/?INST\]|<<\/?SYS>>|<\/?(?:system|system_prompt|instructions)>|^[ \t]{0,8}#{2,4}[ \t]{0,4}(?:instruction|instructions|system|system prompt|response)[ \t]{0,4}:?[ \t]*$/im },
  { rule: 'role_marker', re: /^[ \t]{0,8}(?:system|assistant|human)[ \t]{0,4}:[ \t]{0,4}(?:you\b|ignore\b|from\s+now\b|new\s+instructions?\b|the\s+(?:ai|assistant|model)\b|always\b|never\b|respond\b|select\b|approve\b)/im },
  {
    rule: 'workflow_steering',
    re: /\b(?:select|choose|pick|approve|recommend)\s{1,4}(?:the\s{1,4}|this\s{1,4}|that\s{1,4}|a\s{1,4})?(?:remediation\s{1,4})?(?:workflow|action\s?type)s?\b|\bapprove\s{1,4}(?:the\s{1,4}|this\s{1,4})?(?:remediation|fix)\b|(?<![-\w])auto-?approve\b|\b(?:skip\s{1,4}(?:the\s{1,4})?(?:human\s{1,4})?(?:approval|review))\b|\bno\s{1,4}(?:human\s{1,4})?(?:approval|review)\s{1,4}(?:is\s{1,4})?(?:needed|required|necessary)\b|\bneeds_human_review\s{0,4}["']?\s{0,4}[:=]\s{0,4}false\b|\bselected_workflow["']?\s{0,4}[:=]/i,
  },
  { rule: 'confidence_steering', re: /\b(?:set|report|give|assign|state|return|raise)\s{1,4}(?:a\s{1,4}|the\s{1,4}|your\s{1,4})?confidence\s{1,4}(?:of|to|at|=)|\b(?:your|the)\s{1,4}confidence\s{1,4}(?:must|should)\s{1,4}be\b/i },
  {
    rule: 'tool_call_json',
    re: /"(?:tool_calls|function_call|tool_use)"\s{0,8}:|\{\s{0,8}"(?:name|function|tool|tool_name|recipient_name)"\s{0,8}:\s{0,8}"[A-Za-z_][\w.-]{0,63}"\s{0,8},\s{0,8}"(?:arguments|parameters|args|input)"\s{0,8}:\s{0,8}(?:\{|"\s{0,8}\{)|<\/?(?:tool_call|function_calls|function_call|invoke|tool_use)\b/i,
  },
  { rule: 'prompt_exfiltration', re: /\b(?:reveal|print|show|repeat|output|leak)\s{1,4}(?:me\s{1,4})?(?:your|the)\s{1,4}(?:system\s{1,4})?(?:prompt|instructions)\b/i },
];

/** At most this many findings per text (one per rule and line is plenty of evidence). */
const MAX_FINDINGS = 10;
const EXCERPT_CHARS = 160;

/**
 * Scans `text` for instruction-like content; `source` names where it came from (`kubectl_logs
 * demo/pod-1`, `signal_annotations.description`). One finding per rule, the first hit.
 */
export function detectInjection(text: string, source: string): InjectionFinding[] {
  if (!text) return [];
  const findings: InjectionFinding[] = [];
  const seen = new Set<string>();
  for (const { rule, re } of RULES) {
    if (seen.has(rule)) continue;
    const m = re.exec(text);
    if (!m) continue;
    seen.add(rule);
    findings.push({ source, rule, excerpt: excerptAround(text, m.index, m[0].length) });
    if (findings.length >= MAX_FINDINGS) break;
  }
  return findings;
}

/** The matched text with a little context, on one line. */
function excerptAround(text: string, index: number, length: number): string {
  const pad = Math.max(0, Math.floor((EXCERPT_CHARS - length) / 2));
  const start = Math.max(0, index - pad);
  const end = Math.min(text.length, index + length + pad);
  const body = text.slice(start, end).replace(/\s+/g, ' ').trim();
  return `${start > 0 ? '…' : ''}${body.length > EXCERPT_CHARS ? `${body.slice(0, EXCERPT_CHARS)}…` : body}${end < text.length ? '…' : ''}`;
}
