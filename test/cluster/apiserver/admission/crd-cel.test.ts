/** The CEL layer for x-kubernetes-validations: compilation, values from schemas, the Kubernetes library. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compileExpression,
  compileRule,
  escapePropertyName,
  evaluateMessageExpression,
  evaluateRule,
  toCelValue,
  type RuleOutcome,
} from '../../../../src/cluster/apiserver/admission/cel.ts';
import type { JSONSchemaProps } from '../../../../src/cluster/core/types.ts';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    replicas: { type: 'integer' },
    ratio: { type: 'number' },
    name: { type: 'string' },
    'x-y': { type: 'string' },
    'a.b/c': { type: 'string' },
    namespace: { type: 'string' },
    when: { type: 'string', format: 'date-time' },
    day: { type: 'string', format: 'date' },
    timeout: { type: 'string', format: 'duration' },
    items: { type: 'array', items: { type: 'object', properties: { n: { type: 'string' }, v: { type: 'integer' } } } },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    port: { 'x-kubernetes-int-or-string': true },
    free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    cpu: { type: 'string' },
  },
};

const value = {
  replicas: 3,
  ratio: 2,
  name: 'web-1',
  'x-y': 'dash',
  'a.b/c': 'odd',
  namespace: 'prod',
  when: '2025-01-02T03:04:05Z',
  day: '2025-01-02',
  timeout: '1h30m',
  items: [{ n: 'a', v: 1 }, { n: 'b', v: 2 }],
  labels: { app: 'web', 'app.kubernetes.io/name': 'shop' },
  port: '8080',
  free: { count: 7, nested: { ok: true } },
  cpu: '500m',
};

const self = toCelValue(value, schema);

function run(rule: string, oldSelf?: unknown, extra: Partial<Parameters<typeof compileRule>[0]> = {}): RuleOutcome {
  const compiled = compileRule({ rule, ...extra }, schema);
  assert.equal(compiled.error, undefined, `${rule}: ${compiled.error}`);
  return evaluateRule(compiled, self, oldSelf === undefined ? undefined : { value: oldSelf });
}

const passes = (rule: string): void => assert.deepEqual(run(rule), { kind: 'pass' }, rule);
const fails = (rule: string): void => assert.deepEqual(run(rule), { kind: 'fail' }, rule);

describe('CEL values from the schema', () => {
  it('turns integer fields into ints and number fields into doubles', () => {
    passes('type(self.replicas) == int');
    passes('type(self.ratio) == double');
    passes('self.replicas % 2 == 1');
    passes('self.replicas + 1 == 4');
    passes('self.ratio / 4.0 == 0.5');
    passes('self.items.all(x, type(x.v) == int)');
  });

  it('turns preserved unknown numbers into ints when integral', () => {
    passes('self.free.count == 7');
    passes('self.free.nested.ok');
  });

  it('escapes property names', () => {
    assert.equal(escapePropertyName('x-y'), 'x__dash__y');
    assert.equal(escapePropertyName('a.b/c'), 'a__dot__b__slash__c');
    assert.equal(escapePropertyName('namespace'), '__namespace__');
    assert.equal(escapePropertyName('a__b'), 'a__underscores__b');
    assert.equal(escapePropertyName('has space'), undefined);
    passes("self.x__dash__y == 'dash'");
    passes("self.a__dot__b__slash__c == 'odd'");
    passes("self.__namespace__ == 'prod'");
  });

  it('keeps map keys unescaped', () => {
    passes("self.labels['app.kubernetes.io/name'] == 'shop'");
    passes("'app' in self.labels");
    passes('self.labels.app == "web"');
  });

  it('makes date-time/date fields timestamps and duration fields durations', () => {
    passes("self.when == timestamp('2025-01-02T03:04:05Z')");
    passes("self.when > timestamp('2024-12-31T00:00:00Z')");
    passes("self.day < self.when");
    passes("self.timeout == duration('90m')");
    passes("self.timeout > duration('1h')");
    passes("string(self.when) == '2025-01-02T03:04:05Z'");
  });

  it('leaves int-or-string values dynamic', () => {
    passes("type(self.port) == string && int(self.port) == 8080");
    const asInt = toCelValue({ port: 80 }, schema) as { port: unknown };
    assert.equal(asInt.port, 80n);
  });

  it('shows only apiVersion, kind and metadata.name/generateName of a resource root', () => {
    const root: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'integer' } } } } };
    const v = toCelValue(
      { apiVersion: 'v1', kind: 'K', metadata: { name: 'n', generateName: 'g', namespace: 'ns', labels: { a: 'b' } }, spec: { a: 1 }, junk: 1 },
      root,
      true,
    );
    assert.deepEqual(v, { apiVersion: 'v1', kind: 'K', metadata: { name: 'n', generateName: 'g' }, spec: { a: 1n } });
    assert.match(compileRule({ rule: 'self.metadata.namespace == "x"' }, root, true).error ?? '', /undefined field 'namespace'/);
    assert.equal(compileRule({ rule: 'self.metadata.name == "x" && self.kind == "K"' }, root, true).error, undefined);
    assert.match(compileRule({ rule: 'self.kind == "K"' }, root, false).error ?? '', /undefined field 'kind'/);
  });

  it('memoizes conversions in the given cache', () => {
    const cache = new WeakMap<object, unknown>();
    const first = toCelValue(value, schema, false, cache) as Record<string, unknown>;
    assert.equal(toCelValue(value.items, schema.properties!.items, false, cache), first.items);
  });
});

describe('CEL compilation', () => {
  it('caches compiled expressions', () => {
    const a = compileExpression('self.replicas > 1');
    const b = compileExpression('self.replicas > 1');
    assert.equal(a, b);
    assert.equal(compileRule({ rule: 'self.name != ""' }, schema).program, compileRule({ rule: 'self.name != ""' }, schema).program);
  });

  it('reports syntax errors with a position', () => {
    assert.match(compileRule({ rule: 'self.replicas >' }, schema).error ?? '', /^compilation failed: ERROR: <input>:1:\d+: /);
  });

  it('reports undeclared fields, including inside macros and has()', () => {
    assert.equal(compileRule({ rule: 'self.nope > 1' }, schema).error, "compilation failed: ERROR: <input>:1:5: undefined field 'nope'");
    assert.match(compileRule({ rule: 'self.items.all(i, i.zzz > 0)' }, schema).error ?? '', /undefined field 'zzz'/);
    assert.match(compileRule({ rule: 'has(self.zzz)' }, schema).error ?? '', /undefined field 'zzz'/);
    assert.match(compileRule({ rule: 'self.x-y == ""' }, schema).error ?? '', /compilation failed: .*(undefined field 'x'|Unknown variable: y)/);
    assert.equal(compileRule({ rule: 'self.free.anything == 1' }, schema).error, undefined);
    assert.equal(compileRule({ rule: 'self.labels.whatever == "x"' }, schema).error, undefined);
  });

  it('reports unknown functions and static type errors', () => {
    assert.match(compileRule({ rule: 'frobnicate(self)' }, schema).error ?? '', /compilation failed: .*frobnicate/);
    assert.match(compileRule({ rule: '1 + "a" == 2' }, schema).error ?? '', /compilation failed/);
  });

  it('requires rules to evaluate to bool and messageExpressions to string', () => {
    assert.equal(compileRule({ rule: '1 + 1' }, schema).error, 'compilation failed: cel expression must evaluate to a bool');
    assert.equal(compileRule({ rule: 'self.name' }, schema).error, undefined);
    assert.equal(compileRule({ rule: 'true', messageExpression: '42' }, schema).messageError, 'messageExpression compilation failed: must evaluate to a string');
  });

  it('detects oldSelf usage', () => {
    assert.equal(compileRule({ rule: 'self == oldSelf' }, schema).usesOldSelf, true);
    assert.equal(compileRule({ rule: 'self.items.all(x, x.v > 0)' }, schema).usesOldSelf, false);
  });

  it('reports messageExpression compile errors separately', () => {
    const c = compileRule({ rule: 'true', messageExpression: 'self.nope' }, schema);
    assert.equal(c.error, undefined);
    assert.match(c.messageError ?? '', /^messageExpression compilation failed: .*undefined field 'nope'/);
  });
});

describe('CEL evaluation', () => {
  it('supports has(), size(), matches(), startsWith/endsWith/contains', () => {
    passes('has(self.name) && !has(self.free.missing)');
    passes('size(self.items) == 2 && self.name.size() == 5');
    passes("self.name.matches('^[a-z]+-[0-9]$')");
    passes("self.name.startsWith('web') && self.name.endsWith('-1') && self.name.contains('b-')");
  });

  it('matches catastrophic patterns in linear time, as RE2 does (a backtracking engine would not finish)', { timeout: 60_000 }, () => {
    // 40 `a`s and a `!`: about 2^40 steps for a backtracking engine; this blocked the whole server.
    const evil = toCelValue({ name: 'a'.repeat(40) + '!' }, schema);
    for (const rule of ["self.name.matches('^(a+)+$')", "self.name.find('(a|a)+$') == ''", "size(self.name.findAll('(a|aa)+$')) == 0"]) {
      const compiled = compileRule({ rule }, schema);
      assert.equal(compiled.error, undefined, rule);
      assert.deepEqual(evaluateRule(compiled, evil, undefined), { kind: rule.includes('matches') ? 'fail' : 'pass' }, rule);
    }
  });

  it('supports the macros', () => {
    passes("self.items.exists(i, i.n == 'b')");
    passes("self.items.exists_one(i, i.v > 1)");
    passes("self.items.map(i, i.n) == ['a', 'b']");
    passes('self.items.filter(i, i.v > 1).size() == 1');
    passes("self.labels.all(k, k.size() > 0)");
    fails('self.items.all(i, i.v > 1)');
  });

  it('supports string helpers', () => {
    passes("'ABC'.lowerAscii() == 'abc' && 'abc'.upperAscii() == 'ABC'");
    passes("'  x '.trim() == 'x'");
    passes("'a,b,c'.split(',') == ['a', 'b', 'c'] && ['a', 'b'].join('-') == 'a-b'");
    passes("'hello'.charAt(1) == 'e' && 'hello'.indexOf('l') == 2 && 'hello'.lastIndexOf('l') == 3");
    passes("'a-b-c'.replace('-', '_') == 'a_b_c' && 'a-b-c'.replace('-', '_', 1) == 'a_b-c'");
    passes("'abc'.substring(1) == 'bc' && 'abc'.reverse() == 'cba'");
    passes("'%s has %d replicas'.format([self.name, self.replicas]) == 'web-1 has 3 replicas'");
    passes("'abc123def'.find('[0-9]+') == '123' && 'a1b22'.findAll('[0-9]+') == ['1', '22']");
  });

  it('supports conversions', () => {
    passes("int('42') == 42 && string(42) == '42' && double(1) == 1.0 && int(2.9) == 2");
    passes("string(duration('90s')) == '90s'");
    passes("duration('1m') + duration('30s') == duration('90s')");
    passes("timestamp('2025-01-01T00:00:00Z') + duration('24h') == timestamp('2025-01-02T00:00:00Z')");
    passes("int(timestamp('1970-01-01T00:01:00Z')) == 60");
  });

  it('supports the list library', () => {
    passes('[1, 2, 3].isSorted() && ![3, 1].isSorted()');
    passes('[1, 2, 3].sum() == 6 && [1.5, 2.5].sum() == 4.0');
    passes('[3, 1, 2].min() == 1 && [3, 1, 2].max() == 3');
    passes("['a', 'b', 'a'].indexOf('a') == 0 && ['a', 'b', 'a'].lastIndexOf('a') == 2");
    passes('self.items.map(i, i.v).sum() == 3');
  });

  it('supports quantities', () => {
    passes("quantity('1Gi').isGreaterThan(quantity('1000M'))");
    passes("quantity('500m').compareTo(quantity('0.5')) == 0");
    passes("quantity('1.5').asApproximateFloat() == 1.5 && quantity('2k').asInteger() == 2000");
    passes("isQuantity(self.cpu) && !isQuantity('five')");
    passes("quantity('1').add(quantity('500m')).compareTo(quantity('1500m')) == 0");
    passes("quantity('2').sub(1).isInteger() && quantity('-3').sign() == -1");
    passes("quantity('1Ki').asInteger() == 1024 && quantity('1e3').asInteger() == 1000");
    passes("!isQuantity('1.5.5') && !isQuantity(' 1')");
  });

  it('supports URLs', () => {
    passes("isURL('https://example.com:8443/a/b?x=1&x=2') && !isURL('not a url')");
    passes("url('https://example.com:8443/a/b?x=1&x=2').getScheme() == 'https'");
    passes("url('https://example.com:8443/a/b').getHostname() == 'example.com' && url('https://example.com:8443/').getPort() == '8443'");
    passes("url('https://example.com/a%20b').getEscapedPath() == '/a%20b'");
    passes("url('https://example.com/?x=1&x=2').getQuery()['x'] == ['1', '2']");
  });

  it('compares numbers across int and double at runtime', () => {
    passes('self.replicas < 3.5 && self.ratio > 1');
  });

  it('uses oldSelf for transition rules', () => {
    assert.deepEqual(run('self == oldSelf', self), { kind: 'pass' });
    assert.deepEqual(run('self.replicas >= oldSelf.replicas', toCelValue({ ...value, replicas: 5 }, schema)), { kind: 'fail' });
    assert.deepEqual(run('oldSelf.hasValue()', undefined, { optionalOldSelf: true }), { kind: 'fail' });
    assert.deepEqual(run('oldSelf.value().replicas == 3', self, { optionalOldSelf: true }), { kind: 'pass' });
    assert.deepEqual(run('oldSelf.orValue(self).replicas == 3', undefined, { optionalOldSelf: true }), { kind: 'pass' });
  });

  it('reports runtime errors in cel-go wording', () => {
    assert.deepEqual(run('self.items[9].v == 1'), { kind: 'error', message: 'index out of bounds: 9', overload: false });
    assert.deepEqual(run('self.labels.nope == "x"'), { kind: 'error', message: 'no such key: nope', overload: false });
    assert.deepEqual(run('self.replicas / 0 == 1'), { kind: 'error', message: 'division by zero', overload: false });
    assert.deepEqual(run('self.port + 1 == 2'), { kind: 'error', message: 'no such overload', overload: true });
  });

  it('evaluates messageExpression, falling back on errors, empty or multi-line results', () => {
    const msg = (e: string) => evaluateMessageExpression(compileRule({ rule: 'false', messageExpression: e }, schema), self, undefined);
    assert.equal(msg("'replicas is ' + string(self.replicas)"), 'replicas is 3');
    assert.equal(msg("'  padded  '"), 'padded');
    assert.equal(msg("''"), undefined);
    assert.equal(msg("'a\\nb'"), undefined);
    assert.equal(msg('self.labels.nope'), undefined);
    assert.equal(msg('self.replicas'), undefined);
  });

  // How fast a cached program runs is a figure for `npm run bench` (bench/apiserver-building-blocks.bench.ts);
  // what matters here is that one compiled program serves every object it is run against.
  it('runs one cached program against many objects, each answered on its own', () => {
    const rule = "self.replicas >= 0 && self.name.matches('^[a-z0-9-]+$') && self.items.all(i, i.v > 0)";
    const compiled = compileRule({ rule }, schema);
    assert.equal(compileRule({ rule }, schema).program, compiled.program);
    const objects = [
      { value: { ...value }, expected: 'pass' },
      { value: { ...value, replicas: -1 }, expected: 'fail' },
      { value: { ...value, name: 'Web_1' }, expected: 'fail' },
      { value: { ...value, items: [{ n: 'a', v: 1 }, { n: 'b', v: 0 }] }, expected: 'fail' },
      { value: { ...value, items: [] }, expected: 'pass' },
    ];
    for (let round = 0; round < 200; round++) {
      for (const { value: v, expected } of objects) {
        assert.deepEqual(evaluateRule(compiled, toCelValue(v, schema), undefined), { kind: expected }, `round ${round}: ${JSON.stringify(v)}`);
      }
    }
  });

  it('maps with a key named "constructor" (a legal label) are maps like any other', () => {
    const withKey = { ...value, labels: { constructor: 'x', app: 'web' }, free: { constructor: { a: 1 } } };
    const celSelf = toCelValue(withKey, schema);
    const check = (rule: string, expected: RuleOutcome['kind']) =>
      assert.equal(evaluateRule(compileRule({ rule }, schema), celSelf, { value: toCelValue(structuredClone(withKey), schema) }).kind, expected, rule);
    check('self == oldSelf', 'pass');
    check('self.labels == oldSelf.labels', 'pass');
    check("self.labels['constructor'] == 'x' && self.labels.app == 'web' && size(self.labels) == 2", 'pass');
    check("'constructor' in self.labels && self.free.constructor.a == 1", 'pass');
    check("self.labels.all(k, k != 'constructor')", 'fail');
  });
});
