#!/usr/bin/env bash
# Runbook fix-statefulset-pvc-v1 (workflow-schema.md §7): a StatefulSet replica is stuck Pending
# because its PersistentVolumeClaim is missing, Terminating, or cannot bind. Rebuild the claim from
# the volumeClaimTemplate, restart the stuck pod, and verify the set is fully Ready again.
#
# Parameters (environment only): TARGET_NAMESPACE, TARGET_STATEFULSET (both required; taken from
# TARGET_RESOURCE=<ns>/StatefulSet/<name> when empty), TARGET_PVC (optional).
# Tuning: CLAIM_RELEASE_TIMEOUT_SECONDS (120), VERIFY_TIMEOUT_SECONDS (300),
# VERIFY_INTERVAL_SECONDS (5), UNUSABLE_CLAIM_GRACE_SECONDS (5).
# Exit codes: 0 healed or nothing to do; 1 remediation or verification failed; 2 invalid input.
set -euo pipefail

CLAIM_RELEASE_TIMEOUT_SECONDS="${CLAIM_RELEASE_TIMEOUT_SECONDS:-120}"
VERIFY_TIMEOUT_SECONDS="${VERIFY_TIMEOUT_SECONDS:-300}"
VERIFY_INTERVAL_SECONDS="${VERIFY_INTERVAL_SECONDS:-5}"
UNUSABLE_CLAIM_GRACE_SECONDS="${UNUSABLE_CLAIM_GRACE_SECONDS:-5}"
POLL_SECONDS=2

log() { printf '%s: %s\n' "$1" "$2"; }
# The last line of every run says how it ended.
finish() {
  local code="$1" message="$2"
  log summary "${message}"
  exit "${code}"
}
k() { kubectl --request-timeout=30s "$@"; }

is_name() { [[ "$1" =~ ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ && ${#1} -le 253 ]]; }
is_count() { [[ "$1" =~ ^[0-9]+$ && ${#1} -le 9 ]]; }

for setting in CLAIM_RELEASE_TIMEOUT_SECONDS VERIFY_TIMEOUT_SECONDS VERIFY_INTERVAL_SECONDS UNUSABLE_CLAIM_GRACE_SECONDS; do
  is_count "${!setting}" || finish 2 "invalid input: ${setting}='${!setting}' is not a whole number of seconds"
done

# ---- step 0: inputs ---------------------------------------------------------------------------
NS="${TARGET_NAMESPACE:-}"
STS="${TARGET_STATEFULSET:-}"
if [[ -z "${NS}" || -z "${STS}" ]] && [[ "${TARGET_RESOURCE:-}" =~ ^([^/]+)/StatefulSet/([^/]+)$ ]]; then
  NS="${NS:-${BASH_REMATCH[1]}}"
  STS="${STS:-${BASH_REMATCH[2]}}"
fi
[[ -n "${NS}" && -n "${STS}" ]] || finish 2 "invalid input: TARGET_NAMESPACE and TARGET_STATEFULSET are required (or TARGET_RESOURCE=<namespace>/StatefulSet/<name>)"
is_name "${NS}" || finish 2 "invalid input: TARGET_NAMESPACE '${NS}' is not a namespace name"
is_name "${STS}" || finish 2 "invalid input: TARGET_STATEFULSET '${STS}' is not a StatefulSet name"
if [[ -n "${TARGET_PVC:-}" ]] && ! is_name "${TARGET_PVC}"; then finish 2 "invalid input: TARGET_PVC '${TARGET_PVC}' is not a claim name"; fi

sts_fields="$(k get statefulset "${STS}" -n "${NS}" --ignore-not-found \
  -o go-template='{{.metadata.uid}}|{{or .spec.replicas 1}}|{{or .status.readyReplicas 0}}|{{range .spec.volumeClaimTemplates}}{{.metadata.name}} {{end}}')" \
  || finish 1 "cannot read statefulset ${NS}/${STS}"
[[ -n "${sts_fields}" ]] || finish 2 "statefulset ${NS}/${STS} not found"
IFS='|' read -r _ desired ready template_list <<<"${sts_fields}"
read -r -a templates <<<"${template_list}"
[[ ${#templates[@]} -gt 0 ]] || finish 2 "statefulset ${NS}/${STS} has no volumeClaimTemplates; this workflow does not apply"
log inputs "statefulset ${NS}/${STS}, claim templates: ${templates[*]}, target claim: ${TARGET_PVC:-<detect>}"

# ---- step 1: validate -------------------------------------------------------------------------
if [[ "${ready}" -ge "${desired}" ]]; then
  log validate "${ready}/${desired} replicas ready"
  finish 0 "nothing to do: statefulset ${NS}/${STS} has ${ready}/${desired} replicas ready"
fi
log validate "${ready}/${desired} replicas ready; looking for the broken claim"

# Sets CLAIM_UID (empty when the claim does not exist), CLAIM_PHASE, CLAIM_DELETING, CLAIM_CLASS.
read_claim() {
  local fields
  fields="$(k get pvc "$1" -n "${NS}" --ignore-not-found \
    -o jsonpath='{.metadata.uid}|{.status.phase}|{.metadata.deletionTimestamp}|{.spec.storageClassName}|')" \
    || finish 1 "cannot read claim ${NS}/$1"
  IFS='|' read -r CLAIM_UID CLAIM_PHASE CLAIM_DELETING CLAIM_CLASS _ <<<"${fields}"
}

# ---- step 2: find the target claim ------------------------------------------------------------
claim="" template="" ordinal=""
if [[ -n "${TARGET_PVC:-}" ]]; then
  for t in "${templates[@]}"; do
    rest="${TARGET_PVC#"${t}-${STS}-"}"
    if [[ "${rest}" != "${TARGET_PVC}" && "${rest}" =~ ^(0|[1-9][0-9]{0,8})$ ]] && ((rest < desired)); then
      claim="${TARGET_PVC}" template="${t}" ordinal="${rest}"
      break
    fi
  done
  [[ -n "${claim}" ]] || finish 2 "invalid input: TARGET_PVC '${TARGET_PVC}' is not <template>-${STS}-<ordinal> for a template of the set and an ordinal below ${desired}"
  read_claim "${claim}"
else
  for ((i = 0; i < desired; i++)); do
    for t in "${templates[@]}"; do
      read_claim "${t}-${STS}-${i}"
      if [[ -z "${CLAIM_UID}" || "${CLAIM_PHASE}" != "Bound" || -n "${CLAIM_DELETING}" ]]; then
        claim="${t}-${STS}-${i}" template="${t}" ordinal="${i}"
        break 2
      fi
    done
  done
  [[ -n "${claim}" ]] || finish 1 "no broken claim; replicas are not ready for another reason"
fi
pod="${STS}-${ordinal}"
if [[ -z "${CLAIM_UID}" ]]; then state="missing"; elif [[ -n "${CLAIM_DELETING}" ]]; then state="Terminating"; else state="${CLAIM_PHASE:-Pending}"; fi
log find-claim "claim ${claim} is ${state}${CLAIM_CLASS:+ (storageClass ${CLAIM_CLASS})}; stuck pod ${pod}"

delete_pod() {
  k delete pod "${pod}" -n "${NS}" --ignore-not-found --wait=false >/dev/null || finish 1 "cannot delete pod ${NS}/${pod}"
}

# Waits until the claim with UID $1 is gone (a new claim under the same name counts as gone).
wait_claim_gone() {
  local old_uid="$1" deadline=$((SECONDS + CLAIM_RELEASE_TIMEOUT_SECONDS))
  while true; do
    read_claim "${claim}"
    [[ "${CLAIM_UID}" != "${old_uid}" ]] && return 0
    ((SECONDS < deadline)) || break
    sleep "${POLL_SECONDS}"
  done
  local finalizers
  finalizers="$(k get pvc "${claim}" -n "${NS}" --ignore-not-found -o jsonpath='{.metadata.finalizers}' || true)"
  finish 1 "claim ${claim} is still there after ${CLAIM_RELEASE_TIMEOUT_SECONDS}s, held by finalizers ${finalizers:-[]}"
}

# ---- step 3: Terminating claim: the scheduled pod using it keeps kubernetes.io/pvc-protection on it
bad_class=""
if [[ -n "${CLAIM_UID}" && -n "${CLAIM_DELETING}" ]]; then
  old_uid="${CLAIM_UID}"
  delete_pod
  wait_claim_gone "${old_uid}"
  log terminating "deleted pod ${pod}, which held the Terminating claim ${claim}; the old claim is gone"
# ---- step 4: unusable claim (Pending on a missing StorageClass, Lost, ...) --------------------
elif [[ -n "${CLAIM_UID}" && "${CLAIM_PHASE}" != "Bound" ]]; then
  old_uid="${CLAIM_UID}"
  # Its class made it unusable unless a Bound sibling from the same template uses that class too
  # (then it is the template's class or the cluster default, and the claim was merely not bound yet).
  bad_class="${CLAIM_CLASS}"
  for ((i = 0; i < desired; i++)); do
    ((i == ordinal)) && continue
    sibling="$(k get pvc "${template}-${STS}-${i}" -n "${NS}" --ignore-not-found -o jsonpath='{.status.phase}|{.spec.storageClassName}')" || sibling=""
    if [[ "${sibling}" == "Bound|${CLAIM_CLASS}" ]]; then
      bad_class=""
      break
    fi
  done
  k delete pvc "${claim}" -n "${NS}" --ignore-not-found --wait=false >/dev/null || finish 1 "cannot delete claim ${NS}/${claim}"
  sleep "${UNUSABLE_CLAIM_GRACE_SECONDS}"
  read_claim "${claim}"
  held=""
  if [[ "${CLAIM_UID}" == "${old_uid}" ]]; then
    held=" (pod ${pod} held it; deleted the pod)"
    delete_pod
  fi
  wait_claim_gone "${old_uid}"
  log unusable "deleted claim ${claim} (was ${state}${bad_class:+, storageClass ${bad_class}})${held}; the old claim is gone"
else
  log unusable "claim ${claim} needs no deletion (${state})"
fi

# ---- step 5: ensure the claim from the volumeClaimTemplate -------------------------------------
tpl_path="{.spec.volumeClaimTemplates[?(@.metadata.name==\"${template}\")]"
tpl_fields="$(k get statefulset "${STS}" -n "${NS}" -o jsonpath="${tpl_path}.spec.accessModes}|${tpl_path}.spec.resources.requests}|${tpl_path}.spec.volumeMode}|${tpl_path}.spec.selector}|${tpl_path}.spec.storageClassName}|")" \
  || finish 1 "cannot read the volumeClaimTemplate ${template} of ${NS}/${STS}"
IFS='|' read -r access_modes requests volume_mode selector template_class _ <<<"${tpl_fields}"
# Claims carry the template's labels plus the set's selector labels, as the StatefulSet controller
# makes them. Label keys and values cannot contain quotes or backslashes, so they embed in JSON as is.
labels_json="$(k get statefulset "${STS}" -n "${NS}" -o go-template="{{range \$k, \$v := .spec.selector.matchLabels}}\"{{\$k}}\":\"{{\$v}}\",{{end}}{{range .spec.volumeClaimTemplates}}{{if eq .metadata.name \"${template}\"}}{{range \$k, \$v := .metadata.labels}}\"{{\$k}}\":\"{{\$v}}\",{{end}}{{end}}{{end}}")" \
  || finish 1 "cannot read the labels of ${NS}/${STS}"
if [[ -n "${template_class}" ]] && ! is_name "${template_class}"; then finish 2 "template ${template} names an invalid storageClassName '${template_class}'"; fi
if [[ -n "${volume_mode}" ]] && ! [[ "${volume_mode}" =~ ^(Filesystem|Block)$ ]]; then finish 2 "template ${template} has an invalid volumeMode '${volume_mode}'"; fi
manifest="{\"apiVersion\":\"v1\",\"kind\":\"PersistentVolumeClaim\",\"metadata\":{\"name\":\"${claim}\",\"namespace\":\"${NS}\",\"labels\":{${labels_json%,}}},\"spec\":{"
[[ -n "${access_modes}" ]] || access_modes='["ReadWriteOnce"]'
[[ -n "${requests}" ]] || requests='{}'
manifest+="\"accessModes\":${access_modes},\"resources\":{\"requests\":${requests}}"
[[ -n "${volume_mode}" ]] && manifest+=",\"volumeMode\":\"${volume_mode}\""
[[ -n "${selector}" ]] && manifest+=",\"selector\":${selector}"
[[ -n "${template_class}" ]] && manifest+=",\"storageClassName\":\"${template_class}\""
manifest+="}}"

created="created"
if ! create_out="$(k create -f - -o name <<<"${manifest}" 2>&1)"; then
  # The StatefulSet controller recreates the missing claims of Pending pods too.
  [[ "${create_out}" == *AlreadyExists* || "${create_out}" == *"already exists"* ]] || finish 1 "cannot create claim ${NS}/${claim}: ${create_out}"
  created="already recreated (by the StatefulSet controller)"
fi
read_claim "${claim}"
[[ -n "${CLAIM_UID}" ]] || finish 1 "claim ${claim} vanished right after it was created"
if [[ -n "${bad_class}" && "${CLAIM_CLASS}" == "${bad_class}" && "${template_class}" != "${bad_class}" ]]; then
  finish 1 "claim ${claim} names storageClass ${bad_class} again, which the template does not: something else keeps recreating the bad claim"
fi
log ensure-claim "claim ${claim} ${created} from template ${template}${CLAIM_CLASS:+ (storageClass ${CLAIM_CLASS})}"

# ---- step 6: restart the stuck pod ------------------------------------------------------------
pod_fields="$(k get pod "${pod}" -n "${NS}" --ignore-not-found -o jsonpath='{.metadata.uid}|{.status.phase}|{.status.conditions[?(@.type=="Ready")].status}|')" \
  || finish 1 "cannot read pod ${NS}/${pod}"
IFS='|' read -r pod_uid pod_phase pod_ready _ <<<"${pod_fields}"
if [[ -n "${pod_uid}" && ! ("${pod_phase}" == "Running" && "${pod_ready}" == "True") ]]; then
  delete_pod
  log restart-pod "deleted pod ${pod} (${pod_phase:-Pending}); the StatefulSet controller recreates it against the new claim"
else
  log restart-pod "pod ${pod} ${pod_uid:+is ${pod_phase}, Ready=${pod_ready:-False}}${pod_uid:-does not exist}; not restarted"
fi

# ---- step 7: verify ---------------------------------------------------------------------------
deadline=$((SECONDS + VERIFY_TIMEOUT_SECONDS))
while true; do
  read_claim "${claim}"
  status="$(k get statefulset "${STS}" -n "${NS}" -o go-template='{{or .spec.replicas 1}}|{{or .status.readyReplicas 0}}' || true)"
  IFS='|' read -r desired ready <<<"${status:-?|?}"
  if [[ "${CLAIM_PHASE}" == "Bound" && -z "${CLAIM_DELETING}" && "${ready}" == "${desired}" ]]; then
    log verify "claim ${claim} Bound, ${ready}/${desired} replicas ready"
    finish 0 "healed statefulset ${NS}/${STS}: claim ${claim} ${created} and Bound, pod ${pod} restarted, ${ready}/${desired} ready"
  fi
  ((SECONDS < deadline)) || break
  sleep "${VERIFY_INTERVAL_SECONDS}"
done
pod_state="$(k get pod "${pod}" -n "${NS}" --ignore-not-found -o jsonpath='{.status.phase} {.status.containerStatuses[*].state.waiting.reason}' || true)"
log verify "not healed after ${VERIFY_TIMEOUT_SECONDS}s"
finish 1 "statefulset ${NS}/${STS} ${ready}/${desired} ready; claim ${claim} phase ${CLAIM_PHASE:-<missing>}; pod ${pod}: ${pod_state:-<missing>}"
