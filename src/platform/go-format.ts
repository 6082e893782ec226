/**
 * Number and string formatting with Go's fmt and strconv semantics, for whatever must print values
 * exactly as a Go program does: Prometheus templates (`{{ $value }}` is a float64 printed with %v,
 * `humanize` uses %.4g, `printf` takes Go verbs) and the Kubernetes API server's messages (field
 * errors quote with %q and print numbers with %v). Shared by src/alerting and src/cluster, which
 * must not import each other. Written from the documented behaviour of Go's fmt and strconv.
 */

/**
 * Go's `%v` of a float64, which is strconv's shortest 'g': 3 → "3", 0.5 → "0.5", 1234567 →
 * "1.234567e+06", 0.00001 → "1e-05". Exponent form when the decimal exponent is below -4 or at
 * least 6 (for the shortest form strconv decides with precision 6, whatever the digit count).
 */
export function formatFloatShortest(v: number): string {
  const special = formatSpecial(v);
  if (special !== undefined) return special;
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expText] = v.toExponential().split('e');
  const exp = Number(expText);
  // Go's shortest %g switches to exponent form when exp < -4 || exp >= 6.
  if (exp < -4 || exp >= 6) return `${mant}e${goExp(exp)}`;
  return plainDecimal(mant, exp);
}

/** Go's `strconv.FormatFloat(v, 'f', -1, 64)`: shortest round-trip digits, never an exponent. */
export function formatFloatPlain(v: number): string {
  const special = formatSpecial(v);
  if (special !== undefined) return special;
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expText] = v.toExponential().split('e');
  return plainDecimal(mant, Number(expText));
}

/** Go's `strconv.FormatFloat(v, 'e', -1, 64)`: shortest round-trip digits, always an exponent ("2e+00"). */
export function formatFloatExp(v: number): string {
  const special = formatSpecial(v);
  if (special !== undefined) return special;
  if (v === 0) return Object.is(v, -0) ? '-0e+00' : '0e+00';
  const [mant, expText] = v.toExponential().split('e');
  return `${mant}e${goExp(Number(expText))}`;
}

function formatSpecial(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return undefined;
}

/** Go's `%.Ng` formatting (N significant digits, trailing zeros dropped). */
export function formatG(v: number, prec = -1): string {
  if (prec < 0) return formatFloatShortest(v);
  const special = formatSpecial(v);
  if (special !== undefined) return special;
  if (prec === 0) prec = 1;
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [rawMant, expText] = toExponentialGo(v, prec - 1).split('e');
  const exp = Number(expText);
  const mant = stripZeros(rawMant);
  const digits = mant.replace(/[-.]/g, '').length;
  // Go: eprec = prec, lowered to the digit count when all digits are before the point.
  let eprec = prec;
  if (eprec > digits && digits >= exp + 1) eprec = digits;
  if (exp < -4 || exp >= eprec) return `${mant}e${goExp(exp)}`;
  return plainDecimal(mant, exp);
}

function stripZeros(mant: string): string {
  return mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
}

function goExp(exp: number): string {
  const sign = exp < 0 ? '-' : '+';
  const abs = Math.abs(exp);
  return `${sign}${abs < 10 ? '0' : ''}${abs}`;
}

/** Turns a mantissa "d.ddd" with a decimal exponent into plain notation. */
function plainDecimal(mant: string, exp: number): string {
  const neg = mant.startsWith('-');
  const digits = mant.replace(/[-.]/g, '');
  let out: string;
  if (exp >= 0) {
    if (digits.length <= exp + 1) out = digits + '0'.repeat(exp + 1 - digits.length);
    else out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  } else {
    out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  return neg ? `-${out}` : out;
}

function formatE(v: number, prec: number): string {
  if (!Number.isFinite(v)) return formatFloatShortest(v);
  const [mant, expText] = toExponentialGo(v, prec).split('e');
  return `${mant}e${goExp(Number(expText))}`;
}

function formatFixed(v: number, prec: number): string {
  if (!Number.isFinite(v)) return formatFloatShortest(v);
  if (Math.abs(v) >= 1e21) {
    // toFixed switches to exponent form here; build the digits by hand.
    return BigInt(Math.trunc(v)).toString() + (prec > 0 ? '.' + '0'.repeat(prec) : '');
  }
  return toFixedGo(v, prec);
}

/*
 * JS's toFixed/toExponential round a value lying exactly halfway away from zero; Go's strconv
 * rounds it to the even digit: Sprintf("%.1f", 0.25) is "0.2" and Sprintf("%.0f", 2.5) is "2".
 * A 100-digit rendering is exact for such ties (a tie ends in a 5 within the kept precision),
 * so it tells a true tie from a value merely close to one.
 */

/** Truncated `exact` when it is a tie whose kept last digit is even, else undefined. */
function evenTie(exact: string, point: number, keep: number, fracEnd: number): string | undefined {
  const frac = exact.slice(point + 1, fracEnd);
  if (frac[keep] !== '5' || !/^0*$/.test(frac.slice(keep + 1))) return undefined;
  const truncated = exact.slice(0, keep > 0 ? point + 1 + keep : point);
  const last = truncated[truncated.length - 1];
  return Number(last) % 2 === 0 ? truncated : undefined;
}

function toFixedGo(v: number, prec: number): string {
  const rounded = v.toFixed(prec);
  if (prec >= 100) return rounded;
  const exact = v.toFixed(100);
  return evenTie(exact, exact.indexOf('.'), prec, exact.length) ?? rounded;
}

function toExponentialGo(v: number, prec: number): string {
  const rounded = v.toExponential(prec);
  if (prec >= 100) return rounded;
  const exact = v.toExponential(100);
  const e = exact.indexOf('e');
  const even = evenTie(exact, exact.indexOf('.'), prec, e);
  return even === undefined ? rounded : `${even}${exact.slice(e)}`;
}

/** Prints any template value the way Go's %v would for the types templates see. */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '<no value>';
  if (typeof v === 'number') return formatFloatShortest(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(formatValue).join(' ')}]`;
  if (v instanceof Map) return `map[${[...v.entries()].map(([k, x]) => `${k}:${formatValue(x)}`).join(' ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([k, x]) => `${k}:${formatValue(x)}`).join(' ')}]`;
  }
  return String(v);
}

/** Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const SHORT_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

/**
 * Go's `strconv.Quote` (`%q` of a string), or `strconv.QuoteToASCII` (`%+q`) with `asciiOnly`:
 * printable characters stay as they are, `"` and `\` are backslashed, the rest is written as
 * `\a`-style, `\xHH` (below U+0020 and U+007F), `\uHHHH` or `\UHHHHHHHH` escapes. A lone
 * surrogate, which a Go string cannot hold (its JSON decoder turns one into U+FFFD), prints as U+FFFD.
 */
export function goQuote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) {
    const r = isLoneSurrogate(ch) ? 0xfffd : ch.codePointAt(0)!;
    const c = String.fromCodePoint(r);
    if (c === '"' || c === '\\') out += `\\${c}`;
    else if (PRINTABLE.test(c) && (!asciiOnly || r < 0x80)) out += c;
    else if (SHORT_ESCAPES[c] !== undefined) out += SHORT_ESCAPES[c];
    else if (r < 0x20 || r === 0x7f) out += `\\x${hex(r, 2)}`;
    else if (r < 0x10000) out += `\\u${hex(r, 4)}`;
    else out += `\\U${hex(r, 8)}`;
  }
  return `${out}"`;
}

function isLoneSurrogate(ch: string): boolean {
  const r = ch.codePointAt(0)!;
  return r >= 0xd800 && r <= 0xdfff;
}

function hex(n: number, digits: number): string {
  return n.toString(16).padStart(digits, '0');
}

/** A subset of Go's fmt.Sprintf: verbs v s d f F e E g G x X o b q t c %, flags - + 0 space, width, precision. */
export function sprintf(format: string, args: unknown[]): string {
  let out = '';
  let argi = 0;
  const re = /%([-+ 0#]*)(\d+|\*)?(?:\.(\d+|\*)?)?([a-zA-Z%])/g;
  let last = 0;
  for (const m of format.matchAll(re)) {
    out += format.slice(last, m.index);
    last = m.index! + m[0].length;
    const [, flags, widthText, precText, verb] = m;
    if (verb === '%') {
      out += '%';
      continue;
    }
    const width = widthText === undefined ? -1 : widthText === '*' ? Number(args[argi++]) : Number(widthText);
    let prec = -1;
    if (m[0].includes('.')) prec = precText === undefined ? 0 : precText === '*' ? Number(args[argi++]) : Number(precText);
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argi++];
    let s: string;
    const num = typeof arg === 'number' ? arg : typeof arg === 'boolean' ? NaN : NaN;
    switch (verb) {
      case 'v':
        s = typeof arg === 'number' ? (prec >= 0 ? formatG(arg, prec) : formatFloatShortest(arg)) : formatValue(arg);
        break;
      case 's':
        s = typeof arg === 'string' ? arg : formatValue(arg);
        if (prec >= 0) s = s.slice(0, prec);
        break;
      case 'q':
        s = typeof arg === 'string' ? goQuote(arg, flags.includes('+')) : badVerb(verb, arg);
        break;
      case 't':
        s = typeof arg === 'boolean' ? String(arg) : `%!t(${formatValue(arg)})`;
        break;
      case 'd':
        if (typeof arg === 'number' && Number.isInteger(arg)) s = String(arg);
        else s = `%!d(${typeof arg === 'number' ? 'float64' : typeof arg}=${formatValue(arg)})`;
        break;
      case 'c':
        s = typeof arg === 'number' ? String.fromCodePoint(arg) : `%!c(${formatValue(arg)})`;
        break;
      case 'f':
      case 'F':
        s = typeof arg === 'number' ? formatFixed(num, prec < 0 ? 6 : prec) : badVerb(verb, arg);
        break;
      case 'e':
      case 'E':
        s = typeof arg === 'number' ? formatE(num, prec < 0 ? 6 : prec) : badVerb(verb, arg);
        if (verb === 'E') s = s.toUpperCase();
        break;
      case 'g':
      case 'G':
        s = typeof arg === 'number' ? formatG(num, prec) : badVerb(verb, arg);
        if (verb === 'G') s = s.toUpperCase();
        break;
      case 'x':
      case 'X':
      case 'o':
      case 'b': {
        const radix = verb === 'o' ? 8 : verb === 'b' ? 2 : 16;
        if (typeof arg === 'number' && Number.isInteger(arg)) s = arg.toString(radix);
        else if (typeof arg === 'string' && radix === 16) s = Buffer.from(arg, 'utf8').toString('hex');
        else s = badVerb(verb, arg);
        if (verb === 'X') s = s.toUpperCase();
        break;
      }
      default:
        s = badVerb(verb, arg);
    }
    if (flags.includes('+') && typeof arg === 'number' && !s.startsWith('-') && !s.startsWith('+')) s = `+${s}`;
    else if (flags.includes(' ') && typeof arg === 'number' && !s.startsWith('-')) s = ` ${s}`;
    if (width > s.length) {
      if (flags.includes('-')) s = s.padEnd(width, ' ');
      else if (flags.includes('0') && typeof arg === 'number' && Number.isFinite(arg)) {
        const sign = /^[-+ ]/.test(s) ? s[0] : '';
        s = sign + s.slice(sign.length).padStart(width - sign.length, '0');
      } else s = s.padStart(width, ' ');
    }
    out += s;
  }
  out += format.slice(last);
  if (argi < args.length) out += `%!(EXTRA ${args.slice(argi).map((a) => `${goType(a)}=${formatValue(a)}`).join(', ')})`;
  return out;
}

function goType(v: unknown): string {
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return 'interface {}';
}

function badVerb(verb: string, arg: unknown): string {
  return `%!${verb}(${goType(arg)}=${formatValue(arg)})`;
}
