/**
 * The import boundaries in eslint.config.js, run through ESLint's own API on code that is not on
 * disk: Kubernaut's services may not import the embedded cluster, the command line may, and
 * inside the cluster dependencies point down to core and client.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

/** The import-boundary messages ESLint reports for `code` placed at `filePath`. */
async function boundaryMessages(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

test('Kubernaut services may not import src/cluster, statically or dynamically', async () => {
  const [message] = await boundaryMessages("import type { KubeObject } from '../cluster/core/types.ts';\nexport type X = KubeObject;\n", 'src/gateway/x.ts');
  assert.match(message ?? '', /only through the Kubernetes API/);
  assert.equal((await boundaryMessages("export const load = () => import('../../cluster/embedded-cluster.ts');\n", 'src/datastorage/client/x.ts')).length, 1);
  assert.equal((await boundaryMessages("import { startStack } from '../src/cluster/embedded-cluster.ts';\nexport { startStack };\n", 'scripts/x.ts')).length, 1);
});

test('the command line, benchmarks and tests may import src/cluster; others may use client-node', async () => {
  assert.deepEqual(await boundaryMessages("import { EmbeddedCluster } from '../cluster/embedded-cluster.ts';\nexport { EmbeddedCluster };\n", 'src/cli/x.ts'), []);
  assert.deepEqual(await boundaryMessages("import { EmbeddedCluster } from '../src/cluster/embedded-cluster.ts';\nexport { EmbeddedCluster };\n", 'bench/x.ts'), []);
  assert.deepEqual(await boundaryMessages("import { CoreV1Api } from '@kubernetes/client-node';\nexport { CoreV1Api };\n", 'src/gateway/x.ts'), []);
});

test('inside src/cluster, folders import core and client, not each other', async () => {
  const internal = async (code: string, filePath: string) => (await boundaryMessages(code, filePath)).length;
  assert.equal(await internal("import { WorkQueue } from '../client/workqueue.ts';\nexport { WorkQueue };\n", 'src/cluster/scheduler/x.ts'), 0);
  assert.equal(await internal("import { parseQuantity } from '../core/quantity.ts';\nexport { parseQuantity };\n", 'src/cluster/scheduler/x.ts'), 0);
  assert.equal(await internal("import { errors } from '../apiserver/errors.ts';\nexport { errors };\n", 'src/cluster/scheduler/x.ts'), 1);
  assert.equal(await internal("import { Scheduler } from '../../scheduler/scheduler.ts';\nexport { Scheduler };\n", 'src/cluster/apiserver/admission/x.ts'), 1);
  assert.equal(await internal("import { ClusterClient } from '../client/cluster-client.ts';\nexport { ClusterClient };\n", 'src/cluster/core/x.ts'), 1);
  assert.equal(await internal("import { replicas } from '../deployment/deployment-util.ts';\nexport { replicas };\n", 'src/cluster/controllers/daemonset/x.ts'), 1);
  assert.equal(await internal("import { claimObjects } from '../shared/claim-objects.ts';\nexport { claimObjects };\n", 'src/cluster/controllers/daemonset/x.ts'), 0);
  assert.equal(await internal("import { Kubelet } from '../kubelet/kubelet.ts';\nexport { Kubelet };\n", 'src/cluster/control-plane/x.ts'), 0);
});
