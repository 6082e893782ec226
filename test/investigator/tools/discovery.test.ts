// The catalog-discovery tools against a real DataStorage (PGlite in memory) holding the shipped
// workflows/ plus a few of the test's own, which only some incident contexts may see.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { startDataStorage, type DataStorageHandle } from '../../../src/datastorage/server.ts';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { listWorkflowDefinitions } from '../../../src/stack/kubernaut-services.ts';
import { catalogTools } from '../../../src/investigator/tools/catalog/tools.ts';
import { createToolsetFrom } from '../../../src/investigator/tools/runner.ts';
import type { IncidentScope, Toolset } from '../../../src/investigator/tools/types.ts';

const clock = new ScaledClock(1);
let ds: DataStorageHandle;

function workflow(id: string, actionType: string, labels: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    metadata: { workflowId: id, version: '1.0.0', description: { what: `does ${id}`, whenToUse: `when ${id} helps` } },
    actionType,
    labels: { severity: '*', environment: '*', component: '*', priority: '*', ...labels },
    execution: { engine: 'job', bundle: `example.com/${id}:1.0.0` },
    parameters: [{ name: 'TARGET_NAMESPACE', type: 'string', required: true, description: 'Namespace.' }],
    ...extra,
  };
}

async function register(body: string, contentType: string): Promise<number> {
  const res = await fetch(`${ds.url}/api/v1/workflows`, { method: 'POST', headers: { 'content-type': contentType }, body });
  await res.text();
  return res.status;
}

before(async () => {
  ds = await startDataStorage({ clock });
  for (const { id, path } of listWorkflowDefinitions()) {
    const status = await register(readFileSync(path, 'utf8'), 'application/yaml');
    if (id === 'fix-statefulset-pvc-v1') assert.equal(status, 201);
  }
  for (const w of [
    workflow('dev-only-v1', 'DevOnlyAction', { environment: ['development'] }),
    workflow('deployment-only-v1', 'DeploymentOnlyAction', { component: 'Deployment' }),
    workflow('stateless-only-v1', 'StatelessOnlyAction', { component: 'StatefulSet' }, { detectedLabels: { stateful: 'false' } }),
  ]) {
    assert.equal(await register(JSON.stringify(w), 'application/json'), 201);
  }
});

after(async () => {
  await ds?.close();
});

function scope(remediationId: string): IncidentScope {
  return {
    remediationId,
    severity: 'critical',
    environment: 'production',
    priority: 'P1',
    customLabels: { team: ['storage'], 'Bad Key': ['dropped'] },
    signalResource: { kind: 'StatefulSet', name: 'kv-store', namespace: 'demo' },
  };
}

const toolset = (remediationId = 'rr-disc') => createToolsetFrom(catalogTools, { kubeconfig: new KubeConfig(), dataStorage: { baseUrl: ds.url, bearerToken: () => undefined }, clock }, scope(remediationId));

async function run(t: Toolset, name: string, args: Record<string, unknown>) {
  const r = await t.execute({ id: 'c', name, arguments: JSON.stringify(args) }, { signal: new AbortController().signal });
  const env = JSON.parse(r.content);
  return { r, env, body: env.ok ? JSON.parse(env.untrusted_data) : undefined };
}

async function discoveryAudits(remediationId: string): Promise<any[]> {
  const res = await fetch(`${ds.url}/api/v1/audit/events?correlationId=${remediationId}&eventType=datastorage.workflow.discovery`);
  return (await res.json()).events;
}

test('the three steps return DataStorage bodies as they are, under the session context', async () => {
  const t = toolset('rr-steps');
  const actions = await run(t, 'list_available_actions', {});
  assert.equal(actions.env.ok, true);
  assert.deepEqual(Object.keys(actions.body), ['actionTypes', 'pagination']);
  const types = actions.body.actionTypes.map((a: any) => a.actionType);
  assert.ok(types.includes('FixStatefulSetPVC'), types.join());
  assert.ok(!types.includes('DevOnlyAction'), 'environment filter');
  assert.ok(!types.includes('DeploymentOnlyAction'), 'component filter (the signal resource Kind before any get_resource_context)');
  const fix = actions.body.actionTypes.find((a: any) => a.actionType === 'FixStatefulSetPVC');
  assert.equal(typeof fix.description.whenToUse, 'string');
  assert.equal(fix.workflowCount, 1);
  assert.deepEqual(Object.keys(actions.body.pagination).sort(), ['hasMore', 'limit', 'offset', 'total']);
  assert.deepEqual(actions.r.injection, [], 'catalog text is not scanned');

  const list = await run(t, 'list_workflows', { action_type: 'FixStatefulSetPVC', limit: 5 });
  assert.equal(list.body.actionType, 'FixStatefulSetPVC');
  assert.equal(list.body.workflows[0].workflowId, 'fix-statefulset-pvc-v1');
  assert.equal(typeof list.body.workflows[0].score, 'number');
  assert.equal(list.body.pagination.limit, 5);

  const one = await run(t, 'get_workflow', { workflow_id: 'fix-statefulset-pvc-v1' });
  assert.equal(one.body.workflowId, undefined, 'the entry keeps its canonical form (metadata.workflowId)');
  assert.equal(one.body.metadata.workflowId, 'fix-statefulset-pvc-v1');
  assert.equal(one.body.actionType, 'FixStatefulSetPVC');
  assert.match(one.body.catalogId, /^[0-9a-f-]{36}$/);
  assert.deepEqual(one.body.parameters.map((p: any) => p.name), ['TARGET_NAMESPACE', 'TARGET_STATEFULSET', 'TARGET_PVC']);
});

test('the context filters are added by the tools and cannot be passed, dropped or overridden', async () => {
  const t = toolset('rr-filters');
  for (const [name, args] of [
    ['list_available_actions', { environment: 'development' }],
    ['list_available_actions', { component: 'Deployment', limit: 5 }],
    ['list_workflows', { action_type: 'DevOnlyAction', environment: 'development' }],
    ['list_workflows', { action_type: 'FixStatefulSetPVC', detected_labels: {} }],
    ['get_workflow', { workflow_id: 'dev-only-v1', severity: 'low' }],
  ] as const) {
    const { env } = await run(t, name, args);
    assert.equal(env.ok, false, `${name} ${JSON.stringify(args)}`);
    assert.match(env.error, /unknown argument/);
  }
  // A workflow outside the context is not found, whatever id the LLM learnt elsewhere.
  const hidden = await run(t, 'get_workflow', { workflow_id: 'dev-only-v1' });
  assert.equal(hidden.env.ok, false);
  assert.match(hidden.env.error, /no workflow "dev-only-v1" fits this incident's context/);
  const reserved = await run(t, 'get_workflow', { workflow_id: 'actions' });
  assert.equal(reserved.env.ok, false);
  const empty = await run(t, 'list_workflows', { action_type: 'DevOnlyAction' });
  assert.deepEqual(empty.body.workflows, []);

  // DataStorage's audit trail shows every call carried the session's full context.
  const audits = await discoveryAudits('rr-filters');
  assert.equal(audits.length, 2);
  for (const a of audits) {
    assert.deepEqual(a.eventData.filters, {
      severity: 'critical',
      component: 'StatefulSet',
      environment: 'production',
      priority: 'P1',
      customLabels: { team: ['storage'] },
      detectedLabels: {},
    });
  }
});

test('offered action types are recorded per session', async () => {
  const t = toolset('rr-offered');
  assert.equal(t.session.offeredActionTypes.size, 0);
  const page1 = await run(t, 'list_available_actions', { limit: 1 });
  assert.equal(page1.body.actionTypes.length, 1);
  assert.deepEqual([...t.session.offeredActionTypes], [page1.body.actionTypes[0].actionType]);
  const all = await run(t, 'list_available_actions', { limit: 50 });
  assert.deepEqual([...t.session.offeredActionTypes].sort(), all.body.actionTypes.map((a: any) => a.actionType).sort());
  const bad = await run(t, 'list_available_actions', { limit: 51 });
  assert.equal(bad.env.ok, false);
});

test('the context follows session.target (set by get_resource_context): detected labels and component narrow the catalog', async () => {
  const t = toolset('rr-target');
  const before = (await run(t, 'list_available_actions', { limit: 50 })).body.actionTypes.map((a: any) => a.actionType);
  assert.ok(before.includes('StatelessOnlyAction'), 'stateful unknown: a workflow declaring stateful "false" is still eligible');

  t.session.target = { component: 'StatefulSet', detectedLabels: { stateful: true, gitOpsTool: '' } };
  const stateful = (await run(t, 'list_available_actions', { limit: 50 })).body.actionTypes.map((a: any) => a.actionType);
  assert.ok(!stateful.includes('StatelessOnlyAction'));
  assert.ok(stateful.includes('FixStatefulSetPVC'));
  assert.equal(await t.getWorkflow('stateless-only-v1', { signal: new AbortController().signal }), undefined);
  const fix = await t.getWorkflow('fix-statefulset-pvc-v1', { signal: new AbortController().signal });
  assert.equal(fix?.actionType, 'FixStatefulSetPVC');
  assert.deepEqual([fix?.workflowId, fix?.version], ['fix-statefulset-pvc-v1', '1.0.0'], 'getWorkflow() also puts id and version at the top');
  assert.match(String(fix?.catalogId), /^[0-9a-f-]{36}$/);
  assert.equal(fix?.execution.bundle, 'kubernaut/workflow-fix-statefulset-pvc:1.0.0');

  t.session.target = { component: 'Deployment', detectedLabels: {} };
  assert.equal(await t.getWorkflow('fix-statefulset-pvc-v1', { signal: new AbortController().signal }), undefined, 'declared for StatefulSets only');
  assert.equal((await t.getWorkflow('deployment-only-v1', { signal: new AbortController().signal }))?.actionType, 'DeploymentOnlyAction');
  const audits = await discoveryAudits('rr-target');
  assert.deepEqual(audits.at(-1).eventData.filters.component, 'Deployment');
  assert.deepEqual(audits[1].eventData.filters.detectedLabels, { stateful: true, gitOpsTool: '' });
});

test('DataStorage unreachable: ok:false saying so; getWorkflow throws', async () => {
  const t = createToolsetFrom(catalogTools, { kubeconfig: new KubeConfig(), dataStorage: { baseUrl: 'http://127.0.0.1:9' }, clock }, scope('rr-down'));
  const { env } = await run(t, 'list_available_actions', {});
  assert.equal(env.ok, false);
  assert.match(env.error, /the workflow catalog \(DataStorage\) is unreachable/);
  await assert.rejects(t.getWorkflow('fix-statefulset-pvc-v1', { signal: new AbortController().signal }));
});
