/**
 * Regexes of label matchers, label_replace and Alertmanager filters, in linear time as RE2 runs
 * them in Prometheus: JavaScript's backtracking engine takes exponential time on patterns like
 * `(a+)+$` against a long label value, which would freeze the whole process on one query.
 *
 * Every pattern runs on V8's backtracking engine (fast for ordinary patterns) until one match has
 * backtracked 50,000 times; V8 then runs that match again on its linear-time engine (V8's
 * `--enable-experimental-regexp-engine-on-excessive-backtracks`, set here). A pattern must
 * therefore be one the linear engine can run. That engine has no
 * case-insensitive mode and replicates counted repetitions ({n,m}) at most 16 times, so a `(?i)`
 * pattern has its letters folded into classes (`[aA]`, with JavaScript's own case mapping) and a
 * repetition of something without capture groups is written out (`x{3,5}` as
 * `xxx(?:x(?:x)?)?`), which means the same. A pattern the engine still cannot run (a capture group
 * repeated more than 16 times, lookarounds and backreferences, which RE2 has not either), a repeat
 * count over RE2's 1,000 and repetitions that would write out more than 100,000 characters are
 * refused like an invalid pattern. Where the runtime has no linear engine, the backtracking engine
 * is used as before.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--enable-experimental-regexp-engine');
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
/** The linear engine's flag (V8's own, unknown to linters): compiling with it says whether a pattern can fall back. */
const LINEAR_FLAG = 'l';

const LINEAR = (() => {
  try {
    return new RegExp('', LINEAR_FLAG).flags.includes(LINEAR_FLAG);
  } catch {
    return false;
  }
})();

/** RE2's largest repeat count. */
const MAX_REPEAT = 1000;
/**
 * How much writing repetitions out may add to a pattern, in UTF-16 code units: the linear engine
 * takes time in proportion to the value's length times the pattern's, and `.{0,1000}` alone
 * becomes 10,000 characters.
 */
const MAX_WRITTEN_OUT = 100_000;
/** Case variants looked at while folding the classes of one pattern. */
const MAX_FOLD_WORK = 5_000_000;
/** RE2's (and Go's) deepest nesting of groups. */
const MAX_DEPTH = 1000;
/**
 * Capture groups of a label_replace regex. V8 compiles a capture group inside a repetition in
 * time that grows with the groups around and inside it: `(a|(a|…)*)*` 2,000 deep took 20 s, 4,000
 * deep aborted the process (out of memory in the regex compiler). Patterns that only have to
 * match are compiled without capture groups.
 */
const MAX_CAPTURE_GROUPS = 100;

class Refused extends Error {}

const hex = (c: number) => `\\u${c.toString(16).padStart(4, '0')}`;

/** JavaScript's case canonicalization without the `u` flag (ECMA-262 Canonicalize, ignoreCase). */
function canonicalize(c: number): number {
  const u = String.fromCharCode(c).toUpperCase();
  if (u.length !== 1) return c;
  const cu = u.charCodeAt(0);
  return c >= 128 && cu < 128 ? c : cu;
}

let variantsByCanon: Map<number, number[]> | undefined;
/** The code units that have case variants, ascending. */
let cased: number[] = [];

/** Every code unit that matches `c` case-insensitively, `c` included. */
function caseVariants(c: number): number[] {
  if (!variantsByCanon) {
    variantsByCanon = new Map();
    for (let d = 0; d < 0x10000; d++) {
      const k = canonicalize(d);
      const list = variantsByCanon.get(k);
      if (list) list.push(d);
      else variantsByCanon.set(k, [d]);
    }
    cased = [];
    for (let d = 0; d < 0x10000; d++) if (variantsByCanon.get(canonicalize(d))!.length > 1) cased.push(d);
  }
  return variantsByCanon.get(canonicalize(c)) ?? [c];
}

/** The code units in [lo, hi] that have case variants. */
function casedIn(lo: number, hi: number): number[] {
  caseVariants(lo);
  let a = 0;
  let b = cased.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (cased[mid] < lo) a = mid + 1;
    else b = mid;
  }
  const out: number[] = [];
  for (let k = a; k < cased.length && cased[k] <= hi; k++) out.push(cased[k]);
  return out;
}

interface Piece {
  text: string;
  /** Holds a capture group: its copies would number their groups anew. */
  captures: boolean;
}

/** Rewrites a valid (already compiled once) pattern for the linear engine. */
class Rewriter {
  private i = 0;
  private writtenOut = 0;
  private foldWork = 0;
  private depth = 0;
  private groups = 0;

  constructor(
    private readonly src: string,
    private readonly fold: boolean,
    /** Keep capture groups (label_replace); a pattern that only has to match loses them. */
    private readonly keepCaptures: boolean,
  ) {}

  rewrite(): string {
    const { text } = this.alternation();
    return text;
  }

  private alternation(): Piece {
    let text = '';
    let captures = false;
    while (this.i < this.src.length && this.src[this.i] !== ')') {
      if (this.src[this.i] === '|') {
        text += '|';
        this.i++;
        continue;
      }
      const atom = this.atom();
      captures ||= atom.captures;
      text += this.quantified(atom);
    }
    return { text, captures };
  }

  private atom(): Piece {
    const c = this.src[this.i];
    if (c === '(') {
      const open = /\((?:\?(?::|=|!|<=|<!|<[^>]*>))?/y;
      open.lastIndex = this.i;
      let opening = open.exec(this.src)![0];
      this.i += opening.length;
      if (++this.depth > MAX_DEPTH) throw new Refused(`it nests deeper than ${MAX_DEPTH} groups`);
      let capturing = opening === '(' || (opening.startsWith('(?<') && opening !== '(?<=' && opening !== '(?<!');
      if (capturing && !this.keepCaptures) {
        opening = '(?:';
        capturing = false;
      }
      if (capturing && ++this.groups > MAX_CAPTURE_GROUPS) throw new Refused(`it has more than ${MAX_CAPTURE_GROUPS} capture groups`);
      const inner = this.alternation();
      this.i++; // ')'
      this.depth--;
      return { text: `${opening}${inner.text})`, captures: capturing || inner.captures };
    }
    if (c === '[') return { text: this.charClass(), captures: false };
    if (c === '\\') {
      const { text, unit } = this.escape();
      return { text: unit === undefined ? text : this.foldUnit(unit, text), captures: false };
    }
    this.i++;
    return { text: this.foldUnit(c.charCodeAt(0), c), captures: false };
  }

  /** An escape at i: its text, and the code unit it stands for when it is a single character. */
  private escape(): { text: string; unit?: number } {
    const s = this.src;
    const n = s[this.i + 1];
    const at = (re: RegExp) => {
      re.lastIndex = this.i + 2;
      return re.exec(s)?.[0];
    };
    let text = `\\${n}`;
    let unit: number | undefined;
    const hexDigits = n === 'x' ? at(/[0-9a-fA-F]{2}/y) : n === 'u' ? at(/[0-9a-fA-F]{4}/y) : undefined;
    if (hexDigits !== undefined) {
      text += hexDigits;
      unit = parseInt(hexDigits, 16);
    } else if (n === 'c' && /[a-zA-Z]/.test(s[this.i + 2] ?? '')) {
      text += s[this.i + 2];
      unit = s.charCodeAt(this.i + 2) % 32;
    } else if (n === 'k') {
      text += at(/<[^>]*>/y) ?? '';
    } else if (/[0-9]/.test(n)) {
      text += at(/[0-9]*/y) ?? '';
    } else if ('tnrvf'.includes(n)) {
      unit = { t: 9, n: 10, r: 13, v: 11, f: 12 }[n as 't' | 'n' | 'r' | 'v' | 'f'];
    } else if (!'bBdDsSwWc'.includes(n)) {
      unit = n.charCodeAt(0); // an identity escape: the character itself
    }
    this.i += text.length;
    return { text, unit };
  }

  /** A literal code unit: as written, or the class of its case variants. */
  private foldUnit(unit: number, text: string): string {
    if (!this.fold) return text;
    const variants = caseVariants(unit);
    if (variants.length === 1) return text;
    return `[${variants.map((v) => (/[a-zA-Z]/.test(String.fromCharCode(v)) ? String.fromCharCode(v) : hex(v))).join('')}]`;
  }

  private charClass(): string {
    const s = this.src;
    const start = this.i;
    this.i++;
    if (s[this.i] === '^') this.i++;
    const units: Array<[number, number]> = [];
    while (s[this.i] !== ']') {
      const lo = this.classAtom();
      if (s[this.i] === '-' && s[this.i + 1] !== ']') {
        const save = this.i;
        this.i++;
        const hi = this.classAtom();
        if (lo !== undefined && hi !== undefined) {
          units.push([lo, hi]);
          continue;
        }
        this.i = save; // `\d-x` is three atoms, not a range
        if (lo !== undefined) units.push([lo, lo]);
        continue;
      }
      if (lo !== undefined) units.push([lo, lo]);
    }
    this.i++;
    const text = s.slice(start, this.i);
    if (!this.fold) return text;
    // Case-insensitively a class holds every variant of its members; `[^…]` then excludes them all.
    const extra = new Set<number>();
    for (const [lo, hi] of units) {
      const inRange = casedIn(lo, hi);
      this.foldWork += inRange.length;
      if (this.foldWork > MAX_FOLD_WORK) throw new Refused('the pattern is too large');
      for (const c of inRange) for (const v of caseVariants(c)) if (v < lo || v > hi) extra.add(v);
    }
    if (extra.size === 0) return text;
    // The variants go first: at the end they could follow a `-` and make a range. A leading `-`
    // (a literal there) is escaped so that it cannot become one either.
    const open = s[start + 1] === '^' ? '[^' : '[';
    const members = text.slice(open.length).replace(/^-/, '\\-');
    return open + [...extra].map(hex).join('') + members;
  }

  /** One class member at i: its code unit, or undefined for a class escape like \d. */
  private classAtom(): number | undefined {
    const s = this.src;
    if (s[this.i] !== '\\') return s.charCodeAt(this.i++);
    if (s[this.i + 1] === 'b') {
      this.i += 2;
      return 8; // backspace inside a class
    }
    return this.escape().unit;
  }

  /** The atom with the quantifier at i, counted repetitions written out when they can be. */
  private quantified(atom: Piece): string {
    const q = /(?:[*+?]|\{(\d+)(?:(,)(\d*))?\})(\??)/y;
    q.lastIndex = this.i;
    const m = q.exec(this.src);
    if (!m) return atom.text;
    this.i += m[0].length;
    if (m[1] === undefined) return atom.text + m[0];
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) throw new Refused(`invalid repeat count ${m[0]}`);
    if (atom.captures) return atom.text + m[0];
    const lazy = m[4];
    const x = `(?:${atom.text})`;
    this.writtenOut += (x.length + 5) * (max === Infinity ? min + 1 : max);
    if (this.writtenOut > MAX_WRITTEN_OUT) throw new Refused('the pattern is too large once its repetitions are written out');
    let tail = '';
    if (max === Infinity) tail = `${x}*${lazy}`;
    else for (let k = min; k < max; k++) tail = `(?:${x}${tail})?${lazy}`;
    return x.repeat(min) + tail;
  }
}

/**
 * The anchored regex (whole value) of an RE2-style pattern: `(?P<name>` groups and a leading
 * `(?i)` as RE2 means them, `.` matching newlines. With `captures` its capture groups capture
 * (label_replace); without, they only group. Throws on an invalid pattern and on one that cannot
 * be run in linear time.
 */
export function compileAnchored(pattern: string, { captures = false }: { captures?: boolean } = {}): RegExp {
  let body = pattern.replace(/\(\?P</g, '(?<');
  let ignoreCase = false;
  if (body.startsWith('(?i)')) {
    body = body.slice(4);
    ignoreCase = true;
  }
  // Compiling checks the syntax; only running a pattern can take long.
  const checked = new RegExp(`^(?:${body})$`, ignoreCase ? 'si' : 's');
  if (!LINEAR) return checked;
  try {
    const source = `^(?:${new Rewriter(body, ignoreCase, captures).rewrite()})$`;
    new RegExp(source, `s${LINEAR_FLAG}`);
    return new RegExp(source, 's');
  } catch (e) {
    const why = e instanceof Refused ? e.message : e instanceof RangeError ? 'it nests too deep' : 'it cannot be evaluated in linear time';
    throw new SyntaxError(`Invalid regular expression ${JSON.stringify(pattern)}: ${why}`, { cause: e });
  }
}
