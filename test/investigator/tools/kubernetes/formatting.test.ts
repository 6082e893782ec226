/**
 * The formatting pieces of the Kubernetes tools on their own: Go tabwriter alignment, ages,
 * quantities, selectors, labels of the generic describer, table cells, argument schemas, what is
 * stripped from objects, and the event table's cap.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DESCRIBE_TABS, TABLE_TABS, alignTabs } from '../../../../src/investigator/tools/kubernetes/tabwriter.ts';
import { humanDuration, rfc1123z, selectorString } from '../../../../src/investigator/tools/kubernetes/format.ts';
import { addQuantities, canonicalQuantity, parseQuantity, formatQuantity } from '../../../../src/investigator/tools/kubernetes/quantity.ts';
import { smartLabel } from '../../../../src/investigator/tools/kubernetes/describe/generic.ts';
import { cellText, renderTable } from '../../../../src/investigator/tools/kubernetes/table.ts';
import { SECRET_VALUE, withoutNoise, withoutSecretValues } from '../../../../src/investigator/tools/kubernetes/sanitize.ts';
import { formatEvents, MAX_EVENTS } from '../../../../src/investigator/tools/kubernetes/events.ts';
import { kubernetesTools } from '../../../../src/investigator/tools/kubernetes/index.ts';

describe('alignTabs (Go text/tabwriter semantics)', () => {
  test('cells are padded to the widest of their column block; the last cell of a line is not', () => {
    assert.equal(alignTabs('Name:\tweb\nNamespace:\tdemo\n', DESCRIBE_TABS), 'Name:       web\nNamespace:  demo\n');
  });
  test('a line without a tab ends the block, so the next block is sized on its own', () => {
    assert.equal(alignTabs('A:\t1\nSection:\n  Longer key:\t2\n', DESCRIBE_TABS), 'A:  1\nSection:\n  Longer key:  2\n');
  });
  test('a block spans every consecutive line that has a cell in the column (kubectl describe quirks)', () => {
    const text = 'Conditions:\n  Type\tStatus\n  PodReadyToStartContainers \tTrue \nVolumes:\t<none>\nQoS Class:\tBestEffort\n';
    assert.equal(alignTabs(text, DESCRIBE_TABS), 'Conditions:\n  Type                        Status\n  PodReadyToStartContainers   True \nVolumes:                      <none>\nQoS Class:                    BestEffort\n');
  });
  test('inner columns are sized over consecutive lines that have them; tables have a minimum width and three-space gaps', () => {
    // "aaa\tb" has no tab after b, so it splits the second column into two blocks.
    assert.equal(alignTabs('a\tb\tc\naaa\tb\nx\tyyyy\tz\n', DESCRIBE_TABS), 'a    b  c\naaa  b\nx    yyyy  z\n');
    assert.equal(alignTabs('NAME\tAGE\nweb\t5s\n', TABLE_TABS), 'NAME   AGE\nweb    5s\n');
  });
  test('an empty cell still takes its column width; widths count characters, not bytes', () => {
    assert.equal(alignTabs('x\t\ty\nlong\tz\tw\n', DESCRIBE_TABS), 'x        y\nlong  z  w\n');
    assert.equal(alignTabs('é\t1\nab\t2\n', DESCRIBE_TABS), 'é   1\nab  2\n');
  });
});

test('ages read like kubectl: precision coarsens as they grow', () => {
  const s = 1000;
  const cases: Array<[number, string]> = [
    [-1500, '0s'],
    [-2500, '<invalid>'],
    [0, '0s'],
    [119 * s, '119s'],
    [125 * s, '2m5s'],
    [600 * s, '10m'],
    [3 * 3600 * s + 60 * s, '3h1m'],
    [8 * 3600 * s, '8h'],
    [50 * 3600 * s, '2d2h'],
    [10 * 86400 * s, '10d'],
    [800 * 86400 * s, '2y70d'],
    [9 * 365 * 86400 * s, '9y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms} ms`);
  assert.equal(rfc1123z('2026-03-05T07:08:09Z'), 'Thu, 05 Mar 2026 07:08:09 +0000');
  assert.equal(rfc1123z(undefined), 'Mon, 01 Jan 0001 00:00:00 +0000');
});

test('quantities print in canonical form and add up exactly', () => {
  const cases: Array<[string, string]> = [
    ['0.5', '500m'],
    ['1000m', '1'],
    ['2048Mi', '2Gi'],
    ['1536Mi', '1536Mi'],
    ['1.5Gi', '1536Mi'],
    ['100', '100'],
    ['2000', '2k'],
    ['1e3', '1e3'],
    ['0', '0'],
    ['24683772Ki', '24683772Ki'],
    ['512', '512'],
  ];
  for (const [text, want] of cases) assert.equal(canonicalQuantity(text), want, text);
  assert.equal(formatQuantity(addQuantities(parseQuantity('64Mi')!, parseQuantity('64Mi')!)), '128Mi');
  assert.equal(formatQuantity(addQuantities(parseQuantity('100m')!, parseQuantity('1')!)), '1100m');
  assert.equal(parseQuantity('12 apples'), undefined);
});

test('label selectors print sorted by key, with set expressions', () => {
  assert.equal(selectorString({ matchLabels: { b: '2', a: '1' } }), 'a=1,b=2');
  assert.equal(
    selectorString({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'front'] }, { key: 'canary', operator: 'DoesNotExist' }] }),
    'app=web,!canary,tier in (front,web)',
  );
  assert.equal(selectorString({}), '');
});

test('generic describe labels: camel case split, acronyms upper-cased, other names untouched', () => {
  assert.equal(smartLabel('apiVersion'), 'API Version');
  assert.equal(smartLabel('creationTimestamp'), 'Creation Timestamp');
  assert.equal(smartLabel('uid'), 'UID');
  assert.equal(smartLabel('workflowId'), 'Workflow Id');
  assert.equal(smartLabel('HTTPServer'), 'HTTP Server');
  assert.equal(smartLabel('v1alpha1'), 'v1alpha1');
  assert.equal(smartLabel('app.kubernetes.io/name'), 'app.kubernetes.io/name');
});

test('table cells: empty reads <none>, numbers as Go prints them, one line each', () => {
  assert.equal(cellText(null), '<none>');
  assert.equal(cellText(''), '<none>');
  assert.equal(cellText(0.85), '0.85');
  assert.equal(cellText(3), '3');
  assert.equal(cellText(true), 'true');
  assert.equal(cellText('a\nb'), 'a b');
  const table = {
    kind: 'Table' as const,
    columnDefinitions: [{ name: 'Name' }, { name: 'Status' }, { name: 'IP', priority: 1 }, { name: 'Age' }],
    rows: [
      { cells: ['web-1', 'Running', '10.0.0.1', '5s'], object: { metadata: { namespace: 'demo' } } },
      { cells: ['db-0', '', null, '2m'], object: { metadata: { namespace: 'data' } } },
    ],
  };
  assert.equal(renderTable(table, false), 'NAME    STATUS    AGE\nweb-1   Running   5s\ndb-0    <none>    2m\n');
  assert.equal(renderTable(table, true), 'NAMESPACE   NAME    STATUS    AGE\ndemo        web-1   Running   5s\ndata        db-0    <none>    2m\n');
});

describe('argument schemas', () => {
  const valid: Record<string, Record<string, unknown>> = {
    kubectl_get: { kind: 'Pod', name: 'web-1', namespace: 'demo' },
    kubectl_describe: { kind: 'sts', name: 'kv-store', namespace: 'demo' },
    kubectl_events: { namespace: 'demo', kind: 'Pod', name: 'web-1' },
    kubectl_logs: { namespace: 'demo', pod: 'web-1', container: 'app', previous: true, tail_lines: 50 },
    kubectl_get_by_kind_in_namespace: { kind: 'pvc', namespace: 'demo', label_selector: 'app=web' },
    kubectl_get_by_kind_in_cluster: { kind: 'nodes', label_selector: 'a=b' },
  };
  test('every tool is offered, and only these six (no exec, port-forward or proxy)', () => {
    assert.deepEqual(kubernetesTools.map((t) => t.name).sort(), Object.keys(valid).sort());
  });
  for (const tool of kubernetesTools) {
    test(`${tool.name}: valid arguments pass, an extra argument is refused`, () => {
      assert.ok(tool.args.safeParse(valid[tool.name]).success);
      assert.equal(tool.args.safeParse({ ...valid[tool.name], all_namespaces: true }).success, false);
    });
  }
  test('names that would change the request path, and limits beyond the bounds, are refused', () => {
    const get = kubernetesTools.find((t) => t.name === 'kubectl_get')!;
    for (const name of ['..', 'a/b', '../secrets', 'x'.repeat(254), '']) assert.equal(get.args.safeParse({ kind: 'Pod', name, namespace: 'demo' }).success, false, name);
    assert.equal(get.args.safeParse({ kind: 'pods/exec', name: 'x', namespace: 'demo' }).success, false);
    const logs = kubernetesTools.find((t) => t.name === 'kubectl_logs')!;
    assert.equal(logs.args.safeParse({ namespace: 'demo', pod: 'p', tail_lines: 2001 }).success, false);
    assert.equal(logs.args.safeParse({ namespace: 'demo', pod: 'p', tail_lines: 0 }).success, false);
  });
});

test('objects lose managedFields and the last-applied copy; Secrets lose every value but keep their keys', () => {
  const obj = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's', managedFields: [{ manager: 'kubectl' }], annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"aHVudGVyMg=="}}' } },
    data: { password: 'aHVudGVyMg==', token: 'dG9r' },
    stringData: { extra: 'plain' },
  };
  const clean = withoutSecretValues(withoutNoise(obj));
  assert.equal(clean.metadata.managedFields, undefined);
  assert.equal(clean.metadata.annotations, undefined);
  assert.deepEqual(clean.data, { password: SECRET_VALUE, token: SECRET_VALUE });
  assert.deepEqual(clean.stringData, { extra: SECRET_VALUE });
  assert.equal(obj.data.password, 'aHVudGVyMg==', 'the input is not changed');
});

test('the events table keeps the newest 50, oldest first, and says how many it left out', () => {
  const base = Date.parse('2026-01-01T00:00:00Z');
  const events = Array.from({ length: 60 }, (_, i) => ({
    metadata: { name: `e${i}` },
    involvedObject: { kind: 'Pod', name: 'web-1' },
    type: i % 2 ? 'Warning' : 'Normal',
    reason: `R${i}`,
    message: `message ${i}`,
    count: 1,
    firstTimestamp: new Date(base + i * 1000).toISOString(),
    lastTimestamp: new Date(base + i * 1000).toISOString(),
  }));
  const text = formatEvents(events.reverse(), base + 120_000, { namespace: 'demo' });
  const lines = text.trimEnd().split('\n');
  assert.match(lines[0], /^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE$/);
  assert.equal(lines.length, 1 + MAX_EVENTS + 1);
  assert.match(lines[1], /^110s +Normal +R10 +Pod\/web-1 +message 10$/);
  assert.match(lines[MAX_EVENTS], /^61s +Warning +R59 +Pod\/web-1 +message 59$/);
  assert.equal(lines.at(-1), '(the newest 50 of 60 events)');
  assert.equal(formatEvents([], 0, { namespace: 'demo', kind: 'Pod', name: 'x' }), 'No events found in demo namespace for Pod/x.');
});
