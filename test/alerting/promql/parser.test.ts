import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parsePromQL, PromQLError, type Expr } from '../../../src/alerting/promql/index.ts';

function fails(expr: string, message: RegExp, position?: number): void {
  assert.throws(
    () => parsePromQL(expr),
    (e: unknown) => {
      assert.ok(e instanceof PromQLError, `expected PromQLError for ${expr}, got ${String(e)}`);
      assert.match(e.message, message);
      if (position !== undefined) assert.equal(e.position, position, `position for ${expr}: ${e.message}`);
      return true;
    },
  );
}

test('literals: numbers (decimal, exponent, hex, Inf, NaN, duration) and strings with escapes', () => {
  assert.deepEqual(parsePromQL('42'), { kind: 'number', value: 42 });
  assert.deepEqual(parsePromQL('-1.5e3'), { kind: 'number', value: -1500 });
  assert.deepEqual(parsePromQL('0x1F'), { kind: 'number', value: 31 });
  assert.deepEqual(parsePromQL('Inf'), { kind: 'number', value: Infinity });
  assert.deepEqual(parsePromQL('-(2)'), { kind: 'number', value: -2 });
  const nan = parsePromQL('NaN');
  assert.ok(nan.kind === 'number' && Number.isNaN(nan.value));
  assert.deepEqual(parsePromQL('"a\\n\\"b\\x41"'), { kind: 'string', value: 'a\n"bA' });
  assert.deepEqual(parsePromQL("'it\\'s'"), { kind: 'string', value: "it's" });
  assert.deepEqual(parsePromQL('`raw\\n`'), { kind: 'string', value: 'raw\\n' });
});

test('durations', () => {
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('2d'), 172_800_000);
  assert.equal(parseDuration('abc'), undefined);
});

test('vector selector with every matcher type and offset', () => {
  const e = parsePromQL('up{job="api", env!="dev", pod=~"web-.*", zone!~"us|eu"} offset 5m');
  assert.deepEqual(e, {
    kind: 'vector',
    name: 'up',
    matchers: [
      { type: '=', name: '__name__', value: 'up' },
      { type: '=', name: 'job', value: 'api' },
      { type: '!=', name: 'env', value: 'dev' },
      { type: '=~', name: 'pod', value: 'web-.*' },
      { type: '!~', name: 'zone', value: 'us|eu' },
    ],
    offsetMs: 300_000,
  });
  const q = parsePromQL('{__name__="up", "quoted.label"="x"}');
  assert.ok(q.kind === 'vector');
  assert.deepEqual(q.matchers[1], { type: '=', name: 'quoted.label', value: 'x' });
});

test('range selector inside a function, with offset', () => {
  const e = parsePromQL('rate(http_requests_total{code="500"}[5m] offset 1h)');
  assert.ok(e.kind === 'call' && e.func === 'rate');
  const m = e.args[0];
  assert.ok(m.kind === 'matrix');
  assert.equal(m.rangeMs, 300_000);
  assert.equal(m.selector.offsetMs, 3_600_000);
});

test('binary operators: precedence, bool, vector matching', () => {
  const e = parsePromQL('1 + 2 * 3 ^ 2');
  assert.ok(e.kind === 'binary' && e.op === '+');
  assert.ok(e.rhs.kind === 'binary' && e.rhs.op === '*');
  const b = parsePromQL('a > bool on(job, instance) group_left(version) b') as Expr & { kind: 'binary' };
  assert.equal(b.op, '>');
  assert.equal(b.bool, true);
  assert.deepEqual(b.matching, { card: 'many-to-one', on: true, labels: ['job', 'instance'], include: ['version'] });
  const r = parsePromQL('a - ignoring(pod) group_right b') as Expr & { kind: 'binary' };
  assert.deepEqual(r.matching, { card: 'one-to-many', on: false, labels: ['pod'], include: [] });
  const s = parsePromQL('a unless b') as Expr & { kind: 'binary' };
  assert.equal(s.op, 'unless');
  assert.deepEqual(s.matching, { card: 'one-to-one', on: false, labels: [], include: [] });
  const scalarOnly = parsePromQL('1 == bool 1') as Expr & { kind: 'binary' };
  assert.equal(scalarOnly.matching, undefined);
  for (const op of ['+', '-', '*', '/', '%', '^', '==', '!=', '>', '<', '>=', '<=', 'and', 'or', 'unless']) {
    const x = parsePromQL(`a ${op} b`);
    assert.ok(x.kind === 'binary' && x.op === op, op);
  }
});

test('unary minus on a vector', () => {
  const e = parsePromQL('-up');
  assert.ok(e.kind === 'unary' && e.op === '-' && e.expr.kind === 'vector');
});

test('aggregations with by/without before or after the body, and topk parameter', () => {
  const a = parsePromQL('sum by (job) (up)');
  assert.ok(a.kind === 'aggregate');
  assert.deepEqual([a.op, a.grouping, a.without], ['sum', ['job'], false]);
  const b = parsePromQL('avg(up) without (instance)');
  assert.ok(b.kind === 'aggregate');
  assert.deepEqual([b.op, b.grouping, b.without], ['avg', ['instance'], true]);
  const c = parsePromQL('topk(3, up)');
  assert.ok(c.kind === 'aggregate' && c.op === 'topk');
  assert.deepEqual(c.param, { kind: 'number', value: 3 });
  for (const op of ['sum', 'count', 'min', 'max', 'avg']) assert.equal(parsePromQL(`${op}(up)`).kind, 'aggregate');
});

test('syntax errors carry the position', () => {
  fails('up +', /unexpected end of input/, 4);
  fails('sum(up', /parse error/);
  fails('up{job="a"', /parse error/);
  fails('foo bar', /parse error/, 4);
  fails('', /empty expression/);
  const err = (() => {
    try {
      parsePromQL('up\n  + )');
    } catch (e) {
      return e as Error;
    }
    return undefined;
  })();
  assert.match(err?.message ?? '', /line 2, column/);
});

test('a long expression deeper than the parser stack fails where parsing stopped, without error recovery (1.5 GB; found by fuzzing)', () => {
  // 600 KB of right-associative `^`: the grammar's stack ends at about 930 levels.
  const expr = Array(60_000).fill('vector(1)').join('^');
  const before = process.memoryUsage().heapUsed;
  fails(expr, /unknown or unsupported function "vector"/, 9330);
  assert.ok(process.memoryUsage().heapUsed - before < 300e6, `heap grew by ${Math.round((process.memoryUsage().heapUsed - before) / 1e6)} MB`);
  // Short inputs still get the extent of the unexpected token from error recovery.
  fails('sum(up) foo bar', /parse error: unexpected "foo/, 8);
});

test('regexes RE2 refuses or that cannot run in linear time are invalid', () => {
  fails('up{job=~"a{1001}"}', /invalid regular expression .*invalid repeat count \{1001\}/);
  fails('label_replace(up, "x", "$1", "job", "(a){17}")', /invalid regular expression .*cannot be evaluated in linear time/);
  fails(`label_replace(up, "x", "$1", "job", "${'(a)'.repeat(101)}")`, /invalid regular expression .*more than 100 capture groups/);
  fails(`up{job=~"${'('.repeat(1001)}a${')'.repeat(1001)}"}`, /invalid regular expression .*nests deeper than 1000 groups/);
  // V8 compiles this one with a segmentation fault, which ended the process (found by fuzzing).
  fails(`up{job=~"${'(?:'.repeat(100_000)}a${')*'.repeat(100_000)}"}`, /invalid regular expression .*nests deeper than 1000 groups/);
  // Only label_replace needs capture groups: a matcher's are compiled as plain groups (V8 took 20 s
  // to compile this one with its 2,000 nested capture groups; found by fuzzing).
  assert.equal(parsePromQL('up{job=~"(a){17}"}').kind, 'vector');
  assert.equal(parsePromQL(`up{job=~"${'(a|'.repeat(900)}a${')*'.repeat(900)}"}`).kind, 'vector');
  fails('up{job=~"(?:.{0,1000}){100}"}', /invalid regular expression .*too large once its repetitions are written out/);
  assert.equal(parsePromQL('up{job=~"[0-9a-f]{32}|.{0,1000}|(?:ab){3,}|(a){16}"}').kind, 'vector');
});

test('unsupported constructs are rejected at parse time with their position', () => {
  fails('rate(up[5m:1m])', /subqueries are not supported/, 5);
  fails('up @ 1700000000', /@ modifier is not supported/, 0);
  fails('sort_by_label(up, "job")', /unsupported function "sort_by_label"/, 0);
  fails('1 + holt_winters(x[5m], 0.5, 0.5)', /unsupported function/, 4);
  fails('limitk(2, up)', /unsupported aggregation/, 0);
  fails('limit_ratio(0.5, up)', /unsupported aggregation/);
  fails('no_such_function(up)', /unknown or unsupported function "no_such_function"/, 0);
  fails('up[5m]', /range vectors are only supported as function arguments/, 0);
  fails('up[5m] + 1', /scalar and instant vector/);
  fails('{job=""}', /at least one non-empty matcher/);
  fails('up{job=~"a(?=b)"}', /unsupported regex construct/, 8);
  fails('up{job=~"("}', /invalid regular expression/);
  fails('up{job=~"[[:alpha:]]+"}', /unsupported regex construct/);
  fails('up{job=~"a\\\\z"}', /unsupported regex construct/);
  fails('up{job=~"a(?s)b"}', /unsupported regex construct/);
  assert.equal(parsePromQL('up{job=~"(?i)API"}').kind, 'vector');
});

test('type errors are rejected at parse time', () => {
  fails('rate(up)', /expected type range vector in call to function "rate", got instant vector/, 5);
  fails('abs(up[5m])', /expected type instant vector/);
  fails('clamp_min(up)', /expected 2 argument/);
  fails('round(up, 1, 2)', /expected 1 to 2 argument/);
  fails('1 > 2', /comparisons between scalars must use BOOL modifier/, 2);
  fails('up + bool 1', /bool modifier can only be used on comparison operators/);
  fails('up and 1', /set operator "and" not allowed/);
  fails('1 + on(x) up', /vector matching only allowed between instant vectors/);
  fails('a and on(x) group_left b', /no grouping allowed/);
  fails('topk(up)', /wrong number of arguments/);
  fails('sum(1)', /expected type instant vector in aggregation/);
  fails('label_replace(up, "1bad", "", "a", ".*")', /invalid destination label name/);
});
