// The workflow catalog through its HTTP API, against every test database (PGlite, and PostgreSQL
// when KUBERNAUT_TEST_PG_URL is set): registration, rejection, discovery, ranking, versions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHttpApp } from '../../../src/platform/http/app.ts';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { registerWorkflowRoutes } from '../../../src/datastorage/workflows/routes.ts';
import type { Database } from '../../../src/datastorage/db/database.ts';
import { TEST_DATABASES } from '../../helpers/database.ts';

const REFERENCE_YAML = readFileSync(new URL('../../../workflows/fix-statefulset-pvc-v1/workflow.yaml', import.meta.url), 'utf8');

/** The reference incident: kv-store StatefulSet in production, critical, detected stateful. */
const REFERENCE_CONTEXT = {
  severity: 'critical',
  component: 'StatefulSet',
  environment: 'production',
  detected_labels: JSON.stringify({ stateful: true }),
};

function workflow(id: string, actionType: string, extra: Record<string, unknown> = {}, version = '1.0.0'): Record<string, unknown> {
  return {
    metadata: { workflowId: id, version, description: { what: `does ${id}`, whenToUse: `when ${id} helps` } },
    actionType,
    labels: { severity: '*', environment: '*', component: '*', priority: '*' },
    execution: { engine: 'job', bundle: `example.com/${id}:${version}` },
    parameters: [{ name: 'TARGET_NAMESPACE', type: 'string', required: true, description: 'Namespace.' }],
    ...extra,
  };
}

interface Reply {
  status: number;
  contentType: string;
  body: any;
}

for (const kind of TEST_DATABASES) {
  describe(`${kind.name}: workflow catalog API`, { skip: kind.skip }, () => {
    let db: Database;
    let close: () => Promise<void>;
    let base: string;

    before(async () => {
      db = await kind.open();
      const { app, metrics } = createHttpApp({ name: 'datastorage-test' });
      registerWorkflowRoutes(app, db, { clock: new ScaledClock(), metrics });
      base = await app.listen({ host: '127.0.0.1', port: 0 });
      close = async () => {
        await app.close();
        await db.close();
      };
    });
    after(() => close());

    async function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Reply> {
      const res = await fetch(base + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': contentType },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
    }
    const register = (definition: unknown) => call('POST', '/api/v1/workflows', definition);
    const query = (q: Record<string, string>) => `?${new URLSearchParams(q)}`;
    const countRows = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM workflow_catalog')).rows[0].n);

    test('the reference workflow registers from its YAML file, once', async () => {
      const first = await call('POST', '/api/v1/workflows', REFERENCE_YAML, 'application/yaml');
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.equal(first.body.workflowId, 'fix-statefulset-pvc-v1');
      assert.equal(first.body.version, '1.0.0');
      assert.equal(first.body.actionType, 'FixStatefulSetPVC');
      assert.equal(first.body.status, 'active');
      assert.equal(first.body.previouslyExisted, false);
      assert.match(first.body.catalogId, /^[0-9a-f-]{36}$/);
      assert.match(first.body.contentHash, /^[0-9a-f]{64}$/);

      // The identical definition again, as a JSON envelope: idempotent.
      const again = await register({ content: REFERENCE_YAML, source: 'test', registeredBy: 'alice' });
      assert.equal(again.status, 200);
      assert.equal(again.body.previouslyExisted, true);
      assert.equal(again.body.catalogId, first.body.catalogId);
      assert.equal(again.body.contentHash, first.body.contentHash);

      const exposition = await (await fetch(`${base}/metrics`)).text();
      assert.match(exposition, /datastorage_workflow_registrations_total\{[^}]*outcome="created"[^}]*\} 1/);
      assert.match(exposition, /datastorage_workflow_registrations_total\{[^}]*outcome="unchanged"[^}]*\} 1/);
    });

    test('discovery with the reference incident finds the reference workflow in all three steps', async () => {
      const actions = await call('GET', `/api/v1/workflows/actions${query(REFERENCE_CONTEXT)}`);
      assert.equal(actions.status, 200);
      const fix = actions.body.actionTypes.find((a: any) => a.actionType === 'FixStatefulSetPVC');
      assert.ok(fix, JSON.stringify(actions.body));
      assert.equal(fix.workflowCount, 1);
      assert.match(fix.description.what, /PersistentVolumeClaim/);
      assert.equal(typeof fix.description.whenToUse, 'string');

      const listed = await call('GET', `/api/v1/workflows${query({ actionType: 'FixStatefulSetPVC', ...REFERENCE_CONTEXT })}`);
      assert.equal(listed.status, 200);
      assert.equal(listed.body.actionType, 'FixStatefulSetPVC');
      assert.deepEqual(
        listed.body.workflows.map((w: any) => [w.workflowId, w.version, w.executionEngine, w.score]),
        [['fix-statefulset-pvc-v1', '1.0.0', 'job', 0.502]],
      );
      assert.deepEqual(listed.body.pagination, { offset: 0, limit: 10, total: 1, hasMore: false });
      const alias = await call('GET', `/api/v1/workflows/actions/FixStatefulSetPVC${query(REFERENCE_CONTEXT)}`);
      assert.deepEqual(alias.body, listed.body);

      const one = await call('GET', `/api/v1/workflows/fix-statefulset-pvc-v1${query(REFERENCE_CONTEXT)}`);
      assert.equal(one.status, 200);
      assert.equal(one.body.metadata.workflowId, 'fix-statefulset-pvc-v1');
      assert.equal(one.body.status, 'active');
      assert.deepEqual(one.body.detectedLabels, { stateful: 'true' });
      assert.equal(one.body.execution.serviceAccountName, 'fix-statefulset-pvc-v1-runner');
      assert.deepEqual(
        one.body.parameters.map((p: any) => [p.name, p.type, p.required]),
        [['TARGET_NAMESPACE', 'string', true], ['TARGET_STATEFULSET', 'string', true], ['TARGET_PVC', 'string', false]],
      );
      const byCatalogId = await call('GET', `/api/v1/workflows/${one.body.catalogId}${query(REFERENCE_CONTEXT)}`);
      assert.equal(byCatalogId.status, 200);
      assert.equal(byCatalogId.body.contentHash, one.body.contentHash);
    });

    test('a context the reference workflow does not fit does not find it', async () => {
      const misfits: Record<string, string>[] = [
        { ...REFERENCE_CONTEXT, component: 'Deployment' },
        { ...REFERENCE_CONTEXT, environment: 'development' },
        { ...REFERENCE_CONTEXT, severity: 'low' },
      ];
      for (const ctx of misfits) {
        const actions = await call('GET', `/api/v1/workflows/actions${query(ctx)}`);
        assert.equal(actions.status, 200);
        assert.ok(!actions.body.actionTypes.some((a: any) => a.actionType === 'FixStatefulSetPVC'), JSON.stringify(ctx));
        const listed = await call('GET', `/api/v1/workflows${query({ actionType: 'FixStatefulSetPVC', ...ctx })}`);
        assert.deepEqual(listed.body.workflows, [], JSON.stringify(ctx));
        // The security gate: step 3 with the same context is a 404, like an unknown id.
        const one = await call('GET', `/api/v1/workflows/fix-statefulset-pvc-v1${query(ctx)}`);
        assert.equal(one.status, 404, JSON.stringify(ctx));
        assert.match(one.contentType, /application\/problem\+json/);
      }
      // A target detected as not stateful imposes nothing (workflow-schema.md §4.2): listed, no boost.
      const stateless = await call('GET', `/api/v1/workflows${query({ ...REFERENCE_CONTEXT, actionType: 'FixStatefulSetPVC', detected_labels: '{"stateful":false}' })}`);
      assert.deepEqual(stateless.body.workflows.map((w: any) => w.score), [0.5]);
    });

    test('unknown fields and invalid parameter schemas are rejected with every problem, nothing written', async () => {
      const before = await countRows();
      const bad = workflow('bad-workflow', 'BadThing', {
        labels: { severity: ['critical', 'urgent'], environment: '*', component: '*', colour: 'blue' },
        surprise: true,
        parameters: [
          { name: 'lower_case', type: 'string', description: 'bad name' },
          { name: 'KUBERNAUT_TOKEN', type: 'string', description: 'reserved prefix' },
          { name: 'COUNT', type: 'integer', pattern: '^\\d+$', minimum: 5, maximum: 1, description: 'pattern on an integer, min > max' },
          { name: 'MODE', type: 'string', enum: ['fast', 'slow'], default: 'medium', description: 'default outside enum' },
          { name: 'RE', type: 'string', pattern: '([', description: 'invalid regex' },
          { name: 'MODE', type: 'string', description: 'duplicate' },
          { name: 'EXTRA', type: 'string', description: 'unknown field', secret: true },
          { name: 'NODESC', type: 'map' },
        ],
      });
      const r = await register(bad);
      assert.equal(r.status, 400);
      assert.match(r.contentType, /application\/problem\+json/);
      assert.equal(r.body.status, 400);
      const paths = r.body.errors.map((e: any) => e.path);
      for (const expected of [
        'surprise',
        'labels.colour',
        'labels.severity',
        'parameters[0].name',
        'parameters[1].name',
        'parameters[2].pattern',
        'parameters[2].maximum',
        'parameters[3].default',
        'parameters[4].pattern',
        'parameters[5].name',
        'parameters[6].secret',
        'parameters[7].type',
        'parameters[7].description',
      ]) {
        assert.ok(paths.includes(expected), `${expected} not reported in ${JSON.stringify(r.body.errors)}`);
      }
      assert.ok(r.body.errors.every((e: any) => typeof e.message === 'string' && e.message.length > 0));
      assert.equal(r.body.errors.find((e: any) => e.path === 'surprise').message, 'unknown field');

      const yamlErrors = await call('POST', '/api/v1/workflows', 'metadata: [unclosed', 'application/yaml');
      assert.equal(yamlErrors.status, 400);
      assert.match(yamlErrors.body.errors[0].message, /invalid YAML/);
      const wrongType = await call('POST', '/api/v1/workflows', 'hello', 'text/plain');
      assert.equal(wrongType.status, 415);
      const badEnvelope = await register({ content: REFERENCE_YAML, sneaky: 1 });
      assert.equal(badEnvelope.status, 400);
      assert.deepEqual(badEnvelope.body.errors, [{ path: 'sneaky', message: 'unknown field' }]);

      assert.equal(await countRows(), before);
      assert.equal((await call('GET', '/api/v1/workflows/bad-workflow/versions')).status, 404);
      const actions = await call('GET', '/api/v1/workflows/actions');
      assert.ok(!actions.body.actionTypes.some((a: any) => a.actionType === 'BadThing'));
    });

    test('the CRD form registers as the same entry as the canonical form', async () => {
      const canonical = workflow('crd-form-check', 'CheckCrdForm');
      const { metadata, ...spec } = canonical as any;
      const crd = {
        apiVersion: 'kubernaut.ai/v1alpha1',
        kind: 'RemediationWorkflow',
        metadata: { name: 'crd-form-check', namespace: 'kubernaut-system' },
        spec: { ...spec, metadata: { version: metadata.version, description: metadata.description } },
      };
      const viaCrd = await register(crd);
      assert.equal(viaCrd.status, 201, JSON.stringify(viaCrd.body));
      const viaCanonical = await register(canonical);
      assert.equal(viaCanonical.status, 200);
      assert.equal(viaCanonical.body.contentHash, viaCrd.body.contentHash);

      const renamed = await register({ ...crd, metadata: { name: 'other-name' }, spec: { ...crd.spec, metadata: { ...crd.spec.metadata, workflowId: 'crd-form-check' } } });
      assert.equal(renamed.status, 400);
      assert.deepEqual(renamed.body.errors.map((e: any) => e.path), ['metadata.name']);
      const badSpec = await register({ ...crd, spec: { ...crd.spec, labels: { ...spec.labels, extra: 1 } } });
      assert.equal(badSpec.status, 400);
      assert.deepEqual(badSpec.body.errors, [{ path: 'spec.labels.extra', message: 'unknown field' }]);
    });

    test('ranking follows the scoring rules: detected-label boosts, custom labels, GitOps penalties', async () => {
      const t = 'RankFixture';
      await Promise.all([
        register(workflow('rank-plain', t)),
        register(workflow('rank-gitops-argocd', t, { detectedLabels: { gitOpsManaged: 'true', gitOpsTool: 'argocd' } })),
        register(workflow('rank-gitops-any', t, { detectedLabels: { gitOpsManaged: 'true', gitOpsTool: '*' } })),
        register(workflow('rank-team', t, { customLabels: { team: ['payments'] }, detectedLabels: { gitOpsManaged: 'true' } })),
        register(workflow('rank-flux-only', t, { detectedLabels: { gitOpsTool: 'flux' } })),
        register(workflow('rank-no-gitops', t, { detectedLabels: { gitOpsManaged: 'false' } })),
      ]).then((rs) => rs.forEach((r) => assert.equal(r.status, 201, JSON.stringify(r.body))));

      const ctx = {
        actionType: t,
        detected_labels: JSON.stringify({ gitOpsManaged: true, gitOpsTool: 'argocd' }),
        custom_labels: JSON.stringify({ team: ['payments'] }),
      };
      const r = await call('GET', `/api/v1/workflows${query(ctx)}`);
      assert.equal(r.status, 200);
      // argocd exact: 5 + .10 + .10 = 5.2; any tool: 5 + .10 + .05 = 5.15; team: 5 + .10 + .15 - .10 (no gitOpsTool) = 5.15;
      // plain: 5 - .10 - .10 = 4.8. flux-only (tool mismatch) and no-gitops ("false") are excluded.
      assert.deepEqual(
        r.body.workflows.map((w: any) => [w.workflowId, w.score]),
        [['rank-gitops-argocd', 0.52], ['rank-gitops-any', 0.515], ['rank-team', 0.515], ['rank-plain', 0.48]],
      );
      assert.ok(r.body.workflows[0].explanation.some((line: string) => /gitOpsTool/.test(line)));

      const page = await call('GET', `/api/v1/workflows${query({ ...ctx, limit: '2', offset: '1' })}`);
      assert.deepEqual(page.body.workflows.map((w: any) => w.workflowId), ['rank-gitops-any', 'rank-team']);
      assert.deepEqual(page.body.pagination, { offset: 1, limit: 2, total: 4, hasMore: true });

      // The workflows that declare gitOpsManaged "false" or another tool are also invisible in step 3.
      const { actionType: _t, ...context } = ctx;
      assert.equal((await call('GET', `/api/v1/workflows/rank-no-gitops${query(context)}`)).status, 404);
      assert.equal((await call('GET', `/api/v1/workflows/rank-flux-only${query(context)}`)).status, 404);
      assert.equal((await call('GET', `/api/v1/workflows/rank-gitops-argocd${query(context)}`)).status, 200);
      // ... unless the detection failed: then the incident value is unknown and imposes nothing.
      const failed = JSON.stringify({ gitOpsManaged: true, gitOpsTool: 'argocd', failedDetections: ['gitOpsManaged', 'gitOpsTool'] });
      assert.equal((await call('GET', `/api/v1/workflows/rank-no-gitops${query({ detected_labels: failed })}`)).status, 200);
    });

    test('versions: latest active semver wins, disable and enable per version or for the whole id', async () => {
      for (const v of ['1.2.0', '1.10.0', '1.9.0']) assert.equal((await register(workflow('versioned', 'VersionFixture', {}, v))).status, 201);
      const latest = async () => (await call('GET', '/api/v1/workflows/versioned')).body?.metadata?.version;
      assert.equal(await latest(), '1.10.0');

      // Different content under an existing version is refused; nothing changes.
      const changed = await register({ ...workflow('versioned', 'VersionFixture', {}, '1.10.0'), labels: { severity: ['low'], environment: '*', component: '*' } });
      assert.equal(changed.status, 409);
      assert.equal(changed.body.workflowId, 'versioned');
      assert.equal(await latest(), '1.10.0');

      const disabled = await call('PATCH', '/api/v1/workflows/versioned', { status: 'disabled', version: '1.10.0', reason: 'broken' });
      assert.equal(disabled.status, 200);
      assert.deepEqual(disabled.body.changes.map((c: any) => [c.version, c.from, c.to]), [['1.10.0', 'active', 'disabled']]);
      assert.equal(await latest(), '1.9.0');

      const versions = await call('GET', '/api/v1/workflows/versioned/versions');
      assert.deepEqual(
        versions.body.versions.map((v: any) => [v.version, v.status, v.isLatest]),
        [['1.2.0', 'active', false], ['1.10.0', 'disabled', false], ['1.9.0', 'active', true]],
      );
      const disabledId = versions.body.versions[1].catalogId;
      assert.equal((await call('GET', `/api/v1/workflows/${disabledId}`)).status, 404);

      const all = await call('PATCH', '/api/v1/workflows/versioned/disable');
      assert.equal(all.status, 200);
      assert.equal((await call('GET', '/api/v1/workflows/versioned')).status, 404);
      const types = (await call('GET', '/api/v1/workflows/actions')).body.actionTypes.map((a: any) => a.actionType);
      assert.ok(!types.includes('VersionFixture'));

      assert.equal((await call('PATCH', `/api/v1/workflows/${disabledId}/enable`)).status, 200);
      assert.equal(await latest(), '1.10.0');
      const listed = await call('GET', `/api/v1/workflows${query({ actionType: 'VersionFixture' })}`);
      assert.deepEqual(listed.body.workflows.map((w: any) => [w.workflowId, w.version]), [['versioned', '1.10.0']]);

      assert.equal((await call('PATCH', '/api/v1/workflows/versioned', { status: 'disabled', version: '9.9.9' })).status, 404);
      assert.equal((await call('PATCH', '/api/v1/workflows/no-such-workflow/disable')).status, 404);
      const badStatus = await call('PATCH', '/api/v1/workflows/versioned', { status: 'gone' });
      assert.equal(badStatus.status, 400);
      assert.equal(badStatus.body.errors[0].path, 'status');
    });

    test('a version is immutable: other content is a 409 naming the differences, the same content stays idempotent', async () => {
      const original = workflow('immutable', 'ImmutableFixture', { customLabels: { team: ['sre'] } });
      const first = await register(original);
      assert.equal(first.status, 201);
      const rows = await countRows();

      const edited = {
        ...original,
        execution: { engine: 'job', bundle: 'example.com/immutable:1.0.1' },
        parameters: [{ name: 'TARGET_NAMESPACE', type: 'string', required: true, description: 'Another description.' }],
      };
      const refused = await register(edited);
      assert.equal(refused.status, 409);
      assert.match(refused.contentType, /^application\/problem\+json/);
      assert.deepEqual(refused.body.differences, ['execution.bundle', 'parameters[0].description']);
      assert.match(refused.body.detail, /immutable .*\(execution\.bundle, parameters\[0\]\.description\).*new version/);
      assert.deepEqual([refused.body.workflowId, refused.body.version, refused.body.catalogId], ['immutable', '1.0.0', first.body.catalogId]);
      assert.equal(await countRows(), rows, 'a refused registration writes nothing');

      // A list that grew is one difference; the original content is still the one served.
      const grown = await register({ ...original, parameters: [...(original.parameters as unknown[]), { name: 'EXTRA', type: 'string', description: 'More.' }] });
      assert.deepEqual(grown.body.differences, ['parameters']);
      const again = await register(original);
      assert.deepEqual([again.status, again.body.previouslyExisted, again.body.catalogId], [200, true, first.body.catalogId]);

      // Without actionType, step 2 ranks across every type; the custom label lifts this one.
      const all = await call('GET', `/api/v1/workflows${query({ custom_labels: '{"team":["sre"]}', limit: '50' })}`);
      assert.equal(all.body.workflows.find((w: any) => w.workflowId === 'immutable').score, 0.515);
    });

    test('by-catalog-id returns that exact version with its full content, whatever its status, later versions or context', async () => {
      const dependencies = { secrets: [{ name: 'db-credentials' }], configMaps: [{ name: 'tuning' }] };
      const digest = `sha256:${'ab'.repeat(32)}`;
      const v1 = await register(
        workflow('pinned', 'PinnedFixture', {
          labels: { severity: ['critical'], environment: ['production'], component: 'StatefulSet', priority: '*' },
          execution: { engine: 'job', bundle: `example.com/pinned@${digest}` },
          dependencies,
        }),
      );
      assert.equal(v1.status, 201);
      const v2 = await register(workflow('pinned', 'PinnedFixture', {}, '2.0.0'));
      assert.equal(v2.status, 201);

      // Discovery carries the catalogId of what it lists and returns.
      const listed = await call('GET', `/api/v1/workflows${query({ actionType: 'PinnedFixture' })}`);
      assert.deepEqual(listed.body.workflows.map((w: any) => [w.version, w.catalogId]), [['2.0.0', v2.body.catalogId]]);
      assert.equal((await call('GET', '/api/v1/workflows/pinned')).body.catalogId, v2.body.catalogId);

      const byId = (id: string, q = '') => call('GET', `/api/v1/workflows/by-catalog-id/${id}${q}`);
      const exact = await byId(v1.body.catalogId);
      assert.equal(exact.status, 200);
      assert.equal(exact.body.catalogId, v1.body.catalogId);
      assert.equal(exact.body.metadata.version, '1.0.0');
      assert.deepEqual([exact.body.status, exact.body.isLatest], ['active', false]);
      assert.deepEqual(exact.body.dependencies, dependencies);
      assert.deepEqual(exact.body.execution, { engine: 'job', bundle: `example.com/pinned@${digest}`, bundleDigest: digest });
      assert.deepEqual(exact.body.labels, { severity: ['critical'], environment: ['production'], component: 'StatefulSet', priority: '*' });
      assert.deepEqual(exact.body.parameters, [{ name: 'TARGET_NAMESPACE', type: 'string', required: true, description: 'Namespace.' }]);
      assert.equal(exact.body.contentHash, v1.body.contentHash);
      // Incident filters do not apply: a context this version does not fit changes nothing.
      assert.deepEqual((await byId(v1.body.catalogId, query({ severity: 'low', component: 'Deployment' }))).body, exact.body);

      assert.equal((await call('PATCH', `/api/v1/workflows/${v1.body.catalogId}/disable`, { reason: 'replaced' })).status, 200);
      const disabled = await byId(v1.body.catalogId.toUpperCase());
      assert.deepEqual([disabled.status, disabled.body.status, disabled.body.statusReason], [200, 'disabled', 'replaced']);
      assert.equal((await call('PATCH', '/api/v1/workflows/pinned/deprecate')).status, 200);
      assert.equal((await byId(v2.body.catalogId)).body.status, 'deprecated');

      const unknown = await byId('00000000-0000-4000-8000-000000000000');
      assert.equal(unknown.status, 404);
      assert.match(unknown.contentType, /^application\/problem\+json/);
      for (const bad of ['not-a-uuid', 'pinned', '00000000-0000-4000-8000-00000000000g']) {
        const r = await byId(bad);
        assert.equal(r.status, 400, bad);
        assert.deepEqual(r.body.errors, [{ path: 'catalogId', message: 'must be a UUID' }]);
      }
      // The route's name cannot become a workflow id.
      const reserved = await register(workflow('by-catalog-id', 'PinnedFixture'));
      assert.equal(reserved.status, 400);
      assert.ok(reserved.body.errors.some((e: any) => e.path === 'metadata.workflowId'));
    });

    test('an explicit action-type registration replaces the implicit description', async () => {
      assert.equal((await register(workflow('described', 'DescribedFixture'))).status, 201);
      const description = { what: 'Explicitly described action.', whenToUse: 'Always in tests.' };
      const put = await call('PUT', '/api/v1/workflows/actions/DescribedFixture', { description });
      assert.equal(put.status, 200);
      const actions = await call('GET', '/api/v1/workflows/actions');
      assert.deepEqual(actions.body.actionTypes.find((a: any) => a.actionType === 'DescribedFixture').description, description);
      // A later workflow of that type does not overwrite it.
      assert.equal((await register(workflow('described-two', 'DescribedFixture'))).status, 201);
      const again = await call('GET', '/api/v1/workflows/actions');
      const entry = again.body.actionTypes.find((a: any) => a.actionType === 'DescribedFixture');
      assert.deepEqual([entry.description, entry.workflowCount], [description, 2]);
    });

    test('a second DataStorage replica on the same database sees every change at once', async () => {
      const { app: replica } = createHttpApp({ name: 'datastorage-replica' });
      registerWorkflowRoutes(replica, db, { clock: new ScaledClock() });
      const replicaUrl = await replica.listen({ host: '127.0.0.1', port: 0 });
      try {
        const listed = async () => {
          const r = await fetch(`${replicaUrl}/api/v1/workflows${query({ actionType: 'ReplicaFixture' })}`);
          return ((await r.json()) as any).workflows.map((w: any) => `${w.workflowId}@${w.version}`);
        };
        assert.deepEqual(await listed(), []);
        assert.equal((await register(workflow('replicated', 'ReplicaFixture'))).status, 201);
        assert.deepEqual(await listed(), ['replicated@1.0.0']);
        assert.equal((await register(workflow('replicated', 'ReplicaFixture', {}, '2.0.0'))).status, 201);
        assert.deepEqual(await listed(), ['replicated@2.0.0']);
        assert.equal((await call('PATCH', '/api/v1/workflows/replicated/disable')).status, 200);
        assert.deepEqual(await listed(), []);
      } finally {
        await replica.close();
      }
    });

    test('malformed discovery queries are 400 problems naming the parameter', async () => {
      const cases: [string, string][] = [
        ['/api/v1/workflows/actions?severity=urgent', 'severity'],
        ['/api/v1/workflows/actions?limit=0', 'limit'],
        ['/api/v1/workflows/actions?limit=51', 'limit'],
        ['/api/v1/workflows/actions?offset=-1', 'offset'],
        ['/api/v1/workflows/actions?priority=P9', 'priority'],
        ['/api/v1/workflows/actions?detected_labels=notjson', 'detected_labels'],
        ['/api/v1/workflows/actions?detected_labels=%7B%22stateful%22%3A%22maybe%22%7D', 'detected_labels'],
        ['/api/v1/workflows/actions?custom_labels=%7B%22team%22%3A%22x%22%7D', 'custom_labels'],
        ['/api/v1/workflows/actions?enviroment=production', 'enviroment'],
        ['/api/v1/workflows/actions?severity=high&severity=low', 'severity'],
        ['/api/v1/workflows?actionType=lowercase', 'actionType'],
        ['/api/v1/workflows/fix-statefulset-pvc-v1?component=not%20a%20kind', 'component'],
      ];
      for (const [path, param] of cases) {
        const r = await call('GET', path);
        assert.equal(r.status, 400, path);
        assert.match(r.contentType, /application\/problem\+json/, path);
        assert.ok(r.body.errors.some((e: any) => e.path === param), `${path}: ${JSON.stringify(r.body.errors)}`);
      }
    });
  });
}
