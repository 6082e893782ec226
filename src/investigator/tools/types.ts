/**
 * What every investigator tool is (investigation.md §4) and what a session gives the tools. A tool
 * is read-only, validates its arguments strictly (extra arguments are refused: the LLM must not be
 * able to pass or widen filters), and returns data; the toolset (`toolset.ts`) wraps that data in
 * the `{tool, ok, untrusted_data | error, truncated}` envelope after redaction, injection scanning
 * and truncation, so no tool has to remember to.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { DetectedLabels, ResourceRef } from '../api/wire.ts';

/** The incident filters every catalog-discovery call carries (set from the request; never from the LLM). */
export interface IncidentScope {
  remediationId: string;
  severity: string;
  environment: string;
  priority: string;
  customLabels: Record<string, string[]>;
  /** The signal's target resource. */
  signalResource: ResourceRef;
}

/**
 * The part of the discovery context that follows the investigation: `component` and
 * `detectedLabels` of the root owner of the most recent `get_resource_context` call (before any
 * call: the signal resource's Kind, no labels). Mutated by `get_resource_context` only.
 */
export interface DiscoveryTarget {
  component: string;
  detectedLabels: DetectedLabels;
}

/** Services the tools reach; all read-only. */
export interface ToolDeps {
  kubeconfig: KubeConfig;
  /** Prometheus HTTP API base URL (embedded alerting or any Prometheus); undefined: the PromQL tools answer that none is configured. */
  prometheusUrl?: string;
  dataStorage: { baseUrl: string; bearerToken?: () => string | undefined };
  clock: Clock;
}

/** Per-session state shared by the tools of one investigation. */
export interface ToolSession {
  scope: IncidentScope;
  target: DiscoveryTarget;
  /** Action types `list_available_actions` returned in this session (validation step 5). */
  offeredActionTypes: Set<string>;
  /** Detected labels per `Kind/namespace/name`, computed once per session. */
  detectedLabelsCache: Map<string, Promise<DetectedLabels>>;
}

export interface ToolRunContext {
  deps: ToolDeps;
  session: ToolSession;
  /** Aborted when the per-call time limit or the session ends. */
  signal: AbortSignal;
}

/** Thrown by a tool for an error the LLM can act on (wrong kind, not found, ...): becomes `ok: false`. */
export class ToolError extends Error {
  override name = 'ToolError';
}

export interface ToolDefinition<A = any> {
  name: string;
  /** Tells the LLM when to use it; one or two sentences. */
  description: string;
  /** Strict schema of the arguments (z.strictObject); its JSON Schema is what the LLM is offered. */
  args: z.ZodType<A>;
  /** Returns text (YAML, a table, describe output) or a JSON-serialisable value. */
  run(args: A, ctx: ToolRunContext): Promise<string | object>;
  /**
   * false for output that is operator-curated configuration rather than cluster or alert data (the
   * workflow catalog, whose descriptions legitimately say "choose this workflow when ..."): it is
   * not scanned for prompt injection. Default true.
   */
  scanForInjection?: boolean;
}

/** A hit of the prompt-injection detector (investigation.md §9). */
export interface InjectionFinding {
  /** Where the text came from, e.g. `kubectl_logs demo/pod-1` or `signal_annotations.description`. */
  source: string;
  /** Which rule matched, e.g. `ignore_previous_instructions`. */
  rule: string;
  /** The matched text, shortened. */
  excerpt: string;
}

/** What one tool call did, for the loop, the audit trail and the evidence list. */
export interface ToolExecution {
  tool: string;
  /** Parsed arguments, or the raw text when they were not JSON. */
  arguments: Record<string, unknown> | string;
  ok: boolean;
  /** The envelope JSON exactly as it goes into the `tool` message. */
  content: string;
  truncated: boolean;
  /** Redactions applied, by kind (e.g. `{jwt: 1, secret_value: 3}`). */
  redactions: Record<string, number>;
  injection: InjectionFinding[];
  durationMs: number;
  /** Size of the data before truncation. */
  resultChars: number;
}

/** `get_resource_context` (investigation.md §4). */
export interface ResourceContext {
  resource: { kind: string; name: string; namespace?: string; exists: boolean };
  owner_chain: ResourceRef[];
  root_owner: ResourceRef;
  spec_hash: string | null;
  detected_labels: DetectedLabels;
  remediation_history: Array<Record<string, unknown>>;
  warnings: string[];
}

/** The step-3 catalog entry as DataStorage serves it (`GET /api/v1/workflows/{id}?<context>`). */
export type CatalogWorkflow = Record<string, unknown> & {
  workflowId: string;
  version: string;
  actionType: string;
  catalogId: string;
  execution: { engine: string; bundle: string; bundleDigest?: string; [k: string]: unknown };
  parameters?: Array<Record<string, unknown>>;
};

/** The tools of one investigation session, as the agent loop uses them. */
export interface Toolset {
  readonly session: ToolSession;
  /** What the LLM is offered (JSON Schema per tool). */
  readonly schemas: import('../llm/types.ts').ToolSchema[];
  /** Runs one call; never throws (an unknown tool or bad arguments is `ok: false`). */
  execute(call: import('../llm/types.ts').ToolCall, options: { signal: AbortSignal }): Promise<ToolExecution>;
  /** For answer validation: what `get_resource_context` returns; updates `session.target` like the tool does. */
  resourceContext(ref: ResourceRef, options: { signal: AbortSignal }): Promise<ResourceContext>;
  /** Step 3 under the session's current context filters; undefined when the catalog has no such workflow for it. */
  getWorkflow(workflowId: string, options: { signal: AbortSignal }): Promise<CatalogWorkflow | undefined>;
}
