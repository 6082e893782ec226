/**
 * The Kubernetes tools' behaviour against an in-process embedded cluster: kind resolution and the
 * read allowlist, what kubectl_get strips and never shows (Secret values), errors the LLM can act
 * on (unknown kind, not found, missing namespace, container choice, no previous instance), log
 * tails, the caps on events and list rows, and the caller's abort signal.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { installKubernautCrds } from '../../../../src/api/install.ts';
import { ToolError } from '../../../../src/investigator/tools/types.ts';
import { resolveKind } from '../../../../src/investigator/tools/kubernetes/kinds.ts';
import { containerStatus, namespace, runTool, startToolCluster, type ToolCluster } from './fixture.ts';

const NS = 'tools';
let t: ToolCluster;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

before(async () => {
  t = await startToolCluster();
  await installKubernautCrds(t.kc, { clock: t.clock });
  await t.create(
    namespace(NS),
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db-credentials', namespace: NS, annotations: { [LAST_APPLIED]: '{"stringData":{"password":"s3cr3t-Pa55"}}' } },
      type: 'Opaque',
      stringData: { password: 's3cr3t-Pa55', username: 'admin' },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: NS, annotations: { [LAST_APPLIED]: '{"data":{"a":"1"}}', team: 'core' } },
      data: { a: '1' },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'crasher', namespace: NS, annotations: { 'sim.kubernaut.ai/behavior': JSON.stringify({ app: { crashLoop: true, logs: ['booting', 'panic: config missing'] } }) } },
      spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'chatty',
        namespace: NS,
        annotations: { 'sim.kubernaut.ai/behavior': JSON.stringify({ main: { logs: Array.from({ length: 300 }, (_, i) => `line ${i + 1}`) }, proxy: { logs: ['proxy up'] } }) },
      },
      spec: { initContainers: [{ name: 'setup', image: 'busybox:1.36' }], containers: [{ name: 'main', image: 'app:1' }, { name: 'proxy', image: 'envoy:1' }] },
    },
  );
  await Promise.all([
    t.waitFor(`/api/v1/namespaces/${NS}/pods/crasher`, (p) => containerStatus(p, 'app')?.lastState?.terminated, 'crasher restarted'),
    t.waitFor(`/api/v1/namespaces/${NS}/pods/chatty`, (p) => containerStatus(p, 'main')?.ready && containerStatus(p, 'proxy')?.ready, 'chatty running'),
  ]);
});

after(async () => {
  await t?.close();
});

async function toolError(name: string, args: Record<string, unknown>): Promise<string> {
  try {
    await runTool(t, name, args);
  } catch (e) {
    assert.ok(e instanceof ToolError, `expected a ToolError, got ${(e as Error).stack}`);
    return e.message;
  }
  assert.fail(`${name} ${JSON.stringify(args)} succeeded`);
}

describe('kind resolution', () => {
  const cases: Array<[text: string, group: string, kind: string]> = [
    ['Pod', '', 'Pod'],
    ['pod', '', 'Pod'],
    ['pods', '', 'Pod'],
    ['po', '', 'Pod'],
    ['StatefulSet', 'apps', 'StatefulSet'],
    ['sts', 'apps', 'StatefulSet'],
    ['statefulsets.apps', 'apps', 'StatefulSet'],
    ['StatefulSet.v1.apps', 'apps', 'StatefulSet'],
    ['PersistentVolumeClaim', '', 'PersistentVolumeClaim'],
    ['pvc', '', 'PersistentVolumeClaim'],
    ['pv', '', 'PersistentVolume'],
    ['deploy', 'apps', 'Deployment'],
    ['hpa', 'autoscaling', 'HorizontalPodAutoscaler'],
    ['ev', '', 'Event'],
    ['Event.events.k8s.io', 'events.k8s.io', 'Event'],
    ['storageclass', 'storage.k8s.io', 'StorageClass'],
    ['aa', 'kubernaut.ai', 'AIAnalysis'],
    ['remediationrequests', 'kubernaut.ai', 'RemediationRequest'],
  ];
  for (const [text, group, kind] of cases) {
    test(`${text} → ${kind}${group ? `.${group}` : ''}`, async () => {
      const k = await resolveKind(text, { kubeconfig: t.kc, clock: t.clock }, AbortSignal.timeout(10_000));
      assert.deepEqual([k.group, k.kind], [group, kind]);
    });
  }

  for (const text of ['clusterroles', 'ClusterRoleBinding', 'tokenreviews', 'leases', 'Widget']) {
    test(`${text} is refused, naming the readable kinds`, async () => {
      const message = await toolError('kubectl_get_by_kind_in_cluster', { kind: text });
      assert.match(message, new RegExp(`^kind "${text}" is not readable by the investigator; readable kinds: Pod, Service, `));
      assert.match(message, /StatefulSet.*PersistentVolumeClaim|PersistentVolumeClaim.*StatefulSet/);
      assert.match(message, /AIAnalysis/);
    });
  }
});

describe('kubectl_get', () => {
  test('returns the object as YAML without managedFields or the last-applied annotation', async () => {
    const raw = await t.read(`/api/v1/namespaces/${NS}/configmaps/settings`);
    assert.ok(raw.metadata.managedFields?.length, 'the server keeps managedFields');
    const text = await runTool(t, 'kubectl_get', { kind: 'cm', name: 'settings', namespace: NS });
    const obj = parse(text);
    assert.equal(obj.kind, 'ConfigMap');
    assert.deepEqual(obj.data, { a: '1' });
    assert.deepEqual(obj.metadata.annotations, { team: 'core' });
    assert.doesNotMatch(text, /managedFields|last-applied/);
  });

  test('never shows a Secret value, in kubectl_get or kubectl_describe', async () => {
    const plain = 's3cr3t-Pa55';
    const encoded = Buffer.from(plain).toString('base64');
    const text = await runTool(t, 'kubectl_get', { kind: 'Secret', name: 'db-credentials', namespace: NS });
    assert.deepEqual(parse(text).data, { password: '[REDACTED:secret_value]', username: '[REDACTED:secret_value]' });
    const described = await runTool(t, 'kubectl_describe', { kind: 'secrets', name: 'db-credentials', namespace: NS });
    assert.match(described, /^password:\s+11 bytes$/m);
    for (const out of [text, described]) {
      assert.ok(!out.includes(plain) && !out.includes(encoded) && !out.includes('admin'), out);
    }
  });

  test('a missing object, a missing namespace for a namespaced kind: errors that say what to do', async () => {
    assert.equal(await toolError('kubectl_get', { kind: 'Pod', name: 'ghost', namespace: NS }), `Pod "ghost" in namespace "${NS}" not found`);
    assert.equal(await toolError('kubectl_describe', { kind: 'pvc', name: 'data-ghost-0', namespace: NS }), `PersistentVolumeClaim "data-ghost-0" in namespace "${NS}" not found`);
    assert.equal(await toolError('kubectl_get', { kind: 'Pod', name: 'crasher' }), 'Pod is namespaced: pass namespace');
  });

  test('cluster-scoped kinds ignore the namespace', async () => {
    const text = await runTool(t, 'kubectl_get', { kind: 'Node', name: 'kind-control-plane', namespace: NS });
    assert.equal(parse(text).metadata.name, 'kind-control-plane');
    assert.match(await runTool(t, 'kubectl_describe', { kind: 'no', name: 'kind-control-plane', namespace: NS }), /^Name: +kind-control-plane$/m);
  });
});

describe('kubectl_logs', () => {
  test('the tail of the only container, 200 lines by default, fewer when asked', async () => {
    const text = await runTool(t, 'kubectl_logs', { namespace: NS, pod: 'crasher' });
    assert.match(text, /panic: config missing\n$/);
    const all = await runTool(t, 'kubectl_logs', { namespace: NS, pod: 'chatty', container: 'main' });
    const lines = all.trimEnd().split('\n');
    assert.equal(lines.length, 200);
    assert.deepEqual([lines[0], lines.at(-1)], ['line 101', 'line 300']);
    assert.equal(await runTool(t, 'kubectl_logs', { namespace: NS, pod: 'chatty', container: 'main', tail_lines: 2 }), 'line 299\nline 300\n');
  });

  test('a pod with several containers needs one, and the error names them', async () => {
    assert.equal(await toolError('kubectl_logs', { namespace: NS, pod: 'chatty' }), 'Pod "chatty" has 2 containers: pass container, one of: main, proxy (init containers: setup)');
    assert.equal(await toolError('kubectl_logs', { namespace: NS, pod: 'chatty', container: 'sidecar' }), 'Pod "chatty" has no container "sidecar"; its containers: main, proxy (init containers: setup)');
    assert.equal(await runTool(t, 'kubectl_logs', { namespace: NS, pod: 'chatty', container: 'proxy' }), 'proxy up\n');
  });

  test('previous: the instance before the last restart, or an error when there was none', async () => {
    assert.match(await runTool(t, 'kubectl_logs', { namespace: NS, pod: 'crasher', previous: true }), /^booting\npanic: config missing\n$/);
    assert.equal(
      await toolError('kubectl_logs', { namespace: NS, pod: 'chatty', container: 'main', previous: true }),
      'container "main" of Pod "chatty" has no previous instance (restart count 0); call kubectl_logs without previous for its current log',
    );
    assert.equal(await toolError('kubectl_logs', { namespace: NS, pod: 'ghost' }), `Pod "ghost" in namespace "${NS}" not found`);
  });
});

test('kubectl_events shows the newest 50 events of an object, oldest first', async () => {
  const ns = 'tools-events';
  const base = Date.now() - 600_000;
  await t.create(namespace(ns));
  const events = Array.from({ length: 55 }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `web-1.${String(i).padStart(3, '0')}`, namespace: ns },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'web-1', namespace: ns },
    reason: `Reason${i}`,
    message: `event number ${i}`,
    type: 'Normal',
    count: 1,
    firstTimestamp: new Date(base + i * 2000).toISOString(),
    lastTimestamp: new Date(base + i * 2000).toISOString(),
    source: { component: 'test' },
  }));
  const other = { ...events[0], metadata: { name: 'other.1', namespace: ns }, involvedObject: { ...events[0].involvedObject, name: 'web-2' }, reason: 'Elsewhere' };
  await t.create(...events, other);
  const text = await runTool(t, 'kubectl_events', { namespace: ns, kind: 'pods', name: 'web-1' });
  const rows = text.trimEnd().split('\n');
  assert.match(rows[0], /^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE$/);
  assert.equal(rows.length, 52);
  assert.match(rows[1], /^\S+ +Normal +Reason5 +Pod\/web-1 +event number 5$/);
  assert.match(rows[50], /Reason54 +Pod\/web-1 +event number 54$/);
  assert.equal(rows[51], '(the newest 50 of 55 events)');
  assert.doesNotMatch(text, /Elsewhere/);
  assert.match(await runTool(t, 'kubectl_events', { namespace: ns, name: 'web-2' }), /Elsewhere +Pod\/web-2/);
  assert.equal(await runTool(t, 'kubectl_events', { namespace: ns, kind: 'Deployment', name: 'web' }), `No events found in ${ns} namespace for Deployment/web.`);
});

test('list tables stop at 200 rows and say how many were left out; an empty list says so', async () => {
  const ns = 'tools-many';
  await t.create(namespace(ns));
  await Promise.all(Array.from({ length: 205 }, (_, i) => t.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${String(i).padStart(3, '0')}`, namespace: ns, labels: { batch: i < 3 ? 'first' : 'rest' } } })));
  const text = await runTool(t, 'kubectl_get_by_kind_in_namespace', { kind: 'configmaps', namespace: ns });
  const lines = text.trimEnd().split('\n');
  assert.match(lines[0], /^NAME +DATA +AGE$/);
  assert.equal(lines.length, 1 + 200 + 1);
  assert.match(lines.at(-1)!, /^\(200 rows shown, \d+ more not shown: narrow the list with label_selector\)$/);
  const few = await runTool(t, 'kubectl_get_by_kind_in_namespace', { kind: 'cm', namespace: ns, label_selector: 'batch=first' });
  assert.deepEqual(
    few
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/ +/)[0]),
    ['cm-000', 'cm-001', 'cm-002'],
  );
  assert.equal(await runTool(t, 'kubectl_get_by_kind_in_namespace', { kind: 'Pod', namespace: ns }), `No resources found in ${ns} namespace.`);
  assert.equal(await runTool(t, 'kubectl_get_by_kind_in_cluster', { kind: 'aianalyses', label_selector: 'none=here' }), 'No resources found');
  assert.match(await toolError('kubectl_get_by_kind_in_namespace', { kind: 'Pod', namespace: ns, label_selector: 'a in (' }), /^cannot read Pod objects in namespace "tools-many": /);
});

test('an aborted call stops with the abort, not with a ToolError', async () => {
  const controller = new AbortController();
  controller.abort(new Error('session over'));
  await assert.rejects(
    () => runTool(t, 'kubectl_describe', { kind: 'Pod', name: 'crasher', namespace: NS }, controller.signal),
    (e: Error) => !(e instanceof ToolError),
  );
});
