/**
 * Alertmanager's `filter` matchers (`alertname="X"`, `severity=~"crit.*"`, `team!=ops`): a label
 * name, an operator, and a value that may be double-quoted (with \" \\ \n escapes).
 */
import { anchoredRegex, type Matcher, type MatchType } from '../promql/storage.ts';

const MATCHER = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|!~|!=|=)\s*([\s\S]*?)\s*$/;

export class MatcherError extends Error {}

function unquote(raw: string, text: string): string {
  if (!(raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"'))) {
    if (raw.includes('"')) throw new MatcherError(`bad matcher format: ${text}`);
    return raw;
  }
  const body = raw.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '"') throw new MatcherError(`bad matcher format: ${text}`);
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = body[++i];
    if (next === 'n') out += '\n';
    else if (next === '"' || next === '\\') out += next;
    else throw new MatcherError(`invalid escape in matcher value: ${text}`);
  }
  return out;
}

export function parseMatcher(text: string): Matcher {
  const m = MATCHER.exec(text);
  if (!m) throw new MatcherError(`bad matcher format: ${text}`);
  const value = unquote(m[3], text);
  const type = m[2] as MatchType;
  if (type === '=~' || type === '!~') {
    try {
      anchoredRegex(value);
    } catch {
      throw new MatcherError(`invalid regular expression in matcher: ${text}`);
    }
  }
  return { name: m[1], type, value };
}
