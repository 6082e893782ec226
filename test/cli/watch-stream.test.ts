/**
 * `kubernaut watch`'s list-then-watch loop and its layout against a small fake API server whose
 * watches the test ends, expires (410 Gone) and feeds at will: resuming never prints a row twice,
 * a relist prints only what changed meanwhile, missing CRDs are named, and the table reads like
 * kubectl's.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { KindStream, type ColumnDefinition, type RowEvent } from '../../src/cli/watch/kind-stream.ts';
import { parseKinds, resolveKinds, type ServedKind } from '../../src/cli/watch/kinds.ts';
import { StreamLayout, formatCell } from '../../src/cli/watch/table-layout.ts';

const COLUMNS: ColumnDefinition[] = [
  { name: 'Name', type: 'string', format: 'name', priority: 0 },
  { name: 'Phase', type: 'string', format: '', priority: 0 },
  { name: 'Reason', type: 'string', format: '', priority: 1 },
  { name: 'Age', type: 'date', format: '', priority: 0 },
];

interface Obj {
  name: string;
  phase: string;
  rv: number;
}

/** The fake server's state and the watches it holds open. */
class FakeApi {
  served = ['remediationrequests', 'signalprocessings', 'aianalyses', 'workflowexecutions', 'effectivenessassessments'];
  objects = new Map<string, Obj>();
  rv = 10;
  /** The resourceVersion each watch request asked for; '' for none. */
  watchRequests: string[] = [];
  authorization: Array<string | undefined> = [];
  /** Answer the next watch with 410 Gone instead of a stream. */
  goneNext = false;
  private open: ServerResponse[] = [];
  private waiters: Array<() => void> = [];

  set(name: string, phase: string): Obj {
    const o = { name, phase, rv: ++this.rv };
    this.objects.set(name, o);
    return o;
  }

  private row(o: Obj) {
    return { cells: [o.name, o.phase, `because-${o.phase}`, '5s'], object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: o.name, namespace: 'ns', resourceVersion: String(o.rv) } } };
  }

  /** Sends a change to every open watch. */
  send(type: 'ADDED' | 'MODIFIED' | 'DELETED', o: Obj): void {
    for (const res of this.open) res.write(JSON.stringify({ type, object: { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: String(o.rv) }, columnDefinitions: [], rows: [this.row(o)] } }) + '\n');
  }

  /** Ends every open watch, as a server's timeoutSeconds does. */
  closeWatches(): void {
    for (const res of this.open.splice(0)) res.end();
  }

  async watchCount(n: number): Promise<void> {
    while (this.watchRequests.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url!, 'http://x');
    this.authorization.push(req.headers.authorization);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/apis/kubernaut.ai') return json(200, { kind: 'APIGroup', name: 'kubernaut.ai', versions: [{ groupVersion: 'kubernaut.ai/v1alpha1', version: 'v1alpha1' }], preferredVersion: { groupVersion: 'kubernaut.ai/v1alpha1', version: 'v1alpha1' } });
    if (url.pathname === '/apis/kubernaut.ai/v1alpha1') return json(200, { kind: 'APIResourceList', resources: this.served.map((name) => ({ name, namespaced: true, verbs: ['get', 'list', 'watch'] })) });
    if (url.pathname !== '/apis/kubernaut.ai/v1alpha1/namespaces/ns/remediationrequests') return json(404, { kind: 'Status', message: 'not found', code: 404 });
    if (!String(req.headers.accept).includes('as=Table')) return json(406, { kind: 'Status', message: 'Table expected' });
    if (url.searchParams.get('watch') !== 'true') {
      return json(200, { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: String(this.rv) }, columnDefinitions: COLUMNS, rows: [...this.objects.values()].map((o) => this.row(o)) });
    }
    this.watchRequests.push(url.searchParams.get('resourceVersion') ?? '');
    this.waiters.splice(0).forEach((w) => w());
    if (this.goneNext) {
      this.goneNext = false;
      return json(410, { kind: 'Status', message: 'too old resource version', reason: 'Expired', code: 410 });
    }
    res.writeHead(200, { 'content-type': 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    res.flushHeaders();
    this.open.push(res);
  }
}

let api: FakeApi;
let server: Server;
let kc: KubeConfig;
const RR: ServedKind = { kind: 'RemediationRequest', plural: 'remediationrequests', aliases: ['rr'], version: 'v1alpha1', namespaced: true };

before(async () => {
  server = createServer((req, res) => api.handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  kc = new KubeConfig();
  kc.loadFromOptions({
    // client-node talks plain HTTP only to clusters marked insecure, as the embedded stack's kubeconfig does.
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'me', token: 'secret-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'me' }],
    currentContext: 'fake',
  });
});
after(() => {
  server.closeAllConnections();
  server.close();
});

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function startStream(): { rows: RowEvent[]; warnings: string[]; stop: () => void; stream: KindStream; done: Promise<void>; signal: AbortSignal } {
  const rows: RowEvent[] = [];
  const warnings: string[] = [];
  const abort = new AbortController();
  const stream = new KindStream({ kc, kind: RR, namespace: 'ns', signal: abort.signal, onRow: (e) => rows.push(e), onWarning: (m) => warnings.push(m), backoffMs: () => 10, watchTimeoutSeconds: () => 60 });
  const done = stream.list().then(() => stream.watchForever());
  return { rows, warnings, stream, done, stop: () => abort.abort(), signal: abort.signal };
}

const seen = (rows: RowEvent[]) => rows.map((r) => `${r.type} ${r.name} ${r.cells[1]}`);

test('lists first, then watches from the list\'s resourceVersion with the kubeconfig\'s token', async () => {
  api = new FakeApi();
  api.set('rr-1', 'Pending');
  const s = startStream();
  await api.watchCount(1);
  assert.equal(api.watchRequests[0], String(api.rv));
  assert.ok(api.authorization.every((a) => a === 'Bearer secret-token'));
  api.send('MODIFIED', api.set('rr-1', 'Processing'));
  await until(() => s.rows.length === 2, 'the change');
  assert.deepEqual(seen(s.rows), ['ADDED rr-1 Pending', 'MODIFIED rr-1 Processing']);
  assert.deepEqual(s.rows[0]!.columns, COLUMNS);
  s.stop();
  api.closeWatches();
  await s.done;
});

test('a watch that ends is resumed from the last resourceVersion seen, without repeating anything', async () => {
  api = new FakeApi();
  api.set('rr-1', 'Pending');
  const s = startStream();
  await api.watchCount(1);
  const changed = api.set('rr-1', 'Analyzing');
  api.send('MODIFIED', changed);
  await until(() => s.rows.length === 2, 'the change');
  api.closeWatches();
  await api.watchCount(2);
  assert.equal(api.watchRequests[1], String(changed.rv));
  api.send('ADDED', api.set('rr-2', 'Pending'));
  await until(() => s.rows.length === 3, 'the new object');
  assert.deepEqual(seen(s.rows), ['ADDED rr-1 Pending', 'MODIFIED rr-1 Analyzing', 'ADDED rr-2 Pending']);
  // Finished requests let go of the signal: a watch resumed for days does not pile up listeners.
  for (let n = 3; n <= 12; n++) {
    api.closeWatches();
    await api.watchCount(n);
  }
  assert.ok(getEventListeners(s.signal, 'abort').length <= 2, `${getEventListeners(s.signal, 'abort').length} abort listeners`);
  s.stop();
  api.closeWatches();
  await s.done;
});

test('410 Gone relists and reports only what changed while nobody watched', async () => {
  api = new FakeApi();
  api.set('rr-same', 'Completed');
  api.set('rr-changed', 'Pending');
  api.set('rr-deleted', 'Pending');
  const s = startStream();
  await api.watchCount(1);
  // Meanwhile: one object changes, one goes away, one appears; the next watch is refused as too old.
  api.set('rr-changed', 'Executing');
  api.objects.delete('rr-deleted');
  api.set('rr-new', 'Pending');
  api.goneNext = true;
  api.closeWatches();
  await api.watchCount(3);
  assert.equal(api.watchRequests[2], String(api.rv), 'the watch after the relist starts at the relist');
  assert.deepEqual(seen(s.rows), [
    'ADDED rr-same Completed', 'ADDED rr-changed Pending', 'ADDED rr-deleted Pending',
    'MODIFIED rr-changed Executing', 'ADDED rr-new Pending', 'DELETED rr-deleted Pending',
  ]);
  assert.deepEqual(s.warnings, []);
  s.stop();
  api.closeWatches();
  await s.done;
});

test('an ERROR event relists too; an unchanged replay is not reported again', async () => {
  api = new FakeApi();
  const o = api.set('rr-1', 'Pending');
  const s = startStream();
  await api.watchCount(1);
  api.send('ADDED', o); // the same resourceVersion as listed
  for (const res of (api as unknown as { open: ServerResponse[] }).open) res.write(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old' } }) + '\n');
  await api.watchCount(2);
  assert.deepEqual(seen(s.rows), ['ADDED rr-1 Pending']);
  s.stop();
  api.closeWatches();
  await s.done;
});

test('missing CRDs are named; unknown kinds are refused', async () => {
  api = new FakeApi();
  api.served = ['remediationrequests', 'signalprocessings'];
  await assert.rejects(resolveKinds(kc, parseKinds('rr,sp,aa,we,ea')), /not installed on this cluster: AIAnalysis \(aa\), WorkflowExecution \(we\), EffectivenessAssessment \(ea\)/);
  const ok = await resolveKinds(kc, parseKinds('rr,signalprocessing'));
  assert.deepEqual(ok.map((k) => `${k.plural}/${k.version}`), ['remediationrequests/v1alpha1', 'signalprocessings/v1alpha1']);
  assert.throws(() => parseKinds('rr,pods'), /"pods" is not a Kubernaut kind/);
  assert.deepEqual(parseKinds('RemediationApprovalRequest,notif,rr,rr').map((k) => k.aliases[0]), ['rar', 'notif', 'rr']);
});

const SP: ServedKind = { kind: 'SignalProcessing', plural: 'signalprocessings', aliases: ['sp'], version: 'v1alpha1', namespaced: true };
const SP_COLUMNS: ColumnDefinition[] = [
  { name: 'Name', type: 'string', format: 'name', priority: 0 },
  { name: 'Phase', type: 'string', priority: 0 },
  { name: 'Severity', type: 'string', priority: 0 },
  { name: 'Age', type: 'date', priority: 0 },
];
const rr = (type: RowEvent['type'], name: string, phase: string, reason = '', age = '1s'): RowEvent => ({ kind: RR, type, namespace: 'ns', name, columns: COLUMNS, cells: [name, phase, reason, age] });
const sp = (type: RowEvent['type'], name: string, phase: string, severity: string | null): RowEvent => ({ kind: SP, type, namespace: 'ns', name, columns: SP_COLUMNS, cells: [name, phase, severity, '1s'] });

function layout(opts: Partial<{ wide: boolean; timestamps: boolean; watchEvents: boolean; allNamespaces: boolean }> = {}) {
  let out = '';
  const l = new StreamLayout({ wide: false, timestamps: false, watchEvents: false, allNamespaces: false, ...opts, write: (t) => (out += t), now: () => new Date(2026, 0, 1, 9, 5, 7) }, [RR, SP]);
  return { l, out: () => out.split('\n').map((line) => line.replace(/ +/g, ' ')).join('\n') };
}

test('layout: a header per kind the first time it appears, kind.group/name, wide columns only with -o wide', () => {
  const { l, out } = layout();
  l.printBlocks([[rr('ADDED', 'rr-1', 'Pending')], []]);
  l.printChange(sp('ADDED', 'sp-rr-1', '', null));
  l.printChange(rr('MODIFIED', 'rr-1', 'Processing', 'Busy'));
  l.printChange(sp('MODIFIED', 'sp-rr-1', 'Completed', 'critical'));
  assert.equal(out(), [
    'NAME PHASE AGE',
    'remediationrequest.kubernaut.ai/rr-1 Pending 1s',
    '',
    'NAME PHASE SEVERITY AGE',
    'signalprocessing.kubernaut.ai/sp-rr-1 1s',
    'remediationrequest.kubernaut.ai/rr-1 Processing 1s',
    'signalprocessing.kubernaut.ai/sp-rr-1 Completed critical 1s',
    '',
  ].join('\n'));

  const wide = layout({ wide: true, timestamps: true, watchEvents: true, allNamespaces: true });
  wide.l.printChange(rr('ADDED', 'rr-1', 'Pending', 'Queued'));
  assert.equal(wide.out(), ['TIME EVENT NAMESPACE NAME PHASE REASON AGE', '09:05:07 ADDED ns remediationrequest.kubernaut.ai/rr-1 Pending Queued 1s', ''].join('\n'));
});

test('layout: a change nobody can see (age aside) is not printed again; a deletion always is', () => {
  const { l, out } = layout({ watchEvents: true });
  l.printChange(rr('ADDED', 'rr-1', 'Pending', '', '1s'));
  l.printChange(rr('MODIFIED', 'rr-1', 'Pending', 'hidden-wide-column-changed', '3s'));
  l.printChange(rr('DELETED', 'rr-1', 'Pending', '', '4s'));
  assert.deepEqual(out().trim().split('\n').slice(1), ['ADDED remediationrequest.kubernaut.ai/rr-1 Pending 1s', 'DELETED remediationrequest.kubernaut.ai/rr-1 Pending 4s']);
});

test('layout: name columns line up across kinds from the first row', () => {
  let out = '';
  const l = new StreamLayout({ wide: false, timestamps: false, watchEvents: false, allNamespaces: false, write: (t) => (out += t) }, [RR, SP]);
  l.printChange(rr('ADDED', 'rr-1', 'Pending'));
  l.printChange(sp('ADDED', 'sp-rr-1', 'Pending', null));
  const rows = out.split('\n').filter((line) => line.includes('/'));
  assert.equal(rows[0]!.indexOf('Pending'), rows[1]!.indexOf('Pending'));
});

test('cells: nothing for missing values, numbers and booleans as text, raw timestamps in date columns as ages', () => {
  const now = new Date('2026-01-01T10:00:00Z');
  assert.equal(formatCell(null, undefined, now), '');
  assert.equal(formatCell(0.87, undefined, now), '0.87');
  assert.equal(formatCell(true, undefined, now), 'true');
  assert.equal(formatCell('2026-01-01T09:55:00Z', { name: 'Age', type: 'date' }, now), '5m');
  assert.equal(formatCell('2m', { name: 'Age', type: 'date' }, now), '2m');
  assert.equal(formatCell({ kind: 'Pod' }, undefined, now), '{"kind":"Pod"}');
});
