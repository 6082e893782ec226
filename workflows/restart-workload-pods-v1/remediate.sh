#!/usr/bin/env bash
# Runbook restart-workload-pods-v1: replace the pods of a Deployment, StatefulSet or DaemonSet one
# at a time, waiting for each replacement to be Ready before the next, spec unchanged.
#
# Parameters (environment only): TARGET_NAMESPACE, TARGET_KIND (Deployment|StatefulSet|DaemonSet),
# TARGET_NAME (required; taken from TARGET_RESOURCE=<ns>/<Kind>/<name> when empty),
# READY_TIMEOUT_SECONDS (300: how long each replacement may take to become Ready).
# Exit codes: 0 every pod replaced and Ready; 1 a replacement did not become Ready; 2 invalid input.
set -euo pipefail

READY_TIMEOUT_SECONDS="${READY_TIMEOUT_SECONDS:-300}"
POLL_SECONDS=2

log() { printf '%s: %s\n' "$1" "$2"; }
finish() {
  log summary "$2"
  exit "$1"
}
k() { kubectl --request-timeout=30s "$@"; }
is_name() { [[ "$1" =~ ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ && ${#1} -le 253 ]]; }

# ---- inputs -----------------------------------------------------------------------------------
NS="${TARGET_NAMESPACE:-}" KIND="${TARGET_KIND:-}" NAME="${TARGET_NAME:-}"
if [[ -z "${NS}" || -z "${KIND}" || -z "${NAME}" ]] && [[ "${TARGET_RESOURCE:-}" =~ ^([^/]+)/([A-Za-z]+)/([^/]+)$ ]]; then
  NS="${NS:-${BASH_REMATCH[1]}}" KIND="${KIND:-${BASH_REMATCH[2]}}" NAME="${NAME:-${BASH_REMATCH[3]}}"
fi
[[ -n "${NS}" && -n "${KIND}" && -n "${NAME}" ]] || finish 2 "invalid input: TARGET_NAMESPACE, TARGET_KIND and TARGET_NAME are required (or TARGET_RESOURCE=<namespace>/<Kind>/<name>)"
[[ "${KIND}" =~ ^(Deployment|StatefulSet|DaemonSet)$ ]] || finish 2 "invalid input: TARGET_KIND '${KIND}' is not Deployment, StatefulSet or DaemonSet"
is_name "${NS}" || finish 2 "invalid input: TARGET_NAMESPACE '${NS}' is not a namespace name"
is_name "${NAME}" || finish 2 "invalid input: TARGET_NAME '${NAME}' is not a ${KIND} name"
[[ "${READY_TIMEOUT_SECONDS}" =~ ^[0-9]{1,6}$ ]] || finish 2 "invalid input: READY_TIMEOUT_SECONDS '${READY_TIMEOUT_SECONDS}' is not a whole number of seconds"
resource="${KIND,,}.apps"
log inputs "${KIND} ${NS}/${NAME}, ${READY_TIMEOUT_SECONDS}s per replacement"

# ---- validate ---------------------------------------------------------------------------------
if [[ "${KIND}" == "DaemonSet" ]]; then desired_field='{{or .status.desiredNumberScheduled 0}}'; else desired_field='{{or .spec.replicas 1}}'; fi
fields="$(k get "${resource}" "${NAME}" -n "${NS}" --ignore-not-found \
  -o go-template="{{.metadata.uid}}|${desired_field}|{{range \$k, \$v := .spec.selector.matchLabels}}{{\$k}}={{\$v}},{{end}}|{{if .spec.selector.matchExpressions}}1{{end}}|")" \
  || finish 1 "cannot read ${KIND} ${NS}/${NAME}"
[[ -n "${fields}" ]] || finish 2 "${KIND} ${NS}/${NAME} not found"
IFS='|' read -r _ desired selector expressions _ <<<"${fields}"
selector="${selector%,}"
[[ -n "${selector}" && -z "${expressions}" ]] || finish 2 "${KIND} ${NS}/${NAME} selects its pods with matchExpressions; this workflow needs a matchLabels selector"

# Lines "<name> <uid> <ready>" of the workload's pods that are not being deleted.
live_pods() {
  k get pods -n "${NS}" -l "${selector}" \
    -o go-template='{{range .items}}{{if not .metadata.deletionTimestamp}}{{.metadata.name}} {{.metadata.uid}} {{range .status.conditions}}{{if eq .type "Ready"}}{{.status}}{{end}}{{end}}{{"\n"}}{{end}}{{end}}'
}
ready_count() { live_pods | awk '$3 == "True" { n++ } END { print n + 0 }'; }
pods="$(live_pods)" || finish 1 "cannot list the pods of ${KIND} ${NS}/${NAME}"
mapfile -t originals <<<"${pods}"
[[ -n "${pods}" ]] || finish 1 "${KIND} ${NS}/${NAME} has no pods to restart"
log validate "${#originals[@]} pods to replace (selector ${selector}), ${desired} desired, $(ready_count) Ready now"

# ---- restart, one pod at a time ---------------------------------------------------------------
replaced=0
for line in "${originals[@]}"; do
  read -r pod uid _ <<<"${line}"
  k delete pod "${pod}" -n "${NS}" --ignore-not-found --wait=false >/dev/null || finish 1 "cannot delete pod ${NS}/${pod}"
  deadline=$((SECONDS + READY_TIMEOUT_SECONDS))
  while true; do
    now="$(live_pods)" || now=""
    ready="$(awk '$3 == "True" { n++ } END { print n + 0 }' <<<"${now}")"
    if [[ "${now}" != *" ${uid} "* ]] && ((ready >= desired)); then break; fi
    ((SECONDS < deadline)) || finish 1 "after deleting pod ${pod}, only ${ready}/${desired} pods of ${KIND} ${NS}/${NAME} became Ready within ${READY_TIMEOUT_SECONDS}s; stopped, ${replaced} of ${#originals[@]} replaced"
    sleep "${POLL_SECONDS}"
  done
  replaced=$((replaced + 1))
done
log restart "replaced ${replaced} pods one at a time, each replacement Ready before the next"

# ---- verify -----------------------------------------------------------------------------------
left="$(live_pods | awk '{ print $2 }')"
for line in "${originals[@]}"; do
  read -r pod uid _ <<<"${line}"
  [[ "${left}" != *"${uid}"* ]] || finish 1 "pod ${pod} (${uid}) is still there"
done
ready="$(ready_count)"
((ready >= desired)) || finish 1 "${KIND} ${NS}/${NAME} has ${ready}/${desired} pods Ready after the restart"
log verify "${ready}/${desired} pods Ready, none of the original pods left"
finish 0 "restarted ${KIND} ${NS}/${NAME}: ${replaced} pods replaced, ${ready}/${desired} Ready"
