/**
 * `npm run bench`: performance figures of the embedded stack, printed, never asserted.
 * Each scenario drives a real `kubernaut up` process over HTTP, as clients would.
 */
import './quiet.ts';
import { apiServerBench } from './apiserver.bench.ts';
import { controlPlaneBench } from './control-plane.bench.ts';
import { dataStorageBench } from './datastorage.bench.ts';
import { gatewayBench } from './gateway.bench.ts';
import { remediationBench } from './remediation.bench.ts';
import { apiServerBuildingBlocksBench } from './apiserver-building-blocks.bench.ts';
import { ruleEvaluationBench } from './rule-evaluation.bench.ts';
import { soakBench } from './soak.bench.ts';
import { startupBench } from './startup.bench.ts';
import { workflowBench } from './workflow.bench.ts';
import { demoBench } from './demo.bench.ts';
import { consoleBench } from './console.bench.ts';

const scenarios: Array<[string, () => Promise<void>]> = [
  ['Start-up', startupBench],
  ['API server', apiServerBench],
  ['Building blocks (CEL, OpenAPI)', apiServerBuildingBlocksBench],
  ['Control plane', controlPlaneBench],
  ['DataStorage', dataStorageBench],
  ['Gateway', gatewayBench],
  ['Remediation pipeline', remediationBench],
  ['Rule evaluation', ruleEvaluationBench],
  ['Workflow execution and effectiveness', workflowBench],
  ['Demo', demoBench],
  ['Console', consoleBench],
  ['Soak', soakBench],
];
const only = process.argv.slice(2);
for (const [name, run] of scenarios) {
  if (only.length && !only.some((o) => name.toLowerCase().includes(o.toLowerCase()))) continue;
  console.log(`\n## ${name}`);
  await run();
}
