/** Label and annotation keys shared by the components that write or look up Kubernaut objects. */

/** On a RemediationRequest: the first 63 hex characters of its fingerprint (label values are <= 63). */
export const LABEL_SIGNAL_FINGERPRINT = 'kubernaut.ai/signal-fingerprint';
/** On every child of a RemediationRequest (and the workflow Job): the RR's name. */
export const LABEL_REMEDIATION_REQUEST = 'kubernaut.ai/remediation-request';
/** On a target resource or its namespace: "true" opts it in to remediation. */
export const LABEL_MANAGED = 'kubernaut.ai/managed';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
/** RR label values: `managed-by: kubernaut-gateway`, `component: remediation`. */
export const MANAGED_BY_GATEWAY = 'kubernaut-gateway';
export const COMPONENT_REMEDIATION = 'remediation';
/** On a RemediationRequest: when the Gateway created it (RFC 3339). */
export const ANNOTATION_CREATED_AT = 'kubernaut.ai/created-at';
/** On a RemediationRequest: "true" asks the Orchestrator to cancel it. */
export const ANNOTATION_CANCEL = 'kubernaut.ai/cancel';
/**
 * On a RemediationRequest: per-RR timeout overrides set by people (so not status), JSON of durations,
 * e.g. `{"global":"1h","analyzing":"10m"}`. Read it with parseTimeoutsAnnotation (timeouts-annotation.ts).
 */
export const ANNOTATION_TIMEOUTS = 'kubernaut.ai/timeouts';

/** The value of {@link LABEL_SIGNAL_FINGERPRINT} for a fingerprint. */
export function fingerprintLabelValue(fingerprint: string): string {
  return fingerprint.slice(0, 63);
}
