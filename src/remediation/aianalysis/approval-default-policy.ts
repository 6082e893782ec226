/**
 * The shipped approval policy (CEL), reproducing the table of crds.md §4. Replace it with the key
 * `approval.cel` of the ConfigMap `kubernaut-aianalysis-policies`; it is also the fallback when an
 * override fails for one analysis, so it must be total: defined for every input, never an error.
 *
 * | rule | risk |
 * |---|---|
 * | no affected resource (the signal's target would be changed) | 90 |
 * | production, and the affected kind is Node or StatefulSet | 80 |
 * | production (any confidence) | 70 |
 * | warning `prompt_injection_suspected` | 60 |
 * | optional (`confidenceThreshold` set): not production and confidence below it | 50 |
 */
export const DEFAULT_APPROVAL_POLICY_NAME = 'default-approval-policy';

export const DEFAULT_APPROVAL_POLICY = `
cel.bind(production, environment == "production",
[
  {"name": "affected-resource-missing", "risk": 90,
   "reason": "the investigation named no affected resource: the signal's target would be changed",
   "when": affectedResource.kind == ""},
  {"name": "production-stateful-or-node", "risk": 80,
   "reason": "production environment and the remediation target is a " + affectedResource.kind,
   "when": production && affectedResource.kind in ["Node", "StatefulSet"]},
  {"name": "production", "risk": 70,
   "reason": "production environment: every remediation needs approval",
   "when": production},
  {"name": "prompt-injection-suspected", "risk": 60,
   "reason": "the evidence contains text that tried to instruct the model (prompt_injection_suspected)",
   "when": "prompt_injection_suspected" in warnings},
  {"name": "low-confidence", "risk": 50,
   "reason": "confidence below the approval threshold outside production",
   "when": settings.lowConfidenceRule == true && !production && confidence < settings.confidenceThreshold}
].filter(r, r.when).map(r, {"name": r.name, "risk": r.risk, "reason": r.reason}))
`.trim();
