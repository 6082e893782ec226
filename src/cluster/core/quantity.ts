/**
 * `resource.Quantity`, the one implementation for the whole cluster: parsing ("500m", "1.5Gi",
 * "1e3"), comparison and arithmetic (the API server's validation and defaulting, the scheduler's
 * resource fit, storage sizes, CEL's `quantity()` library) and the canonical spelling the server
 * writes back ("0.5" → "500m", "2048Mi" → "2Gi").
 *
 * Values are held exactly as a BigInt count of nano-units (10^-9); like the real server, more
 * precise inputs are rounded up to the next nano-unit.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

const NANO = 1_000_000_000n;

export class Quantity {
  constructor(
    /** Value × 10^9, rounded towards +∞. */
    readonly nanos: bigint,
    /** The suffix family it was written in, kept for its canonical spelling. */
    readonly format: QuantityFormat,
  ) {}

  compare(o: Quantity): number {
    return this.nanos === o.nanos ? 0 : this.nanos < o.nanos ? -1 : 1;
  }

  /** The sum (or difference), in this quantity's format, as upstream's `Add`/`Sub` keep the receiver's. */
  add(o: Quantity, negate = false): Quantity {
    return new Quantity(this.nanos + (negate ? -o.nanos : o.nanos), this.format);
  }

  isInteger(): boolean {
    return this.nanos % NANO === 0n;
  }

  /** The whole value, or undefined when it has a fractional part. */
  integerValue(): bigint | undefined {
    return this.isInteger() ? this.nanos / NANO : undefined;
  }

  asApproximateFloat(): number {
    return Number(this.nanos) / 1e9;
  }

  sign(): number {
    return this.nanos > 0n ? 1 : this.nanos < 0n ? -1 : 0;
  }

  toString(): string {
    return formatQuantity(this);
  }

  static fromInteger(n: bigint): Quantity {
    return new Quantity(n * NANO, 'DecimalSI');
  }
}

export const QUANTITY_PARSE_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Divides rounding towards +∞. */
function divCeil(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n === b > 0n ? q + 1n : q;
}

/** Parses a quantity given as a JSON string or number; undefined when it is not one. */
export function parseQuantity(input: unknown): Quantity | undefined {
  let s: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return undefined;
    s = String(input);
    if (/e/i.test(s)) {
      // JS exponent form ("1e+21") is valid quantity syntax once the '+' is dropped.
      s = s.replace('e+', 'e');
    }
  } else if (typeof input === 'string') {
    s = input.trim();
  } else {
    return undefined;
  }
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/.exec(s);
  if (!m) return undefined;
  const [, sign, intPart, fracPart = '', suffix] = m;
  if (intPart.length === 0 && fracPart.length === 0) return undefined;
  let format: QuantityFormat;
  let base10Exp = 0;
  let base2Exp = 0;
  if (suffix in decimalSuffixes) {
    format = 'DecimalSI';
    base10Exp = decimalSuffixes[suffix];
  } else if (suffix in binarySuffixes) {
    format = 'BinarySI';
    base2Exp = binarySuffixes[suffix];
  } else {
    const e = /^[eE]([+-]?[0-9]+)$/.exec(suffix);
    if (!e) return undefined;
    format = 'DecimalExponent';
    base10Exp = Number(e[1]);
    if (Math.abs(base10Exp) > 1000) return undefined;
  }
  // magnitude = digits × 2^base2Exp × 10^(base10Exp - fracLen); held in nano units, rounded up.
  const num = BigInt((intPart || '0') + fracPart) * 2n ** BigInt(base2Exp);
  const scale = base10Exp - fracPart.length + 9;
  const magnitude = scale >= 0 ? num * pow10(scale) : divCeil(num, pow10(-scale));
  const nanos = sign === '-' ? -magnitude : magnitude;
  return new Quantity(nanos, format);
}

export function compareQuantity(a: Quantity, b: Quantity): number {
  return a.compare(b);
}

const decimalSuffixByExp: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const binarySuffixByPow = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** The canonical spelling the API server serializes a quantity with. */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  const neg = q.nanos < 0n;
  const abs = neg ? -q.nanos : q.nanos;
  const sign = neg ? '-' : '';
  let format = q.format;
  if (format === 'BinarySI' && (abs < 1024n * NANO || abs % NANO !== 0n)) format = 'DecimalSI';
  if (format === 'BinarySI') {
    let n = abs / NANO;
    let k = 0;
    while (k < 6 && n % 1024n === 0n) {
      n /= 1024n;
      k++;
    }
    return `${sign}${n}${binarySuffixByPow[k]}`;
  }
  let mant = abs;
  let exp = -9;
  while (mant % 10n === 0n) {
    mant /= 10n;
    exp++;
  }
  const r = ((exp % 3) + 3) % 3;
  if (r !== 0) {
    mant *= pow10(r);
    exp -= r;
  }
  if (format === 'DecimalExponent') return `${sign}${mant}${exp === 0 ? '' : `e${exp}`}`;
  while (exp > 18) {
    mant *= 1000n;
    exp -= 3;
  }
  return `${sign}${mant}${decimalSuffixByExp[exp]}`;
}

/**
 * A quantity's text as a table cell shows it (a PV's CAPACITY): canonical when it parses, the
 * text unchanged when it does not, `0` when absent.
 */
export function formatQuantityText(raw: unknown): string {
  if (raw === undefined || raw === null) return '0';
  const q = parseQuantity(raw);
  return q ? formatQuantity(q) : String(raw);
}

/** Rewrites every parseable value of a resource list (e.g. `requests`) to its canonical spelling. */
export function canonicalizeResourceList(list: unknown): void {
  if (!list || typeof list !== 'object' || Array.isArray(list)) return;
  const rec = list as Record<string, unknown>;
  for (const [k, v] of Object.entries(rec)) {
    const q = parseQuantity(v);
    if (q) rec[k] = formatQuantity(q);
  }
}
