/**
 * Figures of API-server building blocks, measured in-process and alone (the tests check what they
 * do, never how fast): a CRD validation rule evaluated by its cached CEL program, and the built-in
 * OpenAPI catalog built the first time a process needs it (in a fresh process, so whatever this
 * bench run loaded before does not count).
 */
import { spawnSync } from 'node:child_process';
import { compileRule, evaluateRule, toCelValue } from '../src/cluster/apiserver/admission/cel.ts';
import type { JSONSchemaProps } from '../src/cluster/core/types.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

function celEvaluation(): void {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      replicas: { type: 'integer' },
      name: { type: 'string' },
      items: { type: 'array', items: { type: 'object', properties: { n: { type: 'string' }, v: { type: 'integer' } } } },
    },
  };
  const rule = "self.replicas >= 0 && self.name.matches('^[a-z0-9-]+$') && self.items.all(i, i.v > 0)";
  const compiled = compileRule({ rule }, schema);
  if (compiled.error) throw new Error(compiled.error);
  const self = toCelValue({ replicas: 3, name: 'web-1', items: [{ n: 'a', v: 1 }, { n: 'b', v: 2 }] }, schema);
  const n = 100_000;
  for (let i = 0; i < 1000; i++) evaluateRule(compiled, self, undefined); // warm-up
  const t0 = cpuMicros();
  for (let i = 0; i < n; i++) evaluateRule(compiled, self, undefined);
  const perEval = (cpuMicros() - t0) / n;
  console.log(`CRD validation rule (CEL, cached program, 3 clauses): ${perEval.toFixed(1)} µs CPU per evaluation (${n.toLocaleString()} evaluations)`);
}

function openApiCatalog(): void {
  const script = `
    import { builtinSchemas } from './src/cluster/apiserver/openapi/index.ts';
    const t0 = performance.now();
    const catalog = builtinSchemas();
    const built = performance.now() - t0;
    const t1 = performance.now();
    const all = catalog.closure(catalog.allDefinitionNames());
    console.log(JSON.stringify({ built, closure: performance.now() - t1, definitions: all.size }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`OpenAPI catalog probe failed:\n${r.stderr}`);
  const { built, closure, definitions } = JSON.parse(r.stdout.trim().split('\n').pop()!);
  console.log(`built-in OpenAPI catalog: first build ${built.toFixed(0)} ms, every definition resolved (${definitions}) in ${closure.toFixed(0)} ms more`);
}

export async function apiServerBuildingBlocksBench(): Promise<void> {
  celEvaluation();
  openApiCatalog();
}
