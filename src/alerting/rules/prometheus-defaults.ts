/**
 * Prometheus' rule-manager defaults, shared by the embedded evaluator and the configuration written
 * for a real Prometheus (both scale them by the time scale like every other wait). Nominal ms.
 */

/** `--rules.alert.resend-delay`: a firing alert is re-sent to Alertmanager at most this often. */
export const RESEND_DELAY_MS = 60_000;
/** `--rules.alert.for-grace-period`: least time between a restart and a restored long-`for` alert firing. */
export const FOR_GRACE_PERIOD_MS = 600_000;
/** `--rules.alert.for-outage-tolerance`: after a longer outage, `for` state is not restored. */
export const FOR_OUTAGE_TOLERANCE_MS = 3_600_000;
