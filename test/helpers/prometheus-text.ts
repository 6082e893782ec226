/**
 * Reads Prometheus text exposition with a standard parser (parse-prometheus-text-format, the
 * prom2json-compatible port of the official Python client's parser) and checks what a scraper
 * would reject: families declared twice, duplicate series.
 */
import assert from 'node:assert/strict';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedExposition {
  help: Map<string, string>;
  types: Map<string, string>;
  samples: ParsedSample[];
}

export function parseExposition(text: string): ParsedExposition {
  assert.ok(text.endsWith('\n') || text === '', 'exposition ends with a newline');
  const help = new Map<string, string>();
  const types = new Map<string, string>();
  const samples: ParsedSample[] = [];
  const seen = new Set<string>();
  for (const family of parsePrometheusTextFormat(text)) {
    assert.ok(!types.has(family.name), `family ${family.name} declared twice`);
    help.set(family.name, family.help);
    types.set(family.name, family.type.toLowerCase());
    for (const m of family.metrics) {
      const labels = m.labels ?? {};
      const key = `${family.name}${JSON.stringify(Object.entries(labels).sort())}`;
      assert.ok(!seen.has(key), `duplicate series ${key}`);
      seen.add(key);
      const value = Number(m.value);
      assert.ok(!Number.isNaN(value) || m.value === 'NaN', `bad value ${m.value} in ${key}`);
      samples.push({ name: family.name, labels, value });
    }
  }
  return { help, types, samples };
}

/** Samples of one family whose labels include `match`. */
export function findSamples(p: ParsedExposition, name: string, match: Record<string, string> = {}): ParsedSample[] {
  return p.samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

/** The value of the one sample of `name` matching `match`. */
export function sampleValue(p: ParsedExposition, name: string, match: Record<string, string>): number {
  const hits = findSamples(p, name, match);
  assert.equal(hits.length, 1, `exactly one ${name} ${JSON.stringify(match)}, got ${hits.length}`);
  return hits[0].value;
}
