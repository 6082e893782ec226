/**
 * The JSONPath dialect Kubernetes uses for CRD printer columns (and `kubectl -o jsonpath`), limited
 * to what a column needs: `.a.b`, `['a.b/c']`, `.a\.b`, `[0]`, `[-1]`, `[1:3]`, `[0,2]`, `[*]`,
 * `.*`, `..name`, and filters `[?(@.type=="Ready")]` with `== != < <= > >=` or a bare existence
 * test. The expression may be wrapped in `{...}`; without braces it is taken as one.
 *
 * Missing keys yield no results rather than errors; structural mistakes (indexing a map, an index
 * out of range, comparing a string with a number) raise {@link JsonPathError}.
 */

export class JsonPathError extends Error {}

type Slice = { start?: number; end?: number; step?: number; single: boolean };

type Operand = { kind: 'path'; fromRoot: boolean; steps: Step[] } | { kind: 'literal'; value: string | number | boolean | null };

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'names'; names: string[] }
  | { kind: 'wildcard' }
  | { kind: 'recursive' }
  | { kind: 'slices'; slices: Slice[] }
  | { kind: 'filter'; left: Operand; op: string; right?: Operand };

type Node = { kind: 'text'; text: string } | { kind: 'path'; steps: Step[] };

const NAME_END = new Set(['.', '[', ']', '(', ')', ',', ' ', '\t', '\n', '=', '!', '<', '>', '"', "'", '{', '}']);

class Parser {
  i = 0;
  constructor(private readonly s: string) {}

  private fail(msg: string): never {
    throw new JsonPathError(`invalid JSONPath ${JSON.stringify(this.s)} at ${this.i}: ${msg}`);
  }

  private peek(n = 0): string {
    return this.s[this.i + n] ?? '';
  }

  eof(): boolean {
    return this.i >= this.s.length;
  }

  private skipSpace(): void {
    while (!this.eof() && /\s/.test(this.peek())) this.i++;
  }

  private expect(c: string): void {
    if (this.peek() !== c) this.fail(`expected '${c}'`);
    this.i++;
  }

  /** Steps of a path; in a filter operand, stops at an operator, a space or `)`. */
  steps(inFilter: boolean): Step[] {
    const steps: Step[] = [];
    while (!this.eof()) {
      const c = this.peek();
      if (c === '.') {
        if (this.peek(1) === '.') {
          this.i += 2;
          steps.push({ kind: 'recursive' });
          if (this.peek() === '*') {
            this.i++;
            steps.push({ kind: 'wildcard' });
          } else if (this.peek() !== '[') {
            const name = this.name();
            if (name === '') this.fail('expected a field name after ..');
            steps.push({ kind: 'field', name });
          }
          continue;
        }
        this.i++;
        if (this.peek() === '*') {
          this.i++;
          steps.push({ kind: 'wildcard' });
          continue;
        }
        const name = this.name();
        if (name !== '') steps.push({ kind: 'field', name });
        continue;
      }
      if (c === '[') {
        steps.push(this.bracket());
        continue;
      }
      if (inFilter) break;
      if (/\s/.test(c)) {
        this.skipSpace();
        continue;
      }
      this.fail(`unexpected '${c}'`);
    }
    return steps;
  }

  private name(): string {
    let out = '';
    while (!this.eof()) {
      const c = this.peek();
      if (c === '\\' && this.i + 1 < this.s.length) {
        out += this.peek(1);
        this.i += 2;
        continue;
      }
      if (NAME_END.has(c)) break;
      out += c;
      this.i++;
    }
    return out;
  }

  private quoted(): string {
    const q = this.peek();
    this.i++;
    let out = '';
    while (!this.eof() && this.peek() !== q) {
      if (this.peek() === '\\' && this.i + 1 < this.s.length) {
        const n = this.peek(1);
        out += n === 'n' ? '\n' : n === 't' ? '\t' : n;
        this.i += 2;
        continue;
      }
      out += this.peek();
      this.i++;
    }
    this.expect(q);
    return out;
  }

  private bracket(): Step {
    this.expect('[');
    this.skipSpace();
    const c = this.peek();
    let step: Step;
    if (c === '*') {
      this.i++;
      step = { kind: 'wildcard' };
    } else if (c === '?') {
      this.i++;
      this.skipSpace();
      this.expect('(');
      step = this.filter();
      this.skipSpace();
      this.expect(')');
    } else if (c === "'" || c === '"') {
      const names = [this.quoted()];
      this.skipSpace();
      while (this.peek() === ',') {
        this.i++;
        this.skipSpace();
        if (this.peek() !== "'" && this.peek() !== '"') this.fail('expected a quoted name');
        names.push(this.quoted());
        this.skipSpace();
      }
      step = names.length === 1 ? { kind: 'field', name: names[0] } : { kind: 'names', names };
    } else {
      const end = this.s.indexOf(']', this.i);
      if (end < 0) this.fail("missing ']'");
      const body = this.s.slice(this.i, end);
      this.i = end;
      step = { kind: 'slices', slices: body.split(',').map((p) => this.slice(p.trim())) };
    }
    this.skipSpace();
    this.expect(']');
    return step;
  }

  private slice(text: string): Slice {
    const num = (t: string): number | undefined => {
      const v = t.trim();
      if (v === '') return undefined;
      if (!/^-?\d+$/.test(v)) this.fail(`invalid array index ${JSON.stringify(t)}`);
      return Number(v);
    };
    const parts = text.split(':');
    if (parts.length === 1) {
      const n = num(parts[0]);
      if (n === undefined) this.fail('empty array index');
      return { start: n, single: true };
    }
    if (parts.length > 3) this.fail(`invalid slice ${JSON.stringify(text)}`);
    return { start: num(parts[0]), end: num(parts[1]), step: parts.length === 3 ? num(parts[2]) : undefined, single: false };
  }

  private filter(): Step {
    this.skipSpace();
    const left = this.operand();
    this.skipSpace();
    if (this.peek() === ')') return { kind: 'filter', left, op: 'exists' };
    const two = this.s.slice(this.i, this.i + 2);
    let op: string;
    if (['==', '!=', '<=', '>='].includes(two)) op = two;
    else if (this.peek() === '<' || this.peek() === '>') op = this.peek();
    else this.fail('expected a comparison operator');
    this.i += op.length;
    this.skipSpace();
    const right = this.operand();
    return { kind: 'filter', left, op, right };
  }

  private operand(): Operand {
    const c = this.peek();
    if (c === '@' || c === '$') {
      this.i++;
      return { kind: 'path', fromRoot: c === '$', steps: this.steps(true) };
    }
    if (c === "'" || c === '"') return { kind: 'literal', value: this.quoted() };
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i));
    if (m) {
      this.i += m[0].length;
      return { kind: 'literal', value: Number(m[0]) };
    }
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return { kind: 'literal', value };
      }
    }
    this.fail('expected a path or a literal');
  }
}

function parseTemplate(expr: string): Node[] {
  const text = expr.trim();
  if (!text.includes('{')) return [{ kind: 'path', steps: parseAction(text) }];
  const nodes: Node[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{', i);
    if (open < 0) {
      nodes.push({ kind: 'text', text: text.slice(i) });
      break;
    }
    if (open > i) nodes.push({ kind: 'text', text: text.slice(i, open) });
    const close = findClose(text, open);
    nodes.push({ kind: 'path', steps: parseAction(text.slice(open + 1, close)) });
    i = close + 1;
  }
  return nodes;
}

/** Index of the `}` closing the action opened at `open`, skipping quoted strings. */
function findClose(text: string, open: number): number {
  let quote = '';
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '}') {
      return i;
    }
  }
  throw new JsonPathError(`invalid JSONPath ${JSON.stringify(text)}: unclosed action`);
}

function parseAction(body: string): Step[] {
  let text = body.trim();
  if (text.startsWith('$') || text.startsWith('@')) text = text.slice(1);
  if (text !== '' && !text.startsWith('.') && !text.startsWith('[')) {
    throw new JsonPathError(`invalid JSONPath ${JSON.stringify(body)}: unsupported expression`);
  }
  const p = new Parser(text);
  const steps = p.steps(false);
  return steps;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function compare(left: unknown, right: unknown, op: string): boolean {
  const lt = typeName(left);
  const rt = typeName(right);
  if (lt !== rt || !['string', 'number', 'boolean'].includes(lt)) {
    throw new JsonPathError(`incompatible types for comparison: ${lt} and ${rt}`);
  }
  if (lt === 'boolean' && op !== '==' && op !== '!=') {
    throw new JsonPathError('invalid type for comparison: boolean');
  }
  const l = left as string | number;
  const r = right as string | number;
  switch (op) {
    case '==':
      return l === r;
    case '!=':
      return l !== r;
    case '<':
      return l < r;
    case '<=':
      return l <= r;
    case '>':
      return l > r;
    case '>=':
      return l >= r;
    default:
      throw new JsonPathError(`unrecognized filter operator ${op}`);
  }
}

function sliceArray(list: unknown[], s: Slice): unknown[] {
  const len = list.length;
  let start = s.start ?? 0;
  if (start < 0) start += len;
  let end: number;
  if (s.single) end = start + 1;
  else {
    end = s.end ?? len;
    if (s.end !== undefined && end < 0) end += len;
  }
  if (start === end) return [];
  if (start < 0 || start >= len) throw new JsonPathError(`array index out of bounds: index ${start}, length ${len}`);
  if (end < 0 || end > len) throw new JsonPathError(`array index out of bounds: index ${end - 1}, length ${len}`);
  if (start > end) throw new JsonPathError(`starting index ${start} is greater than ending index ${end}`);
  const step = s.step ?? 1;
  if (step <= 0) throw new JsonPathError('step must be > 0');
  const out: unknown[] = [];
  for (let i = start; i < end; i += step) out.push(list[i]);
  return out;
}

function descendants(v: unknown, out: unknown[]): void {
  const children = Array.isArray(v) ? v : isObject(v) ? Object.values(v) : undefined;
  if (!children || children.length === 0) return;
  out.push(v);
  for (const c of children) descendants(c, out);
}

function evalOperand(op: Operand, current: unknown, root: unknown): unknown[] {
  if (op.kind === 'literal') return [op.value];
  return evalSteps([op.fromRoot ? root : current], op.steps, root);
}

function evalStep(inputs: unknown[], step: Step, root: unknown): unknown[] {
  const out: unknown[] = [];
  switch (step.kind) {
    case 'field':
      for (const v of inputs) {
        if (isObject(v) && Object.prototype.hasOwnProperty.call(v, step.name)) out.push(v[step.name]);
      }
      return out;
    case 'names':
      for (const v of inputs) {
        if (!isObject(v)) continue;
        for (const n of step.names) if (Object.prototype.hasOwnProperty.call(v, n)) out.push(v[n]);
      }
      return out;
    case 'wildcard':
      for (const v of inputs) {
        if (Array.isArray(v)) out.push(...v);
        else if (isObject(v)) out.push(...Object.values(v));
      }
      return out;
    case 'recursive':
      for (const v of inputs) descendants(v, out);
      return out;
    case 'slices':
      for (const v of inputs) {
        if (v === null || v === undefined) continue;
        if (!Array.isArray(v)) throw new JsonPathError(`${typeName(v)} is not array or slice`);
        for (const s of step.slices) out.push(...sliceArray(v, s));
      }
      return out;
    case 'filter':
      for (const v of inputs) {
        if (v === null || v === undefined) continue;
        if (!Array.isArray(v)) throw new JsonPathError(`${typeName(v)} is not array or slice and cannot be filtered`);
        for (const item of v) {
          if (step.op === 'exists') {
            // An existence test treats a failing path (e.g. index out of range) as absent.
            let found = false;
            try {
              found = evalOperand(step.left, item, root).length > 0;
            } catch (e) {
              if (!(e instanceof JsonPathError)) throw e;
            }
            if (found) out.push(item);
            continue;
          }
          const lefts = evalOperand(step.left, item, root);
          if (lefts.length === 0) continue;
          if (lefts.length > 1) throw new JsonPathError('can only compare one element at a time');
          const rights = evalOperand(step.right!, item, root);
          if (rights.length === 0) continue;
          if (rights.length > 1) throw new JsonPathError('can only compare one element at a time');
          if (compare(lefts[0], rights[0], step.op)) out.push(item);
        }
      }
      return out;
  }
}

function evalSteps(inputs: unknown[], steps: Step[], root: unknown): unknown[] {
  let current = inputs;
  for (const step of steps) {
    if (current.length === 0) return current;
    current = evalStep(current, step, root);
  }
  return current;
}

export interface JsonPath {
  /** The original expression. */
  readonly source: string;
  /** One result list per template part (`{...}` action or literal text). */
  findResults(data: unknown): unknown[][];
  /** The first result of the first part, or `undefined` when there is none. */
  first(data: unknown): unknown;
}

/** Compiles a JSONPath expression; throws {@link JsonPathError} on a syntax error. */
export function compileJsonPath(expr: string): JsonPath {
  const nodes = parseTemplate(expr);
  return {
    source: expr,
    findResults(data: unknown): unknown[][] {
      return nodes.map((n) => (n.kind === 'text' ? [n.text] : evalSteps([data], n.steps, data)));
    },
    first(data: unknown): unknown {
      const results = this.findResults(data);
      return results.length > 0 && results[0].length > 0 ? results[0][0] : undefined;
    },
  };
}
