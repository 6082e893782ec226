/**
 * Logarithms computed the way Go's math package does (Prometheus evaluates ln/log2/log10 with it).
 * JavaScript's Math.log10 and Math.log2 are correctly rounded more often, but Prometheus gives e.g.
 * log10(0.1) = -0.9999999999999999 and an alert on `log10(x) <= -1` must decide the same way.
 */

const view = new DataView(new ArrayBuffer(8));

/** x = frac * 2^exp with |frac| in [0.5, 1); zero, infinities and NaN come back unchanged with exp 0. */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let adjust = 0;
  view.setFloat64(0, x);
  let biased = (view.getUint16(0) >> 4) & 0x7ff;
  if (biased === 0) {
    // Subnormal: scale into the normal range first, then account for the scaling.
    view.setFloat64(0, x * 2 ** 52);
    biased = (view.getUint16(0) >> 4) & 0x7ff;
    adjust = -52;
  }
  const exp = biased - 1022 + adjust;
  // Keep sign and mantissa, set the exponent field to that of 0.5.
  view.setUint16(0, (view.getUint16(0) & 0x800f) | (1022 << 4));
  return [view.getFloat64(0), exp];
}

/** Base-2 logarithm, exact for powers of two. */
export function goLog2(x: number): number {
  const [frac, exp] = frexp(x);
  if (frac === 0.5) return exp - 1;
  return Math.log(frac) * Math.LOG2E + exp;
}

/** Base-10 logarithm as ln(x) * log10(e). */
export function goLog10(x: number): number {
  return Math.log(x) * Math.LOG10E;
}
