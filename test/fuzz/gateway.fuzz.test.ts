/**
 * Property-based fuzzing of every Gateway endpoint (fast-check, fixed seed, bounded count, so a CI
 * run is repeatable): random and mutated valid Alertmanager webhooks and Kubernetes Events, deep
 * nesting, huge alert and label counts, hostile names and namespaces, wrong content types, odd
 * methods and paths, against one Gateway on the embedded cluster. Whatever arrives, the Gateway
 * answers a well-formed 2xx/4xx/503 (RFC 7807 for errors), stays up, creates or audits nothing on a
 * 4xx, creates exactly the RemediationRequests its answer reports, and only for in-scope targets
 * of a supported kind with a valid name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import fc from 'fast-check';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { eventually } from '../helpers/kubernaut-process.ts';
import { auditEventSchema } from '../../src/datastorage/client/audit-event.ts';
import type { AuditEventInput, AuditSink } from '../../src/gateway/audit.ts';
import { alert, startGatewayEnv, webhook } from '../gateway/fixtures.ts';

/** The seed of every run: keep it fixed so CI is repeatable; explore with FUZZ_SEED=n FUZZ_RUNS=n. */
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

interface FuzzRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS';
  path: string;
  contentType?: string;
  body?: string | Uint8Array<ArrayBuffer>;
  /** Bytes sent as they are on a connection of their own (malformed framing, raw headers); method and path are then only labels. */
  raw?: Buffer;
  /** Sent this many times at once (a burst: deduplication and the alert budget under concurrency). */
  copies?: number;
  /** First, what the Orchestrator or a user might do to one live RR: delete it, or end it (with a cooldown: it still absorbs repeats). */
  churn?: { pick: number; to: 'delete' | 'Completed' | 'Failed' | 'Cancelled' | 'cooldown' };
  /** The statuses this request must get, when the generator knows (otherwise any well-formed one). */
  expect?: number[];
}

const PROMETHEUS = '/api/v1/signals/prometheus';
const EVENTS = '/api/v1/signals/kubernetes-event';

/** Written independently of target-from-labels.ts: the kinds the Gateway may ever remediate. */
const SUPPORTED_KINDS = ['HorizontalPodAutoscaler', 'PodDisruptionBudget', 'PersistentVolumeClaim', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Node', 'Service', 'Job', 'CronJob', 'Pod'];
const DNS1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MANAGED_NAMESPACE = 'fz';
const UNMANAGED_NAMESPACE = 'fz-off';
const NODE = 'kind-control-plane';
/** Managed Services no other object owns: each is an incident of its own, so RRs keep being created. */
const FRESH_SERVICES = Array.from({ length: 40 }, (_, i) => `svc-${i}`);

/**
 * The fixture's scope, spelled out: everything in the managed namespace `fz`, the StatefulSet
 * kv-store (labelled managed itself, in the unmanaged demo-statefulset namespace) and its pods,
 * and the node (labelled managed). Nothing in `fz-off`, kube-system, default ... is.
 */
function inScope(t: { kind: string; name: string; namespace: string }): boolean {
  if (!SUPPORTED_KINDS.includes(t.kind)) return false;
  if (t.kind === 'Node') return t.namespace === '' && t.name === NODE;
  if (t.namespace === MANAGED_NAMESPACE) return true;
  if (t.namespace === 'demo-statefulset') return (t.kind === 'StatefulSet' && t.name === 'kv-store') || (t.kind === 'Pod' && /^kv-store-\d+$/.test(t.name));
  return false;
}

/** Strings an attacker or a careless client sends: any code point, NULs, lone surrogates, path and encoding tricks. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '', ' ', '.', '..', '/', '../..', '%2e%2e', '..%2f', '%2F', 'fz/../kube-system', 'web/../api', '\u0000', 'web\u0000', 'a\ud800b', '\udc00', '\ud83d',
    'WEB', ' web', 'web\n', '-web', 'web-', 'web..x', 'é😀\u202e', '__proto__', 'constructor', 'toString', "'; DROP TABLE x; --", '${jndi:ldap://x}', '{{ .Values }}',
    'kube-state-metrics-6d8f9b7c4-x2x9z', 'prometheus-k8s-0', 'a'.repeat(64), 'a'.repeat(254), ' '.repeat(300),
  ),
  fc.integer({ min: 254, max: 70_000 }).map((n) => 'x'.repeat(n)),
);

/** Header-safe content types, right and wrong. */
const contentType = fc.oneof(
  fc.constantFrom(
    'application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'APPLICATION/JSON', 'application/json;',
    'application/problem+json', 'application/merge-patch+json', 'application/jsonx', 'application/json, text/plain', 'text/plain', 'text/plain; charset=utf-8', 'text/json',
    'application/yaml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', '*/*', 'json', '',
  ),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
);

/** Names that exist in the fixture (so signals get as far as creating RRs), and some that do not. */
let existingNames = ['web', 'kv-store', 'kv-store-0', 'kv-store-1', 'api', 'creds', 'nightly', 'once', 'data', 'data-kv-store-0', NODE, 'ghost', ...FRESH_SERVICES.slice(0, 5)];
const objectName = fc.oneof({ weight: 4, arbitrary: fc.constant(null).chain(() => fc.constantFrom(...existingNames)) }, { weight: 1, arbitrary: hostileString });
const namespaceName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(MANAGED_NAMESPACE, UNMANAGED_NAMESPACE, 'demo-statefulset', 'kube-system', 'kubernaut-system', 'default', 'nope') },
  { weight: 1, arbitrary: hostileString },
);
const kindName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SUPPORTED_KINDS) },
  { weight: 1, arbitrary: fc.constantFrom('Secret', 'Namespace', 'ConfigMap', 'RemediationRequest', 'Lease', 'Foo', 'deployment', 'pod') },
  { weight: 1, arbitrary: hostileString },
);
const TARGET_LABELS = ['horizontalpodautoscaler', 'hpa', 'poddisruptionbudget', 'pdb', 'persistentvolumeclaim', 'pvc', 'deployment', 'statefulset', 'daemonset', 'replicaset', 'node', 'exported_service', 'service', 'job_name', 'cronjob', 'exported_pod', 'pod'];

/**
 * Objects of the fixture as a signal names them: [target label, kind, name, namespace]. In scope:
 * everything in fz, kv-store and its pods, the node; out of scope: fz-off, data-kv-store-0 (a PVC of
 * the StatefulSet, not owned by it); missing: ghost. Pods and ReplicaSets are added once they exist.
 */
let realTargets: [string, string, string, string][] = [
  ['deployment', 'Deployment', 'web', MANAGED_NAMESPACE], ['service', 'Service', 'web', MANAGED_NAMESPACE], ['cronjob', 'CronJob', 'nightly', MANAGED_NAMESPACE],
  ['job_name', 'Job', 'once', MANAGED_NAMESPACE], ['pvc', 'PersistentVolumeClaim', 'data', MANAGED_NAMESPACE], ['hpa', 'HorizontalPodAutoscaler', 'web', MANAGED_NAMESPACE],
  ['pdb', 'PodDisruptionBudget', 'web', MANAGED_NAMESPACE], ['daemonset', 'DaemonSet', 'ghost', MANAGED_NAMESPACE], ['statefulset', 'StatefulSet', 'kv-store', 'demo-statefulset'],
  ['pod', 'Pod', 'kv-store-0', 'demo-statefulset'], ['persistentvolumeclaim', 'PersistentVolumeClaim', 'data-kv-store-0', 'demo-statefulset'], ['node', 'Node', NODE, ''],
  ['deployment', 'Deployment', 'api', UNMANAGED_NAMESPACE], ['exported_pod', 'Pod', 'ghost', 'kube-system'], ['service', 'Service', 'svc-0', UNMANAGED_NAMESPACE],
  ...FRESH_SERVICES.map((name): [string, string, string, string] => ['exported_service', 'Service', name, MANAGED_NAMESPACE]),
];
const realTarget = fc.constant(null).chain(() => fc.constantFrom(...realTargets));

/** Labels naming a real target, or trying to (random target labels, hostile values), plus a few arbitrary ones. */
const alertLabels = fc
  .record({
    alertname: fc.oneof({ weight: 10, arbitrary: fc.constantFrom('KubePodCrashLooping', 'KubeDeploymentReplicasMismatch', 'Watchdog') }, { weight: 1, arbitrary: hostileString }),
    target: fc.oneof(
      { weight: 3, arbitrary: realTarget.map(([label, , name, namespace]) => ({ [label]: name, ...(namespace ? { namespace } : {}) })) },
      {
        weight: 2,
        arbitrary: fc
          .record({
            namespace: fc.option(fc.record({ key: fc.constantFrom('namespace', 'exported_namespace'), value: namespaceName }), { nil: undefined }),
            targets: fc.dictionary(fc.constantFrom(...TARGET_LABELS, 'container', 'job', 'instance'), objectName, { maxKeys: 3 }),
          })
          .map(({ namespace, targets }) => ({ ...targets, ...(namespace ? { [namespace.key]: namespace.value } : {}) })),
      },
    ),
    extra: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(hostileString, hostileString, { maxKeys: 2 }) }),
  })
  .map(({ alertname, target, extra }) => ({ ...extra, ...target, alertname }));

const startsAt = fc.oneof(
  { weight: 30, arbitrary: fc.integer({ min: 0, max: 3_600_000 }).map((ago) => new Date(Date.now() - ago).toISOString()) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('0001-01-01T00:00:00Z', '1970-01-01T00:00:00+23:59', '2026-02-30T00:00:00Z', '2024-02-29T12:00:00.123456789-05:00', '9999-12-31T23:59:59Z', 'yesterday', '', '2026-13-01T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:00:60Z', '2026-01-01 00:00:00'),
  },
  { weight: 1, arbitrary: fc.integer({ min: -10_000, max: 600_000 }).map((ahead) => new Date(Date.now() + ahead).toISOString()) },
);

const validAlert = fc
  .record({ labels: alertLabels, status: fc.constantFrom('firing' as const, 'firing' as const, 'resolved' as const), startsAt, withScrapeLabels: fc.boolean() })
  .map(({ labels, status, startsAt: at, withScrapeLabels }) => (withScrapeLabels ? alert(labels, { status, startsAt: at }) : { status, labels, startsAt: at }));

/** `base` with some members replaced by arbitrary JSON or hostile strings, removed, or joined by unknown ones. */
function mutated<K extends string>(base: fc.Arbitrary<Record<string, unknown>>, keys: K[]): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      base,
      replace: fc.dictionary(fc.constantFrom(...keys), fc.oneof(fc.jsonValue({ maxDepth: 4 }), hostileString), { maxKeys: 2 }),
      remove: fc.subarray(keys, { maxLength: 2 }),
      extra: fc.option(fc.dictionary(hostileString, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 2 }), { nil: undefined }),
    })
    .map(({ base: b, replace, remove, extra }) => {
      const out: Record<string, unknown> = { ...b, ...replace, ...(extra ?? {}) };
      for (const k of remove) delete out[k];
      return out;
    });
}

const mutatedAlert = mutated(validAlert, ['status', 'labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL', 'fingerprint']);
const validWebhook = fc.array(validAlert, { minLength: 1, maxLength: 8 }).map((alerts) => webhook(alerts) as Record<string, unknown>);
const mutatedWebhook = mutated(
  fc.array(fc.oneof(validAlert, mutatedAlert), { minLength: 1, maxLength: 5 }).map((alerts) => webhook(alerts) as Record<string, unknown>),
  ['version', 'groupKey', 'truncatedAlerts', 'status', 'receiver', 'groupLabels', 'commonLabels', 'commonAnnotations', 'externalURL', 'alerts'],
);

const timestamp = fc.oneof(startsAt, fc.constant(null), fc.constant(undefined));
const validEvent = fc
  .record({
    involvedObject: fc.oneof(
      { weight: 3, arbitrary: realTarget.map(([, kind, name, namespace]) => ({ kind, name, ...(namespace ? { namespace } : {}) })) },
      {
        weight: 2,
        arbitrary: fc.record(
          { kind: kindName, name: objectName, namespace: namespaceName, apiVersion: fc.constantFrom('v1', 'apps/v1', 'apps/v2', 'batch/v1', 'policy/v1', 'autoscaling/v1', 'autoscaling/v2', '/v1', 'example.com/v1', 'kubernaut.ai/v1alpha1'), uid: fc.uuid() },
          { requiredKeys: ['kind', 'name'] },
        ),
      },
    ),
    type: fc.constantFrom('Warning', 'Warning', 'Warning', 'Normal'),
    reason: fc.oneof(fc.constantFrom('BackOff', 'FailedMount', 'Unhealthy', 'OOMKilling'), hostileString),
    message: fc.option(hostileString, { nil: undefined }),
    firstTimestamp: timestamp,
    lastTimestamp: timestamp,
    eventTime: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: timestamp }),
    count: fc.option(fc.integer(), { nil: undefined }),
    component: fc.option(fc.oneof(fc.constantFrom('kubelet', 'default-scheduler'), hostileString), { nil: undefined }),
  })
  .map(({ component, ...e }) => ({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'x.17a', namespace: 'fz' }, ...e, ...(component === undefined ? {} : { source: { component } }) }) as Record<string, unknown>);
const mutatedEvent = mutated(validEvent, ['apiVersion', 'kind', 'metadata', 'involvedObject', 'reason', 'message', 'type', 'count', 'firstTimestamp', 'lastTimestamp', 'eventTime', 'source']);

/** JSON text nested `depth` levels deep, written out by hand (JSON.stringify itself recurses). */
const deepText = fc.tuple(fc.integer({ min: 40, max: 100_000 }), fc.constantFrom('[', '{"a":', '[{"b":')).map(([depth, open]) => {
  const close = open === '[' ? ']' : open === '{"a":' ? '}' : '}]';
  return open.repeat(depth) + '1' + close.repeat(depth);
});
/** The deep text alone, or inside an otherwise valid payload (as an alert's annotations, labels or an unknown member). */
const deepJson = fc.tuple(deepText, fc.constantFrom('alone', 'annotations', 'labels', 'extra', 'event')).map(([deep, where]) => {
  const at = new Date().toISOString();
  switch (where) {
    case 'alone': return deep;
    case 'annotations': return `{"alerts":[{"status":"firing","labels":{"alertname":"X"},"startsAt":"${at}","annotations":${deep}}]}`;
    case 'labels': return `{"alerts":[{"status":"firing","labels":${deep},"startsAt":"${at}"}]}`;
    case 'extra': return `{"alerts":[{"status":"firing","labels":{"alertname":"X","deployment":"web","namespace":"fz"},"startsAt":"${at}","x":${deep}}]}`;
    default: return `{"type":"Warning","reason":"BackOff","involvedObject":{"kind":"Deployment","name":"web","namespace":"fz","x":${deep}}}`;
  }
});

/** Alerts that cost no API call: naming no target, or resolved. */
const cheapAlert = (i: number) => (i % 2 ? { status: 'firing', labels: { alertname: 'Watchdog', n: String(i) }, startsAt: new Date().toISOString() } : { status: 'resolved', labels: { alertname: 'KubePodCrashLooping', pod: `p-${i}`, namespace: MANAGED_NAMESPACE }, startsAt: new Date().toISOString() });

const freshService = fc.constantFrom(...FRESH_SERVICES);

const json = (path: string, body: unknown, expect?: number[]): FuzzRequest => ({ method: 'POST', path, contentType: 'application/json', body: typeof body === 'string' ? body : JSON.stringify(body), ...(expect ? { expect } : {}) });
const signalPath = fc.constantFrom(PROMETHEUS, EVENTS);

/** Valid JSON with some bytes replaced by invalid UTF-8 (a lone continuation byte, a truncated sequence, 0xff). */
const invalidUtf8 = fc.tuple(validWebhook, fc.constantFrom([0xff], [0xc3], [0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80])).map(([hook, bytes]) => {
  const text = Buffer.from(JSON.stringify(hook).replace('"alertname":"', '"alertname":"\u0001'));
  const at = text.indexOf(0x01);
  return Buffer.concat([text.subarray(0, at), Buffer.from(bytes), text.subarray(at + 1)]);
});

/** Every UTF-8 byte percent-encoded (encodeURIComponent throws on lone surrogates; these become U+FFFD). */
const percentEncoded = (s: string) => [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const oddPath = fc.oneof(
  fc.constantFrom('/', '/api', '/api/v1/signals', '/api/v1/signals/', `${PROMETHEUS}/`, `${PROMETHEUS}/x`, `${PROMETHEUS}?x=1&x=2`, `${EVENTS}?watch=true`, '//api/v1/signals/prometheus',
    '/api/v1/signals/%2e%2e/prometheus', '/api/v1/signals/..%2fprometheus', '/%ZZ', '/api/v1/signals/%00', '/healthz/../api/v1/signals/prometheus', '/HEALTHZ', '/metrics?name[]=x', '/readyz?verbose'),
  hostileString.map((s) => `/api/v1/signals/${percentEncoded(s)}`),
  hostileString.map((s) => `${PROMETHEUS}?${new URLSearchParams({ [s]: s }).toString()}`),
  fc.integer({ min: 1_000, max: 20_000 }).map((n) => `/api/v1/signals/${'a'.repeat(n)}`),
);

/** A request as bytes, `Connection: close` first so the server ends the connection after its answer. */
const rawHttp = (requestLine: string, headers: string[], body = ''): Buffer => Buffer.from(`${requestLine}\r\nHost: gateway\r\nConnection: close\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${body}`, 'latin1');
const chunkedBody = (text: string, cuts: number[]): string => {
  const bytes = Buffer.from(text);
  let out = '';
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    const piece = bytes.subarray(at, Math.min(bytes.length, at + cut));
    if (piece.length) out += `${piece.length.toString(16)}\r\n${piece.toString('latin1')}\r\n`;
    at += piece.length;
    if (at >= bytes.length) break;
  }
  return `${out}0\r\n\r\n`;
};
/** Header values as raw bytes (no CR/LF: those would start another header or end the request early). */
const rawHeaderValue = fc.string({ unit: fc.integer({ min: 0, max: 255 }).filter((c) => c !== 10 && c !== 13).map((c) => String.fromCharCode(c)), maxLength: 40 });

const rawRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  // A valid webhook or Event in chunked transfer encoding, cut anywhere.
  fc.tuple(signalPath, fc.oneof(validWebhook, validEvent), fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 8 })).map(([path, v, cuts]) =>
    ({ method: 'POST' as const, path, raw: rawHttp(`POST ${path} HTTP/1.1`, ['Content-Type: application/json', 'Transfer-Encoding: chunked'], chunkedBody(JSON.stringify(v), cuts)) })),
  // Broken framing: the HTTP parser refuses these before any route sees them.
  fc.constantFrom(
    rawHttp(`POST ${PROMETHEUS} HTTP/1.1`, ['Content-Type: application/json', 'Content-Length: abc'], '{}'),
    rawHttp(`POST ${PROMETHEUS} HTTP/1.1`, ['Content-Type: application/json', 'Content-Length: -1'], '{}'),
    rawHttp(`POST ${PROMETHEUS} HTTP/1.1`, ['Content-Type: application/json', 'Content-Length: 2', 'Content-Length: 3'], '{} '),
    rawHttp(`POST ${PROMETHEUS} HTTP/1.1`, ['Content-Type: application/json', 'Content-Length: 2', 'Transfer-Encoding: chunked'], '2\r\n{}\r\n0\r\n\r\n'),
    rawHttp(`POST ${PROMETHEUS} HTTP/1.1`, ['Content-Type: application/json', 'Transfer-Encoding: chunked'], 'zz\r\n{}\r\n0\r\n\r\n'),
    rawHttp(`POST ${PROMETHEUS} HTTP/1.1`, ['Content-Type: application/json', 'Transfer-Encoding: gzip, chunked'], '2\r\n{}\r\n0\r\n\r\n'),
    rawHttp(`POST ${EVENTS} HTTP/1.1`, ['Content-Type: application/json', 'Content-Length: 2', ' folded: header'], '{}'),
    rawHttp(`POST ${EVENTS} HTTP/1.1`, ['Content-Type: application/json', 'Content-Length: 2', 'Bad Header: x'], '{}'),
    rawHttp(`POST ${EVENTS} HTTP/1.1`, ['Content-Type: application/json\u0000', 'Content-Length: 2'], '{}'),
    rawHttp('GET /healthz HTTP/9.9', []),
    rawHttp('GET /a b HTTP/1.1', []),
    rawHttp('GET /healthz\u0000 HTTP/1.1', []),
    rawHttp('BREW /healthz HTTP/1.1', []),
    rawHttp('GET http://evil.example/healthz HTTP/1.1', []),
    rawHttp(`GET /${'a'.repeat(20_000)} HTTP/1.1`, []),
  ).map((raw) => ({ method: 'POST' as const, path: '(raw)', raw })),
  // A valid webhook under hostile Content-Type bytes.
  fc.tuple(rawHeaderValue, validWebhook).map(([type, hook]) => {
    const body = JSON.stringify(hook);
    return { method: 'POST' as const, path: PROMETHEUS, raw: rawHttp(`POST ${PROMETHEUS} HTTP/1.1`, [`Content-Type: ${type}`, `Content-Length: ${Buffer.byteLength(body)}`], Buffer.from(body).toString('latin1')) };
  }),
);

/** How a request shows in a failure report: its start, not megabytes of generated body. */
function show(r: FuzzRequest): string {
  if (r.churn) return `after ${r.churn.to} of live RR #${r.churn.pick}: ${show({ ...r, churn: undefined })}`;
  if (r.copies) return `${r.copies} at once: ${show({ ...r, copies: undefined })}`;
  if (r.raw) return `raw ${r.raw.length} bytes: ${JSON.stringify(r.raw.toString('latin1').slice(0, 300))}`;
  const text = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : Buffer.from(r.body).toString('latin1');
  const body = r.body === undefined ? '' : ` ${text.length} chars: ${text.slice(0, 300)}`;
  return `${r.method} ${r.path.slice(0, 200)} (${r.contentType ?? 'no body'})${body}`;
}
const described = (r: FuzzRequest): FuzzRequest => Object.assign(r, { [fc.toStringMethod]: () => show(r) });

const request: fc.Arbitrary<FuzzRequest> = fc.oneof(
  // Alertmanager webhooks: valid, mutated, arbitrary JSON, hostile text, deep nesting, invalid UTF-8.
  { weight: 6, arbitrary: validWebhook.map((w) => json(PROMETHEUS, w)) },
  { weight: 4, arbitrary: mutatedWebhook.map((w) => json(PROMETHEUS, w)) },
  { weight: 1, arbitrary: fc.tuple(signalPath, fc.jsonValue({ maxDepth: 5 })).map(([p, v]) => json(p, v)) },
  { weight: 1, arbitrary: fc.tuple(signalPath, hostileString).map(([p, s]) => json(p, s, [400])) },
  { weight: 2, arbitrary: fc.tuple(signalPath, deepJson).map(([p, text]) => json(p, text)) },
  { weight: 1, arbitrary: invalidUtf8.map((bytes) => ({ method: 'POST' as const, path: PROMETHEUS, contentType: 'application/json', body: new Uint8Array(bytes) })) },
  // Kubernetes Events: valid (Warning and Normal), mutated.
  { weight: 5, arbitrary: validEvent.map((e) => json(EVENTS, e)) },
  { weight: 3, arbitrary: mutatedEvent.map((e) => json(EVENTS, e)) },
  // Sizes: more alerts than a request may carry, many cheap ones it may, many and huge labels, bodies over the limit.
  { weight: 1, arbitrary: fc.integer({ min: 600, max: 5_000 }).map((n) => json(PROMETHEUS, webhook(Array.from({ length: n }, (_, i) => cheapAlert(i))), [413])) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 500 }).map((n) => json(PROMETHEUS, webhook(Array.from({ length: n }, (_, i) => cheapAlert(i))), [200])) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 200, max: 3_000 }), freshService).map(([n, name]) =>
      json(PROMETHEUS, webhook([alert({ alertname: 'KubeServiceDown', exported_service: name, namespace: MANAGED_NAMESPACE, ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`l${i}`, 'v'])) })]))),
  },
  {
    weight: 1,
    // One huge string (ASCII or astral code points, whose truncation may split a surrogate pair) in one place of an alert about a fresh target.
    arbitrary: fc.tuple(fc.integer({ min: 1_000, max: 1_100_000 }), fc.boolean(), fc.constantFrom('value', 'key', 'target', 'namespace', 'alertname', 'severity', 'annotation', 'annotation-key'), freshService).map(([n, astral, where, name]) => {
      const big = astral ? '😀'.repeat(Math.floor(n / 2)) : 'x'.repeat(n);
      const labels: Record<string, string> = { alertname: 'KubeServiceDown', exported_service: name, namespace: MANAGED_NAMESPACE };
      const annotations: Record<string, string> = { summary: 'huge' };
      if (where === 'value') labels.huge = big;
      else if (where === 'key') labels[big] = 'v';
      else if (where === 'target') labels.exported_service = big;
      else if (where === 'annotation') annotations.huge = big;
      else if (where === 'annotation-key') annotations[big] = 'v';
      else labels[where] = big;
      return json(PROMETHEUS, webhook([{ ...alert(labels), annotations }]));
    }),
  },
  // Right payloads, wrong content types.
  { weight: 2, arbitrary: fc.tuple(signalPath, fc.oneof(validWebhook, validEvent), contentType).map(([p, v, type]) => ({ method: 'POST' as const, path: p, contentType: type, body: JSON.stringify(v) })) },
  { weight: 1, arbitrary: signalPath.map((p) => ({ method: 'POST' as const, path: p, body: '' })) },
  // Probes, other methods, unknown and hostile paths.
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('GET' as const, 'HEAD' as const), fc.constantFrom('/healthz', '/readyz', '/metrics')).map(([method, path]) => ({ method, path, expect: [200] })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('GET' as const, 'HEAD' as const, 'PUT' as const, 'DELETE' as const, 'PATCH' as const, 'OPTIONS' as const), fc.constantFrom(PROMETHEUS, EVENTS, '/healthz', '/metrics')).map(([method, path]) => ({ method, path, ...(method === 'GET' || method === 'HEAD' ? {} : { contentType: 'application/json', body: '{}' }) })) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('GET' as const, 'POST' as const), oddPath, fc.oneof(validWebhook, validEvent)).map(([method, path, v]) => (method === 'GET' ? { method, path } : json(path, v))) },
  // HTTP framing and header bytes no fetch() would send.
  { weight: 2, arbitrary: rawRequest },
  // Bursts: the same webhook or Event several times at once, or big batches that overrun the alert budget (503).
  { weight: 2, arbitrary: fc.tuple(fc.oneof(validWebhook.map((w) => json(PROMETHEUS, w)), validEvent.map((e) => json(EVENTS, e))), fc.integer({ min: 2, max: 12 })).map(([r, copies]) => ({ ...r, copies })) },
  // Signals after a live RR was deleted or ended: the Gateway's cached RR is stale, repeats must open a new one (or not, in a cooldown).
  {
    weight: 2,
    arbitrary: fc.tuple(fc.oneof(validWebhook.map((w) => json(PROMETHEUS, w)), validEvent.map((e) => json(EVENTS, e))), fc.integer({ min: 1, max: 3 }), fc.nat(), fc.constantFrom('delete' as const, 'Completed' as const, 'Failed' as const, 'Cancelled' as const, 'cooldown' as const))
      .map(([r, copies, pick, to]) => ({ ...r, copies, churn: { pick, to } })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 300, max: 500 }), fc.integer({ min: 2, max: 4 })).map(([n, copies]) => {
      // Every 10th alert names a pod that does not exist: a lookup each, so the requests overlap.
      const alerts = Array.from({ length: n }, (_, i) => (i % 10 ? cheapAlert(i) : { status: 'firing', labels: { alertname: 'KubePodCrashLooping', pod: `ghost-${i}`, namespace: MANAGED_NAMESPACE }, startsAt: new Date().toISOString() }));
      return { ...json(PROMETHEUS, webhook(alerts), [200, 503]), copies };
    }),
  },
).map(described);

/** Counts (and checks, against the DataStorage wire schema) audit events without keeping megabytes of them. */
class CountingAuditSink implements AuditSink {
  count = 0;
  record(event: AuditEventInput): void {
    auditEventSchema.parse(event);
    this.count++;
  }
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/** Sends bytes as they are on a fresh connection and reads the first response up to the close (`Connection: close`). */
function sendRaw(url: string, bytes: Buffer): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    // Not end(): a client that half-closes has gone away for Node's HTTP server, which drops its request.
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    // A guard against a hang, not a timing check: every request sent here is complete and asks for `Connection: close`.
    socket.setTimeout(60_000, () => socket.destroy(new Error('the connection stayed open 60 s without an answer')));
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const all = Buffer.concat(chunks).toString('utf8');
      const head = /^HTTP\/1\.1 (\d{3}) [^\r\n]*\r\n((?:[^\r\n]+\r\n)*)\r\n/.exec(all);
      if (!head) return reject(new Error(`no HTTP response, got ${JSON.stringify(all.slice(0, 200))}`));
      const headers = Object.fromEntries(head[2].split('\r\n').filter(Boolean).map((h) => [h.slice(0, h.indexOf(':')).toLowerCase(), h.slice(h.indexOf(':') + 1).trim()]));
      const rest = all.slice(head[0].length);
      const length = headers['content-length'] === undefined ? rest.length : Number(headers['content-length']);
      resolve({ status: Number(head[1]), contentType: headers['content-type'] ?? '', text: rest.slice(0, length) });
    });
  });
}

async function send(url: string, r: FuzzRequest): Promise<Answer> {
  if (r.raw) return sendRaw(url, r.raw);
  const res = await fetch(url + r.path, { method: r.method, headers: r.contentType === undefined ? {} : { 'content-type': r.contentType }, body: r.body });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}


interface ListedRR {
  metadata: { name: string; namespace: string };
  spec: { signalFingerprint: string; targetResource: { kind: string; name: string; namespace?: string } };
  status?: { overallPhase?: string; nextAllowedExecution?: string };
}

/** Whether repeats of its signal are counted into this RR (written independently of remediation-requests.ts). */
function absorbsRepeats(rr: ListedRR): boolean {
  const phase = rr.status?.overallPhase;
  if (!phase || !['Completed', 'Failed', 'TimedOut', 'Skipped', 'Cancelled'].includes(phase)) return true;
  return !!rr.status?.nextAllowedExecution && Date.parse(rr.status.nextAllowedExecution) > Date.now();
}

test('fuzzed requests to every Gateway endpoint get a well-formed 2xx/4xx/503, leave it up, and create RRs only as reported and only for in-scope targets', { timeout: 600_000 }, async (t) => {
  // No Gateway or alerting of the stack's own: every RR in the cluster comes from the Gateway under test.
  const env = await startGatewayEnv({ args: ['--no-gateway', '--prometheus', 'none', '--no-datastorage'] });
  try {
    const k = (args: string[], input?: string) => env.kubernaut.kubectlOk(args, input === undefined ? {} : { input });
    k(['create', 'namespace', MANAGED_NAMESPACE]);
    k(['label', 'namespace', MANAGED_NAMESPACE, 'kubernaut.ai/managed=true']);
    k(['create', 'namespace', UNMANAGED_NAMESPACE]);
    k(['label', 'node', NODE, 'kubernaut.ai/managed=true', '--overwrite']);
    k(['create', 'deployment', 'web', '--image=nginx', '-n', MANAGED_NAMESPACE]);
    k(['create', 'deployment', 'api', '--image=nginx', '-n', UNMANAGED_NAMESPACE]);
    k(['create', 'cronjob', 'nightly', '--image=busybox', '--schedule=0 0 * * *', '-n', MANAGED_NAMESPACE]);
    k(['create', 'job', 'once', '--image=busybox', '-n', MANAGED_NAMESPACE]);
    k(['create', 'secret', 'generic', 'creds', '--from-literal=k=v', '-n', MANAGED_NAMESPACE]);
    k(['create', 'pdb', 'web', '--selector=app=web', '--min-available=1', '-n', MANAGED_NAMESPACE]);
    const service = (name: string, namespace: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector: { app: name }, ports: [{ port: 80 }] } });
    k(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'List', items: [
        { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: MANAGED_NAMESPACE }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } } },
        { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: MANAGED_NAMESPACE }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 3 } },
        service('web', MANAGED_NAMESPACE),
        ...FRESH_SERVICES.map((name) => service(name, MANAGED_NAMESPACE)),
        service('svc-0', UNMANAGED_NAMESPACE),
      ],
    }));
    // Pods and ReplicaSets are named by their controllers: add them to what the fuzzer picks from.
    const generated = await eventually(() => {
      const objects = k(['get', 'pods,replicasets', '-A', '-o', 'jsonpath={range .items[*]}{.kind} {.metadata.namespace} {.metadata.name}{"\\n"}{end}'])
        .trim().split('\n').map((line) => line.split(' ')).filter(([, namespace]) => [MANAGED_NAMESPACE, UNMANAGED_NAMESPACE, 'demo-statefulset'].includes(namespace));
      return objects.some(([kind, , name]) => kind === 'Pod' && name.startsWith('web-')) && objects.some(([kind, , name]) => kind === 'Pod' && name.startsWith('kv-store-')) ? objects : undefined;
    }, 'pods of the fixture');
    existingNames = [...existingNames, ...generated.map(([, , name]) => name)];
    realTargets = [...realTargets, ...generated.map(([kind, namespace, name]): [string, string, string, string] => [kind === 'Pod' ? 'pod' : 'replicaset', kind, name, namespace])];

    const audit = new CountingAuditSink();
    // A budget only a little over one full request: concurrent big batches get 503 + Retry-After.
    const base = (await env.startGateway({ auditClient: audit, maxAlertsInFlight: 600 })).url;
    const rrApi = env.kc.makeApiClient(CustomObjectsApi);
    const RR = { group: 'kubernaut.ai', version: 'v1alpha1', plural: 'remediationrequests' };
    const listRRs = async () => ((await rrApi.listClusterCustomObject(RR)) as { items: ListedRR[] }).items;
    /** Deletes or ends one live RR (only live ones, so there is never more than one live RR per incident but for the Gateway). */
    const churn = async ({ pick, to }: NonNullable<FuzzRequest['churn']>) => {
      const live = (await listRRs()).filter(absorbsRepeats);
      if (!live.length) return;
      const { name, namespace } = live[pick % live.length].metadata;
      if (to === 'delete') return void (await rrApi.deleteNamespacedCustomObject({ ...RR, namespace, name }));
      const current = (await rrApi.getNamespacedCustomObject({ ...RR, namespace, name })) as ListedRR;
      const status = to === 'cooldown' ? { overallPhase: 'Completed', nextAllowedExecution: new Date(Date.now() + 3_600_000).toISOString() } : { overallPhase: to };
      await rrApi.replaceNamespacedCustomObjectStatus({ ...RR, namespace, name, body: { ...current, status: { ...current.status, ...status } } });
    };
    const statuses: Record<number, number> = {};

    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        if (r.churn) await churn(r.churn);
        const before = new Set((await listRRs()).map((rr) => `${rr.metadata.namespace}/${rr.metadata.name}`));
        const auditedBefore = audit.count;
        const answers = await Promise.all(Array.from({ length: r.copies ?? 1 }, async () => {
          try {
            return await send(base, r);
          } catch (err) {
            assert.fail(`${show(r)}: no answer (${(err as Error).message}; ${String((err as { cause?: unknown }).cause ?? '')})`);
          }
        }));
        const reported: string[] = [];
        let what = '';
        for (const res of answers) {
          what = `${show(r).slice(0, 200)} -> ${res.status} ${res.status >= 500 ? res.text : res.text.slice(0, 300)}`;
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          assert.ok((res.status >= 200 && res.status < 300) || (res.status >= 400 && res.status < 500) || res.status === 503, what);
          if (r.expect) assert.ok(r.expect.includes(res.status), `${what}: expected ${r.expect.join(' or ')}`);
          let body: any;
          if (res.status >= 400) {
            assert.match(res.contentType, /^application\/problem\+json/, what);
            if (r.method !== 'HEAD') {
              body = JSON.parse(res.text);
              assert.equal(body.status, res.status, what);
              assert.equal(typeof body.title, 'string', what);
              assert.equal(typeof body.type, 'string', what);
            }
          } else if (r.method !== 'HEAD' && !res.contentType.startsWith('text/plain')) {
            body = JSON.parse(res.text);
          }
          // A webhook answer lists every alert's decision (a 503 too, for the alerts decided before it
          // failed); an Event answer is its one decision.
          const decisions: { status?: string; remediationRequest?: string }[] = Array.isArray(body?.results) ? body.results : res.status < 300 && body ? [body] : [];
          const ours = decisions.filter((d) => d.status === 'created').map((d) => d.remediationRequest!);
          if (res.status < 300) assert.equal(res.status === 201, ours.length > 0, `${what}: 201 if and only if an RR was created`);
          if (res.status >= 400 && res.status < 500) assert.deepEqual(ours, [], what);
          reported.push(...ours);
        }

        const after = await listRRs();
        const created = after.filter((rr) => !before.has(`${rr.metadata.namespace}/${rr.metadata.name}`));
        for (const rr of created) {
          const target = { kind: rr.spec.targetResource.kind, name: rr.spec.targetResource.name, namespace: rr.spec.targetResource.namespace ?? '' };
          assert.ok(inScope(target), `${what}: RR ${rr.metadata.name} targets ${JSON.stringify(target)}, which is out of scope or of an unsupported kind`);
          assert.match(target.name, DNS1123_SUBDOMAIN, `${what}: RR ${rr.metadata.name} target name`);
          assert.equal(rr.metadata.namespace, target.namespace || 'kubernaut-system', `${what}: RR ${rr.metadata.name} namespace`);
        }
        // Exactly the RRs the answers report, each once (a 4xx reports none, so it created none).
        assert.deepEqual(created.map((rr) => rr.metadata.name).sort(), reported.sort(), `${what}: exactly the RemediationRequests the answers report were created`);
        // One incident, one live RR: never two RRs absorbing the same fingerprint in one namespace.
        const live = after.filter(absorbsRepeats).map((rr) => `${rr.metadata.namespace}/${rr.spec.signalFingerprint}`);
        assert.equal(new Set(live).size, live.length, `${what}: at most one live RemediationRequest per fingerprint`);
        if (answers.every((a) => a.status >= 400 && a.status < 500)) assert.equal(audit.count, auditedBefore, `${what}: a refused request audited nothing`);

        const health = await fetch(`${base}/healthz`);
        assert.equal(health.status, 200, `${what}: the Gateway is still up`);
        await health.text();
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true, includeErrorInReport: true },
    );
    const rrs = await listRRs();
    t.diagnostic(`${RUNS} requests (seed ${SEED}) in ${Date.now() - started} ms; statuses ${JSON.stringify(statuses)}; ${rrs.length} RRs; ${audit.count} audit events`);
    // The fuzzer got past validation: signals were decided, and some created RRs.
    assert.ok(rrs.length > 0, 'some fuzzed signals created RemediationRequests');
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
  } finally {
    await env.stop();
  }
});
