/**
 * Turns Prometheus text exposition into samples, with `parse-prometheus-text-format` doing the
 * parsing. Histograms and summaries are stored as the series Prometheus stores (`_bucket{le}`,
 * `_sum`, `_count`, `{quantile}`).
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { Labels, ScrapedSample } from './store.ts';

/** What the parser really returns per metric (its declaration only names value and labels). */
interface RawMetric {
  value?: string;
  labels?: Record<string, string>;
  buckets?: Record<string, string>;
  quantiles?: Record<string, string>;
  sum?: string;
  count?: string;
}

/** Parses an exposition value: decimal numbers, NaN, +Inf, -Inf (and Inf). */
export function parseSampleValue(text: string): number {
  const s = text.trim();
  switch (s) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
  }
  if (s === '') throw new Error('empty sample value');
  const v = Number(s);
  if (Number.isNaN(v)) throw new Error(`invalid sample value "${text}"`);
  return v;
}

/** Parses exposition text into samples (labels include __name__). Throws on malformed input. */
export function parseExposition(text: string): ScrapedSample[] {
  const out: ScrapedSample[] = [];
  const push = (name: string, labels: Labels | undefined, value: string | undefined, extra?: Labels) => {
    if (value === undefined) return;
    out.push({ labels: { ...labels, ...extra, __name__: name }, value: parseSampleValue(value) });
  };
  // The parser loses the labels and the _sum/_count of labelled histograms and summaries, so they
  // are declared untyped: every line then comes back as its own sample with all its labels.
  const flat = text.replace(/^(#[ \t]+TYPE[ \t]+\S+[ \t]+)(histogram|summary)[ \t]*$/gm, '$1untyped');
  for (const family of parsePrometheusTextFormat(flat)) {
    for (const m of family.metrics as RawMetric[]) {
      if (family.type === 'HISTOGRAM' && (m.buckets || m.sum !== undefined || m.count !== undefined)) {
        for (const [le, v] of Object.entries(m.buckets ?? {})) push(`${family.name}_bucket`, m.labels, v, { le });
        push(`${family.name}_sum`, m.labels, m.sum);
        push(`${family.name}_count`, m.labels, m.count);
      } else if (family.type === 'SUMMARY' && (m.quantiles || m.sum !== undefined || m.count !== undefined)) {
        for (const [quantile, v] of Object.entries(m.quantiles ?? {})) push(family.name, m.labels, v, { quantile });
        push(`${family.name}_sum`, m.labels, m.sum);
        push(`${family.name}_count`, m.labels, m.count);
      } else {
        push(family.name, m.labels, m.value);
      }
    }
  }
  return out;
}
