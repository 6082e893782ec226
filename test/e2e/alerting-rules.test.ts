/**
 * The embedded alerting's rule lifecycle and routing through `kubernaut up`: PrometheusRule objects
 * applied, changed and deleted with kubectl take effect live; bad rules (syntax error, unknown
 * function) are reported with an event on the object and a log line while the good rule of the same
 * object runs; `--alertmanager-config` routes to another webhook receiver, which gets a firing alert
 * again each repeat_interval and a resolved notification when the alert goes away.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';

const TIME_SCALE = 60;
const NS = 'alerting-rules';
// Nominal durations of the routing below and what they take at this time scale. A repeat interval
// of three group intervals keeps a right repeat (3 checks apart) far from a wrong one (1 or 2 checks
// apart) in real time: a delivery late by up to half a group interval still tells them apart.
const REPEAT_INTERVAL_REAL_MS = 180_000 / TIME_SCALE;
const GROUP_INTERVAL_REAL_MS = 60_000 / TIME_SCALE;

let k: RunningKubernaut;
let ep: Record<string, string>;
let receiver: Worker;
const notifications: Array<{ at: number; body: any }> = [];

function ruleObject(rules: object[]): string {
  return JSON.stringify({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'mixed', namespace: NS },
    spec: { groups: [{ name: 'mixed', rules }] },
  });
}
const GOOD = { alert: 'AlwaysFiring', expr: 'vector(1) > 0', labels: { severity: 'warning', team: 'sre' }, annotations: { summary: 'value {{ $value }}' } };
const SYNTAX_ERROR = { alert: 'BrokenSyntax', expr: 'sum(rate(http_requests_total[5m])' };
const UNKNOWN_FUNCTION = { alert: 'UnknownFunction', expr: 'no_such_function(up) > 0' };

async function api(path: string): Promise<any> {
  const res = await fetch(`${ep.prometheus}${path}`);
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body.data;
}
const ruleNames = async () => (await api('/api/v1/rules')).groups.flatMap((g: any) => g.rules.map((r: any) => r.name)).sort();
const firingFor = (alertname: string) => notifications.filter((n) => n.body.status === 'firing' && n.body.alerts.some((a: any) => a.labels.alertname === alertname && a.status === 'firing'));

/**
 * The webhook receiver runs in a worker thread: this file's kubectl calls block the main thread
 * (spawnSync), and arrival times taken there would carry those pauses.
 */
async function startReceiver(): Promise<{ port: number; worker: Worker }> {
  const worker = new Worker(
    `const { createServer } = require('node:http');
     const { parentPort } = require('node:worker_threads');
     const server = createServer((req, res) => {
       const at = Date.now();
       let data = '';
       req.on('data', (d) => (data += d));
       req.on('end', () => { parentPort.postMessage({ at, body: JSON.parse(data) }); res.writeHead(200).end(); });
     });
     server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));`,
    { eval: true },
  );
  const port = await new Promise<number>((resolve) => worker.once('message', (m) => resolve(m.port)));
  worker.on('message', (m) => notifications.push(m));
  return { port, worker };
}

before(async () => {
  const started = await startReceiver();
  receiver = started.worker;
  const port = started.port;
  const config = join(await import('node:os').then((os) => os.tmpdir()), `kubernaut-am-${process.pid}.yaml`);
  writeFileSync(
    config,
    [
      'route:',
      '  receiver: test-hook',
      '  group_by: [alertname]',
      '  group_wait: 30s',
      '  group_interval: 1m',
      '  repeat_interval: 3m',
      'receivers:',
      '  - name: test-hook',
      '    webhook_configs:',
      `      - url: http://127.0.0.1:${port}/hook`,
      '        send_resolved: true',
    ].join('\n'),
  );
  k = await startKubernaut({ args: ['--ephemeral', '--no-gateway', '--no-datastorage', '--time-scale', String(TIME_SCALE), '--alertmanager-config', config] });
  ep = JSON.parse(readFileSync(join(k.dataDir, 'endpoints.json'), 'utf8'));
  k.kubectlOk(['create', 'namespace', NS]);
});
after(async () => {
  await k?.stop();
  await receiver?.terminate();
});

test('the PrometheusRule CRD is served; a bad rule is reported on the object and in the log, the good one runs', async () => {
  assert.match(k.kubectlOk(['api-resources', '--api-group=monitoring.coreos.com']), /prometheusrules\s+promrule\s+monitoring\.coreos\.com\/v1\s+true\s+PrometheusRule/);
  k.kubectlOk(['apply', '-f', '-'], { input: ruleObject([SYNTAX_ERROR, GOOD, UNKNOWN_FUNCTION]) });

  const event = await eventually(() => {
    const items = JSON.parse(k.kubectlOk(['get', 'events', '-n', NS, '--field-selector', 'involvedObject.kind=PrometheusRule,involvedObject.name=mixed', '-o', 'json'])).items;
    return items.find((e: any) => e.reason === 'InvalidRules');
  }, 'InvalidRules event on the PrometheusRule', 15_000, 200);
  assert.equal(event.type, 'Warning');
  assert.match(event.message, /2 invalid rule\(s\), 1 loaded/);
  assert.match(event.message, /rule "BrokenSyntax": could not parse expression/);
  assert.match(event.message, /rule "UnknownFunction": could not parse expression: .*no_such_function/);
  assert.match(k.kubectlOk(['describe', 'prometheusrule', 'mixed', '-n', NS]), /InvalidRules/);
  await eventually(() => /invalid rule skipped/.test(k.output()) && /BrokenSyntax/.test(k.output()), 'log line naming the bad rule', 10_000, 200);

  assert.deepEqual(await eventually(async () => ((await ruleNames()).length ? ruleNames() : undefined), 'rules served', 10_000, 200), ['AlwaysFiring']);
  const firing = await eventually(async () => (await api('/api/v1/alerts')).alerts.find((a: any) => a.labels.alertname === 'AlwaysFiring' && a.state === 'firing'), 'good rule fires', 15_000, 200);
  assert.deepEqual(firing.labels, { alertname: 'AlwaysFiring', severity: 'warning', team: 'sre' });
  assert.equal(firing.annotations.summary, 'value 1');

  // The /alerts page shows the running rule and the rejected ones.
  const page = await (await fetch(`${ep.prometheus}/alerts`)).text();
  assert.match(page, /AlwaysFiring/);
  assert.match(page, /BrokenSyntax/);
});

test('--alertmanager-config routes to its webhook: once per repeat_interval while firing', async () => {
  await eventually(() => firingFor('AlwaysFiring').length >= 3, 'three firing notifications', 30_000, 100);
  const sent = firingFor('AlwaysFiring');
  const hook = sent[0].body;
  assert.equal(hook.version, '4');
  assert.equal(hook.receiver, 'test-hook');
  assert.deepEqual(hook.groupLabels, { alertname: 'AlwaysFiring' });
  assert.equal(hook.alerts[0].labels.team, 'sre');
  assert.match(hook.alerts[0].generatorURL, /^http:\/\/.+\/graph\?g0\.expr=/);
  // An unchanged firing group is re-checked every group_interval but re-sent only once
  // repeat_interval has passed. Arrival times carry the stack's timer jitter, hence thresholds
  // half a group interval from what a wrong repeat would give: no gap of one check (a repeat on
  // every check), no mean of two checks (a repeat one check before repeat_interval).
  const gaps = sent.slice(1).map((n, i) => n.at - sent[i].at);
  for (const gap of gaps) assert.ok(gap > GROUP_INTERVAL_REAL_MS * 1.5, `gaps ${gaps.join(', ')} ms: repeated on every check`);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  assert.ok(mean >= REPEAT_INTERVAL_REAL_MS - GROUP_INTERVAL_REAL_MS / 2, `mean gap ${mean} ms, repeat_interval ${REPEAT_INTERVAL_REAL_MS} ms: repeated before repeat_interval`);
});

test('changing the PrometheusRule reloads it live: the fixed rules run, the dropped alert is resolved', async () => {
  const fixed = { alert: 'UnknownFunction', expr: 'absent(no_such_metric) > 0' };
  const quiet = { alert: 'NeverFiring', expr: 'vector(0) > 0' };
  k.kubectlOk(['apply', '-f', '-'], { input: ruleObject([quiet, fixed]) });
  await eventually(async () => JSON.stringify(await ruleNames()) === JSON.stringify(['NeverFiring', 'UnknownFunction']), 'reloaded rule set', 15_000, 200);
  await eventually(() => {
    const items = JSON.parse(k.kubectlOk(['get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=mixed,reason=RulesLoaded', '-o', 'json'])).items;
    return items.some((e: any) => e.type === 'Normal' && /loaded 2 rule\(s\) in 1 group\(s\)/.test(e.message));
  }, 'RulesLoaded event', 15_000, 200);
  await eventually(async () => (await api('/api/v1/alerts')).alerts.some((a: any) => a.labels.alertname === 'UnknownFunction' && a.state === 'firing'), 'fixed rule fires', 15_000, 200);
  // AlwaysFiring is gone: its last notification's endsAt passes and the receiver gets the resolution.
  const resolved = await eventually(
    () => notifications.find((n) => n.body.status === 'resolved' && n.body.alerts.some((a: any) => a.labels.alertname === 'AlwaysFiring' && a.status === 'resolved')),
    'resolved notification for the dropped alert',
    30_000,
    200,
  );
  assert.ok(Date.parse(resolved.body.alerts[0].endsAt) <= resolved.at, 'endsAt in the past');
});

test('deleting the PrometheusRule unloads its rules', async () => {
  k.kubectlOk(['delete', 'prometheusrule', 'mixed', '-n', NS]);
  await eventually(async () => (await ruleNames()).length === 0, 'no rules left', 15_000, 200);
  await eventually(async () => (await api('/api/v1/alerts')).alerts.length === 0, 'no alerts left', 15_000, 200);
});
