// The assembled toolset: every tool of investigation.md §4, offered compactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { createToolset, TOOL_NAMES } from '../../../src/investigator/tools/index.ts';
import { ScaledClock } from '../../../src/platform/clock.ts';

test('createToolset offers the twelve tools of the design, each with a strict JSON Schema, in a small token budget', () => {
  const toolset = createToolset(
    { kubeconfig: new KubeConfig(), dataStorage: { baseUrl: 'http://127.0.0.1:9' }, clock: new ScaledClock() },
    { remediationId: 'rr', severity: 'critical', environment: 'production', priority: 'P1', customLabels: {}, signalResource: { kind: 'StatefulSet', name: 'kv-store', namespace: 'demo' } },
  );
  assert.deepEqual([...TOOL_NAMES].sort(), [
    'get_resource_context',
    'get_workflow',
    'kubectl_describe',
    'kubectl_events',
    'kubectl_get',
    'kubectl_get_by_kind_in_cluster',
    'kubectl_get_by_kind_in_namespace',
    'kubectl_logs',
    'list_available_actions',
    'list_workflows',
    'prometheus_query',
    'prometheus_query_range',
  ]);
  assert.deepEqual(toolset.schemas.map((s) => s.name), [...TOOL_NAMES]);
  for (const s of toolset.schemas) {
    assert.equal(s.parameters.type, 'object', s.name);
    assert.equal(s.parameters.additionalProperties, false, s.name);
    assert.equal('$schema' in s.parameters, false, s.name);
  }
  // Sent on every LLM turn: keep it small (about 1,500 tokens today).
  assert.ok(JSON.stringify(toolset.schemas).length < 8_000, String(JSON.stringify(toolset.schemas).length));
  assert.deepEqual(toolset.session.target, { component: 'StatefulSet', detectedLabels: {} });
});
