#!/usr/bin/env bash
# Runbook rollback-deployment-v1: the latest rollout of a Deployment broke it; roll it back to the
# previous revision (or TO_REVISION) and wait until every replica is available again.
#
# Parameters (environment only): TARGET_NAMESPACE, TARGET_DEPLOYMENT (required; taken from
# TARGET_RESOURCE=<ns>/Deployment/<name> when empty), TO_REVISION (optional).
# Tuning: ROLLOUT_TIMEOUT_SECONDS (300).
# Exit codes: 0 rolled back or nothing to do; 1 rollback or verification failed; 2 invalid input.
set -euo pipefail

ROLLOUT_TIMEOUT_SECONDS="${ROLLOUT_TIMEOUT_SECONDS:-300}"

log() { printf '%s: %s\n' "$1" "$2"; }
finish() {
  log summary "$2"
  exit "$1"
}
k() { kubectl --request-timeout=30s "$@"; }
is_name() { [[ "$1" =~ ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ && ${#1} -le 253 ]]; }
[[ "${ROLLOUT_TIMEOUT_SECONDS}" =~ ^[0-9]{1,6}$ ]] || finish 2 "invalid input: ROLLOUT_TIMEOUT_SECONDS='${ROLLOUT_TIMEOUT_SECONDS}' is not a whole number of seconds"

# ---- inputs -----------------------------------------------------------------------------------
NS="${TARGET_NAMESPACE:-}"
DEPLOY="${TARGET_DEPLOYMENT:-}"
if [[ -z "${NS}" || -z "${DEPLOY}" ]] && [[ "${TARGET_RESOURCE:-}" =~ ^([^/]+)/Deployment/([^/]+)$ ]]; then
  NS="${NS:-${BASH_REMATCH[1]}}"
  DEPLOY="${DEPLOY:-${BASH_REMATCH[2]}}"
fi
[[ -n "${NS}" && -n "${DEPLOY}" ]] || finish 2 "invalid input: TARGET_NAMESPACE and TARGET_DEPLOYMENT are required (or TARGET_RESOURCE=<namespace>/Deployment/<name>)"
is_name "${NS}" || finish 2 "invalid input: TARGET_NAMESPACE '${NS}' is not a namespace name"
is_name "${DEPLOY}" || finish 2 "invalid input: TARGET_DEPLOYMENT '${DEPLOY}' is not a Deployment name"
TO_REVISION="${TO_REVISION:-}"
if [[ -n "${TO_REVISION}" && ! "${TO_REVISION}" =~ ^[1-9][0-9]{0,8}$ ]]; then finish 2 "invalid input: TO_REVISION '${TO_REVISION}' is not a revision number"; fi
log inputs "deployment ${NS}/${DEPLOY}, roll back to ${TO_REVISION:-the previous revision}"

# ---- validate ---------------------------------------------------------------------------------
fields="$(k get deployment "${DEPLOY}" -n "${NS}" --ignore-not-found \
  -o go-template='{{.metadata.uid}}|{{or .spec.replicas 1}}|{{or .status.availableReplicas 0}}|{{or .status.updatedReplicas 0}}|{{or .status.replicas 0}}|{{index .metadata.annotations "deployment.kubernetes.io/revision"}}|')" \
  || finish 1 "cannot read deployment ${NS}/${DEPLOY}"
[[ -n "${fields}" ]] || finish 2 "deployment ${NS}/${DEPLOY} not found"
IFS='|' read -r _ desired available updated total current _ <<<"${fields}"
# Revisions live on the Deployment's ReplicaSets; `rollout history` lists them.
history="$(k rollout history deployment "${DEPLOY}" -n "${NS}")" || finish 1 "cannot read the rollout history of ${NS}/${DEPLOY}"
mapfile -t revisions < <(awk 'NR > 2 && $1 ~ /^[0-9]+$/ { print $1 }' <<<"${history}")
older=()
for r in "${revisions[@]}"; do [[ "${r}" != "${current}" ]] && older+=("${r}"); done
# Healthy means the rollout finished: every pod is of the latest revision and available (while a
# broken rollout is stuck, the old revision's pods still count as available).
if [[ -z "${TO_REVISION}" && "${available}" -ge "${desired}" && "${updated}" -ge "${desired}" && "${total}" -le "${desired}" ]]; then
  log validate "revision ${current:-?}: ${available}/${desired} available"
  finish 0 "nothing to do: deployment ${NS}/${DEPLOY} has ${available}/${desired} replicas available"
fi
[[ ${#older[@]} -gt 0 ]] || finish 2 "deployment ${NS}/${DEPLOY} has no revision other than ${current:-?} to roll back to"
if [[ -n "${TO_REVISION}" ]]; then
  [[ " ${older[*]} " == *" ${TO_REVISION} "* ]] || finish 2 "invalid input: TO_REVISION ${TO_REVISION} is not an older revision of ${NS}/${DEPLOY} (older: ${older[*]})"
fi
log validate "revision ${current:-?}: ${available}/${desired} available; older revisions: ${older[*]}"

# ---- roll back --------------------------------------------------------------------------------
undo=(rollout undo deployment "${DEPLOY}" -n "${NS}")
[[ -n "${TO_REVISION}" ]] && undo+=("--to-revision=${TO_REVISION}")
out="$(k "${undo[@]}" 2>&1)" || finish 1 "kubectl rollout undo failed: ${out}"
log rollback "${out}"

# ---- verify -----------------------------------------------------------------------------------
if ! out="$(kubectl rollout status deployment "${DEPLOY}" -n "${NS}" --timeout="${ROLLOUT_TIMEOUT_SECONDS}s" 2>&1)"; then
  log verify "rollout did not complete within ${ROLLOUT_TIMEOUT_SECONDS}s: ${out##*$'\n'}"
  finish 1 "deployment ${NS}/${DEPLOY} rolled back from revision ${current:-?} but is not available: ${out##*$'\n'}"
fi
fields="$(k get deployment "${DEPLOY}" -n "${NS}" -o go-template='{{or .status.availableReplicas 0}}/{{or .spec.replicas 1}}|{{index .metadata.annotations "deployment.kubernetes.io/revision"}}')" || true
log verify "${out##*$'\n'}"
finish 0 "rolled back deployment ${NS}/${DEPLOY} from revision ${current:-?} (now revision ${fields#*|}); ${fields%|*} available"
