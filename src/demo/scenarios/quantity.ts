/** Kubernetes memory quantities (`128Mi`, `1G`, `192M`) in bytes, enough to compare limits. */
const FACTORS: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };

export function parseQuantity(text: string): number {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(text.trim());
  if (!m || !(m[2] in FACTORS)) throw new Error(`not a memory quantity: ${text}`);
  return Number(m[1]) * FACTORS[m[2]];
}
