/**
 * The body of `POST /api/v1/incident/analyze` (investigation.md §2) for one AIAnalysis: the
 * signal context the Orchestrator wrote into the AA spec (SignalProcessing's findings), and what
 * only the RemediationRequest has (alert labels and annotations, firing and receipt times, the
 * repeat counts). Pure; the RR may be missing (deleted under us), then those fields stay empty.
 * Values are cut to the wire's limits here so a long annotation never makes the request invalid.
 */
import type { AIAnalysis, RemediationRequest } from '../../api/v1alpha1/index.ts';
import { analyzeRequestSchema, type AnalyzeRequest, type AnalyzeRequestInput } from '../../investigator/api/wire.ts';

/** The request cannot be built: the AA (or RR) holds something the investigator must refuse. */
export class InvalidAnalysisRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAnalysisRequestError';
  }
}

const MAX_TEXT = 32_768;
const MAX_MAP_KEY = 317;
const MAX_MAP_VALUE = 65_536;

export function buildAnalyzeRequest(aa: AIAnalysis, rr: RemediationRequest | undefined): AnalyzeRequest {
  const sc = aa.spec.analysisRequest.signalContext;
  const enrichment = sc.enrichmentResults ?? {};
  const custom = enrichment.customLabels ?? {};
  const firstOf = (key: string) => custom[key]?.find((v) => v !== '');
  const annotations = rr?.spec.signalAnnotations ?? {};
  const dedup = rr?.status?.deduplication;
  const target = sc.targetResource;
  const input: AnalyzeRequestInput = {
    incident_id: aa.metadata?.name ?? '',
    remediation_id: aa.spec.remediationId,
    signal_name: sc.signalName,
    ...(sc.sourceSignalName ? { source_signal_name: sc.sourceSignalName } : rr?.spec.signalName ? { source_signal_name: rr.spec.signalName } : {}),
    signal_mode: sc.signalMode ?? 'reactive',
    severity: sc.severity,
    ...(rr?.spec.signalSource ? { signal_source: rr.spec.signalSource } : {}),
    resource_namespace: target.namespace ?? '',
    resource_kind: target.kind,
    resource_name: target.name,
    // An alert's summary, or the message of a Kubernetes event (the Gateway keeps it as `message`).
    error_message: cut(annotations.summary ?? annotations.message ?? '', MAX_TEXT),
    description: cut(annotations.description ?? '', MAX_TEXT),
    ...(sc.environment ? { environment: sc.environment } : {}),
    ...(sc.businessPriority ? { priority: sc.businessPriority } : {}),
    ...(firstOf('risk_tolerance') ? { risk_tolerance: firstOf('risk_tolerance') } : {}),
    ...(firstOf('business_category') ? { business_category: firstOf('business_category') } : {}),
    ...(firstOf('cluster_name') ? { cluster_name: firstOf('cluster_name') } : {}),
    ...(rr?.spec.firingTime ? { firing_time: rr.spec.firingTime } : {}),
    ...(rr?.spec.receivedTime ? { received_time: rr.spec.receivedTime } : {}),
    ...(dedup?.occurrenceCount !== undefined ? { occurrence_count: dedup.occurrenceCount } : {}),
    ...(dedup?.firstSeenAt ? { first_seen: dedup.firstSeenAt } : {}),
    ...(dedup?.lastSeenAt ? { last_seen: dedup.lastSeenAt } : {}),
    signal_labels: stringMap(rr?.spec.signalLabels),
    signal_annotations: stringMap(annotations),
    enrichment_results: {
      ...(enrichment.kubernetesContext ? { kubernetesContext: enrichment.kubernetesContext as Record<string, unknown> } : {}),
      ...(Object.keys(custom).length ? { customLabels: Object.fromEntries(Object.entries(custom).filter((e): e is [string, string[]] => Array.isArray(e[1]))) } : {}),
      ...(enrichment.businessClassification ? { businessClassification: enrichment.businessClassification as Record<string, unknown> } : {}),
    },
  };
  const parsed = analyzeRequestSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 10).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw new InvalidAnalysisRequestError(`the analysis request cannot be built from ${aa.metadata?.name ?? 'the AIAnalysis'}: ${problems.join('; ')}`);
  }
  return parsed.data;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}

function stringMap(m: Record<string, string | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m ?? {})) if (typeof v === 'string' && k.length <= MAX_MAP_KEY) out[k] = cut(v, MAX_MAP_VALUE);
  return out;
}
