/**
 * A fixture (eval/README.md): a small cluster state, a fault, the incident it raises and the
 * outcome an investigation must reach. The evaluation keeps one YAML file per fixture under
 * eval/fixtures/, and the demo scenarios (src/scenarios/demo-definition.ts) build on the same files;
 * this module parses and checks them strictly, so a typo fails loudly instead of silently passing.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { analyzeRequestSchema, HUMAN_REVIEW_REASONS, INVESTIGATION_OUTCOMES } from '../investigator/api/wire.ts';

const dnsName = z.string().regex(/^(\$\{[A-Z_]+\}|[a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/, 'must be a Kubernetes object name or a ${VAR}');
const labelSelector = z.string().min(1).max(500);
const stringOrList = z.union([z.string(), z.array(z.string()).min(1)]);

/** A predicate on the cluster; the harness waits until every condition of a list holds at once. */
export const conditionSchema = z.union([
  z.strictObject({
    pod: z.strictObject({
      name: dnsName.optional(),
      selector: labelSelector.optional(),
      phase: z.enum(['Pending', 'Running', 'Succeeded', 'Failed']).optional(),
      ready: z.boolean().optional(),
      scheduled: z.boolean().optional(),
      /** Current waiting reason of any container. */
      waitingReason: stringOrList.optional(),
      /** Reason of the current or last termination of any container. */
      terminatedReason: stringOrList.optional(),
      restartsAtLeast: z.number().int().min(1).optional(),
      /** Created after the fault began (absent from the snapshot taken just before it). */
      new: z.boolean().optional(),
      /** How many pods must match (default 1). */
      min: z.number().int().min(1).default(1),
      /** Binds the name of the first matching pod (by name) to `${VAR}` for later steps and the incident. */
      capture: z.string().regex(/^[A-Z][A-Z0-9_]*$/).optional(),
    }),
  }),
  z.strictObject({
    claim: z.strictObject({ name: dnsName, phase: z.enum(['Pending', 'Bound', 'Lost']).optional(), terminating: z.boolean().optional() }),
  }),
  z.strictObject({
    workload: z.strictObject({ kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet']), name: dnsName, readyReplicas: z.number().int().min(0) }),
  }),
  z.strictObject({
    node: z.strictObject({ name: dnsName, ready: z.enum(['True', 'False', 'Unknown']), untainted: z.boolean().optional() }),
  }),
  z.strictObject({
    event: z.strictObject({ reason: z.string().min(1), kind: z.string().optional(), name: dnsName.optional() }),
  }),
]);
export type Condition = z.output<typeof conditionSchema>;

const KINDS = ['Pod', 'PersistentVolumeClaim', 'PersistentVolume', 'ConfigMap', 'Secret', 'Service', 'Deployment', 'StatefulSet', 'DaemonSet', 'Node'] as const;

/** One fault or clean-up step, run in order. */
export const stepSchema = z.union([
  z.strictObject({ create: z.string().min(1) }),
  z.strictObject({ delete: z.strictObject({ kind: z.enum(KINDS), name: dnsName, force: z.boolean().default(false) }) }),
  z.strictObject({
    patch: z.strictObject({ kind: z.enum(KINDS), name: dnsName, type: z.enum(['strategic', 'merge']).default('strategic'), patch: z.record(z.string(), z.unknown()) }),
  }),
  /** The real kubectl on the PATH, in the fixture's namespace unless the arguments name one. */
  z.strictObject({ kubectl: z.array(z.string().min(1)).min(1) }),
  z.strictObject({ capture: z.strictObject({ var: z.string().regex(/^[A-Z][A-Z0-9_]*$/), kind: z.enum(KINDS), name: dnsName, path: z.string().regex(/^[A-Za-z0-9_.]+$/) }) }),
  z.strictObject({ waitFor: conditionSchema }),
  /** Embedded cluster only: the node's kubelet dies / comes back. */
  z.strictObject({ stopKubelet: dnsName }),
  z.strictObject({ startKubelet: dnsName }),
]);
export type Step = z.output<typeof stepSchema>;

export const expectedSchema = z.strictObject({
  outcome: z.enum(INVESTIGATION_OUTCOMES),
  /** A catalog workflow id, or `none` when no workflow may be selected. */
  workflow: z.string().min(1),
  actionType: z.string().optional(),
  /** The remediation target (`root_cause_analysis.affectedResource`); namespace defaults to the fixture's. */
  target: z.strictObject({ kind: z.string(), name: dnsName, namespace: z.string().optional() }).optional(),
  /** Parameters that must be present with exactly these values (others are not judged). */
  parameters: z.record(z.string(), z.string()).default({}),
  detectedLabels: z.record(z.string(), z.union([z.boolean(), z.string()])).default({}),
  /** Strings the root-cause summary must name. */
  rcaMentions: z.array(z.string()).default([]),
  warnings: z.array(z.string()).default([]),
  minConfidence: z.number().min(0).max(1).optional(),
  needsHumanReview: z.boolean().optional(),
  humanReviewReason: z.enum(HUMAN_REVIEW_REASONS).optional(),
  /** Never acceptable here; any workflow outside the registered catalog is always a failure. */
  forbiddenWorkflows: z.array(z.string()).default([]),
});
export type Expected = z.output<typeof expectedSchema>;

const nodeSchema = z.strictObject({
  name: dnsName,
  labels: z.record(z.string(), z.string()).optional(),
  taints: z.array(z.strictObject({ key: z.string(), value: z.string().optional(), effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']) })).optional(),
});

/** The analyze request minus what the harness fills per run (ids, times). */
const incidentSchema = analyzeRequestSchema.omit({ incident_id: true, remediation_id: true });

export const fixtureSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/),
  title: z.string().min(1),
  /** Touches cluster-scoped state (nodes): runs alone, after the others. */
  exclusive: z.boolean().default(false),
  nodes: z.array(nodeSchema).default([]),
  namespace: dnsName,
  namespaceLabels: z.record(z.string(), z.string()).default({}),
  /** Multi-document YAML applied in order into the namespace. */
  manifests: z.string().min(1),
  healthyWhen: z.array(conditionSchema).default([]),
  fault: z.array(stepSchema).default([]),
  faultyWhen: z.array(conditionSchema).min(1),
  cleanup: z.array(stepSchema).default([]),
  incident: z.record(z.string(), z.unknown()),
  expected: expectedSchema,
});
export type Fixture = z.output<typeof fixtureSchema> & { file: string };

export class FixtureError extends Error {
  override name = 'FixtureError';
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Parses one fixture text; `rename` first rewrites its names (see renameFixtureText). */
export function parseFixture(text: string, file: string, rename?: { seed: string }): Fixture {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new FixtureError(`${file}: not YAML: ${(e as Error).message}`);
  }
  const first = fixtureSchema.safeParse(doc);
  if (!first.success) throw new FixtureError(`${file}: ${describeIssues(first.error)}`);
  let fixture = first.data;
  if (rename) {
    const renamed = renameFixtureText(text, fixture, rename.seed);
    const again = fixtureSchema.safeParse(parseYaml(renamed));
    if (!again.success) throw new FixtureError(`${file} (renamed): ${describeIssues(again.error)}`);
    fixture = { ...again.data, id: `${fixture.id}~renamed` };
  }
  const incident = incidentSchema.safeParse(fixture.incident);
  if (!incident.success) throw new FixtureError(`${file}: incident: ${describeIssues(incident.error)}`);
  for (const doc of parseAllDocuments(fixture.manifests)) {
    if (doc.errors.length) throw new FixtureError(`${file}: manifests: ${doc.errors[0].message}`);
  }
  return { ...fixture, file };
}

export function loadFixtures(opts: { dir: string; only?: string[]; rename?: { seed: string } }): Fixture[] {
  const dir = opts.dir;
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  const fixtures = files.map((f) => parseFixture(readFileSync(join(dir, f), 'utf8'), f, opts.rename));
  const ids = new Set<string>();
  for (const f of fixtures) {
    if (ids.has(f.id)) throw new FixtureError(`duplicate fixture id ${f.id}`);
    ids.add(f.id);
  }
  if (!opts.only?.length) return fixtures;
  const wanted = new Set(opts.only.map((o) => o.replace(/~renamed$/, '')));
  const unknown = [...wanted].filter((w) => !fixtures.some((f) => f.id.replace(/~renamed$/, '') === w));
  if (unknown.length) throw new FixtureError(`unknown fixture ${unknown.join(', ')} (have ${[...ids].join(', ')})`);
  return fixtures.filter((f) => wanted.has(f.id.replace(/~renamed$/, '')));
}

/**
 * The names a rename rewrites: the namespace, the nodes, every object the manifests and fault steps
 * create, and the alert name. Everything that mentions them (labels, claims derived from a
 * StatefulSet's name, log lines, the alert text, the expectations) follows, so the renamed
 * fixture is the same incident under names the mock LLM has never seen.
 */
export function renamableNames(fixture: z.output<typeof fixtureSchema>): string[] {
  const names = new Set<string>([fixture.namespace, ...fixture.nodes.map((n) => n.name)]);
  const created = [fixture.manifests, ...fixture.fault.flatMap((s) => ('create' in s ? [s.create] : []))];
  for (const text of created) {
    for (const doc of parseAllDocuments(text)) {
      const name = (doc.toJS() as any)?.metadata?.name;
      if (typeof name === 'string') names.add(name);
    }
  }
  const signal = (fixture.incident as any).signal_name;
  if (typeof signal === 'string') names.add(signal);
  for (const n of names) {
    // A short or undelimited name would also match inside unrelated words ("api" in "/api/v1").
    if (n !== signal && !/^[a-z0-9]+(-[a-z0-9]+)+$/.test(n)) throw new FixtureError(`${fixture.id}: name "${n}" must contain a dash so a rename can find it safely`);
  }
  // A name built from another (`data-ledger-db-2` from StatefulSet `ledger-db`) follows that one's
  // rename; renamed on its own it would lose the relation (the StatefulSet would not adopt the claim).
  const derived = (n: string) => [...names].some((other) => other !== n && new RegExp(`(^|-)${escapeRegExp(other)}(-|$)`).test(n));
  return [...names].filter((n) => !derived(n)).sort((a, b) => b.length - a.length);
}

/** Rewrites every renamable name to a neutral, seeded one (`r` + hex; the alert `Alert` + hex). */
export function renameFixtureText(text: string, fixture: z.output<typeof fixtureSchema>, seed: string): string {
  const signal = (fixture.incident as any).signal_name;
  let out = text;
  for (const name of renamableNames(fixture)) {
    const hex = createHash('sha256').update(`${seed}:${name}`).digest('hex').slice(0, 8);
    const replacement = name === signal ? `Alert${hex}` : `r${hex}`;
    out = out.replace(new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(name)}(?![A-Za-z0-9])`, 'g'), replacement);
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces `${VAR}` in every string of a value; an unknown variable is an error. */
export function substitute<T>(value: T, vars: Map<string, string>): T {
  const visit = (v: unknown): unknown => {
    if (typeof v === 'string')
      return v.replace(/\$\{([A-Z][A-Z0-9_]*)\}/g, (_m, name: string) => {
        const got = vars.get(name);
        if (got === undefined) throw new FixtureError(`\${${name}} is used before a step or condition captured it`);
        return got;
      });
    if (Array.isArray(v)) return v.map(visit);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visit(x)]));
    return v;
  };
  return visit(value) as T;
}
