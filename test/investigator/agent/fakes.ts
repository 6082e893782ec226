/**
 * In-memory stand-ins for the agent loop's collaborators: a scripted LLM provider (each turn a
 * canned response or a function of the request) and a toolset over a small fixed world (a
 * StatefulSet with a pod, a catalog with one workflow).
 */
import type { AnalyzeRequest, AnalyzeRequestInput, DetectedLabels, ResourceRef } from '../../../src/investigator/api/wire.ts';
import { analyzeRequestSchema } from '../../../src/investigator/api/wire.ts';
import type { ChatRequest, ChatResponse, LlmProvider, ToolCall, ToolSchema } from '../../../src/investigator/llm/types.ts';
import type { CatalogWorkflow, InjectionFinding, ResourceContext, ToolExecution, Toolset, ToolSession } from '../../../src/investigator/tools/types.ts';

export type Turn = ChatResponse | ((req: ChatRequest, signal?: AbortSignal) => ChatResponse | Promise<ChatResponse>);

/** Answers with the scripted turns in order; records every request (a copy, as sent). */
export class ScriptedLlm implements LlmProvider {
  readonly provider = 'fake';
  readonly model = 'fake-model';
  readonly requests: ChatRequest[] = [];
  pingResult = true;
  private next = 0;

  constructor(private readonly turns: Turn[]) {}

  async chat(request: ChatRequest, options?: { signal?: AbortSignal }): Promise<ChatResponse> {
    this.requests.push(structuredClone(request));
    const turn = this.turns[this.next++];
    if (!turn) throw new Error(`the script has no turn ${this.next}`);
    return typeof turn === 'function' ? turn(request, options?.signal) : turn;
  }

  async ping(): Promise<boolean> {
    return this.pingResult;
  }
}

let callSeq = 0;

export function toolTurn(...calls: Array<[name: string, args: Record<string, unknown>]>): ChatResponse {
  return {
    message: { role: 'assistant', content: '', toolCalls: calls.map(([name, args]) => ({ id: `call_${++callSeq}`, name, arguments: JSON.stringify(args) })) },
    finishReason: 'tool_calls',
    model: 'fake-model-2025',
  };
}

export function textTurn(content: string, usage?: ChatResponse['usage']): ChatResponse {
  return { message: { role: 'assistant', content, toolCalls: [] }, finishReason: 'stop', model: 'fake-model-2025', ...(usage ? { usage } : {}) };
}

export function answerTurn(answer: Record<string, unknown>, usage?: ChatResponse['usage']): ChatResponse {
  return textTurn(`The claim is gone.\n\`\`\`json\n${JSON.stringify(answer, null, 2)}\n\`\`\``, usage);
}

/** A turn that waits until the loop aborts the call (session deadline or cancel), then fails like an SDK would. */
export function hangingTurn(): Turn {
  return (_req, signal) =>
    new Promise<ChatResponse>((_resolve, reject) => {
      if (signal?.aborted) return reject(new Error('aborted'));
      signal?.addEventListener('abort', () => reject(new Error('request aborted')), { once: true });
    });
}

export const WORKFLOW: CatalogWorkflow = {
  workflowId: 'fix-statefulset-pvc-v1',
  version: '1.0.0',
  actionType: 'FixStatefulSetPVC',
  catalogId: '6f1c1f47-6a36-4c1e-9b8e-2f7d1d3b1a01',
  execution: { engine: 'job', bundle: 'ghcr.io/kubernaut/fix-pvc:1.0.0', bundleDigest: `sha256:${'a'.repeat(64)}` },
  parameters: [
    { name: 'TARGET_NAMESPACE', type: 'string', required: true, description: 'namespace' },
    { name: 'STATEFULSET_NAME', type: 'string', required: true, description: 'the StatefulSet' },
    { name: 'PVC_NAME', type: 'string', required: true, description: 'the claim', pattern: '[a-z0-9-]+' },
    { name: 'DRY_RUN', type: 'boolean', required: false, description: 'only print', default: false },
  ],
};

export const GOOD_PARAMETERS = { TARGET_NAMESPACE: 'demo', STATEFULSET_NAME: 'kv-store', PVC_NAME: 'data-kv-store-2' };

export function goodAnswer(overrides: Record<string, unknown> = {}, workflow: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    investigation_outcome: 'actionable',
    root_cause_analysis: {
      summary: 'The claim data-kv-store-2 of StatefulSet kv-store was deleted; pod kv-store-2 is Pending.',
      severity: 'high',
      contributing_factors: ['claim deleted'],
      affectedResource: { kind: 'StatefulSet', name: 'kv-store', namespace: 'demo' },
    },
    selected_workflow: { workflow_id: WORKFLOW.workflowId, action_type: WORKFLOW.actionType, parameters: GOOD_PARAMETERS, confidence: 0.9, rationale: 'recreates the claim', ...workflow },
    alternative_workflows: [],
    confidence: 0.9,
    ...overrides,
  };
}

interface FakeWorld {
  /** `Kind/namespace/name` → the root owner (absent: the resource is its own root and exists). */
  owners?: Record<string, ResourceRef>;
  /** `Kind/namespace/name` of resources that do not exist. */
  missing?: string[];
  labels?: DetectedLabels;
  catalog?: CatalogWorkflow[];
  /** Per tool name: injection findings its executions report. */
  injection?: Record<string, InjectionFinding[]>;
  /** Per tool name: an execution that never settles on its own (honours the abort signal only if `honoursAbort`). */
  hanging?: Record<string, { honoursAbort: boolean }>;
}

const SCHEMAS: ToolSchema[] = ['kubectl_describe', 'kubectl_logs', 'get_resource_context', 'list_available_actions', 'list_workflows', 'get_workflow'].map((name) => ({
  name,
  description: `${name} (fake)`,
  parameters: { type: 'object', properties: {}, additionalProperties: true },
}));

export class FakeToolset implements Toolset {
  readonly session: ToolSession;
  readonly schemas = SCHEMAS;
  readonly executed: ToolCall[] = [];
  readonly contextCalls: ResourceRef[] = [];
  readonly workflowLookups: Array<{ id: string; component: string }> = [];

  constructor(
    request: AnalyzeRequest,
    private readonly world: FakeWorld = {},
  ) {
    this.session = {
      scope: {
        remediationId: request.remediation_id,
        severity: request.severity,
        environment: request.environment,
        priority: request.priority,
        customLabels: {},
        signalResource: { kind: request.resource_kind, name: request.resource_name, namespace: request.resource_namespace },
      },
      target: { component: request.resource_kind, detectedLabels: {} },
      offeredActionTypes: new Set(),
      detectedLabelsCache: new Map(),
    };
  }

  async execute(call: ToolCall, options: { signal: AbortSignal }): Promise<ToolExecution> {
    this.executed.push(call);
    const hang = this.world.hanging?.[call.name];
    if (hang) {
      return new Promise((resolve) => {
        if (hang.honoursAbort) options.signal.addEventListener('abort', () => resolve(this.envelope(call, false, { error: 'aborted' })), { once: true });
      });
    }
    let data: unknown = `output of ${call.name}`;
    if (call.name === 'list_available_actions') {
      const types = (this.world.catalog ?? [WORKFLOW]).map((w) => w.actionType);
      for (const t of types) this.session.offeredActionTypes.add(t);
      data = { actionTypes: types.map((actionType) => ({ actionType })) };
    }
    if (call.name === 'get_workflow') data = this.world.catalog?.[0] ?? WORKFLOW;
    return this.envelope(call, true, { untrusted_data: data }, this.world.injection?.[call.name]);
  }

  private envelope(call: ToolCall, ok: boolean, body: Record<string, unknown>, injection: InjectionFinding[] = []): ToolExecution {
    const content = JSON.stringify({ tool: call.name, ok, ...body, truncated: false });
    return { tool: call.name, arguments: JSON.parse(call.arguments || '{}'), ok, content, truncated: false, redactions: {}, injection, durationMs: 1, resultChars: content.length };
  }

  async resourceContext(ref: ResourceRef): Promise<ResourceContext> {
    this.contextCalls.push(ref);
    const key = `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
    const root = this.world.owners?.[key] ?? ref;
    this.session.target = { component: root.kind, detectedLabels: this.world.labels ?? {} };
    return {
      resource: { kind: ref.kind, name: ref.name, namespace: ref.namespace, exists: !(this.world.missing ?? []).includes(key) },
      owner_chain: [root],
      root_owner: root,
      spec_hash: null,
      detected_labels: this.world.labels ?? {},
      remediation_history: [],
      warnings: [],
    };
  }

  async getWorkflow(workflowId: string): Promise<CatalogWorkflow | undefined> {
    this.workflowLookups.push({ id: workflowId, component: this.session.target.component });
    return (this.world.catalog ?? [WORKFLOW]).find((w) => w.workflowId === workflowId);
  }
}

export function analyzeRequest(overrides: Partial<AnalyzeRequestInput> = {}): AnalyzeRequest {
  return analyzeRequestSchema.parse({
    incident_id: 'ai-rr-1',
    remediation_id: 'rr-1',
    signal_name: 'KubeStatefulSetReplicasMismatch',
    severity: 'high',
    resource_namespace: 'demo',
    resource_kind: 'StatefulSet',
    resource_name: 'kv-store',
    error_message: 'StatefulSet demo/kv-store has 2 of 3 replicas ready',
    environment: 'production',
    priority: 'P1',
    ...overrides,
  });
}
