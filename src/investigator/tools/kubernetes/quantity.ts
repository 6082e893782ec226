/**
 * Kubernetes resource quantities (`100m`, `64Mi`, `1.5`, `2e3`): enough to add them up and print
 * them in canonical form the way kubectl does for node allocations. Values are kept as exact
 * integers of nano-units; finer fractions round up, as the API does.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  nanos: bigint;
  format: QuantityFormat;
}

const NANO = 1_000_000_000n;
const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|([a-zA-Z]*))$/;

export const ZERO: Quantity = { nanos: 0n, format: 'DecimalSI' };

/** Parses a quantity; undefined when the text is not one. */
export function parseQuantity(text: unknown): Quantity | undefined {
  if (typeof text === 'number' && Number.isFinite(text)) text = String(text);
  if (typeof text !== 'string') return undefined;
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  const [, number, exponent, suffix = ''] = m;
  const negative = number.startsWith('-');
  const [intPart, fracPart = ''] = number.replace(/^[+-]/, '').split('.');
  // mantissa = digits / 10^fracPart.length
  const digits = BigInt((intPart || '0') + fracPart);
  let scale10 = -fracPart.length;
  let binaryPower = 0;
  let format: QuantityFormat = 'DecimalSI';
  if (exponent !== undefined) {
    scale10 += Number(exponent.slice(1));
    format = 'DecimalExponent';
  } else if (suffix in BINARY_SUFFIX) {
    binaryPower = BINARY_SUFFIX[suffix];
    format = 'BinarySI';
  } else if (suffix in DECIMAL_SUFFIX) {
    scale10 += DECIMAL_SUFFIX[suffix];
  } else {
    return undefined;
  }
  let value = digits * 1024n ** BigInt(binaryPower);
  const shift = scale10 + 9;
  if (shift >= 0) value *= 10n ** BigInt(shift);
  else {
    const div = 10n ** BigInt(-shift);
    value = value / div + (value % div === 0n ? 0n : 1n);
  }
  return { nanos: negative ? -value : value, format };
}

export function addQuantities(a: Quantity, b: Quantity): Quantity {
  // The sum keeps the first operand's format, as resource.Quantity.Add does (zero takes the other's).
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n && a.format === 'DecimalSI' ? b.format : a.format };
}

export function maxQuantity(a: Quantity, b: Quantity): Quantity {
  return b.nanos > a.nanos ? b : a;
}

/** Rounded up to whole thousandths (MilliValue). */
export function milliValue(q: Quantity): number {
  const div = 1_000_000n;
  return Number(q.nanos / div + (q.nanos % div > 0n ? 1n : 0n));
}

/** Rounded up to whole units (Value). */
export function unitValue(q: Quantity): number {
  return Number(q.nanos / NANO + (q.nanos % NANO > 0n ? 1n : 0n));
}

/** The canonical text of a quantity (Quantity.String()). */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  const sign = q.nanos < 0n ? '-' : '';
  const abs = q.nanos < 0n ? -q.nanos : q.nanos;
  if (q.format === 'BinarySI' && abs >= 1024n * NANO && abs % NANO === 0n) {
    let units = abs / NANO;
    let power = 0;
    while (power < 6 && units % 1024n === 0n) {
      units /= 1024n;
      power++;
    }
    return `${sign}${units}${['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'][power]}`;
  }
  // Largest power of 1000 (from nano up to exa) that leaves an integer mantissa.
  let exp = -9;
  let mantissa = abs;
  while (exp < 18 && mantissa % 1000n === 0n) {
    mantissa /= 1000n;
    exp += 3;
  }
  if (q.format === 'DecimalExponent') return `${sign}${mantissa}${exp === 0 ? '' : `e${exp}`}`;
  const suffix = Object.entries(DECIMAL_SUFFIX).find(([, e]) => e === exp)![0];
  return `${sign}${mantissa}${suffix}`;
}

/** The canonical text of a quantity string; the text itself when it does not parse. */
export function canonicalQuantity(text: unknown): string {
  const q = parseQuantity(text);
  return q ? formatQuantity(q) : String(text ?? '');
}
