/**
 * Canonical text of a Kubernetes resource quantity (`10Gi`, `500m`, `1G`), the form the API server
 * prints in table cells such as a PV's CAPACITY. `1024Mi` prints as `1Gi`, `1000M` as `1G`,
 * `0.5Gi` as `512Mi`, `1.5` as `1500m`.
 */

const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_BY_EXP = new Map(Object.entries(DECIMAL_SUFFIX).map(([k, v]) => [v, k]));
const BINARY_BY_POW = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

interface Parsed {
  negative: boolean;
  /** Value = mantissa * 10^exp10 (any binary multiplier already folded into the mantissa). */
  mantissa: bigint;
  exp10: number;
  format: Format;
}

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE]?)$/;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function parse(text: string): Parsed | undefined {
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  const [, sign, number, suffix] = m;
  const [intPart, fracPart = ''] = number.split('.');
  let mantissa = BigInt((intPart || '0') + fracPart);
  let exp10 = -fracPart.length;
  let format: Format = 'DecimalSI';
  if (suffix in BINARY_SUFFIX) {
    mantissa *= 1024n ** BigInt(BINARY_SUFFIX[suffix]);
    format = 'BinarySI';
  } else if (suffix.startsWith('e') || suffix.startsWith('E')) {
    exp10 += Number(suffix.slice(1));
    format = 'DecimalExponent';
  } else {
    exp10 += DECIMAL_SUFFIX[suffix];
  }
  return { negative: sign === '-', mantissa, exp10, format };
}

/** Canonical form of a quantity; `raw` may be a string or a number (as found in JSON). Unparsable text is returned unchanged. */
export function formatQuantity(raw: unknown): string {
  if (raw === undefined || raw === null) return '0';
  const text = typeof raw === 'number' ? String(raw) : String(raw);
  const q = parse(text);
  if (!q) return text;
  let { mantissa, exp10 } = q;
  if (mantissa === 0n) return '0';
  // Precision below nano units is rounded up (away from zero).
  if (exp10 < -9) {
    const div = pow10(-9 - exp10);
    mantissa = (mantissa + div - 1n) / div;
    exp10 = -9;
  }
  const sign = q.negative ? '-' : '';
  let format = q.format;

  if (format === 'BinarySI') {
    // Small or fractional values are shown in decimal to avoid rounding.
    let integral: bigint | undefined;
    if (exp10 >= 0) integral = mantissa * pow10(exp10);
    else if (mantissa % pow10(-exp10) === 0n) integral = mantissa / pow10(-exp10);
    if (integral === undefined || integral < 1024n) {
      format = 'DecimalSI';
    } else {
      let pow = 0;
      while (pow < BINARY_BY_POW.length - 1 && integral % 1024n === 0n) {
        integral /= 1024n;
        pow++;
      }
      return `${sign}${integral}${BINARY_BY_POW[pow]}`;
    }
  }

  // Decimal: strip trailing zeros, then bring the exponent down to a multiple of three.
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exp10++;
  }
  const rem = ((exp10 % 3) + 3) % 3;
  mantissa *= pow10(rem);
  exp10 -= rem;
  if (format === 'DecimalExponent') {
    return `${sign}${mantissa}${exp10 === 0 ? '' : `e${exp10}`}`;
  }
  const suffix = DECIMAL_BY_EXP.get(exp10);
  if (suffix !== undefined) return `${sign}${mantissa}${suffix}`;
  if (exp10 > 18) return `${sign}${mantissa * pow10(exp10 - 18)}E`;
  return `${sign}${mantissa}e${exp10}`;
}
