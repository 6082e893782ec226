/**
 * The approval policy of AIAnalysis (crds.md §4): its ConfigMap keys, the CEL variables it sees,
 * and the result it must return. The policy lists the rules that match; each one requires approval
 * and carries a risk score, and the riskiest one's reason becomes `approvalReason`.
 *
 * Result: `[{"name": s, "risk": n, "reason": s}, ...]` (empty: auto-approved), or
 * `{"policyName": s, "rules": [...]}` to name the policy in `approvalContext.policyEvaluation`.
 */

/** The policy's name in the sandbox (and in its CEL environment). */
export const APPROVAL_POLICY = 'approval';

export const DEFAULT_APPROVAL_CONFIGMAP = 'kubernaut-aianalysis-policies';

/** ConfigMap keys: the policy text, and the threshold that turns the optional low-confidence rule on. */
export const APPROVAL_KEYS = { policy: 'approval.cel', confidenceThreshold: 'confidenceThreshold' } as const;
export type ApprovalSetting = keyof typeof APPROVAL_KEYS;

/** The optional rule's threshold when it is on without one (crds.md §4). */
export const DEFAULT_CONFIDENCE_THRESHOLD = 0.8;

/** CEL variable -> CEL type. Every member of every map is always present (empty when unknown). */
export const APPROVAL_VARIABLES: Readonly<Record<string, string>> = {
  severity: 'string',
  environment: 'string',
  priority: 'string',
  /** {apiVersion, kind, name, namespace} of the signal's resource. */
  signalTarget: 'map<string, string>',
  /** {apiVersion, kind, name, namespace} of the remediation target; kind "" when the investigation named none. */
  affectedResource: 'map<string, string>',
  /** The selected workflow's confidence (0–1). */
  confidence: 'double',
  /** gitOpsManaged, gitOpsTool, pdbProtected, hpaEnabled, stateful, helmManaged, networkIsolated, serviceMesh. */
  detectedLabels: 'map<string, dyn>',
  failedDetections: 'list<string>',
  /** Custom labels from SignalProcessing: key -> list of values. */
  customLabels: 'map<string, list<string>>',
  /** businessUnit, serviceOwner, criticality, slaRequirement. */
  businessClassification: 'map<string, string>',
  warnings: 'list<string>',
  /** {workflowId, actionType, version} of the selected workflow. */
  workflow: 'map<string, string>',
  /** {lowConfidenceRule: bool, confidenceThreshold: double} from the ConfigMap. */
  settings: 'map<string, dyn>',
};

export interface ApprovalRule {
  name: string;
  risk: number;
  reason: string;
}

export interface ApprovalPolicyResult {
  policyName?: string;
  rules: ApprovalRule[];
}

export class ApprovalResultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApprovalResultError';
  }
}

const MAX_RULES = 100;

export function parseApprovalResult(v: unknown): ApprovalPolicyResult {
  let list: unknown = v;
  let policyName: string | undefined;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const m = v as Record<string, unknown>;
    list = m.rules;
    if (m.policyName !== undefined && m.policyName !== '') {
      if (typeof m.policyName !== 'string' || m.policyName.length > 253) throw new ApprovalResultError('"policyName" must be a string of at most 253 characters');
      policyName = m.policyName;
    }
  }
  if (!Array.isArray(list)) throw new ApprovalResultError('the result must be a list of {"name", "risk", "reason"}, or a map {"policyName", "rules"}');
  if (list.length > MAX_RULES) throw new ApprovalResultError(`the result lists ${list.length} rules; at most ${MAX_RULES} are allowed`);
  const rules = list.map((entry, i) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new ApprovalResultError(`rule ${i} must be a map {"name", "risk", "reason"}`);
    const m = entry as Record<string, unknown>;
    if (typeof m.name !== 'string' || m.name === '' || m.name.length > 253) throw new ApprovalResultError(`rule ${i}: "name" must be a string of 1 to 253 characters`);
    if (typeof m.risk !== 'number' || !Number.isFinite(m.risk)) throw new ApprovalResultError(`rule ${i} (${m.name}): "risk" must be a number`);
    if (typeof m.reason !== 'string' || m.reason === '' || m.reason.length > 4096) throw new ApprovalResultError(`rule ${i} (${m.name}): "reason" must be a string of 1 to 4096 characters`);
    return { name: m.name, risk: m.risk, reason: m.reason };
  });
  return { ...(policyName ? { policyName } : {}), rules };
}

/** The threshold key's value, or why it is refused. */
export function parseConfidenceThreshold(text: string): { value: number } | { error: string } {
  const t = text.trim();
  const n = Number(t);
  if (t === '' || !Number.isFinite(n) || n < 0 || n > 1) return { error: `"${text.slice(0, 40)}" is not a number between 0 and 1` };
  return { value: n };
}
