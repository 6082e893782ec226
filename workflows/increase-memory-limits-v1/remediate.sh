#!/usr/bin/env bash
# Runbook increase-memory-limits-v1: a container keeps getting OOMKilled because its memory limit is
# too low; raise the limit in the workload's pod template (and the request when it equals the
# limit) and wait for the rollout to complete.
#
# Parameters (environment only): TARGET_NAMESPACE, TARGET_KIND (Deployment|StatefulSet|DaemonSet),
# TARGET_NAME, TARGET_CONTAINER (required; namespace/kind/name from TARGET_RESOURCE when empty),
# MEMORY_LIMIT (e.g. 512Mi) or INCREASE_PERCENT (50, 10-300).
# Tuning: ROLLOUT_TIMEOUT_SECONDS (300).
# Exit codes: 0 raised and rolled out; 1 patch or rollout failed; 2 invalid input or precondition.
set -euo pipefail

ROLLOUT_TIMEOUT_SECONDS="${ROLLOUT_TIMEOUT_SECONDS:-300}"
INCREASE_PERCENT="${INCREASE_PERCENT:-50}"
MEMORY_LIMIT="${MEMORY_LIMIT:-}"
MI=$((1024 * 1024))

log() { printf '%s: %s\n' "$1" "$2"; }
finish() {
  log summary "$2"
  exit "$1"
}
k() { kubectl --request-timeout=30s "$@"; }
is_name() { [[ "$1" =~ ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ && ${#1} -le 253 ]]; }

# Bytes of a memory quantity (plain, k/M/G/T or Ki/Mi/Gi/Ti); fails on anything else.
to_bytes() {
  [[ "$1" =~ ^([0-9]{1,12})(|k|M|G|T|Ki|Mi|Gi|Ti)$ ]] || return 1
  local n="${BASH_REMATCH[1]}" unit="${BASH_REMATCH[2]}"
  case "${unit}" in
    "") echo "$((10#${n}))" ;;
    k) echo "$((10#${n} * 1000))" ;;
    M) echo "$((10#${n} * 1000 ** 2))" ;;
    G) echo "$((10#${n} * 1000 ** 3))" ;;
    T) echo "$((10#${n} * 1000 ** 4))" ;;
    Ki) echo "$((10#${n} * 1024))" ;;
    Mi) echo "$((10#${n} * 1024 ** 2))" ;;
    Gi) echo "$((10#${n} * 1024 ** 3))" ;;
    Ti) echo "$((10#${n} * 1024 ** 4))" ;;
  esac
}

# ---- inputs -----------------------------------------------------------------------------------
NS="${TARGET_NAMESPACE:-}" KIND="${TARGET_KIND:-}" NAME="${TARGET_NAME:-}" CONTAINER="${TARGET_CONTAINER:-}"
if [[ -z "${NS}" || -z "${KIND}" || -z "${NAME}" ]] && [[ "${TARGET_RESOURCE:-}" =~ ^([^/]+)/([A-Za-z]+)/([^/]+)$ ]]; then
  NS="${NS:-${BASH_REMATCH[1]}}" KIND="${KIND:-${BASH_REMATCH[2]}}" NAME="${NAME:-${BASH_REMATCH[3]}}"
fi
[[ -n "${NS}" && -n "${KIND}" && -n "${NAME}" && -n "${CONTAINER}" ]] || finish 2 "invalid input: TARGET_NAMESPACE, TARGET_KIND, TARGET_NAME and TARGET_CONTAINER are required"
[[ "${KIND}" =~ ^(Deployment|StatefulSet|DaemonSet)$ ]] || finish 2 "invalid input: TARGET_KIND '${KIND}' is not Deployment, StatefulSet or DaemonSet"
is_name "${NS}" || finish 2 "invalid input: TARGET_NAMESPACE '${NS}' is not a namespace name"
is_name "${NAME}" || finish 2 "invalid input: TARGET_NAME '${NAME}' is not a ${KIND} name"
[[ "${CONTAINER}" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ && ${#CONTAINER} -le 63 ]] || finish 2 "invalid input: TARGET_CONTAINER '${CONTAINER}' is not a container name"
if [[ -n "${MEMORY_LIMIT}" && ! "${MEMORY_LIMIT}" =~ ^[1-9][0-9]{0,6}(Mi|Gi)$ ]]; then finish 2 "invalid input: MEMORY_LIMIT '${MEMORY_LIMIT}' is not like 512Mi or 2Gi"; fi
if ! [[ "${INCREASE_PERCENT}" =~ ^[1-9][0-9]{1,2}$ ]] || ((INCREASE_PERCENT > 300)); then
  finish 2 "invalid input: INCREASE_PERCENT '${INCREASE_PERCENT}' is not a whole number from 10 to 300"
fi
[[ "${ROLLOUT_TIMEOUT_SECONDS}" =~ ^[0-9]{1,6}$ ]] || finish 2 "invalid input: ROLLOUT_TIMEOUT_SECONDS '${ROLLOUT_TIMEOUT_SECONDS}' is not a whole number of seconds"
resource="${KIND,,}.apps"
log inputs "container ${CONTAINER} of ${KIND} ${NS}/${NAME}, new limit ${MEMORY_LIMIT:-current +${INCREASE_PERCENT}%}"

# ---- validate ---------------------------------------------------------------------------------
c_path="{.spec.template.spec.containers[?(@.name==\"${CONTAINER}\")]"
fields="$(k get "${resource}" "${NAME}" -n "${NS}" --ignore-not-found -o jsonpath="{.metadata.uid}|${c_path}.name}|${c_path}.resources.limits.memory}|${c_path}.resources.requests.memory}|")" \
  || finish 1 "cannot read ${KIND} ${NS}/${NAME}"
[[ -n "${fields}" ]] || finish 2 "${KIND} ${NS}/${NAME} not found"
IFS='|' read -r _ found limit request _ <<<"${fields}"
[[ -n "${found}" ]] || finish 2 "${KIND} ${NS}/${NAME} has no container named ${CONTAINER}"
[[ -n "${limit}" ]] || finish 2 "container ${CONTAINER} declares no memory limit; nothing to raise"
limit_bytes="$(to_bytes "${limit}")" || finish 2 "cannot read the current memory limit '${limit}'"
if [[ -n "${MEMORY_LIMIT}" ]]; then
  new_limit="${MEMORY_LIMIT}"
else
  # Round up to whole mebibytes.
  new_limit="$(((limit_bytes * (100 + INCREASE_PERCENT) / 100 + MI - 1) / MI))Mi"
fi
new_bytes="$(to_bytes "${new_limit}")"
((new_bytes > limit_bytes)) || finish 2 "MEMORY_LIMIT ${new_limit} would not raise the current limit ${limit}"
log validate "container ${CONTAINER}: limit ${limit}, request ${request:-<none>} -> limit ${new_limit}"

# ---- raise ------------------------------------------------------------------------------------
set_args=(set resources "${resource}/${NAME}" -n "${NS}" -c "${CONTAINER}" "--limits=memory=${new_limit}")
raised_request=""
if [[ -n "${request}" ]] && [[ "$(to_bytes "${request}" || echo 0)" == "${limit_bytes}" ]]; then
  set_args+=("--requests=memory=${new_limit}")
  raised_request=" and request"
fi
out="$(k "${set_args[@]}" 2>&1)" || finish 1 "kubectl set resources failed: ${out}"
log raise "memory limit${raised_request} of ${CONTAINER} set to ${new_limit} (was ${limit})"

# ---- verify -----------------------------------------------------------------------------------
if ! out="$(kubectl rollout status "${resource}/${NAME}" -n "${NS}" --timeout="${ROLLOUT_TIMEOUT_SECONDS}s" 2>&1)"; then
  log verify "rollout did not complete within ${ROLLOUT_TIMEOUT_SECONDS}s: ${out##*$'\n'}"
  finish 1 "raised the memory limit of ${CONTAINER} in ${KIND} ${NS}/${NAME} to ${new_limit}, but the rollout did not complete: ${out##*$'\n'}"
fi
now="$(k get "${resource}" "${NAME}" -n "${NS}" -o jsonpath="${c_path}.resources.limits.memory}")" || now=""
[[ "${now}" == "${new_limit}" ]] || finish 1 "the memory limit of ${CONTAINER} is ${now:-<none>}, not ${new_limit}: something changed it back"
log verify "${out##*$'\n'}"
finish 0 "raised the memory limit of ${CONTAINER} in ${KIND} ${NS}/${NAME} from ${limit} to ${new_limit}; rollout complete"
