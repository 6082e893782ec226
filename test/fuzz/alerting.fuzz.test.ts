/**
 * Property-based fuzzing of the embedded alerting's HTTP API over real HTTP (fast-check, fixed
 * seed, bounded count, so a CI run is repeatable): the Prometheus query, range query, series and
 * labels endpoints (GET and POST forms, wrong content types and bodies), rules, alerts, the
 * Alertmanager v2 alerts, the /alerts page, the probes and unknown paths, with random and mutated
 * PromQL, nesting up to 100,000 levels, huge label matchers, catastrophic and invalid regexes,
 * hostile strings and absurd times and steps. Whatever arrives, the server answers 2xx, 4xx or 503
 * (Prometheus' `{status:"error", errorType, error}` for every error of its /api/v1 routes, never a
 * 500 or a dropped connection), within a bound, and keeps answering its probes.
 *
 * The server runs in a child process (this file, started with KUBERNAUT_ALERTING_FUZZ_SERVE), over
 * a store that holds hostile series (a 4,000-character `aaa…!` label where backtracking regexes
 * like `(a+)+$` explode, a 100,000-character one, `<script>` in a label that the alert annotations
 * template, NUL and lone surrogates): a request that blocks its event loop fails this test at the
 * per-request deadline instead of freezing it, a request that balloons its memory crashes the
 * child (heap limit) and fails the run, and the child is killed at the end whatever it is doing
 * (a worker thread stuck in native code, such as V8's regex compiler, would keep the test
 * process alive). Requests go out on raw sockets, so paths are sent exactly as generated and an
 * answer the server gives before reading a body still counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { startAlertingApi } from '../../src/alerting/api/index.ts';
import { prometheusRule, REPLICAS_MISMATCH, startStack, T0 } from '../alerting/api/fixture.ts';

/** The seed of every run: change it to explore, keep it fixed so CI is repeatable. */
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
/** A liveness bound per request, never a timing assertion: generous for a busy machine. */
const REQUEST_DEADLINE_MS = 30_000;
/** The server's heap: a request that needs more than this is a memory bomb. */
const SERVER_HEAP_MB = 512;
/** Set in the server's environment: this file then serves instead of testing. */
const SERVE = 'KUBERNAUT_ALERTING_FUZZ_SERVE';

/** Where backtracking regexes such as `(a+)+$` take exponential time (RE2, Prometheus' engine, does not). */
const LONG_AS = 'a'.repeat(4000) + '!';
const XSS = '<script>alert(1)</script>';
const HOSTILE = { job: 'kube-state-metrics', namespace: 'fuzz', statefulset: XSS, pod: LONG_AS, weird: '\u0000\ud800é😀\u202e"\\\n' };
const RECORD = { record: 'kv:ready:ratio', expr: 'kube_statefulset_status_replicas_ready / kube_statefulset_status_replicas' };

// ---------------------------------------------------------------------------------------------
// The server, in a child process: 10 minutes of scrapes (the fixture's kv-store and the hostile
// series), rules evaluated as they go (the hostile StatefulSet's alert fires), and alerts with
// hostile labels in the dispatcher. It writes its URL as the first line of its output.

async function serve(): Promise<void> {
  const st = startStack(prometheusRule([REPLICAS_MISMATCH, RECORD]));
  for (let i = 0; i < 40; i++) {
    st.scrape(i < 20 ? 3 : 2, 3);
    const now = st.clock.nowMs();
    st.store.append({ __name__: 'kube_statefulset_status_replicas_ready', ...HOSTILE }, now, 1);
    st.store.append({ __name__: 'kube_statefulset_status_replicas', ...HOSTILE }, now, 3);
    st.store.append({ __name__: 'fuzz_long_label', long: 'x'.repeat(100_000), pod: LONG_AS }, now, i % 7 === 0 ? 0 : i * 1.5);
    await st.evaluateAfter(15_000);
  }
  st.dispatcher.ingest([
    { labels: { alertname: 'FuzzAlert', ...HOSTILE }, annotations: { summary: XSS }, state: 'firing', startsAt: new Date(T0) },
    { labels: { alertname: 'Other', severity: 'warning' }, state: 'firing', startsAt: new Date(T0) },
  ]);
  const api = await startAlertingApi({ backend: st.backend, host: '127.0.0.1', port: 0 });
  process.stdout.write(`${JSON.stringify({ url: api.url })}\n`);
  // Gone with the test process, even if that one is killed.
  process.stdin.on('end', () => process.exit(0)).resume();
}

if (process.env[SERVE]) await serve();

// ---------------------------------------------------------------------------------------------
// Inputs.

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS';
/** What an answer must look like: Prometheus' API, Alertmanager's, the HTML page, a probe, the redirect to it, or anything well-formed. */
type Expect = 'prom' | 'am' | 'page' | 'probe' | 'redirect' | 'any';

interface FuzzRequest {
  method: Method;
  path: string;
  expect: Expect;
  contentType?: string;
  body?: string | Uint8Array<ArrayBuffer>;
}

/** Strings an attacker or a careless client sends: any code point, NULs, lone surrogates, very long. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '\u0000', 'a\ud800b', '\udc00', '"', '\\', '`', "'", '${jndi:ldap://x}', '{{ .Values }}', 'é😀\u202e', '%zz', '%00', ' '.repeat(300), XSS),
  fc.integer({ min: 1000, max: 70_000 }).map((n) => 'x'.repeat(n)),
);

const METRICS = ['kube_statefulset_status_replicas_ready', 'kube_statefulset_status_replicas', 'fuzz_long_label', 'kv:ready:ratio', 'up', 'no_such_metric'];
const FUNCTIONS = [
  'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'predict_linear', 'avg_over_time', 'max_over_time', 'min_over_time', 'sum_over_time', 'count_over_time',
  'quantile_over_time', 'stddev_over_time', 'last_over_time', 'present_over_time', 'absent', 'absent_over_time', 'changes', 'resets', 'clamp', 'clamp_min',
  'clamp_max', 'time', 'vector', 'scalar', 'label_replace', 'label_join', 'abs', 'ceil', 'floor', 'round', 'sqrt', 'exp', 'ln', 'sgn', 'timestamp', 'sort',
  'sort_desc', 'histogram_quantile', 'day_of_month', 'year', 'hour', 'pi', 'holt_winters', 'no_such_function',
];
const AGGREGATIONS = ['sum', 'count', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values'];
const KEYWORDS = ['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', '@', 'start()', 'end()'];
const OPERATORS = ['+', '-', '*', '/', '%', '^', '==', '!=', '<', '>', '<=', '>=', 'and', 'or', 'unless', '=', '=~', '!~'];
const PUNCTUATION = ['(', ')', '{', '}', '[', ']', ',', ':', '"', "'", '`'];
const LITERALS = ['0', '1', '-1', '0.5', '1e309', '-1e309', 'NaN', 'Inf', '-Inf', '0x1F', '5m', '1h', '0s', '1y', '999999999999y', '30s:10s', '"a"', '"(.*)"', '"$1"', '""'];
const MATCHERS = ['{job="kube-state-metrics"}', '{statefulset=~"kv.*"}', '{__name__=~".+"}', '{pod!~"a+!"}', '{pod=""}', '{}', '{__name__=~"kube_.*",statefulset!="x"}'];

/** Valid PromQL over the fuzz store, the seeds of the mutations. */
const VALID_QUERIES = [
  'kube_statefulset_status_replicas_ready < kube_statefulset_status_replicas',
  'kube_statefulset_status_replicas - kube_statefulset_status_replicas_ready',
  'sum by (statefulset) (kube_statefulset_status_replicas_ready) / on(statefulset) sum by (statefulset) (kube_statefulset_status_replicas)',
  'rate(kube_statefulset_status_replicas_ready[5m])',
  'increase(fuzz_long_label[10m]) > bool 0',
  'topk(2, fuzz_long_label offset 1m)',
  'quantile_over_time(0.9, kube_statefulset_status_replicas_ready{statefulset=~"kv.*"}[10m])',
  'count_values("v", kube_statefulset_status_replicas)',
  'label_replace(kube_statefulset_status_replicas, "x", "$1", "statefulset", "(.*)-store")',
  'label_join(fuzz_long_label, "j", ",", "long", "pod")',
  'absent(no_such_metric{job="x"})',
  'histogram_quantile(0.9, sum by (le) (rate(no_such_bucket[5m])))',
  'predict_linear(fuzz_long_label[10m], 3600)',
  'clamp(fuzz_long_label, 1, 10) unless kube_statefulset_status_replicas',
  'kube_statefulset_status_replicas_ready * on(statefulset, namespace, job, pod, weird) group_left kube_statefulset_status_replicas',
  'time() - timestamp(kube_statefulset_status_replicas_ready)',
  'avg without (pod) (kube_statefulset_status_replicas_ready) or vector(0)',
  'sort_desc(max_over_time(fuzz_long_label[1h]))',
  'scalar(sum(kube_statefulset_status_replicas)) * 2 ^ 3 % 5',
  '{__name__=~"kube_.*", pod!~"a+!"}',
  'kube_statefulset_status_replicas_ready[5m]',
  'changes(fuzz_long_label[15m]) + resets(fuzz_long_label[15m])',
  'day_of_month() + year(vector(time()))',
  'round(fuzz_long_label, 0.1) >= 3',
  'count(kv:ready:ratio) by (statefulset)',
  '"a string"',
  '-1/0',
];

const vocabulary = fc.oneof(
  fc.constantFrom(...METRICS, ...FUNCTIONS, ...AGGREGATIONS, ...KEYWORDS, ...OPERATORS, ...PUNCTUATION, ...LITERALS, ...MATCHERS),
  hostileString.map((s) => JSON.stringify(s)),
  hostileString,
);

const TOKEN = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|[a-zA-Z_:][a-zA-Z0-9_:]*|\d+(?:\.\d+)?(?:e[+-]?\d+)?[a-z]*|=~|!~|!=|==|>=|<=|\S/g;

/** A valid query with tokens swapped, removed, duplicated, inserted or replaced. */
const mutatedQuery = fc
  .record({
    seed: fc.constantFrom(...VALID_QUERIES),
    edits: fc.array(fc.record({ op: fc.constantFrom('swap', 'remove', 'duplicate', 'insert', 'replace'), i: fc.nat(), j: fc.nat(), token: vocabulary }), { minLength: 1, maxLength: 5 }),
    glue: fc.constantFrom(' ', ''),
  })
  .map(({ seed, edits, glue }) => {
    const tokens = seed.match(TOKEN) ?? [];
    for (const { op, i, j, token } of edits) {
      const a = tokens.length ? i % tokens.length : 0;
      const b = tokens.length ? j % tokens.length : 0;
      if (op === 'swap') [tokens[a], tokens[b]] = [tokens[b], tokens[a]];
      else if (op === 'remove') tokens.splice(a, 1);
      else if (op === 'duplicate') tokens.splice(a, 0, tokens[a] ?? token);
      else if (op === 'insert') tokens.splice(a, 0, token);
      else tokens[a] = token;
    }
    return tokens.join(glue);
  });

const randomQuery = fc.array(vocabulary, { minLength: 1, maxLength: 25 }).map((t) => t.join(' '));

/** Nesting up to 100,000 levels, written out by hand (a recursive generator would itself overflow). */
const NESTINGS: Array<[string, string]> = [
  ['(', ')'],
  ['abs(', ')'],
  ['sum(', ')'],
  ['sum by (pod) (', ')'],
  ['-', ''],
  ['{', '}'],
  ['[', ']'],
  ['rate(', '[5m])'],
  ['label_replace(', ', "a", "$1", "pod", "(a*)")'],
  ['vector(scalar(', '))'],
];
const depth = fc.oneof(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 2000, max: 100_000 }));
const inner = fc.constantFrom('1', 'kube_statefulset_status_replicas', 'vector(1)', 'fuzz_long_label');
const deepQuery = fc.oneof(
  fc.tuple(depth, fc.constantFrom(...NESTINGS), inner).map(([n, [open, close], x]) => open.repeat(n) + x + close.repeat(n)),
  // Long operator chains: `x + x + …` nests to the left in the syntax tree.
  fc.tuple(depth, fc.constantFrom(' + ', ' or ', ' * on() group_left ', ' and ', '^'), inner).map(([n, op, x]) => Array(Math.min(n, 60_000)).fill(x).join(op)),
);

/** Each level doubles a label value: 30 characters become 30 × 2^depth. */
const labelJoinBomb = fc.integer({ min: 10, max: 40 }).map((n) => {
  let e = 'label_replace(vector(1), "a", "' + 'a'.repeat(30) + '", "", "")';
  for (let i = 0; i < n; i++) e = `label_join(${e}, "a", "", "a", "a")`;
  return e;
});
const replacementBomb = fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 200 })).map(([n, k]) => {
  let e = 'fuzz_long_label';
  for (let i = 0; i < n; i++) e = `label_replace(${e}, "long", "${'$1'.repeat(k)}", "long", "(.*)")`;
  return e;
});

/** Patterns that make a backtracking engine take exponential time on the long `aaa…!` label. */
const CATASTROPHIC_REGEXES = ['(a+)+$', '(a+)+', '(a|a)*', '(a|aa)+', '(a*)*b', '((a+)+)+', '(.*a){12}', '(\\w+\\s?)*$', '([a-z]+)*!x', '(a|[aA])+z', '(?:a|a?)+c', '(?i)(a+)+$', '(?i)(A|a)*b', '(.*)*x', '(x+x+)+y|(a+)+'];
const INVALID_REGEXES = ['(', '[', '*', 'a{2,1}', '(?<', '\\', '(?=x)', '(?!x)', '\\1', '[[:alpha:]]', '(?i', '\\p{L}', '\\Q', 'x**', '(?P<n>x', '(?<n>x)(?<n>y)', '[z-a]', '\ud800', '\\k<n>'];
const regex = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...CATASTROPHIC_REGEXES) },
  { weight: 2, arbitrary: fc.constantFrom(...INVALID_REGEXES) },
  { weight: 1, arbitrary: fc.constantFrom('.+', 'kv.*', 'a+!', '(?i)KV-STORE', '(?P<x>a)+!', '.{0,1000}', 'a{1000}') },
  { weight: 1, arbitrary: hostileString },
  // A huge alternation, deep groups, huge counts.
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 50_000 }).map((n) => Array.from({ length: n }, (_, i) => `v${i}`).join('|')) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 10, max: 100_000 }), fc.constantFrom('(', '(?:', '(?i)(', '(a|')).map(([n, open]) => open.repeat(n) + 'a' + ')*'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom('(?:.{0,1000}){9}', '(a{1,16}){16}', '(?:a{0,1000}){1000}', 'a{99999999999999999999}', '(?i)[\\u0000-\\uffff]{1000}x', '\\w*\\w*\\w*\\w*\\w*!') },
);
/** `"…"` as PromQL reads it (backslashes and quotes escaped). */
const promString = (s: string) => JSON.stringify(s);

const regexQuery = fc.tuple(regex, fc.constantFrom('pod', 'weird', 'long', '__name__', 'statefulset'), fc.nat(3)).map(([re, label, shape]) =>
  [
    `{${label}=~${promString(re)}}`,
    `fuzz_long_label{${label}!~${promString(re)}}`,
    `label_replace(kube_statefulset_status_replicas, "x", "$1", ${promString(label)}, ${promString(re)})`,
    `count({__name__=~".+", ${label}=~${promString(re)}})`,
  ][shape],
);

/** Huge matchers: one huge value, thousands of matchers, hostile values quoted or raw. */
const hugeMatcherQuery = fc.oneof(
  fc.integer({ min: 1000, max: 900_000 }).map((n) => `fuzz_long_label{long="${'x'.repeat(n)}"}`),
  fc.integer({ min: 100, max: 30_000 }).map((n) => `fuzz_long_label{${Array.from({ length: n }, (_, i) => `l${i}!="v"`).join(',')}}`),
  hostileString.map((s) => `kube_statefulset_status_replicas{weird=${promString(s)}}`),
  hostileString.map((s) => `kube_statefulset_status_replicas{weird="${s}"}`),
  hostileString.map((s) => `{${s}="x"}`),
);

const query = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...VALID_QUERIES) },
  { weight: 6, arbitrary: mutatedQuery },
  { weight: 2, arbitrary: randomQuery },
  { weight: 2, arbitrary: deepQuery },
  { weight: 2, arbitrary: labelJoinBomb },
  { weight: 1, arbitrary: replacementBomb },
  { weight: 4, arbitrary: regexQuery },
  { weight: 2, arbitrary: hugeMatcherQuery },
  { weight: 1, arbitrary: hostileString },
);

/** Unix seconds around the data, absurd numbers, RFC 3339 and garbage. */
const timeValue = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(String(T0 / 1000), String(T0 / 1000 + 300), String(T0 / 1000 + 600.5), '2026-11-26T12:05:00Z', '2026-11-26T14:05:00.123456789+02:00') },
  { weight: 2, arbitrary: fc.constantFrom('', '0', '-1', '1.5', '.5', '5.', 'NaN', 'Inf', '-Inf', '+Inf', '1e309', '-1e309', '1e300', '-1e300', '8.64e12', '1e-400', '0x10', '1_000', ' 1', 'now') },
  { weight: 1, arbitrary: fc.constantFrom('2026-13-45T25:61:61Z', '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z', '2026-11-26', '2026-11-26T12:00:00', '2026-11-26T12:00:00.Z', '+275760-09-13T00:00:00Z') },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: hostileString },
);
/** Steps: durations, seconds, and the tiny ones that would mean millions of points. */
const stepValue = fc.oneof(
  fc.constantFrom('15s', '30', '1m', '1h30m', '1y', '1d', '0', '0s', '-1', '-15s', '1e-9', '0.001', '0.0001', '1ms', '1ns', '1us', '1e309', 'NaN', 'Inf', '', '5m5m', '1.5s'),
  fc.double().map(String),
  hostileString,
);

/** Form-encoded text of these parameters, in order (a key may repeat). */
const form = (params: Array<[string, string]>) => {
  const sp = new URLSearchParams();
  for (const [k, v] of params) sp.append(k, v);
  return sp.toString();
};

const extraParams = fc.array(fc.tuple(fc.oneof(fc.constantFrom('query', 'time', 'start', 'end', 'step', 'timeout', 'match[]', 'limit', 'stats'), hostileString), fc.oneof(hostileString, timeValue)), { maxLength: 3 });

/** GET with the parameters in the URL, or POST with them in a form body, or split between the two. */
function prometheusRequest(path: string, params: Array<[string, string]>, how: 'get' | 'post' | 'split', expect: Expect = 'prom'): FuzzRequest {
  if (how === 'get') return { method: 'GET', path: `${path}?${form(params)}`, expect };
  if (how === 'post') return { method: 'POST', path, expect, contentType: 'application/x-www-form-urlencoded', body: form(params) };
  const half = Math.ceil(params.length / 2);
  const inUrl = form(params.slice(half));
  if (inUrl.length > 12_000) return prometheusRequest(path, params, 'post', expect);
  return { method: 'POST', path: `${path}?${inUrl}`, expect, contentType: 'application/x-www-form-urlencoded', body: form(params.slice(0, half)) };
}

/** Long parameters go in a form body: in a URL they would only meet the 16 KiB request-line limit. */
const how = (params: Array<[string, string]>) => fc.constantFrom<'get' | 'post' | 'split'>('get', 'post', 'split').map((h) => (h === 'get' && form(params).length > 12_000 ? 'post' : h));
const withHow = (path: string, params: fc.Arbitrary<Array<[string, string]>>) => params.chain((p) => how(p).map((h) => prometheusRequest(path, p, h)));

const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 3 });
const present = (entries: Array<[string, string | undefined]>): Array<[string, string]> => entries.filter((e): e is [string, string] => e[1] !== undefined);

const instantQuery = withHow(
  '/api/v1/query',
  fc.tuple(query, opt(timeValue), extraParams).map(([q, t, extra]) => [...present([['query', q], ['time', t]]), ...extra]),
);

const rangeQuery = withHow(
  '/api/v1/query_range',
  fc
    .tuple(
      query,
      fc.oneof(
        // Around the data, with steps from 16 s (10,800 points a day) to absurd.
        {
          weight: 4,
          arbitrary: fc.tuple(
            fc.constantFrom(String(T0 / 1000 - 43_200), String(T0 / 1000), '2026-11-26T12:00:00Z'),
            fc.constantFrom(String(T0 / 1000 + 600), String(T0 / 1000 + 43_200), '2026-11-26T12:10:00.5Z'),
            fc.oneof({ weight: 3, arbitrary: fc.constantFrom('16s', '15', '1m', '30.5', '1h') }, { weight: 1, arbitrary: stepValue }),
          ),
        },
        { weight: 1, arbitrary: fc.tuple(timeValue, timeValue, stepValue) },
        { weight: 1, arbitrary: fc.tuple(opt(timeValue), opt(timeValue), opt(stepValue)) },
      ),
      extraParams,
    )
    .map(([q, [start, end, step], extra]) => [...present([['query', q], ['start', start], ['end', end], ['step', step]]), ...extra]),
);

/** match[] selectors: plain ones, regexes, huge and deep ones, anything. */
const selector = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...MATCHERS, ...METRICS, 'kube_statefulset_status_replicas{statefulset="kv-store"}', 'sum(up)', 'up offset 5m', 'up[5m]', '') },
  { weight: 2, arbitrary: regex.map((re) => `{pod=~${promString(re)}}`) },
  { weight: 1, arbitrary: hugeMatcherQuery },
  { weight: 1, arbitrary: mutatedQuery },
  { weight: 1, arbitrary: deepQuery },
  { weight: 1, arbitrary: hostileString },
);
const metadataParams = fc
  .tuple(fc.array(selector, { maxLength: 4 }), opt(timeValue), opt(timeValue), extraParams)
  .map(([sel, start, end, extra]) => [...sel.map((s): [string, string] => ['match[]', s]), ...present([['start', start], ['end', end]]), ...extra]);

const labelName = fc.oneof(
  fc.constantFrom('__name__', 'job', 'pod', 'weird', 'long', 'statefulset', '1bad', 'a-b', 'le'),
  fc.integer({ min: 90, max: 300 }).map((n) => 'l'.repeat(n)),
);
const labelValues = fc.tuple(labelName, metadataParams).map(([name, params]): FuzzRequest => ({ method: 'GET', path: `/api/v1/label/${name}/values?${form(params).slice(0, 12_000)}`, expect: 'prom' }));
/** Percent-encoded as UTF-8 (a lone surrogate as U+FFFD, which is what a client can send). */
const encoded = (s: string) => encodeURIComponent(Buffer.from(s).toString());
/** Any label name in the path: its answers are Prometheus', unless the path is no longer this route. */
const hostileLabelPath = hostileString.map((s): FuzzRequest => {
  const segment = encoded(s).slice(0, 8_000);
  return { method: 'GET', path: `/api/v1/label/${segment}/values`, expect: segment.length > 0 && !/%[0-9A-F]?$/.test(segment) ? 'prom' : 'any' };
});

/** Bodies for POST that are not the form they should be. */
const CONTENT_TYPES = [
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'application/x-www-form-urlencoded; charset=latin1',
  'APPLICATION/X-WWW-FORM-URLENCODED',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/yaml',
  'application/x-protobuf',
  'text/html',
  '*/*',
  ';',
  'application/x-www-form-urlencoded, application/json',
];
const contentType = fc.oneof(fc.constantFrom(...CONTENT_TYPES), fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }));
const deepJson = fc.integer({ min: 40, max: 100_000 }).chain((n) => fc.constantFrom('[', '{"a":').map((open) => open.repeat(n) + '1' + (open === '[' ? ']' : '}').repeat(n)));
const body = fc.oneof(
  fc.tuple(query, opt(timeValue)).map(([q, t]) => form(present([['query', q], ['time', t]]))),
  fc.tuple(query, timeValue).map(([q, t]) => JSON.stringify({ query: q, time: t })),
  deepJson,
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  hostileString,
  fc.uint8Array({ maxLength: 200 }).map((b) => new Uint8Array(b)),
  fc.constant(new Uint8Array([0x71, 0x75, 0x65, 0x72, 0x79, 0x3d, 0xff, 0xfe, 0xed, 0xa0, 0x80])), // query= and invalid UTF-8
  fc.integer({ min: 1_000_000, max: 1_500_000 }).map((n) => 'query=' + '1'.repeat(n)),
  fc.constant(''),
);
const PROM_POST_PATHS = ['/api/v1/query', '/api/v1/query_range', '/api/v1/series', '/api/v1/labels'];
const wrongBody = fc.tuple(fc.constantFrom(...PROM_POST_PATHS), contentType, body).map(([path, type, b]): FuzzRequest => ({ method: 'POST', path, expect: 'prom', contentType: type, body: b }));

/** The other routes, with every method: only the registered ones must answer Prometheus' way. */
const GET_ONLY: Record<string, Expect> = {
  '/api/v1/alerts': 'prom',
  '/api/v1/rules': 'prom',
  '/api/v1/targets': 'prom',
  '/api/v1/metadata': 'prom',
  '/api/v1/status/buildinfo': 'prom',
  '/api/v2/alerts': 'am',
  '/alerts': 'page',
  '/-/healthy': 'probe',
  '/-/ready': 'probe',
  '/': 'redirect',
};
const METHODS: Method[] = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];
const otherRoute = fc.tuple(fc.constantFrom(...Object.keys(GET_ONLY)), fc.oneof({ weight: 3, arbitrary: fc.constant<Method>('GET') }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }), extraParams).map(([path, method, extra]): FuzzRequest => ({
  method,
  path: extra.length ? `${path}?${form(extra).slice(0, 12_000)}` : path,
  expect: method === 'GET' ? GET_ONLY[path] : 'any',
}));
const rulesRequest = fc.tuple(fc.oneof(fc.constantFrom('alert', 'record', '', 'ALERT', 'alerting'), hostileString), extraParams).map(([type, extra]): FuzzRequest => ({ method: 'GET', path: `/api/v1/rules?${form([['type', type], ...extra]).slice(0, 12_000)}`, expect: 'prom' }));

/** Alertmanager's filters: matchers (catastrophic regexes included), receiver regex, state flags. */
const amMatcher = fc.oneof(
  regex.map((re) => `pod=~${JSON.stringify(re)}`),
  regex.map((re) => `pod!~${re}`),
  fc.constantFrom('alertname="FuzzAlert"', 'severity=~"warn.*"', 'team!=ops', 'alertname', '=x', 'a="b', 'a=~"(a+)+$"', '1a=b', 'a="\\x"'),
  hostileString,
);
const amRequest = fc
  .tuple(fc.array(amMatcher, { maxLength: 3 }), opt(regex), fc.array(fc.tuple(fc.constantFrom('active', 'silenced', 'inhibited', 'unprocessed'), fc.constantFrom('true', 'false', '', 'yes', '1')), { maxLength: 2 }))
  .map(([filters, receiver, flags]): FuzzRequest => {
    const params: Array<[string, string]> = [...filters.map((f): [string, string] => ['filter', f]), ...present([['receiver', receiver]]), ...flags];
    return { method: 'GET', path: `/api/v2/alerts?${form(params).slice(0, 12_000)}`, expect: 'am' };
  });

const unknownPath = fc.oneof(
  fc.array(hostileString.map((s) => encoded(s).slice(0, 2000)), { minLength: 1, maxLength: 3 }).map((segs) => `/api/v1/${segs.join('/')}`),
  fc.constantFrom('/api/v1/query/extra', '/api/v1', '/api/v1/', '/api/v2/silences', '/api/v1/%zz', '/api/v1/label/%zz/values', '/api/v1/label/%ed%a0%80/values', '/api/v1/query%00', '/%2e%2e/etc/passwd', '//api/v1/query', '/api/v1/label//values', '/api/v1/label/__name__/values/x', '/metrics/x'),
  fc.integer({ min: 10_000, max: 40_000 }).map((n) => '/' + 'p'.repeat(n)),
).chain((path) => fc.constantFrom(...METHODS).map((method): FuzzRequest => ({ method, path, expect: 'any' })));

/** How a request shows in a failure report: its start, not megabytes of generated text. */
function described(r: FuzzRequest): FuzzRequest {
  const b = r.body === undefined ? '' : ` ${r.body.length} bytes: ${Buffer.from(r.body).toString('utf8', 0, 300)}`;
  return Object.assign(r, { [fc.toStringMethod]: () => `${r.method} ${r.path.slice(0, 300)} (${r.contentType ?? 'no body'})${b}` });
}

const request: fc.Arbitrary<FuzzRequest> = fc
  .oneof(
    { weight: 8, arbitrary: instantQuery },
    { weight: 5, arbitrary: rangeQuery },
    { weight: 3, arbitrary: withHow('/api/v1/series', metadataParams) },
    { weight: 3, arbitrary: withHow('/api/v1/labels', metadataParams) },
    { weight: 2, arbitrary: labelValues },
    { weight: 1, arbitrary: hostileLabelPath },
    { weight: 3, arbitrary: wrongBody },
    { weight: 3, arbitrary: otherRoute },
    { weight: 1, arbitrary: rulesRequest },
    { weight: 2, arbitrary: amRequest },
    { weight: 1, arbitrary: unknownPath },
  )
  .map(described);

// ---------------------------------------------------------------------------------------------
// Checks.

const ERROR_TYPES = new Set(['bad_data', 'execution', 'internal', 'not_found', 'timeout', 'canceled', 'unavailable']);
const RESULT_TYPES = new Set(['scalar', 'string', 'vector', 'matrix']);

function assertPoint(p: unknown, what: string): void {
  assert.ok(Array.isArray(p) && p.length === 2 && typeof p[0] === 'number' && typeof p[1] === 'string', `${what}: a point is [unix seconds, "value"]`);
}

/** A successful /api/v1 answer: `{status:"success", data}` with the shape of its endpoint. */
function assertPrometheusSuccess(path: string, json: any, what: string): void {
  assert.equal(json.status, 'success', what);
  assert.ok('data' in json, what);
  if (path === '/api/v1/query' || path === '/api/v1/query_range') {
    assert.ok(RESULT_TYPES.has(json.data.resultType), `${what}: resultType`);
    if (path === '/api/v1/query_range') assert.equal(json.data.resultType, 'matrix', what);
    const r = json.data.result;
    if (json.data.resultType === 'scalar' || json.data.resultType === 'string') assertPoint(r, what);
    else {
      assert.ok(Array.isArray(r), what);
      for (const s of r) {
        assert.equal(typeof s.metric, 'object', what);
        for (const v of Object.values(s.metric)) assert.equal(typeof v, 'string', `${what}: label values are strings`);
        if (json.data.resultType === 'vector') assertPoint(s.value, what);
        else for (const p of s.values) assertPoint(p, what);
      }
    }
  } else if (path === '/api/v1/series') {
    assert.ok(Array.isArray(json.data), what);
  } else if (path === '/api/v1/labels' || path.startsWith('/api/v1/label/')) {
    assert.ok(Array.isArray(json.data) && json.data.every((x: unknown) => typeof x === 'string'), what);
  }
}

/** An error of an /api/v1 route: Prometheus' `{status:"error", errorType, error}` as JSON, its type matching the code. */
function assertPrometheusError(status: number, type: string, text: string, what: string): void {
  assert.match(type, /^application\/json/, `${what}: Prometheus clients parse the error as JSON`);
  const e = JSON.parse(text);
  assert.equal(e.status, 'error', what);
  assert.ok(ERROR_TYPES.has(e.errorType), `${what}: errorType`);
  assert.equal(typeof e.error, 'string', what);
  if (status === 422) assert.equal(e.errorType, 'execution', what);
  if (status === 400) assert.equal(e.errorType, 'bad_data', what);
}

interface Answer {
  status: number;
  type: string;
  location?: string;
  text: string;
}

/** A complete HTTP/1.1 answer in `raw`, or undefined if the connection closed before it was whole. */
function parseAnswer(raw: Buffer, method: Method): Answer | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3}) /.exec(statusLine)?.[1]);
  if (!status) return undefined;
  const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  let body = raw.subarray(end + 4);
  if (method === 'HEAD' || status === 204 || status === 304) body = Buffer.alloc(0);
  else if (headers.get('transfer-encoding') === 'chunked') {
    const parts: Buffer[] = [];
    for (let at = 0; ; ) {
      const eol = body.indexOf('\r\n', at);
      if (eol < 0) return undefined;
      const size = parseInt(body.subarray(at, eol).toString('latin1'), 16);
      if (size === 0) break;
      if (!(size > 0) || body.length < eol + 2 + size) return undefined;
      parts.push(body.subarray(eol + 2, eol + 2 + size));
      at = eol + 4 + size;
    }
    body = Buffer.concat(parts);
  } else {
    const length = Number(headers.get('content-length') ?? body.length);
    if (body.length < length) return undefined;
    body = body.subarray(0, length);
  }
  return { status, type: headers.get('content-type') ?? '', location: headers.get('location'), text: body.toString('utf8') };
}

/** The connection was reset while the body was still going out, before any answer arrived. */
class ResetWhileSending extends Error {}

/**
 * Sends a request on its own connection, exactly as generated (fetch would normalize the path),
 * and reads the answer until the server closes. A server may answer (413, 415) before it has read
 * the body, then close: like curl, the body goes out in pieces, each once the last was taken, and
 * stops at the first byte of an answer. Node destroys a socket whose write fails, so an answer
 * that arrives just as the server closes can still be lost: that is a {@link ResetWhileSending}.
 * `headersOnly` sends the headers (Content-Length included) and never the body.
 */
function send(base: URL, r: FuzzRequest, { headersOnly = false, deadlineMs = REQUEST_DEADLINE_MS } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = r.body === undefined ? undefined : Buffer.from(r.body);
    const head = [`${r.method} ${r.path} HTTP/1.1`, `Host: ${base.host}`, 'Connection: close'];
    if (r.contentType !== undefined) head.push(`Content-Type: ${r.contentType}`);
    if (body) head.push(`Content-Length: ${body.length}`);
    const socket = connect(Number(base.port), base.hostname);
    const chunks: Buffer[] = [];
    let sent = false;
    const deadline = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${deadlineMs / 1000} s: the server hangs`));
    }, deadlineMs);
    const events: string[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => events.push('end'));
    socket.on('error', (e: NodeJS.ErrnoException) => events.push(e.code ?? e.message));
    socket.on('close', () => {
      clearTimeout(deadline);
      const raw = Buffer.concat(chunks);
      const answer = parseAnswer(raw, r.method);
      if (answer) resolve(answer);
      else if (raw.length === 0 && !sent && events.some((e) => e === 'EPIPE' || e === 'ECONNRESET')) reject(new ResetWhileSending(events.join(', ')));
      else reject(new Error(`the connection closed without a whole answer (${events.join(', ')}; ${raw.length} bytes: ${raw.subarray(0, 120).toString('latin1')})`));
    });
    socket.write(head.join('\r\n') + '\r\n\r\n');
    const CHUNK = 64 * 1024;
    const writeFrom = (at: number): void => {
      if (chunks.length > 0 || socket.destroyed || headersOnly) return;
      if (!body || at >= body.length) {
        sent = true;
        socket.end();
        return;
      }
      if (socket.write(body.subarray(at, at + CHUNK))) setImmediate(() => writeFrom(at + CHUNK));
      else socket.once('drain', () => writeFrom(at + CHUNK));
    };
    writeFrom(0);
  });
}

function check(r: FuzzRequest, a: Answer): void {
  const what = `${r.method} ${r.path.slice(0, 200)} -> ${a.status} ${a.text.slice(0, 300)}`;
  if (r.expect === 'redirect' || (r.method === 'HEAD' && r.path.split('?')[0] === '/')) {
    if (a.status === 431) return;
    assert.equal(a.status, 302, what);
    assert.equal(a.location, '/alerts', what);
    return;
  }
  assert.ok((a.status >= 200 && a.status < 300) || (a.status >= 400 && a.status < 500) || a.status === 503, `${what}: 2xx, 4xx or 503`);
  if (r.method === 'HEAD') return;
  // A request line over 16 KiB is refused by Node's HTTP parser before any route sees it.
  if (a.status === 431) return;
  const path = r.path.split('?')[0];
  if (r.expect === 'prom') {
    if (a.status >= 400) assertPrometheusError(a.status, a.type, a.text, what);
    else assertPrometheusSuccess(path, JSON.parse(a.text), what);
  } else if (r.expect === 'am') {
    assert.match(a.type, /^application\/json/, what);
    const json = JSON.parse(a.text);
    if (a.status === 200) assert.ok(Array.isArray(json) && json.every((x: any) => typeof x.fingerprint === 'string'), what);
    else assert.equal(typeof json, 'string', `${what}: Alertmanager's error is a JSON string`);
  } else if (r.expect === 'page') {
    assert.equal(a.status, 200, what);
    assert.match(a.type, /^text\/html/, what);
    assert.ok(!a.text.includes('<script'), `${what}: a label's <script> is shown, never run`);
  } else if (r.expect === 'probe') {
    assert.equal(a.status, 200, what);
  } else if (a.status >= 400 && /json/.test(a.type)) {
    JSON.parse(a.text);
  }
}

function startServer(): { kill: () => void; url: Promise<string>; failure: () => string | undefined } {
  const child = spawn(process.execPath, [`--max-old-space-size=${SERVER_HEAP_MB}`, '--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, [SERVE]: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let failure: string | undefined;
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = /^(\{.*\})\n/.exec(stdout)?.[1];
      if (line) resolve(JSON.parse(line).url);
    });
    child.on('exit', (code, signal) => {
      failure = `the server exited (${signal ?? code}): ${stderr.slice(-600)}`;
      reject(new Error(failure));
    });
  });
  url.catch(() => undefined);
  return { kill: () => child.kill('SIGKILL'), url, failure: () => failure };
}

if (!process.env[SERVE]) {
  test('fuzzed requests to the alerting HTTP API get a well-formed 2xx/4xx/503 (Prometheus error JSON on /api/v1) within a bound, and the server stays up', { timeout: 600_000 }, async (t) => {
    const server = startServer();
    /** Answers per route and status, reported at the end: what the run covered. */
    const seen = new Map<string, number>();
    try {
      const base = new URL(await server.url);
      const page = await send(base, { method: 'GET', path: '/alerts', expect: 'page' });
      assert.ok(page.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the hostile StatefulSet alert is on the page, escaped');
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          let a: Answer;
          try {
            a = await send(base, r).catch((e: Error) => {
              if (!(e instanceof ResetWhileSending)) throw e;
              // The server refused from the headers and closed; the answer it sent was lost with
              // the connection. It is the one it gives to the headers alone (and must be a refusal).
              return send(base, r, { headersOnly: true, deadlineMs: 10_000 }).then((answer) => {
                assert.ok(answer.status >= 400, `${r.method} ${r.path.slice(0, 200)}: reset while sending a body it accepts (${answer.status})`);
                return answer;
              });
            });
          } catch (e) {
            // A crashed server says why a moment after its connections drop.
            await new Promise((resolve) => setTimeout(resolve, 500));
            assert.fail(`${r.method} ${r.path.slice(0, 200)}: ${server.failure() ?? (e as Error).message}`);
          }
          const route = r.expect === 'any' ? 'other paths and methods' : `${r.method} ${r.path.split('?')[0].replace(/^\/api\/v1\/label\/.*/, '/api/v1/label/:name/values')}`;
          seen.set(`${route} ${a.status}`, (seen.get(`${route} ${a.status}`) ?? 0) + 1);
          check(r, a);
          const health = await send(base, { method: 'GET', path: '/-/healthy', expect: 'probe' }).catch((e: Error) => assert.fail(`the server is down after ${r.method} ${r.path.slice(0, 200)}: ${server.failure() ?? e.message}`));
          assert.equal(health.status, 200, 'the server is still up');
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true, includeErrorInReport: true },
      );
      for (const [what, n] of [...seen].sort()) t.diagnostic(`${what}: ${n}`);
    } finally {
      server.kill();
    }
  });
}
