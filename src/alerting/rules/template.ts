/**
 * A small engine for the Go text/template dialect Prometheus uses in rule labels and annotations:
 * `{{ $labels.x }}`, `{{ .Value }}`, pipelines (`{{ $value | humanize }}`), functions
 * (`humanize`, `printf`, `toUpper`, `eq`, ...), variables (`{{ $x := ... }}`), `if`/`else if`/`else`,
 * `with`, `range`, comments and `{{-`/`-}}` trimming. Errors never throw out of `expandTemplate`:
 * the result is Prometheus' `<error expanding template: ...>` text.
 */
import { formatG, formatValue, sprintf } from '../../platform/go-format.ts';
import { parsePromDuration } from '../prometheus-duration.ts';

export interface TemplateInput {
  labels: Record<string, string>;
  value: number;
  externalLabels?: Record<string, string>;
  externalURL?: string;
}

export class TemplateError extends Error {}

// ---------------------------------------------------------------- lexer

type TokKind = 'str' | 'num' | 'ident' | 'var' | 'field' | 'lparen' | 'rparen' | 'pipe' | 'declare' | 'assign' | 'comma' | 'bool' | 'nil' | 'dot';
interface Tok {
  kind: TokKind;
  text: string;
  value?: unknown;
  col: number;
}

interface RawAction {
  toks: Tok[];
  line: number;
  col: number;
  source: string;
}

type Piece = { text: string } | { action: RawAction };

function lex(src: string, name: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  let trimNextLeft = false;
  const lineCol = (pos: number) => {
    const before = src.slice(0, pos);
    const line = before.split('\n').length;
    return { line, col: pos - before.lastIndexOf('\n') };
  };
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNextLeft) text = text.replace(/^\s+/, '');
    trimNextLeft = false;
    if (open < 0) {
      if (text) pieces.push({ text });
      break;
    }
    let start = open + 2;
    if (src.startsWith('- ', start) || src.startsWith('-\t', start) || src.startsWith('-\n', start)) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    if (text) pieces.push({ text });
    const { line, col } = lineCol(open);
    // comment
    const afterWs = src.slice(start).match(/^\s*/)![0].length;
    if (src.startsWith('/*', start + afterWs)) {
      const endC = src.indexOf('*/', start + afterWs + 2);
      if (endC < 0) throw new TemplateError(`template: ${name}:${line}: unclosed comment`);
      let k = endC + 2;
      k += src.slice(k).match(/^\s*/)![0].length;
      if (src.startsWith('-}}', k)) {
        trimNextLeft = true;
        k += 1;
      }
      if (!src.startsWith('}}', k)) throw new TemplateError(`template: ${name}:${line}: comment ends before closing delimiter`);
      i = k + 2;
      continue;
    }
    const toks: Tok[] = [];
    let k = start;
    for (;;) {
      if (k >= src.length) throw new TemplateError(`template: ${name}:${line}: unclosed action`);
      const c = src[k];
      if (/\s/.test(c)) {
        if (src.startsWith('-}}', k + 1) && /\s/.test(c)) {
          trimNextLeft = true;
          k += 4;
          break;
        }
        k++;
        continue;
      }
      if (src.startsWith('}}', k)) {
        k += 2;
        break;
      }
      const tcol = lineCol(k).col;
      if (c === '"') {
        let j = k + 1;
        while (j < src.length && src[j] !== '"') {
          if (src[j] === '\\') j++;
          if (src[j] === '\n') throw new TemplateError(`template: ${name}:${line}: unterminated quoted string`);
          j++;
        }
        if (j >= src.length) throw new TemplateError(`template: ${name}:${line}: unterminated quoted string`);
        const raw = src.slice(k, j + 1);
        let value: string;
        try {
          value = JSON.parse(raw.replace(/\\'/g, "'").replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1'));
        } catch {
          throw new TemplateError(`template: ${name}:${line}: invalid syntax: ${raw}`);
        }
        toks.push({ kind: 'str', text: raw, value, col: tcol });
        k = j + 1;
      } else if (c === '`') {
        const j = src.indexOf('`', k + 1);
        if (j < 0) throw new TemplateError(`template: ${name}:${line}: unterminated raw quoted string`);
        toks.push({ kind: 'str', text: src.slice(k, j + 1), value: src.slice(k + 1, j), col: tcol });
        k = j + 1;
      } else if (c === "'") {
        const m = src.slice(k).match(/^'(\\.|[^'\\])'/);
        if (!m) throw new TemplateError(`template: ${name}:${line}: unterminated character constant`);
        const ch = m[1].startsWith('\\') ? JSON.parse(`"${m[1]}"`) : m[1];
        toks.push({ kind: 'num', text: m[0], value: ch.codePointAt(0), col: tcol });
        k += m[0].length;
      } else if (c === '(') {
        toks.push({ kind: 'lparen', text: c, col: tcol });
        k++;
      } else if (c === ')') {
        toks.push({ kind: 'rparen', text: c, col: tcol });
        k++;
      } else if (c === '|') {
        toks.push({ kind: 'pipe', text: c, col: tcol });
        k++;
      } else if (c === ',') {
        toks.push({ kind: 'comma', text: c, col: tcol });
        k++;
      } else if (src.startsWith(':=', k)) {
        toks.push({ kind: 'declare', text: ':=', col: tcol });
        k += 2;
      } else if (c === '=') {
        toks.push({ kind: 'assign', text: '=', col: tcol });
        k++;
      } else if (c === '$') {
        const m = src.slice(k).match(/^\$[A-Za-z0-9_]*/)!;
        toks.push({ kind: 'var', text: m[0], col: tcol });
        k += m[0].length;
      } else if (c === '.') {
        const m = src.slice(k).match(/^\.[A-Za-z_][A-Za-z0-9_]*/);
        if (m) {
          toks.push({ kind: 'field', text: m[0].slice(1), col: tcol });
          k += m[0].length;
        } else if (/[0-9]/.test(src[k + 1] ?? '')) {
          const n = src.slice(k).match(/^\.[0-9]+(?:[eE][-+]?[0-9]+)?/)!;
          toks.push({ kind: 'num', text: n[0], value: Number(n[0]), col: tcol });
          k += n[0].length;
        } else {
          toks.push({ kind: 'dot', text: '.', col: tcol });
          k++;
        }
      } else if (/[-+0-9]/.test(c)) {
        const m = src.slice(k).match(/^[-+]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][-+]?[0-9]+)?)/);
        const text = m ? m[0] : '';
        const num = Number(text.replace(/_/g, '').replace(/^\+/, ''));
        if (!text || /^[-+]?$/.test(text) || Number.isNaN(num)) throw new TemplateError(`template: ${name}:${line}: bad number syntax: "${src.slice(k, k + 10).split(/\s/)[0]}"`);
        toks.push({ kind: 'num', text, value: num, col: tcol });
        k += text.length;
      } else if (/[A-Za-z_]/.test(c)) {
        const m = src.slice(k).match(/^[A-Za-z_][A-Za-z0-9_]*/)!;
        const w = m[0];
        if (w === 'true' || w === 'false') toks.push({ kind: 'bool', text: w, value: w === 'true', col: tcol });
        else if (w === 'nil') toks.push({ kind: 'nil', text: w, col: tcol });
        else toks.push({ kind: 'ident', text: w, col: tcol });
        k += w.length;
      } else {
        throw new TemplateError(`template: ${name}:${line}: unexpected "${c}" in command`);
      }
      // field chains directly after a term: $x.a.b, (pipe).a
      while (src[k] === '.' && /[A-Za-z_]/.test(src[k + 1] ?? '')) {
        const last = toks[toks.length - 1];
        if (!['var', 'field', 'rparen', 'dot'].includes(last.kind)) break;
        const m = src.slice(k).match(/^\.[A-Za-z_][A-Za-z0-9_]*/)!;
        toks.push({ kind: 'field', text: m[0].slice(1), col: lineCol(k).col, value: 'chain' });
        k += m[0].length;
      }
    }
    pieces.push({ action: { toks, line, col, source: src.slice(open, k) } });
    i = k;
  }
  return pieces;
}

// ---------------------------------------------------------------- parser

type Operand =
  | { k: 'lit'; v: unknown }
  | { k: 'dot'; fields: string[] }
  | { k: 'var'; name: string; fields: string[] }
  | { k: 'ident'; name: string }
  | { k: 'sub'; pipe: Pipe; fields: string[] };
interface Cmd {
  args: Operand[];
}
interface Pipe {
  decl: string[];
  assign: boolean;
  cmds: Cmd[];
}
interface Pos {
  line: number;
  col: number;
  source: string;
}
type Node =
  | { t: 'text'; text: string }
  | { t: 'action'; pipe: Pipe; pos: Pos }
  | { t: 'if' | 'with'; pipe: Pipe; pos: Pos; then: Node[]; else: Node[] }
  | { t: 'range'; pipe: Pipe; pos: Pos; body: Node[]; else: Node[] }
  | { t: 'break' | 'continue'; pos: Pos };

class PipeParser {
  i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly where: string,
  ) {}
  fail(msg: string): never {
    throw new TemplateError(`${this.where}: ${msg}`);
  }
  peek(): Tok | undefined {
    return this.toks[this.i];
  }
  parsePipe(allowDecl: boolean, closing?: TokKind): Pipe {
    const pipe: Pipe = { decl: [], assign: false, cmds: [] };
    if (allowDecl) {
      // $x := ... | $k, $v := ... | $x = ...
      let j = this.i;
      const names: string[] = [];
      while (this.toks[j]?.kind === 'var' && this.toks[j + 1]?.kind !== 'field') {
        names.push(this.toks[j].text);
        if (this.toks[j + 1]?.kind === 'comma') j += 2;
        else {
          j++;
          break;
        }
      }
      const op = this.toks[j];
      if (names.length > 0 && (op?.kind === 'declare' || op?.kind === 'assign')) {
        if (names.length > 2) this.fail('too many declarations');
        pipe.decl = names;
        pipe.assign = op.kind === 'assign';
        this.i = j + 1;
      }
    }
    for (;;) {
      const cmd: Cmd = { args: [] };
      for (;;) {
        const t = this.peek();
        if (!t || t.kind === 'pipe' || (closing && t.kind === closing)) break;
        cmd.args.push(this.parseOperand());
      }
      if (cmd.args.length === 0) this.fail(pipe.cmds.length === 0 && !this.peek() ? 'missing value for command' : 'missing command');
      pipe.cmds.push(cmd);
      const t = this.peek();
      if (t?.kind === 'pipe') {
        this.i++;
        continue;
      }
      break;
    }
    return pipe;
  }
  fieldsAfter(): string[] {
    const fields: string[] = [];
    while (this.peek()?.kind === 'field' && this.peek()!.value === 'chain') fields.push(this.toks[this.i++].text);
    return fields;
  }
  parseOperand(): Operand {
    const t = this.toks[this.i++];
    switch (t.kind) {
      case 'str':
      case 'num':
      case 'bool':
        return { k: 'lit', v: t.value };
      case 'nil':
        return { k: 'lit', v: null };
      case 'dot':
        return { k: 'dot', fields: this.fieldsAfter() };
      case 'field':
        return { k: 'dot', fields: [t.text, ...this.fieldsAfter()] };
      case 'var':
        return { k: 'var', name: t.text, fields: this.fieldsAfter() };
      case 'ident':
        if (!(t.text in FUNCS)) this.fail(`function "${t.text}" not defined`);
        return { k: 'ident', name: t.text };
      case 'lparen': {
        const pipe = this.parsePipe(false, 'rparen');
        if (this.peek()?.kind !== 'rparen') this.fail('unclosed left paren');
        this.i++;
        return { k: 'sub', pipe, fields: this.fieldsAfter() };
      }
      default:
        this.fail(`unexpected "${t.text}" in operand`);
    }
  }
}

interface Parsed {
  name: string;
  nodes: Node[];
}

function parse(src: string, name: string): Parsed {
  const pieces = lex(src, name);
  let idx = 0;
  const declared: string[][] = [['$', '$labels', '$externalLabels', '$externalURL', '$value']];
  const isDeclared = (v: string) => declared.some((s) => s.includes(v));
  const checkVars = (pipe: Pipe, where: string) => {
    const visit = (p: Pipe) => {
      for (const c of p.cmds)
        for (const a of c.args) {
          if (a.k === 'var' && !isDeclared(a.name)) throw new TemplateError(`${where}: undefined variable "${a.name}"`);
          if (a.k === 'sub') visit(a.pipe);
        }
    };
    visit(pipe);
    if (pipe.assign) for (const d of pipe.decl) if (!isDeclared(d)) throw new TemplateError(`${where}: undefined variable "${d}"`);
  };
  // Returns the nodes up to an {{else}} / {{end}} and which keyword stopped it.
  const parseList = (inRange: boolean): { nodes: Node[]; stop: 'eof' | 'end' | 'else'; elseToks?: Tok[]; stopAction?: RawAction } => {
    const nodes: Node[] = [];
    while (idx < pieces.length) {
      const p = pieces[idx++];
      if ('text' in p) {
        nodes.push({ t: 'text', text: p.text });
        continue;
      }
      const a = p.action;
      const where = `template: ${name}:${a.line}`;
      const first = a.toks[0];
      // like Go: the 0-based byte column of the action's first word
      const pos: Pos = { line: a.line, col: (first?.col ?? a.col) - 1, source: a.source };
      if (!first) throw new TemplateError(`${where}: missing value for command`);
      const kw = first.kind === 'ident' ? first.text : '';
      if (kw === 'end') {
        if (a.toks.length > 1) throw new TemplateError(`${where}: unexpected "${a.toks[1].text}" in end`);
        return { nodes, stop: 'end', stopAction: a };
      }
      if (kw === 'else') return { nodes, stop: 'else', elseToks: a.toks.slice(1), stopAction: a };
      if (kw === 'break' || kw === 'continue') {
        if (!inRange) throw new TemplateError(`${where}: {{${kw}}} outside {{range}}`);
        nodes.push({ t: kw, pos });
        continue;
      }
      if (kw === 'if' || kw === 'with' || kw === 'range') {
        nodes.push(parseControl(kw, a.toks.slice(1), pos, where, inRange));
        continue;
      }
      if (kw === 'define' || kw === 'template' || kw === 'block') throw new TemplateError(`${where}: {{${kw}}} is not supported`);
      const pp = new PipeParser(a.toks, where);
      const pipe = pp.parsePipe(true);
      if (pp.i < a.toks.length) throw new TemplateError(`${where}: unexpected "${a.toks[pp.i].text}" in command`);
      checkVars(pipe, where);
      if (pipe.decl.length > 1) throw new TemplateError(`${where}: too many declarations in command`);
      if (!pipe.assign) for (const d of pipe.decl) declared[declared.length - 1].push(d);
      nodes.push({ t: 'action', pipe, pos });
    }
    return { nodes, stop: 'eof' };
  };
  const parseControl = (kw: 'if' | 'with' | 'range', toks: Tok[], pos: Pos, where: string, inRange: boolean): Node => {
    if (toks.length === 0) throw new TemplateError(`${where}: missing value for ${kw}`);
    const pp = new PipeParser(toks, where);
    const pipe = pp.parsePipe(kw === 'range' || kw === 'with' || kw === 'if');
    if (pp.i < toks.length) throw new TemplateError(`${where}: unexpected "${toks[pp.i].text}" in ${kw}`);
    checkVars(pipe, where);
    declared.push([...(pipe.assign ? [] : pipe.decl)]);
    const body = parseList(kw === 'range' || inRange);
    declared.pop();
    if (body.stop === 'eof') throw new TemplateError(`template: ${name}:${pos.line}: unexpected EOF`);
    let elseNodes: Node[] = [];
    if (body.stop === 'else') {
      const et = body.elseToks!;
      if (et.length > 0 && et[0].kind === 'ident' && (et[0].text === 'if' || et[0].text === 'with')) {
        // {{else if ...}} / {{else with ...}}: a nested control sharing our {{end}}
        const a = body.stopAction!;
        elseNodes = [parseControl(et[0].text as 'if' | 'with', et.slice(1), { line: a.line, col: a.col, source: a.source }, `template: ${name}:${a.line}`, inRange)];
      } else {
        if (et.length > 0) throw new TemplateError(`${where}: unexpected "${et[0].text}" in else`);
        declared.push([]);
        const rest = parseList(inRange);
        declared.pop();
        if (rest.stop !== 'end') throw new TemplateError(rest.stop === 'eof' ? `template: ${name}:${pos.line}: unexpected EOF` : `template: ${name}:${rest.stopAction!.line}: expected end; found {{else}}`);
        elseNodes = rest.nodes;
      }
    }
    if (kw === 'range') return { t: 'range', pipe, pos, body: body.nodes, else: elseNodes };
    return { t: kw, pipe, pos, then: body.nodes, else: elseNodes };
  };
  const top = parseList(false);
  if (top.stop === 'end') throw new TemplateError(`template: ${name}:${top.stopAction!.line}: unexpected {{end}}`);
  if (top.stop === 'else') throw new TemplateError(`template: ${name}:${top.stopAction!.line}: unexpected {{else}}`);
  return { name, nodes: top.nodes };
}

// ---------------------------------------------------------------- functions

function toFloat(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') throw new Error(`can't convert bool to float`);
  if (typeof v === 'string') {
    const s = v.trim();
    const lower = s.toLowerCase();
    if (lower === 'nan') return NaN;
    if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
    if (lower === '-inf' || lower === '-infinity') return -Infinity;
    const n = s === '' ? NaN : Number(s);
    if (Number.isNaN(n)) throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
    return n;
  }
  throw new Error(`can't convert ${v === null || v === undefined ? 'nil' : typeof v} to float`);
}

function humanize(v: unknown): string {
  const x = toFloat(v);
  if (x === 0 || !Number.isFinite(x)) return formatG(x, 4);
  if (Math.abs(x) >= 1) {
    const prefixes = ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
    let y = x;
    let p = '';
    for (const pre of prefixes) {
      if (Math.abs(y) < 1000) break;
      y /= 1000;
      p = pre;
    }
    return formatG(y, 4) + p;
  }
  const prefixes = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];
  let y = x;
  let p = '';
  for (const pre of prefixes) {
    if (Math.abs(y) >= 1) break;
    y *= 1000;
    p = pre;
  }
  return formatG(y, 4) + p;
}

function humanize1024(v: unknown): string {
  const x = toFloat(v);
  if (Math.abs(x) <= 1 || !Number.isFinite(x)) return formatG(x, 4);
  let y = x;
  let p = '';
  for (const pre of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(y) < 1024) break;
    y /= 1024;
    p = pre;
  }
  return formatG(y, 4) + p;
}

function humanizeDuration(v: unknown): string {
  const x = toFloat(v);
  if (!Number.isFinite(x)) return formatG(x, 4);
  if (x === 0) return `${formatG(x, 4)}s`;
  if (Math.abs(x) >= 1) {
    const sign = x < 0 ? '-' : '';
    const total = Math.trunc(Math.abs(x));
    const days = Math.floor(total / 86400);
    const hours = Math.floor(total / 3600) % 24;
    const minutes = Math.floor(total / 60) % 60;
    const seconds = total % 60;
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${formatG(Math.abs(x), 4)}s`;
  }
  let y = x;
  let p = '';
  for (const pre of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(y) >= 1) break;
    y *= 1000;
    p = pre;
  }
  return `${formatG(y, 4)}${p}s`;
}

/** Seconds since the epoch as a Date; like Prometheus, refuses what does not fit int64 nanoseconds. */
function timestampDate(x: number): Date {
  if (Math.abs(x * 1e9) >= 2 ** 63) throw new Error(`${formatValue(x)} cannot be represented as a nanoseconds timestamp since it overflows int64`);
  return new Date(x * 1000);
}

/** Go's default time.Time format (what `toTime` prints and `humanizeTimestamp` returns), always UTC. */
function goTimeString(d: Date): string {
  const iso = d.toISOString(); // 2024-01-02T03:04:05.678Z
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? '.' + frac : ''} +0000 UTC`;
}

function humanizeTimestamp(v: unknown): string {
  const x = toFloat(v);
  if (!Number.isFinite(x)) return formatG(x, 4);
  return goTimeString(timestampDate(x));
}

function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  return true;
}

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return 'other';
}

function compare(op: string, a: unknown, b: unknown): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka !== kb) throw new Error('incompatible types for comparison');
  if (op === 'eq') return a === b;
  if (op === 'ne') return a !== b;
  if (ka !== 'float' && ka !== 'string') throw new Error('invalid type for comparison');
  const x = a as number | string;
  const y = b as number | string;
  switch (op) {
    case 'lt':
      return x < y;
    case 'le':
      return x <= y;
    case 'gt':
      return x > y;
    default:
      return x >= y;
  }
}

/** Go regexp syntax → JS: (?P<name>...) groups; replacement `${1}` / `$1`. */
function goRegex(pattern: string): RegExp {
  return new RegExp(pattern.replace(/\(\?P</g, '(?<'), 'g');
}

function goReplacement(repl: string): string {
  return repl.replace(/\$\{(\w+)\}/g, (_m, g: string) => (/^\d+$/.test(g) ? `$${g}` : `$<${g}>`));
}

function title(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase());
}

type Fn = (...args: unknown[]) => unknown;
const str = (v: unknown): string => (typeof v === 'string' ? v : formatValue(v));

const FUNCS: Record<string, Fn> = {
  humanize,
  humanize1024,
  humanizeDuration,
  humanizePercentage: (v) => `${formatG(toFloat(v) * 100, 4)}%`,
  humanizeTimestamp,
  toTime: (v) => {
    const x = toFloat(v);
    if (!Number.isFinite(x)) throw new Error('value is NaN or Inf');
    return goTimeString(timestampDate(x));
  },
  printf: (fmt, ...args) => {
    if (typeof fmt !== 'string') throw new Error('wrong type for value; expected string');
    return sprintf(fmt, args);
  },
  print: (...args) => {
    // Go's Sprint adds spaces between operands when neither side is a string.
    let out = '';
    args.forEach((a, i) => {
      if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
      out += str(a);
    });
    return out;
  },
  println: (...args) => args.map(str).join(' ') + '\n',
  toUpper: (s) => str(s).toUpperCase(),
  toLower: (s) => str(s).toLowerCase(),
  title: (s) => title(str(s)),
  match: (pattern, text) => new RegExp(str(pattern)).test(str(text)),
  reReplaceAll: (pattern, repl, text) => str(text).replace(goRegex(str(pattern)), goReplacement(str(repl))),
  stripPort: (h) => {
    const s = str(h);
    const m = s.match(/^\[([^\]]+)\](?::\d*)?$/) ?? s.match(/^([^:]+):\d*$/);
    return m ? m[1] : s;
  },
  stripDomain: (h) => {
    const s = str(h);
    const m = s.match(/^([^:.]+)(?:\.[^:]*)?(:\d*)?$/);
    return m && !/^\d+$/.test(m[1]) ? m[1] + (m[2] ?? '') : s;
  },
  parseDuration: (d) => {
    // model.ParseDuration, in seconds.
    const text = str(d);
    let ms: number;
    try {
      ms = parsePromDuration(text);
    } catch {
      throw new Error(`not a valid duration string: ${JSON.stringify(text)}`);
    }
    return ms / 1000;
  },
  safeHtml: (s) => str(s),
  html: (s) => str(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c]!),
  urlquery: (...args) => encodeURIComponent(args.map(str).join('')).replace(/%20/g, '+'),
  // Query helpers: accepted so rules that use them load; `query` itself needs a synchronous data
  // source the embedded evaluator does not offer, so it fails at execution like a failing query.
  query: (q) => {
    throw new Error(`query ${JSON.stringify(str(q))} is not supported in templates by the embedded evaluator`);
  },
  first: (v) => {
    if (!Array.isArray(v) || v.length === 0) throw new Error('first() called on vector with no elements');
    return v[0];
  },
  label: (name, s) => {
    const labels = (s as { Labels?: unknown } | null)?.Labels;
    return labels instanceof Map ? (labels.get(str(name)) ?? '') : '';
  },
  value: (s) => (s as { Value?: unknown } | null)?.Value ?? null,
  strvalue: (s) => {
    const labels = (s as { Labels?: unknown } | null)?.Labels;
    return labels instanceof Map ? (labels.get('__value__') ?? '') : '';
  },
  sortByLabel: (name, v) => {
    if (!Array.isArray(v)) throw new Error('sortByLabel needs a vector');
    const key = (s: unknown) => ((s as { Labels?: Map<string, string> }).Labels?.get(str(name)) ?? '');
    return [...v].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  },
  eq: (a, ...bs) => {
    if (bs.length === 0) throw new Error('missing argument for comparison');
    return bs.some((b) => compare('eq', a, b));
  },
  ne: (a, b) => compare('ne', a, b),
  lt: (a, b) => compare('lt', a, b),
  le: (a, b) => compare('le', a, b),
  gt: (a, b) => compare('gt', a, b),
  ge: (a, b) => compare('ge', a, b),
  not: (a) => !truthy(a),
  and: (...args) => {
    for (const a of args) if (!truthy(a)) return a;
    return args[args.length - 1];
  },
  or: (...args) => {
    for (const a of args) if (truthy(a)) return a;
    return args[args.length - 1];
  },
  len: (v) => {
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (v instanceof Map) return v.size;
    throw new Error(`len of type ${kindOf(v)}`);
  },
  index: (v, ...keys) => {
    let cur = v;
    for (const k of keys) {
      if (cur instanceof Map) cur = cur.has(k) ? cur.get(k) : '';
      else if (Array.isArray(cur)) {
        if (typeof k !== 'number' || k < 0 || k >= cur.length) throw new Error(`index out of range: ${formatValue(k)}`);
        cur = cur[k];
      } else throw new Error(`can't index item of type ${kindOf(cur)}`);
    }
    return cur;
  },
};

/** The functions templates may call. */
export const templateFunctionNames: readonly string[] = Object.keys(FUNCS);

// ---------------------------------------------------------------- execution

class ExecError extends Error {
  constructor(
    message: string,
    readonly pos: Pos,
  ) {
    super(message);
  }
}

const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

class Exec {
  out = '';
  vars: Array<[string, unknown]> = [];
  steps = 0;
  constructor(private readonly maxOutput: number) {}

  field(base: unknown, fields: string[], pos: Pos, what: string): unknown {
    let cur = base;
    for (const f of fields) {
      if (cur instanceof Map) cur = cur.has(f) ? cur.get(f) : '';
      else if (cur !== null && typeof cur === 'object' && !Array.isArray(cur)) {
        if (!(f in (cur as object))) throw new ExecError(`can't evaluate field ${f} in type ${what}`, pos);
        cur = (cur as Record<string, unknown>)[f];
      } else if (cur === null || cur === undefined) throw new ExecError(`nil pointer evaluating interface {}.${f}`, pos);
      else throw new ExecError(`can't evaluate field ${f} in type ${kindOf(cur) === 'float' ? 'float64' : kindOf(cur)}`, pos);
    }
    return cur;
  }

  lookup(name: string, pos: Pos): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i][0] === name) return this.vars[i][1];
    throw new ExecError(`undefined variable: ${name}`, pos);
  }

  setVar(name: string, value: unknown, pos: Pos): void {
    for (let i = this.vars.length - 1; i >= 0; i--)
      if (this.vars[i][0] === name) {
        this.vars[i][1] = value;
        return;
      }
    throw new ExecError(`undefined variable: ${name}`, pos);
  }

  operand(o: Operand, dot: unknown, pos: Pos): unknown {
    switch (o.k) {
      case 'lit':
        return o.v;
      case 'dot':
        return this.field(dot, o.fields, pos, 'data');
      case 'var':
        return this.field(this.lookup(o.name, pos), o.fields, pos, o.name);
      case 'sub':
        return this.field(this.pipe(o.pipe, dot, pos), o.fields, pos, 'value');
      case 'ident':
        return this.call(o.name, [], undefined, false, dot, pos);
    }
  }

  call(name: string, argOps: Operand[], final: unknown, hasFinal: boolean, dot: unknown, pos: Pos): unknown {
    const fn = FUNCS[name];
    let args: unknown[];
    if (name === 'and' || name === 'or') {
      // short-circuit like Go 1.18+
      const all = [...argOps.map((a) => () => this.operand(a, dot, pos)), ...(hasFinal ? [() => final] : [])];
      if (all.length === 0) throw new ExecError(`wrong number of args for ${name}: want at least 1 got 0`, pos);
      let v: unknown;
      for (const get of all) {
        v = get();
        if (name === 'and' ? !truthy(v) : truthy(v)) return v;
      }
      return v;
    }
    args = argOps.map((a) => this.operand(a, dot, pos));
    if (hasFinal) args = [...args, final];
    const arity: Record<string, number> = {
      humanize: 1, humanize1024: 1, humanizeDuration: 1, humanizePercentage: 1, humanizeTimestamp: 1, toTime: 1,
      toUpper: 1, toLower: 1, title: 1, match: 2, reReplaceAll: 3, stripPort: 1, stripDomain: 1, parseDuration: 1,
      safeHtml: 1, not: 1, ne: 2, lt: 2, le: 2, gt: 2, ge: 2, len: 1,
    };
    const want = arity[name];
    if (want !== undefined && args.length !== want) throw new ExecError(`wrong number of args for ${name}: want ${want} got ${args.length}`, pos);
    if ((name === 'printf' || name === 'index') && args.length === 0) throw new ExecError(`wrong number of args for ${name}: want at least 1 got 0`, pos);
    try {
      return fn(...args);
    } catch (e) {
      throw new ExecError(`error calling ${name}: ${(e as Error).message}`, pos);
    }
  }

  pipe(p: Pipe, dot: unknown, pos: Pos): unknown {
    let value: unknown;
    p.cmds.forEach((cmd, i) => {
      const hasFinal = i > 0;
      const [first, ...rest] = cmd.args;
      if (first.k === 'ident') value = this.call(first.name, rest, value, hasFinal, dot, pos);
      else {
        if (rest.length > 0 || hasFinal) throw new ExecError(`can't give argument to non-function ${describe(first)}`, pos);
        value = this.operand(first, dot, pos);
      }
    });
    if (p.decl.length === 1) {
      if (p.assign) this.setVar(p.decl[0], value, pos);
      else this.vars.push([p.decl[0], value]);
    }
    return value;
  }

  write(s: string): void {
    this.out += s;
    if (this.out.length > this.maxOutput) throw new ExecError(`output exceeds ${this.maxOutput} characters`, { line: 0, col: 0, source: '' });
  }

  run(nodes: Node[], dot: unknown): typeof BREAK | typeof CONTINUE | undefined {
    for (const n of nodes) {
      if (++this.steps > 100_000) throw new ExecError('template too expensive', 'pos' in n ? n.pos : { line: 0, col: 0, source: '' });
      switch (n.t) {
        case 'text':
          this.write(n.text);
          break;
        case 'action': {
          const v = this.pipe(n.pipe, dot, n.pos);
          if (n.pipe.decl.length === 0) this.write(formatValue(v));
          break;
        }
        case 'if':
        case 'with': {
          const mark = this.vars.length;
          const v = this.pipe(n.pipe, dot, n.pos);
          const r = truthy(v) ? this.run(n.then, n.t === 'with' ? v : dot) : this.run(n.else, dot);
          this.vars.length = mark;
          if (r) return r;
          break;
        }
        case 'range': {
          const mark = this.vars.length;
          const decl = n.pipe.decl;
          const inner: Pipe = { ...n.pipe, decl: [] };
          const v = this.pipe(inner, dot, n.pos);
          let items: Array<[unknown, unknown]>;
          if (Array.isArray(v)) items = v.map((x, i) => [i, x]);
          else if (v instanceof Map) items = [...v.entries()].sort(([a], [b]) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
          else if (typeof v === 'number' && Number.isInteger(v)) items = Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
          else if (v === null || v === undefined) items = [];
          else throw new ExecError(`range can't iterate over ${formatValue(v)}`, n.pos);
          if (items.length === 0) this.run(n.else, dot);
          for (const [k, x] of items) {
            const m2 = this.vars.length;
            if (decl.length === 1) this.vars.push([decl[0], x]);
            if (decl.length === 2) this.vars.push([decl[0], k], [decl[1], x]);
            const r = this.run(n.body, x);
            this.vars.length = m2;
            if (r === BREAK) break;
          }
          this.vars.length = mark;
          break;
        }
        case 'break':
          return BREAK;
        case 'continue':
          return CONTINUE;
      }
    }
    return undefined;
  }
}

function describe(o: Operand): string {
  if (o.k === 'var') return [o.name, ...o.fields].join('.');
  if (o.k === 'dot') return o.fields.length ? '.' + o.fields.join('.') : '.';
  if (o.k === 'lit') return formatValue(o.v);
  return '(...)';
}

function toMap(r: Record<string, string> | undefined): Map<string, string> {
  return new Map(Object.entries(r ?? {}));
}

// ---------------------------------------------------------------- public API

const cache = new Map<string, Parsed | TemplateError>();

function parsedFor(text: string, name: string): Parsed {
  const key = `${name}\u0000${text}`;
  let p = cache.get(key);
  if (!p) {
    try {
      p = parse(text, name);
    } catch (e) {
      p = e instanceof TemplateError ? e : new TemplateError(String((e as Error).message ?? e));
    }
    if (cache.size > 5000) cache.clear();
    cache.set(key, p);
  }
  if (p instanceof TemplateError) throw p;
  return p;
}

/** Checks that a template parses; returns the error text, or undefined when it is valid. */
export function checkTemplate(text: string, name = '__alert'): string | undefined {
  if (!text.includes('{{')) return undefined;
  try {
    parsedFor(text, name);
    return undefined;
  } catch (e) {
    return `error parsing template ${name}: ${(e as Error).message}`;
  }
}

/**
 * Expands a label or annotation template. Never throws: parse and execution errors yield
 * `<error expanding template: ...>` as Prometheus does.
 */
export function expandTemplate(text: string, input: TemplateInput, name = '__alert', opts: { maxOutput?: number } = {}): string {
  if (!text.includes('{{')) return text;
  let parsed: Parsed;
  try {
    parsed = parsedFor(text, name);
  } catch (e) {
    return `<error expanding template: error parsing template ${name}: ${(e as Error).message}>`;
  }
  const labels = toMap(input.labels);
  const externalLabels = toMap(input.externalLabels);
  const externalURL = input.externalURL ?? '';
  const data = { Labels: labels, ExternalLabels: externalLabels, ExternalURL: externalURL, Value: input.value };
  const ex = new Exec(opts.maxOutput ?? 1 << 20);
  ex.vars.push(['$', data], ['$labels', labels], ['$externalLabels', externalLabels], ['$externalURL', externalURL], ['$value', input.value]);
  try {
    ex.run(parsed.nodes, data);
    return ex.out;
  } catch (e) {
    if (e instanceof ExecError) {
      const at = e.pos.source ? ` at <${e.pos.source.replace(/^\{\{-?\s*/, '').replace(/\s*-?\}\}$/, '')}>` : '';
      return `<error expanding template: error executing template ${name}: template: ${name}:${e.pos.line}:${e.pos.col}: executing "${name}"${at}: ${e.message}>`;
    }
    return `<error expanding template: error executing template ${name}: ${(e as Error).message}>`;
  }
}
