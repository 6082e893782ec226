/**
 * A demo scenario defined by data (deploy/demo/scenarios/<name>/scenario.yaml): it builds on an
 * evaluation fixture (eval/fixtures/<id>.yaml supplies the workload, the fault and the faulty state,
 * so the two never drift apart) and adds what only a live run needs: the demo's own namespace and
 * node names, the PrometheusRule whose alert starts the pipeline, and the state that proves the
 * workload healed. The fixture's text is renamed before it is parsed, so its expectations
 * (target, parameters) follow the demo's names.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { conditionSchema, FixtureError, parseFixture, stepSchema, type Fixture } from './fixture.ts';
import { parsePromDuration } from '../alerting/prometheus-duration.ts';

/** The demo scenario definitions (one folder each) and the evaluation fixtures they build on. */
export const DEMO_SCENARIOS_DIR = new URL('../../deploy/demo/scenarios/', import.meta.url).pathname;
export const EVAL_FIXTURES_DIR = new URL('../../eval/fixtures/', import.meta.url).pathname;

const dnsName = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes object name');

/** One alerting rule, as it appears in a PrometheusRule group. */
const ruleSchema = z.strictObject({
  alert: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
  expr: z.string().min(1),
  for: z.string().min(1),
  labels: z.record(z.string(), z.string()).default({}),
  annotations: z.record(z.string(), z.string()).default({}),
});

export const demoDefinitionSchema = z.strictObject({
  title: z.string().min(1),
  /** The evaluation fixture (eval/fixtures/<id>.yaml) whose workload and fault the scenario runs. */
  fixture: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/),
  namespace: dnsName,
  /** Names of the fixture rewritten for the demo (e.g. its node to one `kubernaut up --nodes` creates). */
  rename: z.record(z.string(), dnsName).default({}),
  stack: z
    .strictObject({ nodes: z.number().int().min(1).max(10).optional(), kubeletDelays: z.string().optional(), upArgs: z.array(z.string()).optional(), maxTimeScale: z.number().min(1).optional() })
    .default({}),
  /** Replaces the fixture's manifests (only when the demo needs the workload to behave differently). */
  manifests: z.string().min(1).optional(),
  /** Steps before the manifests are created, and once they are healthy (before the fault). */
  beforeDeploy: z.array(stepSchema).default([]),
  afterHealthy: z.array(stepSchema).default([]),
  rule: ruleSchema,
  /** Overrides of the fixture's expectations (after the rename). */
  expected: z
    .strictObject({
      workflow: z.string().optional(),
      target: z.strictObject({ kind: z.string(), name: dnsName, namespace: z.string().optional() }).optional(),
      detectedLabels: z.record(z.string(), z.union([z.boolean(), z.string()])).optional(),
    })
    .default({}),
  /** The state that proves the workload healed; all must hold at once. */
  healedWhen: z.array(conditionSchema).min(1),
});

export type DemoDefinitionSpec = z.output<typeof demoDefinitionSchema>;

export interface DemoDefinition extends DemoDefinitionSpec {
  name: string;
  /** The fixture after the rename (and manifest override). */
  fixtureData: Fixture;
  /** The rule's `for:` in real milliseconds. */
  alertForMs: number;
}

/** Names of the scenario folders that carry a scenario.yaml. */
export function demoDefinitionNames(dir = DEMO_SCENARIOS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'scenario.yaml')))
    .map((d) => d.name)
    .sort();
}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Rewrites whole names only (`eval-batch` but not `eval-batch-runner`'s prefix). */
export function renameNames(text: string, renames: Record<string, string>): string {
  let out = text;
  for (const [from, to] of Object.entries(renames).sort((a, b) => b[0].length - a[0].length)) {
    out = out.replace(new RegExp(`(?<![A-Za-z0-9-])${escapeRegExp(from)}(?![A-Za-z0-9-])`, 'g'), to);
  }
  return out;
}

export function loadDemoDefinition(name: string, opts: { dir?: string; fixturesDir?: string } = {}): DemoDefinition {
  const dir = opts.dir ?? DEMO_SCENARIOS_DIR;
  const file = join(dir, name, 'scenario.yaml');
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || !existsSync(file)) throw new FixtureError(`no demo scenario ${JSON.stringify(name)} (have ${demoDefinitionNames(dir).join(', ')})`);
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new FixtureError(`${file}: not YAML: ${(e as Error).message}`);
  }
  const parsed = demoDefinitionSchema.safeParse(doc);
  if (!parsed.success) throw new FixtureError(`${file}: ${issues(parsed.error)}`);
  const spec = parsed.data;
  const fixtureFile = join(opts.fixturesDir ?? EVAL_FIXTURES_DIR, `${spec.fixture}.yaml`);
  if (!existsSync(fixtureFile)) throw new FixtureError(`${file}: fixture ${spec.fixture} not found (${fixtureFile})`);
  const original = parseFixture(readFileSync(fixtureFile, 'utf8'), fixtureFile);
  const renames = { [original.namespace]: spec.namespace, ...spec.rename };
  const fixture = parseFixture(renameNames(readFileSync(fixtureFile, 'utf8'), renames), fixtureFile);
  if (spec.manifests) fixture.manifests = spec.manifests;
  let alertForMs: number;
  try {
    alertForMs = parsePromDuration(spec.rule.for);
  } catch (e) {
    throw new FixtureError(`${file}: rule.for: ${(e as Error).message}`);
  }
  return { ...spec, name, fixtureData: fixture, alertForMs };
}
