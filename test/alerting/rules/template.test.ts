import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTemplate, expandTemplate, formatFloatShortest, formatG, sprintf } from '../../../src/alerting/rules/index.ts';

const input = {
  labels: { statefulset: 'kv-store', namespace: 'demo', instance: 'node-1.example.com:9100', pct: '0.25' },
  value: 2,
  externalLabels: { cluster: 'kind', env: 'dev' },
  externalURL: 'http://prom.example:9090',
};
const x = (t: string, value = input.value) => expandTemplate(t, { ...input, value }, '__alert_Test');

test('variables, data fields and plain text', () => {
  assert.equal(x('no templates here'), 'no templates here');
  assert.equal(x('StatefulSet {{ $labels.statefulset }} has {{ $value }} ready'), 'StatefulSet kv-store has 2 ready');
  assert.equal(x('{{ .Labels.namespace }}/{{ .Labels.statefulset }} = {{ .Value }}'), 'demo/kv-store = 2');
  assert.equal(x('{{ $externalLabels.cluster }} {{ .ExternalLabels.env }} {{ $externalURL }}'), 'kind dev http://prom.example:9090');
  assert.equal(x('[{{ $labels.missing }}]'), '[]');
  assert.equal(x('{{ $value }}', 0.5), '0.5');
  assert.equal(x('{{ $value }}', 1234567), '1.234567e+06');
  assert.equal(x('{{ $value }}', 123456), '123456');
  assert.equal(x('{{ $value }}', NaN), 'NaN');
  assert.equal(x('{{ $value }}', Infinity), '+Inf');
  assert.equal(x('{{ "quoted \\"x\\"" }} {{ `raw` }} {{ 42 }} {{ true }}'), 'quoted "x" raw 42 true');
  assert.equal(x('{{ $x := $labels.namespace }}{{ $x }}-{{ $x = "y" }}{{ $x }}'), 'demo-y');
  assert.equal(x('a {{- " b " -}} c'), 'a b c');
  assert.equal(x('a {{/* comment */}}b'), 'a b');
  assert.equal(x('line1\n{{- $value }}'), 'line12');
});

test('humanize family', () => {
  const cases: Array<[string, number, string]> = [
    ['humanize', 1234567, '1.235M'],
    ['humanize', 1000, '1k'],
    ['humanize', 999, '999'],
    ['humanize', 0, '0'],
    ['humanize', 0.00123, '1.23m'],
    ['humanize', -2500, '-2.5k'],
    ['humanize', 2.5e-7, '250n'],
    ['humanize1024', 1048576, '1Mi'],
    ['humanize1024', 1536, '1.5ki'],
    ['humanize1024', 0.5, '0.5'],
    ['humanizePercentage', 0.1234, '12.34%'],
    ['humanizePercentage', 1, '100%'],
    ['humanizeDuration', 3661, '1h 1m 1s'],
    ['humanizeDuration', 90061, '1d 1h 1m 1s'],
    ['humanizeDuration', 125, '2m 5s'],
    ['humanizeDuration', 1.5, '1.5s'],
    ['humanizeDuration', 0.25, '250ms'],
    ['humanizeDuration', 0, '0s'],
    ['humanizeDuration', -65, '-1m 5s'],
    ['humanizeTimestamp', 1700000000, '2023-11-14 22:13:20 +0000 UTC'],
  ];
  for (const [fn, v, want] of cases) {
    assert.equal(x(`{{ ${fn} $value }}`, v), want, `${fn} ${v}`);
    assert.equal(x(`{{ $value | ${fn} }}`, v), want, `pipeline ${fn} ${v}`);
  }
  assert.equal(x('{{ humanize $labels.pct }}'), '250m', 'strings are parsed as numbers');
  assert.equal(x('{{ humanize "Inf" }}'), '+Inf');
});

test('printf and pipelines', () => {
  assert.equal(x('{{ printf "%.2f" $value }}', 3.14159), '3.14');
  assert.equal(x('{{ $value | printf "%.1f%%" }}', 99.44), '99.4%');
  assert.equal(x('{{ printf "%s has %v (%5.1f) %q" $labels.statefulset $value $value "q" }}', 2), 'kv-store has 2 (  2.0) "q"');
  assert.equal(x('{{ printf "%d items" 3 }}'), '3 items');
  assert.equal(x('{{ printf "%e" $value }}', 12345), '1.234500e+04');
  assert.equal(x('{{ printf "%g|%.3g" $value $value }}', 1234.5678), '1234.5678|1.23e+03');
  assert.equal(x('{{ printf "%s" }}'), '%!s(MISSING)');
  assert.equal(x('{{ printf "%-6s|%06.2f|%x" "ab" 3.14159 255 }}'), 'ab    |003.14|ff');
  assert.equal(x('{{ $labels.instance | stripPort | toUpper }}'), 'NODE-1.EXAMPLE.COM');
  assert.equal(x('{{ $labels.instance | reReplaceAll "^([^.]+)\\\\..*$" "$1" }}'), 'node-1');
  assert.equal(x('{{ reReplaceAll "(?P<h>[^:]+):(.*)" "${2}@${h}" $labels.instance }}'), '9100@node-1.example.com');
  assert.equal(x('{{ title "hello world" }} {{ toLower "ABC" }}'), 'Hello World abc');
  assert.equal(x('{{ (printf "%.0f" $value) | printf "<%s>" }}', 7.2), '<7>');
  assert.equal(x('{{ len $labels }} {{ index $labels "namespace" }} {{ print 1 2 "a" }}'), '4 demo 1 2a');
  assert.equal(x('{{ match "^kv" $labels.statefulset }}'), 'true');
  // parseDuration gives seconds, like Prometheus' template function.
  assert.equal(x('{{ parseDuration "1m30s" }}|{{ parseDuration "90s" }}|{{ parseDuration "1h30m" }}'), '90|90|5400');
});

test('conditionals, with and range', () => {
  const t = '{{ if gt $value 10.0 }}high{{ else if gt $value 1.0 }}medium{{ else }}low{{ end }}';
  assert.equal(x(t, 20), 'high');
  assert.equal(x(t, 5), 'medium');
  assert.equal(x(t, 0.5), 'low');
  assert.equal(x('{{ if $labels.namespace }}ns={{ $labels.namespace }}{{ end }}{{ if $labels.none }}never{{ end }}'), 'ns=demo');
  assert.equal(x('{{ if and (eq $labels.namespace "demo") (ne $labels.statefulset "x") }}both{{ end }}'), 'both');
  assert.equal(x('{{ if or (eq $labels.namespace "prod") (not false) }}yes{{ end }}'), 'yes');
  assert.equal(x('{{ if eq $labels.namespace "a" "demo" }}in{{ end }}'), 'in');
  assert.equal(x('{{ with $labels.statefulset }}sts {{ . }}{{ else }}none{{ end }}'), 'sts kv-store');
  assert.equal(x('{{ with $labels.nope }}x{{ else }}none{{ end }}'), 'none');
  assert.equal(x('{{ range $k, $v := $externalLabels }}{{ $k }}={{ $v }};{{ end }}'), 'cluster=kind;env=dev;');
  assert.equal(x('{{ range $externalLabels }}{{ . }},{{ end }}'), 'kind,dev,');
  assert.equal(x('{{ if true }}{{ $y := 1 }}{{ $y }}{{ end }}'), '1');
  assert.equal(x('{{ range $i, $v := $labels }}{{ if eq $i "namespace" }}{{ break }}{{ end }}{{ $i }};{{ end }}'), 'instance;');
  assert.equal(x('{{ $.Labels.namespace }} {{ with $labels.namespace }}{{ $.Value }}{{ end }}'), 'demo 2');
});

test('errors become Prometheus-style error text, never exceptions', () => {
  assert.match(x('{{ $labels.x '), /^<error expanding template: error parsing template __alert_Test: template: __alert_Test:1: unclosed action>$/);
  assert.match(x('{{ nosuch 1 }}'), /function "nosuch" not defined/);
  assert.match(x('{{ if true }}x'), /unexpected EOF/);
  assert.match(x('{{ end }}'), /unexpected \{\{end\}\}/);
  assert.match(x('{{ $undefined }}'), /undefined variable "\$undefined"/);
  assert.match(
    x('a {{ humanize $labels.statefulset }}'),
    /^<error expanding template: error executing template __alert_Test: template: __alert_Test:1:5: executing "__alert_Test" at <humanize \$labels.statefulset>: error calling humanize: strconv.ParseFloat: parsing "kv-store": invalid syntax>$/,
  );
  assert.match(x('{{ .Nope }}'), /can't evaluate field Nope/);
  assert.match(x('{{ $value.x }}'), /can't evaluate field x in type float64/);
  assert.match(x('{{ gt $value "a" }}'), /error calling gt: incompatible types for comparison/);
  assert.match(x('{{ humanize }}'), /wrong number of args for humanize: want 1 got 0/);
  assert.match(x('{{ $value 1 }}'), /can't give argument to non-function/);
  assert.match(x('{{ with query "up" }}{{ . | first | value }}{{ end }}'), /^<error expanding template: .*error calling query: query "up" is not supported/);
  assert.equal(checkTemplate('{{ $labels.x }}'), undefined);
  assert.equal(checkTemplate('plain'), undefined);
  assert.match(checkTemplate('{{ if }}', '__alert_A') ?? '', /^error parsing template __alert_A: template: __alert_A:1: missing value for if$/);
});

test('Go number formatting helpers', () => {
  assert.equal(formatFloatShortest(3), '3');
  assert.equal(formatFloatShortest(0.0001), '0.0001');
  assert.equal(formatFloatShortest(0.00001), '1e-05');
  assert.equal(formatFloatShortest(-1e21), '-1e+21');
  assert.equal(formatG(100000, 4), '1e+05');
  assert.equal(formatG(1234, 4), '1234');
  assert.equal(formatG(12.5, 4), '12.5');
  assert.equal(sprintf('%5.2f|%+d|%v|%t', [1.005, 3, 'x', true]), ' 1.00|+3|x|true');
  assert.equal(sprintf('%s', ['a', 'b']), 'a%!(EXTRA string=b)');
});
