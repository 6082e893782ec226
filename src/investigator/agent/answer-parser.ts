/**
 * Finds the final answer in the last assistant message (investigation.md §6): the last fenced
 * `json` block, else the last balanced `{...}` that parses, else the header sections some models
 * prefer (`# root_cause_analysis`, `# confidence`, ...). The object found is shape-checked; any
 * failure is reported as `llm_parsing_error` with every problem, so the model can fix all at once.
 */
import type { z } from 'zod';
import { llmAnswerSchema, type LlmAnswer } from './answer-schema.ts';
import type { AnswerError } from './validation-errors.ts';

export type ParsedAnswer =
  | { ok: true; answer: LlmAnswer; /** The prose around the JSON (the `analysis` fallback). */ prose: string }
  | { ok: false; errors: AnswerError[] };

/** Longest message we look at; a longer one is cut (an answer never needs more). */
const MAX_ANSWER_CHARS = 200_000;

export function parseAnswer(content: string): ParsedAnswer {
  const text = content.slice(0, MAX_ANSWER_CHARS);
  // A model that writes header sections embeds JSON objects in them: those are parts, not the answer.
  const found = findHeaderAnswer(text) ?? findJsonAnswer(text);
  if (!found) {
    return {
      ok: false,
      errors: [parsingError(text.trim() === '' ? 'the final answer is empty: expected one JSON object in a ```json block' : 'no JSON object found in the final answer: expected one JSON object in a ```json block')],
    };
  }
  const checked = llmAnswerSchema.safeParse(found.value);
  if (!checked.success) return { ok: false, errors: checked.error.issues.map(issueToError) };
  return { ok: true, answer: checked.data, prose: found.prose.trim() };
}

function parsingError(message: string): AnswerError {
  return { code: 'llm_parsing_error', message };
}

function issueToError(issue: z.core.$ZodIssue): AnswerError {
  const path = issue.path.map(String).join('.');
  return parsingError(`${path || '(answer)'}: ${issue.message}`);
}

interface Found {
  value: unknown;
  prose: string;
}

const FENCE_RE = /```[ \t]*([A-Za-z0-9_-]*)[^\n]*\n([\s\S]*?)```/g;

function findJsonAnswer(text: string): Found | undefined {
  const candidates: Found[] = [];
  const fences = [...text.matchAll(FENCE_RE)];
  // Blocks tagged json, last first; then untagged blocks; then bare balanced objects, last first.
  const tagged = fences.filter((m) => m[1].toLowerCase() === 'json').reverse();
  const untagged = fences.filter((m) => m[1] === '').reverse();
  for (const m of [...tagged, ...untagged]) {
    const value = tryJson(m[2].trim());
    if (isObject(value)) candidates.push({ value, prose: text.slice(0, m.index) + text.slice(m.index + m[0].length) });
  }
  const objects = balancedObjects(text);
  for (let i = objects.length - 1; i >= 0; i--) {
    const [start, end] = objects[i];
    const value = tryJson(text.slice(start, end));
    if (isObject(value)) candidates.push({ value, prose: text.slice(0, start) + text.slice(end) });
  }
  // The first that looks like an answer; else the first object at all (its shape errors are then reported).
  return candidates.find((c) => looksLikeAnswer(c.value)) ?? candidates[0];
}

function looksLikeAnswer(v: unknown): boolean {
  return isObject(v) && ('investigation_outcome' in v || 'root_cause_analysis' in v);
}

function tryJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The [start, end) spans of top-level `{...}` in text, braces inside JSON strings ignored. */
export function balancedObjects(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (depth > 0 && inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"' && depth > 0) inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' && depth > 0) {
      depth--;
      if (depth === 0) spans.push([start, i + 1]);
    }
  }
  return spans;
}

const HEADER_RE = /^#{1,3}[ \t]*([A-Za-z_]+)[ \t]*:?[ \t]*$/;
const JSON_SECTIONS = new Set(['root_cause_analysis', 'selected_workflow', 'alternative_workflows']);
const KNOWN_SECTIONS = new Set([...JSON_SECTIONS, 'confidence', 'investigation_outcome', 'needs_human_review', 'human_review_reason', 'analysis']);

/** The header fallback: needs at least `# root_cause_analysis` and `# confidence`. */
function findHeaderAnswer(text: string): Found | undefined {
  const sections = new Map<string, string[]>();
  const prose: string[] = [];
  let current: string[] = prose;
  for (const line of text.split('\n')) {
    const header = HEADER_RE.exec(line.trim());
    const name = header?.[1].toLowerCase();
    if (name && KNOWN_SECTIONS.has(name)) {
      current = [];
      sections.set(name, current);
    } else current.push(line);
  }
  if (!sections.has('root_cause_analysis') || !sections.has('confidence')) return undefined;
  const body = (name: string) => unfence(sections.get(name)!.join('\n'));
  const answer: Record<string, unknown> = {};
  for (const [name] of sections) {
    const raw = body(name);
    if (JSON_SECTIONS.has(name)) answer[name] = raw === '' ? undefined : (tryJson(raw) ?? raw);
    else if (name === 'confidence') answer[name] = raw === '' || Number.isNaN(Number(raw)) ? raw : Number(raw);
    else if (name === 'needs_human_review') answer[name] = raw.toLowerCase() === 'true' ? true : raw.toLowerCase() === 'false' ? false : raw;
    else if (name === 'human_review_reason') answer[name] = raw === '' || raw === 'null' ? null : raw;
    else answer[name] = raw;
  }
  answer.investigation_outcome ??= isObject(answer.selected_workflow) ? 'actionable' : 'inconclusive';
  answer.selected_workflow ??= null;
  return { value: answer, prose: prose.join('\n') };
}

function unfence(s: string): string {
  const m = /^\s*```[^\n]*\n([\s\S]*?)```\s*$/.exec(s);
  return (m ? m[1] : s).trim();
}
