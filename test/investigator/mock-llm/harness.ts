/**
 * A stand-in for the investigator, for the mock LLM's tests: it plays the agent loop's role with
 * canned tool results (real kubectl output captured under fixtures/kubectl, resource contexts the
 * scenario declares, and a real in-process DataStorage with the shipped workflows for discovery),
 * validates final answers roughly as the investigator does, and feeds errors back in the fixed
 * feedback form.
 */
import { readFileSync } from 'node:fs';
import { startDataStorage, type DataStorageHandle } from '../../../src/datastorage/server.ts';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { registerShippedWorkflows } from '../../../src/stack/kubernaut-services.ts';

export const FIXTURES = new URL('./fixtures/kubectl/', import.meta.url).pathname;

export function fixture(name: string): string {
  return readFileSync(`${FIXTURES}${name}.txt`, 'utf8');
}

const obj = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', properties, required, additionalProperties: false });
const s = { type: 'string' };

/** The tools as the investigator offers them (OpenAI wire form). */
export const OFFERED_TOOLS = [
  ['kubectl_get', obj({ kind: s, name: s, namespace: s }, ['kind', 'name'])],
  ['kubectl_describe', obj({ kind: s, name: s, namespace: s }, ['kind', 'name'])],
  ['kubectl_events', obj({ namespace: s, kind: s, name: s }, ['namespace'])],
  ['kubectl_logs', obj({ namespace: s, pod: s, container: s, previous: { type: 'boolean' }, tail_lines: { type: 'integer' } }, ['namespace', 'pod'])],
  ['kubectl_get_by_kind_in_namespace', obj({ kind: s, namespace: s, label_selector: s }, ['kind', 'namespace'])],
  ['kubectl_get_by_kind_in_cluster', obj({ kind: s, label_selector: s }, ['kind'])],
  ['prometheus_query', obj({ query: s, time: s }, ['query'])],
  ['get_resource_context', obj({ kind: s, name: s, namespace: s }, ['kind', 'name'])],
  ['list_available_actions', obj({ offset: { type: 'integer' }, limit: { type: 'integer' } })],
  ['list_workflows', obj({ action_type: s, offset: { type: 'integer' }, limit: { type: 'integer' } }, ['action_type'])],
  ['get_workflow', obj({ workflow_id: s }, ['workflow_id'])],
].map(([name, parameters]) => ({ type: 'function', function: { name, description: `the ${name} tool`, parameters } }));

export interface Ref {
  kind: string;
  name: string;
  namespace?: string;
}

/** A cluster state as the tools would show it; values are fixture names (or `text:` literals). */
export interface Scenario {
  resource: string;
  /** `Kind/name` → fixture. */
  describe: Record<string, string>;
  /** `Pod`, `PersistentVolumeClaim`, `StorageClass`, `Node` → fixture. */
  lists: Record<string, string>;
  events?: string;
  /** Pod name → fixture of its previous logs. */
  logs?: Record<string, string>;
  /** `Kind/name` → root owner; anything else is its own root. */
  owners?: Record<string, Ref>;
  /** Root owner `Kind/name` → detected labels. */
  labels?: Record<string, Record<string, unknown>>;
  /** Root owner `Kind/name` → remediation history entries. */
  history?: Record<string, Array<Record<string, unknown>>>;
  /** Text in the prompt besides the Resource line (alert name, description): the mock must ignore it. */
  promptNoise?: string;
}

/** Applies renames to every text of a scenario (fixtures included), longest names first. */
export function renamer(renames: Record<string, string>): (text: string) => string {
  const pairs = Object.entries(renames).sort((a, b) => b[0].length - a[0].length);
  return (text) => pairs.reduce((t, [from, to]) => t.split(from).join(to), text);
}

function load(ref: string, rename: (t: string) => string): string {
  return rename(ref.startsWith('text:') ? ref.slice(5) : fixture(ref));
}

export interface Transcript {
  messages: Array<Record<string, unknown>>;
  answer?: Record<string, unknown>;
  answerText?: string;
  calls: Array<{ name: string; args: Record<string, unknown> }>;
  attempts: number;
  feedback: unknown[][];
}

export type Complete = (body: Record<string, unknown>) => Promise<Record<string, unknown>>;

export class CatalogFixture {
  private constructor(private readonly ds: DataStorageHandle) {}

  static async start(): Promise<CatalogFixture> {
    const ds = await startDataStorage({ clock: new ScaledClock(1) });
    await registerShippedWorkflows(ds.url);
    return new CatalogFixture(ds);
  }

  async get(path: string, query: Record<string, string>): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${this.ds.url}${path}?${new URLSearchParams(query)}`);
    return { status: res.status, body: await res.json() };
  }

  close(): Promise<void> {
    return this.ds.close();
  }
}

function parseAnswer(content: string): Record<string, unknown> | undefined {
  const fences = [...content.matchAll(/```json\s*\n([\s\S]*?)```/g)];
  try {
    return fences.length ? (JSON.parse(fences[fences.length - 1][1]) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs one investigation of `scenario` through `complete` (the mock over HTTP or in process)
 * until a valid answer or three failed attempts.
 */
export async function investigate(
  scenario: Scenario,
  complete: Complete,
  catalog: CatalogFixture,
  opts: { rename?: Record<string, string>; maxTurns?: number; context?: { severity?: string; environment?: string; priority?: string } } = {},
): Promise<Transcript> {
  const rename = renamer(opts.rename ?? {});
  const resource = rename(scenario.resource);
  const [namespace] = resource.split('/').length === 3 ? resource.split('/') : [undefined];
  const key = (kind: string, name: string) => `${kind}/${name}`;
  const describe = new Map(Object.entries(scenario.describe).map(([k, v]) => [rename(k), load(v, rename)]));
  const owners = new Map(Object.entries(scenario.owners ?? {}).map(([k, v]) => [rename(k), { ...v, name: rename(v.name), ...(v.namespace ? { namespace: rename(v.namespace) } : {}) }]));
  const labels = new Map(Object.entries(scenario.labels ?? {}).map(([k, v]) => [rename(k), v]));
  const history = new Map(Object.entries(scenario.history ?? {}).map(([k, v]) => [rename(k), v]));
  const kindOf = (k: unknown) => {
    const t = String(k ?? '').toLowerCase();
    const map: Record<string, string> = { pod: 'Pod', pods: 'Pod', persistentvolumeclaim: 'PersistentVolumeClaim', persistentvolumeclaims: 'PersistentVolumeClaim', pvc: 'PersistentVolumeClaim', storageclass: 'StorageClass', storageclasses: 'StorageClass', node: 'Node', nodes: 'Node', statefulset: 'StatefulSet', deployment: 'Deployment' };
    return map[t] ?? String(k);
  };
  let component = resource.split('/').slice(-2)[0];
  let detected: Record<string, unknown> = {};
  const offeredActions = new Set<string>();
  const ctxQuery = () => ({
    severity: opts.context?.severity ?? 'critical',
    environment: opts.context?.environment ?? 'production',
    priority: opts.context?.priority ?? 'P1',
    component,
    detected_labels: JSON.stringify(detected),
  });

  const run = async (name: string, args: Record<string, any>): Promise<{ ok: boolean; data?: string; error?: string }> => {
    switch (name) {
      case 'kubectl_describe': {
        const text = describe.get(key(kindOf(args.kind), args.name));
        return text === undefined ? { ok: false, error: `${kindOf(args.kind)} "${args.name}" not found` } : { ok: true, data: text };
      }
      case 'kubectl_get_by_kind_in_namespace':
      case 'kubectl_get_by_kind_in_cluster': {
        const f = scenario.lists[kindOf(args.kind)];
        return f ? { ok: true, data: load(f, rename) } : { ok: true, data: `No resources found${namespace ? ` in ${namespace} namespace` : ''}.` };
      }
      case 'kubectl_events':
        return { ok: true, data: scenario.events ? load(scenario.events, rename) : 'No events found.' };
      case 'kubectl_logs': {
        const f = Object.entries(scenario.logs ?? {}).find(([pod]) => rename(pod) === args.pod)?.[1];
        return f ? { ok: true, data: load(f, rename) } : { ok: false, error: `previous terminated container in pod "${args.pod}" not found` };
      }
      case 'get_resource_context': {
        const kind = kindOf(args.kind);
        const ref = { kind, name: args.name as string, ...(args.namespace ? { namespace: args.namespace } : {}) };
        const root = owners.get(key(kind, args.name)) ?? ref;
        component = root.kind;
        detected = labels.get(key(root.kind, root.name)) ?? {};
        return {
          ok: true,
          data: JSON.stringify({
            resource: { ...ref, exists: describe.has(key(kind, args.name)) },
            owner_chain: root === ref ? [] : [root],
            root_owner: root,
            spec_hash: 'sha256:0',
            detected_labels: detected,
            remediation_history: history.get(key(root.kind, root.name)) ?? [],
            warnings: [],
          }),
        };
      }
      case 'list_available_actions': {
        const r = await catalog.get('/api/v1/workflows/actions', { ...ctxQuery(), ...(args.offset !== undefined ? { offset: String(args.offset) } : {}) });
        for (const a of (r.body as { actionTypes: Array<{ actionType: string }> }).actionTypes) offeredActions.add(a.actionType);
        return { ok: true, data: JSON.stringify(r.body) };
      }
      case 'list_workflows': {
        const r = await catalog.get('/api/v1/workflows', { ...ctxQuery(), actionType: String(args.action_type) });
        return r.status === 200 ? { ok: true, data: JSON.stringify(r.body) } : { ok: false, error: JSON.stringify(r.body) };
      }
      case 'get_workflow': {
        const r = await catalog.get(`/api/v1/workflows/${encodeURIComponent(String(args.workflow_id))}`, ctxQuery());
        return r.status === 200 ? { ok: true, data: JSON.stringify(r.body) } : { ok: false, error: `workflow ${args.workflow_id} not found in the catalog for this incident` };
      }
      default:
        return { ok: false, error: `tool ${name} has nothing to say in this scenario` };
    }
  };

  const validate = async (answer: Record<string, unknown> | undefined): Promise<{ errors: Array<Record<string, string>>; schema?: unknown[] }> => {
    if (!answer) return { errors: [{ code: 'llm_parsing_error', message: 'no JSON object found in the final answer' }] };
    const wf = answer.selected_workflow as { workflow_id: string; action_type: string; parameters: Record<string, string> } | null;
    if (!wf) return { errors: [] };
    const r = await catalog.get(`/api/v1/workflows/${encodeURIComponent(wf.workflow_id)}`, ctxQuery());
    if (r.status !== 200) return { errors: [{ code: 'workflow_not_found', message: `workflow ${wf.workflow_id} does not exist for this context` }] };
    const entry = r.body as { actionType: string; parameters: Array<{ name: string; required?: boolean }> };
    const errors: Array<Record<string, string>> = [];
    if (entry.actionType !== wf.action_type || !offeredActions.has(wf.action_type)) errors.push({ code: 'workflow_not_found', message: 'action type mismatch' });
    const names = new Set(entry.parameters.map((p) => p.name));
    for (const p of Object.keys(wf.parameters)) if (!names.has(p)) errors.push({ code: 'unknown_parameter', parameter: p, message: `${p} is not a parameter` });
    for (const p of entry.parameters) if (p.required && !wf.parameters[p.name]) errors.push({ code: 'missing_required', parameter: p.name, message: `${p.name} is required` });
    return { errors, schema: entry.parameters };
  };

  const messages: Array<Record<string, unknown>> = [
    { role: 'system', content: 'You are an SRE investigator. Follow the procedure; answer with one JSON object.' },
    {
      role: 'user',
      content: [
        '## Incident summary',
        rename(scenario.promptNoise ?? 'An alert fired.'),
        '## Technical details',
        `Resource: ${resource}`,
        'Severity: critical',
      ].join('\n'),
    },
  ];
  const transcript: Transcript = { messages, calls: [], attempts: 0, feedback: [] };
  for (let turn = 0; turn < (opts.maxTurns ?? 40); turn++) {
    const res = await complete({ model: 'mock-model', messages, tools: OFFERED_TOOLS, tool_choice: 'auto', temperature: 0.2 });
    const msg = (res.choices as Array<{ message: { content: string | null; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }> } }>)[0].message;
    messages.push({ role: 'assistant', content: msg.content, ...(msg.tool_calls ? { tool_calls: msg.tool_calls.map((c) => ({ ...c, type: 'function' })) } : {}) });
    if (msg.tool_calls?.length) {
      for (const c of msg.tool_calls) {
        const args = JSON.parse(c.function.arguments) as Record<string, unknown>;
        transcript.calls.push({ name: c.function.name, args });
        const r = await run(c.function.name, args);
        const envelope = r.ok ? { tool: c.function.name, ok: true, untrusted_data: r.data, truncated: false } : { tool: c.function.name, ok: false, error: r.error, truncated: false };
        messages.push({ role: 'tool', tool_call_id: c.id, content: JSON.stringify(envelope) });
      }
      continue;
    }
    transcript.attempts++;
    transcript.answerText = msg.content ?? '';
    transcript.answer = parseAnswer(transcript.answerText);
    const { errors, schema } = await validate(transcript.answer);
    if (errors.length === 0 || transcript.attempts >= 3) return transcript;
    transcript.feedback.push(errors);
    messages.push({
      role: 'user',
      content: [`Validation failed (attempt ${transcript.attempts} of 3)`, JSON.stringify(errors), `Parameter schema of workflow:\n${JSON.stringify(schema ?? [])}`, 'Correct every error above.'].join('\n'),
    });
  }
  return transcript;
}

export interface CannedResult {
  tool: string;
  args: Record<string, unknown>;
  /** A fixture name, or `text:` + literal data. */
  data?: string;
  error?: string;
}

/** A chat request whose conversation already holds these tool calls and their results. */
export function requestWith(resource: string, results: CannedResult[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const messages: Array<Record<string, unknown>> = [
    { role: 'system', content: 'You are an SRE investigator.' },
    { role: 'user', content: `## Technical details\nResource: ${resource}\n` },
  ];
  if (results.length > 0) {
    messages.push({
      role: 'assistant',
      content: null,
      tool_calls: results.map((r, i) => ({ id: `call_1_${i + 1}`, type: 'function', function: { name: r.tool, arguments: JSON.stringify(r.args) } })),
    });
    results.forEach((r, i) => {
      const envelope = r.error !== undefined ? { tool: r.tool, ok: false, error: r.error, truncated: false } : { tool: r.tool, ok: true, untrusted_data: load(r.data ?? 'text:', (t) => t), truncated: false };
      messages.push({ role: 'tool', tool_call_id: `call_1_${i + 1}`, content: JSON.stringify(envelope) });
    });
  }
  return { model: 'mock-model', messages, tools: OFFERED_TOOLS, ...extra };
}
