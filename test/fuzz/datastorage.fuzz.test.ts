/**
 * Property-based fuzzing of every DataStorage endpoint (fast-check, fixed seed, bounded count, so a
 * CI run is repeatable): random and mutated valid payloads, deep nesting, huge counts and hostile
 * strings. Whatever arrives, the server answers a well-formed 2xx/4xx/503 (RFC 7807 for errors),
 * stays up, writes nothing on a 4xx, and its audit hash chain stays valid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TEST_DATABASES } from '../helpers/database.ts';
import { event, serve } from '../datastorage/audit/fixtures.ts';

/** The seed of every run: change it to explore, keep it fixed so CI is repeatable. */
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);

interface FuzzRequest {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  contentType?: string;
  body?: string;
}

/** Strings an attacker or a careless client sends: any code point, NULs, lone surrogates, SQL and path shapes. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '\u0000', 'a\ud800b', "'; DROP TABLE audit_events; --", '../../etc/passwd', '%00', '{{ .Values }}', '${jndi:ldap://x}', 'é😀\u202e', ' '.repeat(300)),
  fc.integer({ min: 254, max: 70_000 }).map((n) => 'x'.repeat(n)),
);

/** JSON text nested `depth` levels deep, written out by hand (JSON.stringify itself recurses). */
const deepJson = fc.integer({ min: 40, max: 100_000 }).chain((depth) => fc.constantFrom('[', '{"a":').map((open) => open.repeat(depth) + '1' + (open === '[' ? ']' : '}').repeat(depth)));

/** A valid audit event with some of its members replaced by arbitrary JSON, removed, or joined by unknown ones. */
const mutatedEvent = fc
  .record({
    replace: fc.dictionary(fc.constantFrom('eventId', 'eventTimestamp', 'eventType', 'eventCategory', 'eventOutcome', 'correlationId', 'actorType', 'actorId', 'namespace', 'eventData'), fc.oneof(fc.jsonValue({ maxDepth: 4 }), hostileString), { maxKeys: 3 }),
    remove: fc.subarray(['eventId', 'eventType', 'eventData', 'actorId']),
    extra: fc.option(fc.dictionary(hostileString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }), { nil: undefined }),
  })
  .map(({ replace, remove, extra }) => {
    const e: Record<string, unknown> = { ...event(), ...replace, ...(extra ?? {}) };
    for (const k of remove) delete e[k];
    return e;
  });

const validEvent = fc.record({ text: fc.string({ maxLength: 30 }), data: fc.jsonValue({ maxDepth: 5 }) }).map(({ text, data }) => event({ eventAction: text || 'x', eventData: { data } }));

const queryValue = fc.oneof(hostileString, fc.integer().map(String), fc.constantFrom('true', 'gateway', 'StatefulSet', '2026-11-26T12:00:00Z', '-1', '1e309', '[]'));
const queryKey = fc.oneof(fc.constantFrom('correlationId', 'eventType', 'eventCategory', 'since', 'until', 'limit', 'cursor', 'severity', 'component', 'environment', 'priority', 'detected_labels', 'custom_labels', 'kind', 'name', 'namespace', 'actionType', 'offset'), hostileString);
const query = fc.dictionary(queryKey, queryValue, { maxKeys: 4 }).map((q) => new URLSearchParams(q).toString());

const json = (method: FuzzRequest['method'], path: string, body: unknown): FuzzRequest => ({ method, path, contentType: 'application/json', body: typeof body === 'string' ? body : JSON.stringify(body) });

const workflowYaml = fc.oneof(
  hostileString,
  // Billion laughs: every alias expands the one before it.
  fc.constant(['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n')),
  fc.integer({ min: 50, max: 20_000 }).map((depth) => 'metadata:\n' + Array.from({ length: Math.min(depth, 200) }, (_, i) => ' '.repeat(i + 1) + `k${i}:`).join('\n') + ' ' + '['.repeat(depth) + ']'.repeat(depth)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => `apiVersion: kubernaut.ai/v1alpha1\nkind: RemediationWorkflow\nmetadata: ${JSON.stringify(v)}\nspec: {}`),
);

/** How a request shows in a failure report: its start, not megabytes of generated body. */
function described(r: FuzzRequest): FuzzRequest {
  const body = r.body === undefined ? '' : ` ${r.body.length} chars: ${r.body.slice(0, 200)}`;
  return Object.assign(r, { [fc.toStringMethod]: () => `${r.method} ${r.path.slice(0, 200)} (${r.contentType ?? 'no body'})${body}` });
}

const request: fc.Arbitrary<FuzzRequest> = fc.oneof(
  validEvent.map((e) => json('POST', '/api/v1/audit/events', e)),
  mutatedEvent.map((e) => json('POST', '/api/v1/audit/events', e)),
  fc.array(fc.oneof(validEvent, mutatedEvent), { maxLength: 5 }).map((events) => json('POST', '/api/v1/audit/events/batch', { events })),
  fc.integer({ min: 990, max: 1_500 }).map((n) => json('POST', '/api/v1/audit/events/batch', { events: Array.from({ length: n }, () => event()) })),
  deepJson.map((text) => json('POST', '/api/v1/audit/events', text)),
  deepJson.map((text) => json('POST', '/api/v1/workflows', text)),
  fc.jsonValue({ maxDepth: 6 }).map((v) => json('POST', '/api/v1/audit/events', v)),
  hostileString.map((s) => json('POST', '/api/v1/audit/events', s)),
  fc.integer({ min: 900_000, max: 2_000_000 }).map((n) => json('POST', '/api/v1/audit/events', event({ eventData: { blob: 'x'.repeat(n) } }))),
  query.map((q) => ({ method: 'GET' as const, path: `/api/v1/audit/events?${q}` })),
  fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 3 })).map((v) => json('POST', '/api/v1/audit/verify-chain', v === undefined ? '' : v)),
  workflowYaml.map((y) => ({ method: 'POST' as const, path: '/api/v1/workflows', contentType: 'application/yaml', body: y })),
  fc.jsonValue({ maxDepth: 5 }).map((v) => json('POST', '/api/v1/workflows', v)),
  query.map((q) => ({ method: 'GET' as const, path: `/api/v1/workflows/actions?${q}` })),
  query.map((q) => ({ method: 'GET' as const, path: `/api/v1/workflows?${q}` })),
  fc.tuple(hostileString, query).map(([id, q]) => ({ method: 'GET' as const, path: `/api/v1/workflows/${encodeURIComponent(id)}?${q}` })),
  fc.tuple(hostileString, fc.jsonValue({ maxDepth: 3 })).map(([t, v]) => json('PUT', `/api/v1/workflows/actions/${encodeURIComponent(t)}`, v)),
  query.map((q) => ({ method: 'GET' as const, path: `/api/v1/remediation-history?${q}` })),
).map(described);

for (const kind of TEST_DATABASES) {
  test(`${kind.name}: fuzzed requests to every DataStorage endpoint get a well-formed 2xx/4xx/503, write nothing when refused, and leave a valid audit chain`, { skip: kind.skip, timeout: 600_000 }, async () => {
    const s = await serve(kind);
    const base = s.ds.url;
    // DataStorage audits its own discovery answers, a 404 included: those are records, not changes a refusal made.
    const storedEvents = async () => Number((await s.db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_events WHERE event_type <> 'datastorage.workflow.discovery'`)).rows[0].n);
    const storedWorkflows = async () => Number((await s.db.query<{ n: string }>('SELECT count(*) AS n FROM workflow_catalog')).rows[0].n);
    try {
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const before = [await storedEvents(), await storedWorkflows()];
          const res = await fetch(base + r.path, { method: r.method, headers: r.contentType ? { 'content-type': r.contentType } : {}, body: r.body });
          const text = await res.text();
          const what = `${r.method} ${r.path.slice(0, 120)} -> ${res.status} ${text.slice(0, 200)}`;
          assert.ok((res.status >= 200 && res.status < 300) || (res.status >= 400 && res.status < 500) || res.status === 503, what);
          if (res.status >= 400) {
            assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, what);
            const problem = JSON.parse(text);
            assert.equal(problem.status, res.status, what);
            assert.equal(typeof problem.title, 'string', what);
            assert.deepEqual([await storedEvents(), await storedWorkflows()], before, `${what}: a refused request changed nothing`);
          } else if (text) {
            JSON.parse(text);
          }
          const health = await fetch(`${base}/healthz`);
          assert.equal(health.status, 200, `${what}: the server is still up`);
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
      const verify = await (await fetch(`${base}/api/v1/audit/verify-chain`, { method: 'POST' })).json();
      assert.equal(verify.valid, true, JSON.stringify(verify));
      assert.equal(verify.checked, Number((await s.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_events')).rows[0].n), 'every stored event is in the verified chain');
    } finally {
      await s.close();
    }
  });
}
