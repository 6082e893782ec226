/**
 * Redaction of secrets (investigation.md §9), applied to every tool result before the LLM sees it,
 * to the prompt built from the request, to LLM output before it is stored, and to audit payloads.
 * Each hit becomes `[REDACTED:<kind>]`; the counts per kind go to the audit event.
 *
 * Every pattern is linear on any input: quantifiers are bounded and never nested, and patterns
 * start only where a token can start (a lookbehind refuses the middle of a word), so a 1 MB log
 * line without a single secret costs one pass per pattern.
 */

export type RedactionCounts = Record<string, number>;

export interface RedactedText {
  text: string;
  counts: RedactionCounts;
}

export interface RedactedValue<T = unknown> {
  value: T;
  counts: RedactionCounts;
}

export const redactionMark = (kind: string): string => `[REDACTED:${kind}]`;

/** Env var names whose literal value is a secret (§9). */
const SENSITIVE_ENV_NAME = /pass|secret|token|key|credential|auth/i;

/** Key names of `name=value` / `name: value` pairs whose value is a password. */
const PASSWORD_NAMES = 'password|passwd|passphrase|pwd';
/** Key names of pairs whose value is another kind of secret. */
const SECRET_NAMES = 'api[_-]?key|apikey|api[_-]?token|access[_-]?token|auth[_-]?token|refresh[_-]?token|access[_-]?key|secret[_-]?key|private[_-]?key|client[_-]?secret|secret|token';

/** Values of a matched pair that are not secrets (flags, placeholders, already redacted, kubectl's `<set to the key ...>`). */
const NOT_A_SECRET_VALUE = /^(?:true|false|null|none|nil|yes|no|~|\*+|<.*|\[REDACTED:.*|\$\{.*\}|\{\{.*\}\})$/i;

const DB_SCHEMES = /^(?:postgres|postgresql|mysql|mariadb|mongodb|mongodb\+srv|redis|rediss|amqp|amqps|mssql|sqlserver|oracle|cockroachdb|clickhouse|jdbc:[a-z0-9]+)$/i;

interface Rule {
  kind: string | ((match: RegExpExecArray) => string);
  re: RegExp;
  /** The replacement of one match, given the kind it redacts as; default: the whole match. */
  replace?: (m: string[], mark: string) => string | undefined;
}

// Word-ish boundary for tokens: the match may not continue a run of token characters.
const NB = '(?<![A-Za-z0-9_-])';

const RULES: Rule[] = [
  // `Authorization: Bearer x`, `authorization=Basic x`, and a bare `Bearer <token>` anywhere.
  {
    kind: 'bearer_token',
    re: /(\bauthorization["']?\s{0,8}[:=]\s{0,8}["']?(?:bearer|basic|token|digest)\s{1,8})([A-Za-z0-9._~+/=:-]{1,8192})/gi,
    replace: (m, mark) => `${m[1]}${mark}`,
  },
  {
    kind: 'bearer_token',
    re: /(\bbearer\s{1,8})([A-Za-z0-9._~+/-]{8,8192}=*)/gi,
    // `bearer authentication failed` is prose: a token has a digit or is long.
    replace: (m, mark) => (/\d/.test(m[2]) || m[2].length >= 20 ? `${m[1]}${mark}` : undefined),
  },
  { kind: 'jwt', re: new RegExp(`${NB}eyJ[A-Za-z0-9_-]{4,8192}\\.eyJ[A-Za-z0-9_-]{4,16384}\\.[A-Za-z0-9_-]{0,8192}`, 'g') },
  { kind: 'aws_access_key', re: new RegExp(`${NB}(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}(?![A-Za-z0-9])`, 'g') },
  { kind: 'github_token', re: new RegExp(`${NB}(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])`, 'g') },
  { kind: 'slack_token', re: new RegExp(`${NB}xox[abposre]-[A-Za-z0-9-]{10,255}`, 'g') },
  // scheme://user:password@host — the user stays, the password goes; database URLs say so.
  {
    kind: (m) => (DB_SCHEMES.test(m[1]) ? 'connection_string' : 'url_credentials'),
    re: /\b([a-z][a-z0-9+.]{1,20}(?::[a-z0-9]{1,20})?):\/\/([^\s:/?#@"'<>]{0,256}):([^\s/?#@"'<>]{1,1024})@/gi,
    replace: (m, mark) => (m[3].startsWith('[REDACTED') ? undefined : `${m[1]}://${m[2]}:${mark}@`),
  },
  // Container env entries in YAML (`- name: DB_PASS` then `value: x`) and JSON, when the name looks sensitive.
  {
    kind: 'env_secret',
    re: /(-[ \t]{1,8}name:[ \t]{0,8}["']?)([A-Za-z0-9_.-]{1,128})(["']?[ \t]*\r?\n[ \t]{1,32}value:[ \t]{1,8})(["']?)([^\n]{1,4096})/g,
    replace: (m, mark) => (SENSITIVE_ENV_NAME.test(m[2]) && !m[5].startsWith('[REDACTED') ? `${m[1]}${m[2]}${m[3]}${m[4]}${mark}${m[4]}` : undefined),
  },
  {
    kind: 'env_secret',
    re: /("name"[ \t]{0,8}:[ \t]{0,8}")([A-Za-z0-9_.-]{1,128})("[ \t]{0,8},[ \t]{0,8}"value"[ \t]{0,8}:[ \t]{0,8}")((?:[^"\\\n]|\\.){1,4096})"/g,
    replace: (m, mark) => (SENSITIVE_ENV_NAME.test(m[2]) && !m[4].startsWith('[REDACTED') ? `${m[1]}${m[2]}${m[3]}${mark}"` : undefined),
  },
  // password=x, passwd: x, "password": "x", Password=x; in ADO/JDBC connection strings.
  pairRule('password', PASSWORD_NAMES),
  pairRule('api_key', SECRET_NAMES),
];

/**
 * `name=value`, `name: value`, `"name": "value"`, where the key name ends in one of `names`
 * (`DB_PASSWORD`, `apiKey`, `client_secret`). Quoted values may hold spaces; bare ones end at
 * whitespace or a separator.
 */
function pairRule(kind: string, names: string): Rule {
  const re = new RegExp(
    `(?<![A-Za-z0-9_.-])(["']?)([A-Za-z0-9_.-]{0,64}?(?:${names}))\\1([ \\t]{0,8}[:=][ \\t]{0,8})(?:"((?:[^"\\\\\\n]|\\\\.){1,4096})"|'([^'\\n]{1,4096})'|([^\\s"',;&}\\]<][^\\s"',;&}\\]]{0,4095}))`,
    'gi',
  );
  return {
    kind,
    re,
    replace: (m, mark) => {
      const value = m[4] ?? m[5] ?? m[6] ?? '';
      if (NOT_A_SECRET_VALUE.test(value.trim())) return undefined;
      const quote = m[4] !== undefined ? '"' : m[5] !== undefined ? "'" : '';
      return `${m[1]}${m[2]}${m[1]}${m[3]}${quote}${mark}${quote}`;
    },
  };
}

function add(counts: RedactionCounts, kind: string, n = 1): void {
  counts[kind] = (counts[kind] ?? 0) + n;
}

/** Redacts every secret pattern of §9 in free text (logs, describe output, YAML, annotations). */
export function redactText(text: string): RedactedText {
  const counts: RedactionCounts = {};
  let out = redactPemBlocks(text, counts);
  out = redactSecretYaml(out, counts);
  for (const rule of RULES) {
    if (!rule.re.test(out)) continue;
    rule.re.lastIndex = 0;
    out = out.replace(rule.re, (...args: unknown[]) => {
      const groups = args.slice(0, args.findIndex((a) => typeof a === 'number')) as string[];
      const kind = typeof rule.kind === 'string' ? rule.kind : rule.kind(groups as unknown as RegExpExecArray);
      const mark = redactionMark(kind);
      const replaced = rule.replace ? rule.replace(groups, mark) : mark;
      if (replaced === undefined) return groups[0];
      add(counts, kind);
      return replaced;
    });
  }
  return { text: out, counts };
}

const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----/g;
const PEM_END = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----/g;
/** What a line of a PEM body (or its RFC 1421 headers) can look like. */
const PEM_BODY_LINE = /^[ \t]*(?:[A-Za-z0-9+/=]{1,128}|(?:Proc-Type|DEK-Info):[ -~]{0,200})[ \t]*\r?$/;

/**
 * PEM private-key blocks, found with index scans rather than one lazy regex (which turns quadratic
 * on many BEGIN lines without an END). A block cut off before its END (a truncated log) is redacted
 * to the end of its base64 body.
 */
function redactPemBlocks(text: string, counts: RedactionCounts): string {
  if (!text.includes('PRIVATE KEY-----')) return text;
  let out = '';
  let pos = 0;
  let noMoreEnds = false;
  PEM_BEGIN.lastIndex = 0;
  for (let begin = PEM_BEGIN.exec(text); begin; begin = PEM_BEGIN.exec(text)) {
    const bodyStart = begin.index + begin[0].length;
    let stop = -1;
    if (!noMoreEnds) {
      PEM_END.lastIndex = bodyStart;
      const end = PEM_END.exec(text);
      if (end) stop = end.index + end[0].length;
      else noMoreEnds = true;
    }
    if (stop < 0) stop = endOfPemBody(text, bodyStart);
    out += text.slice(pos, begin.index) + redactionMark('private_key');
    add(counts, 'private_key');
    pos = stop;
    PEM_BEGIN.lastIndex = stop;
  }
  return out + text.slice(pos);
}

/** Where the base64 lines after a BEGIN line end (at most 64 KiB on); the line break after them stays. */
function endOfPemBody(text: string, from: number): number {
  const limit = Math.min(text.length, from + 65_536);
  // The rest of the BEGIN line (usually nothing), then whole body lines.
  let lineBreak = text.indexOf('\n', from);
  if (lineBreak < 0 || lineBreak >= limit) return limit;
  while (lineBreak < limit) {
    const next = text.indexOf('\n', lineBreak + 1);
    const lineEnd = next < 0 || next > limit ? limit : next;
    if (!PEM_BODY_LINE.test(text.slice(lineBreak + 1, lineEnd))) return lineBreak;
    lineBreak = lineEnd;
  }
  return limit;
}

const SECRET_KIND_LINE = /^kind:[ \t]*["']?Secret["']?[ \t]*\r?$/;

/**
 * A Secret rendered as YAML (`kind: Secret` at the top level): the values under `data:` and
 * `stringData:` go, the keys stay. Tools should already have redacted the object (redactValue);
 * this catches Secrets inside other text, e.g. a ConfigMap or a log holding a manifest.
 */
function redactSecretYaml(text: string, counts: RedactionCounts): string {
  if (!/^kind:[ \t]*["']?Secret["']?[ \t]*\r?$/m.test(text)) return text;
  const lines = text.split('\n');
  const kept: string[] = [];
  // Per YAML document: is it a Secret? (kind may come after data, so look ahead once per document.)
  let docIsSecret = documentIsSecret(lines, 0);
  let blockIndent = -1; // indent of the `data:` line while inside its block
  let scalarIndent = -1; // indent of a `key: |` line while skipping its value lines
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^---(?:\s|$)/.test(line)) {
      docIsSecret = documentIsSecret(lines, i + 1);
      blockIndent = scalarIndent = -1;
      kept.push(line);
      continue;
    }
    const indent = line.length - line.trimStart().length;
    const blank = line.trim() === '';
    if (scalarIndent >= 0) {
      if (blank || indent > scalarIndent) continue; // a value line of the block scalar: dropped
      scalarIndent = -1;
    }
    if (blockIndent >= 0) {
      if (blank) {
        kept.push(line);
        continue;
      }
      if (indent > blockIndent) {
        const m = /^(\s*["']?[^:"'\s]{1,253}["']?:)(?:[ \t]+(.*))?$/.exec(line);
        if (m && m[2] !== undefined && m[2].trim() !== '' && !m[2].startsWith('[REDACTED')) {
          add(counts, 'secret_value');
          kept.push(`${m[1]} ${redactionMark('secret_value')}`);
          if (/^[|>][-+0-9]*\s*$/.test(m[2])) scalarIndent = indent;
        } else {
          kept.push(line);
        }
        continue;
      }
      blockIndent = -1;
    }
    const block = /^(\s*)(?:data|stringData):[ \t]*\r?$/.exec(line);
    if (block && docIsSecret) blockIndent = block[1].length;
    kept.push(line);
  }
  return kept.join('\n');
}

function documentIsSecret(lines: string[], from: number): boolean {
  for (let j = from; j < lines.length; j++) {
    if (/^---(?:\s|$)/.test(lines[j])) return false;
    if (SECRET_KIND_LINE.test(lines[j])) return true;
  }
  return false;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Redacts a JSON value (a Kubernetes object or list, a tool's structured answer): Secret
 * `data`/`stringData` values (keys kept), literal `value`s of container env entries whose name looks
 * sensitive (`valueFrom` references kept), and the text patterns in every string. Returns a copy.
 */
export function redactValue<T = unknown>(value: T): RedactedValue<T> {
  const counts: RedactionCounts = {};
  const out = walk(value, counts, false, 0) as T;
  return { value: out, counts };
}

const MAX_DEPTH = 100;

function walk(value: unknown, counts: RedactionCounts, secretItems: boolean, depth: number): unknown {
  if (typeof value === 'string') {
    const r = redactText(value);
    for (const [k, n] of Object.entries(r.counts)) add(counts, k, n);
    return r.text;
  }
  if (depth > MAX_DEPTH) return '[REDACTED:too_deep]';
  if (Array.isArray(value)) return value.map((v) => walk(v, counts, secretItems, depth + 1));
  if (!isRecord(value)) return value;

  const isSecret = value.kind === 'Secret' || (secretItems && value.kind === undefined && ('data' in value || 'stringData' in value || 'type' in value));
  const isSecretList = value.kind === 'SecretList';
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (isSecret && (k === 'data' || k === 'stringData') && isRecord(v)) {
      out[k] = Object.fromEntries(Object.keys(v).map((key) => (add(counts, 'secret_value'), [key, redactionMark('secret_value')])));
    } else if (isSecret && k === 'metadata' && isRecord(v)) {
      out[k] = redactSecretMetadata(v, counts, depth);
    } else if (k === 'env' && Array.isArray(v)) {
      out[k] = v.map((entry) => redactEnvEntry(entry, counts, depth));
    } else {
      out[k] = walk(v, counts, isSecretList && k === 'items', depth + 1);
    }
  }
  return out;
}

/** The last-applied annotation of a Secret holds its data in clear. */
function redactSecretMetadata(meta: Record<string, unknown>, counts: RedactionCounts, depth: number): unknown {
  const copy = walk(meta, counts, false, depth + 1) as Record<string, unknown>;
  const annotations = copy.annotations;
  if (isRecord(annotations) && typeof annotations['kubectl.kubernetes.io/last-applied-configuration'] === 'string') {
    copy.annotations = { ...annotations, 'kubectl.kubernetes.io/last-applied-configuration': redactionMark('secret_value') };
    add(counts, 'secret_value');
  }
  return copy;
}

function redactEnvEntry(entry: unknown, counts: RedactionCounts, depth: number): unknown {
  if (isRecord(entry) && typeof entry.name === 'string' && typeof entry.value === 'string' && entry.value !== '' && SENSITIVE_ENV_NAME.test(entry.name)) {
    add(counts, 'env_secret');
    return { ...(walk({ ...entry, value: undefined }, counts, false, depth + 1) as object), value: redactionMark('env_secret') };
  }
  return walk(entry, counts, false, depth + 1);
}

/** Adds `more` into `into` (for a tool result redacted in parts). */
export function mergeCounts(into: RedactionCounts, more: RedactionCounts): RedactionCounts {
  for (const [k, n] of Object.entries(more)) add(into, k, n);
  return into;
}
