/**
 * The shipped catalog (workflows/<id>/workflow.yaml): every entry registers in DataStorage as
 * start-up does, and discovery offers each action type exactly for the targets it is written for.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { startDataStorage, type DataStorageHandle } from '../../src/datastorage/server.ts';
import { ScaledClock } from '../../src/platform/clock.ts';
import { listWorkflowDefinitions, registerShippedWorkflows } from '../../src/stack/kubernaut-services.ts';

let ds: DataStorageHandle;
before(async () => {
  ds = await startDataStorage({ clock: new ScaledClock(1), host: '127.0.0.1' });
});
after(async () => ds?.close());

const definitions = listWorkflowDefinitions();
const ids = definitions.map((d) => d.id);
const entries = definitions.map((d) => parseYaml(readFileSync(d.path, 'utf8')));

async function getJson(path: string): Promise<any> {
  const res = await fetch(`${ds.url}${path}`);
  assert.equal(res.status, 200, `${path}: ${res.status} ${await res.clone().text()}`);
  return res.json();
}

async function actionTypesFor(context: Record<string, string>): Promise<string[]> {
  const body = await getJson(`/api/v1/workflows/actions?${new URLSearchParams({ limit: '50', ...context })}`);
  return body.actionTypes.map((a: any) => a.actionType).sort();
}

test('every shipped workflow registers (again, idempotently) and is served as registered', async () => {
  assert.ok(ids.length >= 6, `expected the starter catalog, found ${ids.join(', ')}`);
  assert.deepEqual(await registerShippedWorkflows(ds.url), ids);
  assert.deepEqual(await registerShippedWorkflows(ds.url), ids, 'a second registration of identical content is accepted');
  for (const entry of entries) {
    const id = entry.metadata.workflowId;
    assert.equal(id, ids[entries.indexOf(entry)], 'the folder is named after the workflow id');
    const served = await getJson(`/api/v1/workflows/${id}`);
    assert.equal(served.actionType, entry.actionType);
    assert.equal(served.execution.bundle, entry.execution.bundle);
    assert.match(entry.execution.bundle, /^kubernaut\/workflow-[a-z0-9-]+:\d+\.\d+\.\d+$/);
    assert.equal(entry.execution.serviceAccountName, `${id}-runner`);
    for (const p of entry.parameters) assert.ok(p.description?.length > 10, `${id}: ${p.name} needs a description`);
    // Every workflow says what its target namespace/object is in the names the investigator fills (investigation.md §12).
    const names = entry.parameters.map((p: any) => p.name as string);
    assert.ok(names.some((n: string) => /NAMESPACE|NODE/.test(n)), `${id}: names its target`);
  }
});

test('discovery offers each action type only for its kind of target', async () => {
  const base = { severity: 'critical', environment: 'production', priority: 'P1' };
  assert.deepEqual(await actionTypesFor({ ...base, component: 'Deployment' }), ['IncreaseMemoryLimits', 'RestartPods', 'RollbackDeployment']);
  assert.deepEqual(await actionTypesFor({ ...base, component: 'StatefulSet', detected_labels: JSON.stringify({ stateful: true }) }), ['FixStatefulSetPVC', 'IncreaseMemoryLimits', 'RestartPods']);
  assert.deepEqual(await actionTypesFor({ ...base, component: 'Node' }), ['CordonDrainNode', 'RemoveNodeTaint']);
  assert.deepEqual(await actionTypesFor({ ...base, component: 'PersistentVolumeClaim' }), [], 'nothing remediates a bare claim');
  // A GitOps-managed Deployment is not rolled back or patched in the cluster: git would revert it.
  assert.deepEqual(await actionTypesFor({ ...base, component: 'Deployment', detected_labels: JSON.stringify({ gitOpsManaged: true }) }), ['RestartPods']);
});
