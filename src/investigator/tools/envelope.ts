/**
 * What a tool result looks like to the LLM (investigation.md §4, §9): the JSON envelope
 * `{"tool", "ok", "untrusted_data" | "error", "truncated"}`. `untrusted_data` is always a string:
 * text results as they are, object results as compact JSON (machine-readable for the mock LLM
 * and the cheapest faithful form). Long data is cut to 16,000 characters — the head and the tail,
 * since the newest log lines and events are at the end — with a marker saying how much was cut.
 */

export const MAX_RESULT_CHARS = 16_000;
/** Before redaction: nothing beyond this is ever looked at (the head and tail survive). */
export const MAX_RAW_CHARS = 1_000_000;
const HEAD_SHARE = 0.75;
/** A cut moves to a line break when one is this close, so lines stay whole. */
const LINE_SNAP = 400;

export interface Envelope {
  tool: string;
  ok: boolean;
  untrusted_data?: string;
  error?: string;
  truncated: boolean;
}

export function renderResult(result: string | object): string {
  return typeof result === 'string' ? result : (JSON.stringify(result) ?? 'null');
}

export interface CutResult {
  text: string;
  truncated: boolean;
  /** Characters removed. */
  cut: number;
}

/**
 * Keeps the head and tail of `text` within `max` characters, with a marker in between.
 * `alreadyCut` (characters an earlier cut of the same text removed) is added to the marker's figures.
 */
export function cutText(text: string, max = MAX_RESULT_CHARS, alreadyCut = 0): CutResult {
  if (text.length <= max && alreadyCut === 0) return { text, truncated: false, cut: 0 };
  let headEnd = Math.floor(max * HEAD_SHARE);
  let tailStart = text.length - (max - headEnd);
  const lineBreak = text.lastIndexOf('\n', headEnd);
  if (lineBreak > headEnd - LINE_SNAP) headEnd = lineBreak + 1;
  const nextBreak = text.indexOf('\n', tailStart);
  if (nextBreak >= 0 && nextBreak < tailStart + LINE_SNAP) tailStart = nextBreak + 1;
  headEnd = avoidSplitSurrogate(text, headEnd);
  tailStart = avoidSplitSurrogate(text, tailStart);
  if (text.length <= max) {
    headEnd = text.length;
    tailStart = text.length;
  }
  const cut = tailStart - headEnd + alreadyCut;
  const marker = `\n[... truncated: ${cut.toLocaleString('en-US')} of ${(text.length + alreadyCut).toLocaleString('en-US')} characters cut here ...]\n`;
  return { text: `${text.slice(0, headEnd)}${marker}${text.slice(tailStart)}`, truncated: true, cut };
}

function avoidSplitSurrogate(text: string, i: number): number {
  const code = text.charCodeAt(i - 1);
  return code >= 0xd800 && code <= 0xdbff ? i + 1 : i;
}

export function envelopeJson(e: Envelope): string {
  const ordered = e.ok
    ? { tool: e.tool, ok: true, untrusted_data: e.untrusted_data ?? '', truncated: e.truncated }
    : { tool: e.tool, ok: false, error: e.error ?? 'failed', truncated: false };
  return JSON.stringify(ordered);
}
