/**
 * The embedded rule engine against real Prometheus (promtool 2.42): each case runs through our
 * engine, our firing alerts and query results become a promtool test file, and promtool must pass
 * it. See harness.ts for the time line both sides share.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import {
  assertPromtoolAgrees,
  labelValues,
  checkWithPromtool,
  disagreement,
  firingAt,
  promtoolFiles,
  promtoolMajorVersion,
  promtoolMissing,
  runOurEngine,
  type DifferentialCase,
  type RuleSpec,
} from './harness.ts';

const skip = promtoolMissing();

const agree = assertPromtoolAgrees;

const names = labelValues;

// ---------------------------------------------------------------- the reference scenario

const referenceRule = (() => {
  const url = new URL('../../../deploy/demo/scenarios/statefulset-pvc-failure/manifests/prometheus-rule.yaml', import.meta.url);
  const obj = parseYaml(readFileSync(url, 'utf8')) as { spec: { groups: Array<{ name: string; rules: RuleSpec[] }> } };
  return obj.spec.groups;
})();

test('reference rule KubernautStatefulSetReplicasMismatch: healthy, pending, firing at 8m, healed', { skip }, async () => {
  const ksm = 'instance="kube-state-metrics:8080", job="kube-state-metrics"';
  const ours = await agree({
    groups: referenceRule,
    inputSeries: [
      { series: `kube_statefulset_status_replicas{namespace="demo-statefulset", statefulset="kv-store", ${ksm}}`, values: '3x20' },
      // the PVC injection at 5m: one replica stops being ready; healed at 12m
      { series: `kube_statefulset_status_replicas_ready{namespace="demo-statefulset", statefulset="kv-store", ${ksm}}`, values: '3x4 2x6 3x9' },
      // same mismatch elsewhere: the rule's selector must keep it out
      { series: `kube_statefulset_status_replicas{namespace="other", statefulset="kv-store", ${ksm}}`, values: '3x20' },
      { series: `kube_statefulset_status_replicas_ready{namespace="other", statefulset="kv-store", ${ksm}}`, values: '1x20' },
    ],
    alertsAt: ['0m', '4m', '5m', '7m', '8m', '9m', '11m', '12m', '15m'],
  });
  assert.deepEqual(firingAt(ours, '7m'), [], 'pending for 2m is not firing');
  const fired = firingAt(ours, '8m');
  assert.equal(fired.length, 1);
  assert.deepEqual(fired[0].labels, {
    alertname: 'KubernautStatefulSetReplicasMismatch',
    instance: 'kube-state-metrics:8080',
    job: 'kube-state-metrics',
    namespace: 'demo-statefulset',
    severity: 'critical',
    statefulset: 'kv-store',
  });
  assert.match(fired[0].annotations.summary, /^StatefulSet kv-store has 2 ready replicas vs desired\./);
  assert.deepEqual(firingAt(ours, '12m'), [], 'healed');
});

// ---------------------------------------------------------------- rates and counters

test('rate(...[5m]) > 0.5 over counter resets, with for and templated annotations', { skip }, async () => {
  const ours = await agree({
    samplePhase: '30s',
    groups: [
      {
        name: 'rates',
        rules: [
          {
            alert: 'HighRequestRate',
            expr: 'rate(http_requests_total{job="api"}[5m]) > 0.5',
            for: '2m',
            labels: { severity: 'warning' },
            annotations: {
              summary: '{{ $labels.instance }} serves {{ printf "%.3f" $value }} req/s',
              raw: '{{ $value }}',
              human: '{{ $value | humanize }}',
            },
          },
        ],
      },
    ],
    inputSeries: [
      // a: 60/min, restarts at 11m (counter reset), keeps going
      { series: 'http_requests_total{job="api", instance="a:80"}', values: '0+60x10 5+60x14' },
      // b: slow (10/min), then a burst of 50/min from 15m
      { series: 'http_requests_total{job="api", instance="b:80"}', values: '0+10x14 190+50x10' },
      { series: 'http_requests_total{job="other", instance="c:80"}', values: '0+100x25' },
    ],
    alertsAt: ['3m', '5m', '10m', '12m', '14m', '16m', '18m', '20m', '24m'],
    queries: [
      { expr: 'rate(http_requests_total[5m])', at: '12m' },
      { expr: 'rate(http_requests_total[5m])', at: '13m' },
      { expr: 'irate(http_requests_total[5m])', at: '11m' },
      { expr: 'increase(http_requests_total{job="api"}[10m])', at: '15m' },
      { expr: 'resets(http_requests_total[15m])', at: '20m' },
    ],
  });
  assert.deepEqual(names(firingAt(ours, '10m'), 'instance'), ['a:80']);
  assert.deepEqual(names(firingAt(ours, '20m'), 'instance'), ['a:80', 'b:80']);
});

test('increase(restarts[10m]) > 2 extrapolates like Prometheus', { skip }, async () => {
  const ours = await agree({
    samplePhase: '30s',
    groups: [
      {
        name: 'restarts',
        rules: [
          {
            alert: 'PodRestarting',
            expr: 'increase(kube_pod_container_status_restarts_total[10m]) > 2',
            labels: { severity: 'critical' },
            annotations: { summary: '{{ $labels.pod }} restarted {{ printf "%.2f" $value }} times in 10m' },
          },
        ],
      },
    ],
    inputSeries: [
      { series: 'kube_pod_container_status_restarts_total{namespace="demo", pod="web-0", container="app"}', values: '0 0 1 1 2 3 3 4 5 5 5x14' },
      { series: 'kube_pod_container_status_restarts_total{namespace="demo", pod="web-1", container="app"}', values: '0x5 1x19' },
      // appears late: a short window must not be extrapolated over the whole range
      { series: 'kube_pod_container_status_restarts_total{namespace="demo", pod="web-2", container="app"}', values: '_x12 7 8 9 10x10' },
    ],
    alertsAt: ['4m', '6m', '9m', '12m', '14m', '16m', '20m'],
    queries: [
      { expr: 'increase(kube_pod_container_status_restarts_total[10m])', at: '9m' },
      { expr: 'increase(kube_pod_container_status_restarts_total[10m])', at: '15m' },
      { expr: 'delta(kube_pod_container_status_restarts_total[3m])', at: '6m' },
    ],
  });
  assert.deepEqual(names(firingAt(ours, '9m'), 'pod'), ['web-0']);
  assert.deepEqual(names(firingAt(ours, '16m'), 'pod'), ['web-0', 'web-2'], 'web-2 appeared with 3 restarts in its short window');
  assert.deepEqual(names(firingAt(ours, '20m'), 'pod'), ['web-2'], 'web-0 stopped restarting');
});

test('sum by (job) rates divided on(job) group_left(team) by a per-job limit', { skip }, async () => {
  const ours = await agree({
    samplePhase: '30s',
    groups: [
      {
        name: 'ratios',
        rules: [
          {
            alert: 'ErrorBudgetBurn',
            expr:
              'sum by (job, instance) (rate(http_errors_total[2m])) / on(job) group_left(team) sum by (job, team) (error_budget_per_second) > 0.5',
            annotations: { summary: '{{ $labels.team }}/{{ $labels.instance }} burns {{ $value | humanizePercentage }} of its budget' },
          },
        ],
      },
    ],
    inputSeries: [
      { series: 'http_errors_total{job="api", instance="a", code="500"}', values: '0+3x20' },
      { series: 'http_errors_total{job="api", instance="a", code="503"}', values: '0+1x20' },
      { series: 'http_errors_total{job="api", instance="b", code="500"}', values: '0+0x10 0+12x10' },
      { series: 'http_errors_total{job="db", instance="c", code="500"}', values: '0+30x20' },
      { series: 'error_budget_per_second{job="api", team="payments"}', values: '0.1x20' },
      { series: 'error_budget_per_second{job="db", team="storage"}', values: '2x20' },
    ],
    alertsAt: ['5m', '10m', '13m', '16m'],
    queries: [
      { expr: 'sum by (job, instance) (rate(http_errors_total[2m])) / on(job) group_left(team) sum by (job, team) (error_budget_per_second)', at: '13m' },
    ],
  });
  assert.deepEqual(names(firingAt(ours, '16m'), 'instance'), ['a', 'b']);
});

// ---------------------------------------------------------------- gauges over time

test('predict_linear, deriv, delta and irate on a filling disk', { skip }, async () => {
  const ours = await agree({
    samplePhase: '30s',
    groups: [
      {
        name: 'disk',
        rules: [
          {
            alert: 'DiskWillFillIn1h',
            expr: 'predict_linear(node_filesystem_avail_bytes{mountpoint="/data"}[30m], 3600) < 0',
            for: '5m',
            annotations: { summary: '{{ $labels.instance }}: {{ $value | humanize1024 }}B predicted' },
          },
          { alert: 'DiskShrinkingFast', expr: 'deriv(node_filesystem_avail_bytes[10m]) < -1000' },
        ],
      },
    ],
    inputSeries: [
      // steady at first, then loses ~1.2 MB/min with some noise
      { series: 'node_filesystem_avail_bytes{instance="n1", mountpoint="/data"}', values: '80000000x10 79000000-1200000x20 55000000 54100000 52300000 51000000x5' },
      { series: 'node_filesystem_avail_bytes{instance="n2", mountpoint="/data"}', values: '90000000-1000x40' },
    ],
    alertsAt: ['10m', '20m', '25m', '30m', '35m', '40m'],
    queries: [
      { expr: 'predict_linear(node_filesystem_avail_bytes[30m], 3600)', at: '25m' },
      { expr: 'deriv(node_filesystem_avail_bytes[10m])', at: '33m' },
      { expr: 'delta(node_filesystem_avail_bytes[15m])', at: '28m' },
      { expr: 'irate(node_filesystem_avail_bytes[5m])', at: '27m' },
    ],
  });
  assert.deepEqual(names(firingAt(ours, '40m', 'DiskWillFillIn1h'), 'instance'), ['n1'], 'predicted below 0 for 5m');
  assert.deepEqual(names(firingAt(ours, '20m', 'DiskShrinkingFast'), 'instance'), ['n1']);
  assert.deepEqual(firingAt(ours, '10m'), []);
});

test('avg_over_time, max_over_time, changes and resets', { skip }, async () => {
  const ours = await agree({
    samplePhase: '30s',
    groups: [
      {
        name: 'over-time',
        rules: [
          { alert: 'CPUHot', expr: 'avg_over_time(cpu_usage[5m]) > 0.8 and max_over_time(cpu_usage[5m]) > 0.95' },
          { alert: 'Flapping', expr: 'changes(probe_success[10m]) > 3', annotations: { n: '{{ $value }} changes' } },
          { alert: 'CrashLoop', expr: 'resets(process_start_counter[15m]) >= 2' },
          { alert: 'NeverLow', expr: 'min_over_time(cpu_usage[3m]) > 0.9' },
        ],
      },
    ],
    inputSeries: [
      { series: 'cpu_usage{instance="a"}', values: '0.5x5 0.85 0.9 0.97 0.92 0.93 0.94 0.5x10' },
      { series: 'cpu_usage{instance="b"}', values: '0.9x20' },
      { series: 'probe_success{target="x"}', values: '1 1 0 1 0 1 1 0 1 1x12' },
      { series: 'process_start_counter{pod="p"}', values: '1 2 3 1 2 1 2 3 4 5 6x12' },
    ],
    alertsAt: ['6m', '8m', '10m', '12m', '14m', '20m'],
    queries: [
      { expr: 'avg_over_time(cpu_usage[5m])', at: '9m' },
      { expr: 'changes(probe_success[10m])', at: '9m' },
      { expr: 'sum_over_time(probe_success[10m]) / count_over_time(probe_success[10m])', at: '9m' },
    ],
  });
  assert.equal(firingAt(ours, '8m', 'Flapping').length, 1, 'Flapping at 8m');
  assert.equal(firingAt(ours, '10m', 'CPUHot').length, 1, 'CPUHot at 10m');
});

// ---------------------------------------------------------------- selection and set operators

test('topk, label_replace, clamp_max and a recorded series read by a later rule', { skip }, async () => {
  const ours = await agree({
    samplePhase: '30s',
    groups: [
      {
        name: 'top',
        rules: [
          { record: 'pod:cpu:rate2m', expr: 'sum by (pod) (rate(container_cpu_usage_seconds_total[2m]))' },
          {
            alert: 'TopConsumer',
            expr: 'label_replace(topk(2, pod:cpu:rate2m), "app", "$1", "pod", "(.+)-[0-9]+") > 0.4',
            labels: { app_upper: '{{ $labels.app | toUpper }}' },
            annotations: { summary: '{{ $labels.pod }} uses {{ printf "%.2f" $value }} cores' },
          },
        ],
      },
    ],
    inputSeries: [
      { series: 'container_cpu_usage_seconds_total{pod="web-0", container="a"}', values: '0+30x20' },
      { series: 'container_cpu_usage_seconds_total{pod="web-0", container="b"}', values: '0+6x20' },
      { series: 'container_cpu_usage_seconds_total{pod="web-1", container="a"}', values: '0+12x20' },
      { series: 'container_cpu_usage_seconds_total{pod="db-0", container="a"}', values: '0+3x10 30+48x10' },
      { series: 'container_cpu_usage_seconds_total{pod="cache-0", container="a"}', values: '0+20x20' },
    ],
    alertsAt: ['4m', '8m', '15m', '18m'],
    queries: [
      { expr: 'pod:cpu:rate2m', at: '15m' },
      { expr: 'clamp_max(pod:cpu:rate2m, 0.5)', at: '15m' },
      { expr: 'bottomk(1, pod:cpu:rate2m)', at: '15m' },
    ],
  });
  assert.deepEqual(names(firingAt(ours, '8m'), 'pod'), ['web-0']);
  assert.deepEqual(names(firingAt(ours, '18m'), 'app'), ['db', 'web']);
});

test('and on(instance), unless, or vector(0), bool comparisons and count without', { skip }, async () => {
  const ours = await agree({
    groups: [
      {
        name: 'sets',
        rules: [
          { alert: 'DownAndPaged', expr: 'up == 0 and on(instance) paging_enabled == 1' },
          { alert: 'DownUnlessMaintenance', expr: 'up == 0 unless on(instance) maintenance == 1' },
          { alert: 'TooFewUp', expr: 'count without (instance) (up == 1) < 2', annotations: { up: '{{ $value }}' } },
          { alert: 'NoErrorsReported', expr: '(sum(errors_total) or vector(0)) == 0' },
          { alert: 'HalfDown', expr: 'avg by (job) (up == bool 0) >= 0.5', annotations: { ratio: '{{ $value | humanizePercentage }}' } },
        ],
      },
    ],
    inputSeries: [
      { series: 'up{job="node", instance="a"}', values: '1 1 0 0 0 1 1' },
      { series: 'up{job="node", instance="b"}', values: '1 0 0 0 1 1 1' },
      { series: 'up{job="node", instance="c"}', values: '1 1 1 0 0 0 1' },
      { series: 'paging_enabled{instance="a"}', values: '1x6' },
      { series: 'paging_enabled{instance="b"}', values: '0x6' },
      { series: 'maintenance{instance="c"}', values: '1x6' },
      { series: 'errors_total{job="node"}', values: '_x4 3 3 3' },
    ],
    alertsAt: ['0m', '1m', '2m', '3m', '4m', '5m', '6m'],
    queries: [
      { expr: 'up == bool 0', at: '3m' },
      { expr: 'up > bool on(instance) paging_enabled', at: '3m' },
      { expr: '2 > up', at: '3m' },
      { expr: 'sum(errors_total) or vector(0)', at: '2m' },
    ],
  });
  assert.deepEqual(names(firingAt(ours, '2m', 'DownAndPaged'), 'instance'), ['a']);
  assert.deepEqual(names(firingAt(ours, '4m', 'DownUnlessMaintenance'), 'instance'), ['a']);
});

test('absent() of a scrape target that goes stale and comes back', { skip }, async () => {
  const ours = await agree({
    groups: [
      {
        name: 'absent',
        rules: [
          { alert: 'TargetMissing', expr: 'absent(up{job="kube-state-metrics"})', for: '2m', annotations: { summary: 'no {{ $labels.job }} target' } },
          { alert: 'NothingAtAll', expr: 'absent(never_reported{job="x", env=~"prod.*"})' },
        ],
      },
    ],
    inputSeries: [{ series: 'up{job="kube-state-metrics", instance="ksm:8080"}', values: '1x3 stale _x5 1x4' }],
    alertsAt: ['3m', '4m', '5m', '6m', '8m', '9m', '10m'],
    queries: [
      { expr: 'absent(up{job="kube-state-metrics"})', at: '5m' },
      { expr: 'absent_over_time(up{job="kube-state-metrics"}[3m])', at: '8m' },
    ],
  });
  assert.equal(firingAt(ours, '6m', 'TargetMissing').length, 1);
  assert.equal(firingAt(ours, '10m', 'TargetMissing').length, 0);
});

// ---------------------------------------------------------------- time, offsets, staleness

test('time() - last_seen > 300, offset 5m and bool', { skip }, async () => {
  const ours = await agree({
    groups: [
      {
        name: 'time',
        rules: [
          {
            alert: 'HeartbeatOld',
            expr: 'time() - heartbeat_timestamp_seconds > 300',
            annotations: { age: '{{ $value | humanizeDuration }}' },
          },
          { alert: 'GrewFast', expr: 'queue_length - queue_length offset 5m > 100' },
          { alert: 'GrewFastBool', expr: '(queue_length - queue_length offset 5m > bool 100) == 1' },
        ],
      },
    ],
    inputSeries: [
      // the heartbeat stops being refreshed at 4m (the exporter still reports the old time)
      { series: 'heartbeat_timestamp_seconds{job="cron"}', values: '0+60x4 240x15' },
      { series: 'queue_length{queue="q1"}', values: '10+10x8 100+40x11' },
    ],
    alertsAt: ['5m', '9m', '10m', '12m', '15m', '19m'],
    queries: [
      { expr: 'time() - heartbeat_timestamp_seconds', at: '12m' },
      { expr: 'queue_length offset 5m', at: '12m' },
      { expr: 'time()', at: '7m' },
    ],
  });
  assert.equal(firingAt(ours, '10m', 'HeartbeatOld').length, 1);
  assert.equal(firingAt(ours, '15m', 'GrewFast').length, 1);
});

test('staleness: gaps shorter than the 5m lookback are bridged, stale markers are not', { skip }, async () => {
  const ours = await agree({
    samplePhase: '30s',
    groups: [
      {
        name: 'stale',
        rules: [
          { alert: 'Down', expr: 'up == 0', for: '2m' },
          { alert: 'Present', expr: 'present_metric > 0' },
        ],
      },
    ],
    inputSeries: [
      // a: gap of 3 steps (bridged), then a 7-step gap (expires after 5m)
      { series: 'up{instance="a"}', values: '0 0 _x3 0 0 _x7 0 0' },
      // b: a stale marker ends it at once, then it comes back
      { series: 'up{instance="b"}', values: '0 0 0 stale _x2 0 0 0x8' },
      { series: 'present_metric{x="1"}', values: '1 _x8 1 stale 1' },
    ],
    alertsAt: ['1m', '3m', '4m', '6m', '8m', '10m', '12m', '13m', '15m', '17m'],
    queries: [
      { expr: 'up', at: '4m' },
      { expr: 'up', at: '12m' },
      { expr: 'present_metric', at: '10m30s' },
    ],
  });
  assert.equal(firingAt(ours, '4m', 'Down').length, 1);
});

// ---------------------------------------------------------------- the alert state machine

test('for: with a flapping series restarts pending each time it clears', { skip }, async () => {
  const ours = await agree({
    groups: [{ name: 'flap', rules: [{ alert: 'Flappy', expr: 'errors > 0', for: '3m', annotations: { v: '{{ $value }}' } }] }],
    inputSeries: [
      { series: 'errors{svc="a"}', values: '1 1 1 0 1 1 1 1 1 0 1 1' },
      { series: 'errors{svc="b"}', values: '0 1 1 1 1 1 1 1 1 1 1 1' },
    ],
    alertsAt: ['2m', '3m', '4m', '6m', '7m', '8m', '9m', '10m', '11m'],
  });
  assert.deepEqual(names(firingAt(ours, '4m'), 'svc'), ['b']);
  assert.deepEqual(names(firingAt(ours, '7m'), 'svc'), ['a', 'b']);
  assert.deepEqual(names(firingAt(ours, '10m'), 'svc'), ['b']);
});

test('keep_firing_for keeps a firing alert through short gaps and ends it after', { skip }, async () => {
  const ours = await agree({
    groups: [{ name: 'keep', rules: [{ alert: 'Sticky', expr: 'errors > 0', for: '1m', keep_firing_for: '3m', annotations: { v: '{{ $value }}' } }] }],
    inputSeries: [{ series: 'errors{svc="a"}', values: '0 1 1 1 0 0 1 1 0 0 0 0 0 0 0' }],
    alertsAt: ['1m', '2m', '3m', '4m', '5m', '6m', '7m', '8m', '10m', '11m', '12m', '14m'],
  });
  assert.equal(firingAt(ours, '5m').length, 1, 'kept firing while the expression is empty');
  assert.equal(firingAt(ours, '14m').length, 0);
});

test('templates: labels from templates, humanize*, printf, if/else, reReplaceAll, title', { skip }, async () => {
  await agree({
    groups: [
      {
        name: 'templates',
        rules: [
          {
            alert: 'MemoryHigh',
            expr: 'container_memory_working_set_bytes / container_spec_memory_limit_bytes * 100 > 80',
            labels: { severity: '{{ if gt $value 90.0 }}critical{{ else }}warning{{ end }}', team: '{{ $labels.namespace | reReplaceAll "-.*" "" }}' },
            annotations: {
              summary: '{{ $labels.pod | title }} at {{ printf "%.1f" $value }}%',
              bytes: '{{ 123456789.0 | humanize1024 }} / {{ 0.000123 | humanize }} / {{ 12345678 | humanize }}',
              duration: '{{ 3725.5 | humanizeDuration }} {{ 0.25 | humanizeDuration }}',
              percent: '{{ 0.12345 | humanizePercentage }}',
              value: 'v={{ $value }} g={{ printf "%g" $value }} e={{ printf "%e" $value }} d={{ printf "%5.2f|%-8.3f|" $value $value }}',
              upper: '{{ toUpper $labels.namespace }} {{ $labels.missing }}',
            },
          },
        ],
      },
    ],
    inputSeries: [
      { series: 'container_memory_working_set_bytes{namespace="payments-prod", pod="api-0"}', values: '850 870 930 950 990' },
      { series: 'container_spec_memory_limit_bytes{namespace="payments-prod", pod="api-0"}', values: '1000x4' },
      { series: 'container_memory_working_set_bytes{namespace="search", pod="idx-7"}', values: '700 820 1234.5678 900 333' },
      { series: 'container_spec_memory_limit_bytes{namespace="search", pod="idx-7"}', values: '1000x4' },
    ],
    alertsAt: ['0m', '1m', '2m', '3m', '4m'],
  });
});

// ---------------------------------------------------------------- the comparison itself

test('a wrong expectation makes promtool fail with its diff (the check can fail)', { skip }, async () => {
  const c: DifferentialCase = {
    groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'x > 1', annotations: { v: '{{ $value }}' } }] }],
    inputSeries: [{ series: 'x{job="j"}', values: '0 2 3' }],
    alertsAt: ['2m'],
    queries: [{ expr: 'x * 2', at: '2m' }],
  };
  const ours = await runOurEngine(c);
  assert.equal(firingAt(ours, '2m').length, 1);
  const tamperedAlert = structuredClone(ours);
  tamperedAlert.alerts[0].firing[0].annotations.v = '4';
  const v1 = await checkWithPromtool(promtoolFiles(c, tamperedAlert));
  assert.equal(v1.ok, false);
  assert.match(v1.output, /alertname: A/);
  const tamperedValue = structuredClone(ours);
  tamperedValue.queries[0].samples[0].value += 1e-12;
  const v2 = await checkWithPromtool(promtoolFiles(c, tamperedValue));
  assert.equal(v2.ok, false, 'values are compared exactly');
  assert.match(v2.output, /x \* 2/);
});

test('the one known difference: Prometheus 2 includes a sample exactly one range old, Prometheus 3 and we do not', { skip }, async () => {
  // no samplePhase: at 5m the window (0, 5m] of Prometheus 3 excludes the sample at 0, [0, 5m] of 2.x includes it
  const c: DifferentialCase = {
    groups: [{ name: 'g', rules: [] }],
    inputSeries: [{ series: 'x', values: '1 _x10' }],
    alertsAt: [],
    queries: [
      { expr: 'count_over_time(x[5m])', at: '5m' },
      { expr: 'count_over_time(x[5m])', at: '4m' },
    ],
  };
  const ours = await runOurEngine(c);
  assert.deepEqual(ours.queries[0].samples, []);
  const files = promtoolFiles(c, ours);
  const v = await checkWithPromtool(files);
  if (promtoolMajorVersion() >= 3) assert.ok(v.ok, disagreement(v, files));
  else {
    assert.equal(v.ok, false);
    assert.match(v.output, /time: 5m,\s+exp: nil\s+got: \{\} 1/);
    assert.doesNotMatch(v.output, /time: 4m/);
  }
});

test('template functions over values from 1e-7 to 1.7e9', { skip }, async () => {
  const values = ['0', '1', '-1', '0.5', '0.25', '2.5', '123456789', '1e-7', '0.000123', '1234.5678', '3.14159265358979', '-0.001', '86400', '90061.5', '100000', '999999.5', '2.5e-5', '1700000000'];
  const ours = await agree({
    groups: [
      {
        name: 'templates',
        rules: [
          {
            alert: 'Formatting',
            expr: 'v',
            annotations: {
              value: '{{ $value }}',
              humanize: '{{ humanize $value }} {{ $value | humanize1024 }} {{ humanizeDuration $value }} {{ humanizePercentage $value }}',
              time: '{{ $value | humanizeTimestamp }} / {{ $value | toTime }}',
              printf: '{{ printf "%.2f %g %e %v %s" $value $value $value $value "x" }} {{ printf "%5.1f|%-6.2f|%+.1e" $value $value $value }}',
              rounding: '{{ printf "%.0f" $value }} {{ printf "%08.3f" $value }} {{ printf "%x" 255 }} {{ printf "%d" 3 }}',
              labels: '{{ .Labels.inst }} {{ $labels.inst | stripPort }} {{ title "hello world" }} {{ toLower "AbC" }} {{ stripDomain "foo.bar.com:9090" }}',
              range: '{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }} {{ len $labels }} {{ index $labels "inst" }} {{ printf "%q" $labels.inst }}',
              cond: '{{ if lt $value 0.0 }}neg{{ else if eq $value 0.0 }}zero{{ else }}pos{{ end }}',
              regex: '{{ match "^x.*" $labels.inst }} {{ reReplaceAll "(\\\\d+)" "<$1>" $labels.inst }}',
              duration: '{{ "1h30m" | parseDuration }}',
            },
          },
        ],
      },
    ],
    inputSeries: values.map((v, i) => ({ series: `v{inst="x${i}.example.com:80${i}"}`, values: v })),
    alertsAt: ['0m'],
  });
  assert.equal(firingAt(ours, '0m').length, values.length);
});

// avg() is left out: Prometheus 2.42 averages by an incremental mean, Prometheus 3 (and we) by
// sum / count, so a non-exact mean can differ in the last bit.
test('a grid of operators, aggregations and functions at several times', { skip }, async () => {
  const exprs = [
    'max by (job) (x)', 'min without (instance) (x)', 'sum(x)', 'x % 3', 'x ^ 2', '-x', '-2 ^ 2', 'abs(-x)', 'round(x / 7, 0.5)', 'round(x / 7)',
    'clamp_min(x, 12)', 'floor(x / 7)', 'ceil(x / 7)', 'scalar(sum(x))', 'vector(time())', 'label_replace(x, "foo", "$1", "instance", "nomatch(.*)")',
    'topk(1, x)', 'bottomk(2, x)', 'sum by (job) (x) / on(job) group_right x', 'x == bool 10', '1 - x', 'absent(sum(x))', 'absent(x{a="b", a="c"})',
    'absent(nonexist{a="b", c=~"d"})', 'changes(x[10m])', 'deriv(x[10m])', 'deriv(y[10m])', 'predict_linear(y[10m], 100)', 'irate(c[5m])',
    'delta(x[10m])', 'resets(c[20m])', 'count without (instance) (x)', 'sum without (instance) (x)', 'max_over_time(x[10m])', 'min_over_time(x[10m])',
    'x and x > 12', 'x or y', 'y or x', 'x unless on(job) y', 'count(x) by (job)', 'sum(rate(c[5m])) by (job)', 'rate(c[5m]) * 60', 'increase(c[3m])',
    'x > 10 < 20', 'x offset -2m', 'x offset 3m', 'sum_over_time(x[5m])', 'count_over_time(x[3m])', 'time() % 600', 'x * on(instance) group_left(job) y',
    'c - c offset 5m', 'abs(x - 15) <= 3', '2 ^ 3 ^ 2', 'clamp_max(x, 13) + clamp_min(x, 13)', 'topk(2, rate(c[5m]))', 'bottomk(1, rate(c[5m])) by (job)',
    'x != 12', 'sum(x) == 0', 'sum(x) == bool 0', 'vector(1) + on() group_left sum(x)',
  ];
  const ours = await agree({
    samplePhase: '30s',
    groups: [{ name: 'none', rules: [] }],
    inputSeries: [
      { series: 'x{job="a", instance="1"}', values: '10+1x20' },
      { series: 'x{job="a", instance="2"}', values: '5 7 9 _ 13 _ _ 19 25-1x12' },
      { series: 'x{job="b", instance="3"}', values: '13x20' },
      { series: 'y{job="a", instance="1"}', values: '3x20' },
      { series: 'c{job="a", instance="1"}', values: '0 5 10 2 4 6 1 3 100 200 300 10+10x9' },
      { series: 'c{job="b", instance="3"}', values: '0+7x20' },
    ],
    alertsAt: [],
    queries: exprs.flatMap((expr) => ['3m', '7m', '12m', '19m'].map((at) => ({ expr, at }))),
  });
  assert.ok(ours.queries.filter((q) => q.samples.length > 0).length > exprs.length * 3, 'most queries return something');
});
