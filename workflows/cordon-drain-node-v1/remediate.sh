#!/usr/bin/env bash
# Runbook cordon-drain-node-v1: a node is down or failing; cordon it so nothing new lands there and
# drain it (evictions, PodDisruptionBudgets respected) so controllers recreate its pods elsewhere.
# The node stays cordoned until a human repairs or removes it.
#
# Parameters (environment only): TARGET_NODE (required; taken from TARGET_RESOURCE=Node/<name> when
# empty), DRAIN_TIMEOUT_SECONDS (300, 30-1800).
# Tuning: SKIP_WAIT_FOR_DELETE_SECONDS (30): pods whose deletion started this long ago are not
# waited for (their kubelet may be gone and never confirm it).
# Exit codes: 0 cordoned and drained; 1 drain or verification failed (the node stays cordoned);
# 2 invalid input or precondition (nothing was changed).
set -euo pipefail

DRAIN_TIMEOUT_SECONDS="${DRAIN_TIMEOUT_SECONDS:-300}"
SKIP_WAIT_FOR_DELETE_SECONDS="${SKIP_WAIT_FOR_DELETE_SECONDS:-30}"

log() { printf '%s: %s\n' "$1" "$2"; }
finish() {
  log summary "$2"
  exit "$1"
}
k() { kubectl --request-timeout=30s "$@"; }

# ---- inputs -----------------------------------------------------------------------------------
NODE="${TARGET_NODE:-}"
if [[ -z "${NODE}" && "${TARGET_RESOURCE:-}" =~ ^Node/([^/]+)$ ]]; then NODE="${BASH_REMATCH[1]}"; fi
[[ -n "${NODE}" ]] || finish 2 "invalid input: TARGET_NODE is required (or TARGET_RESOURCE=Node/<name>)"
[[ "${NODE}" =~ ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ && ${#NODE} -le 253 ]] || finish 2 "invalid input: TARGET_NODE '${NODE}' is not a node name"
if ! [[ "${DRAIN_TIMEOUT_SECONDS}" =~ ^[1-9][0-9]{1,3}$ ]] || ((DRAIN_TIMEOUT_SECONDS < 30 || DRAIN_TIMEOUT_SECONDS > 1800)); then
  finish 2 "invalid input: DRAIN_TIMEOUT_SECONDS '${DRAIN_TIMEOUT_SECONDS}' is not a whole number from 30 to 1800"
fi
[[ "${SKIP_WAIT_FOR_DELETE_SECONDS}" =~ ^[0-9]{1,5}$ ]] || finish 2 "invalid input: SKIP_WAIT_FOR_DELETE_SECONDS '${SKIP_WAIT_FOR_DELETE_SECONDS}' is not a whole number of seconds"
log inputs "node ${NODE}, drain timeout ${DRAIN_TIMEOUT_SECONDS}s"

# ---- validate ---------------------------------------------------------------------------------
ready_of='{{range .status.conditions}}{{if eq .type "Ready"}}{{.status}}{{end}}{{end}}'
state="$(k get node "${NODE}" --ignore-not-found -o go-template="{{.metadata.name}}|${ready_of}|{{if .spec.unschedulable}}cordoned{{end}}|")" \
  || finish 1 "cannot read node ${NODE}"
[[ -n "${state}" ]] || finish 2 "node ${NODE} not found"
IFS='|' read -r _ ready cordoned _ <<<"${state}"
# Somewhere else for the evicted pods to go: another Ready node that is not cordoned.
others="$(k get nodes -o go-template="{{range .items}}{{if not .spec.unschedulable}}{{.metadata.name}} ${ready_of}{{\"\\n\"}}{{end}}{{end}}" \
  | awk -v node="${NODE}" '$1 != node && $2 == "True" { print $1 }')" || finish 1 "cannot list nodes"
[[ -n "${others}" ]] || finish 2 "no other schedulable Ready node can take the pods of ${NODE}; not draining"
log validate "node ${NODE} Ready=${ready:-Unknown}${cordoned:+, already cordoned}; other schedulable nodes: $(tr '\n' ' ' <<<"${others}")"

# ---- cordon -----------------------------------------------------------------------------------
out="$(k cordon "${NODE}" 2>&1)" || finish 1 "kubectl cordon failed: ${out}"
log cordon "${out}"

# ---- drain ------------------------------------------------------------------------------------
if ! out="$(kubectl drain "${NODE}" --ignore-daemonsets --delete-emptydir-data \
  --timeout="${DRAIN_TIMEOUT_SECONDS}s" --skip-wait-for-delete-timeout="${SKIP_WAIT_FOR_DELETE_SECONDS}" 2>&1)"; then
  log drain "failed: $(tail -3 <<<"${out}" | tr '\n' ' ')"
  finish 1 "node ${NODE} is cordoned but could not be drained within ${DRAIN_TIMEOUT_SECONDS}s (see above); it stays cordoned"
fi
# kubectl drain reports each eviction as "evicting pod <namespace>/<name>" (retries repeat it).
mapfile -t evicted_pods < <(sed -n 's/^evicting pod //p' <<<"${out}" | sort -u)
evicted="${#evicted_pods[@]}"
log drain "${evicted} pods evicted${evicted_pods[*]:+: ${evicted_pods[*]}}"

# ---- verify -----------------------------------------------------------------------------------
# What may stay: DaemonSet pods (they belong to the node) and pods already being deleted.
# shellcheck disable=SC2016 # $ds is a Go template variable, not a shell one
left="$(k get pods -A --field-selector "spec.nodeName=${NODE}" \
  -o go-template='{{range .items}}{{if not .metadata.deletionTimestamp}}{{$ds := false}}{{range .metadata.ownerReferences}}{{if eq .kind "DaemonSet"}}{{$ds = true}}{{end}}{{end}}{{if not $ds}}{{.metadata.namespace}}/{{.metadata.name}} {{end}}{{end}}{{end}}')" \
  || finish 1 "cannot list the pods of node ${NODE}"
[[ -z "${left}" ]] || finish 1 "node ${NODE} is cordoned but still runs ${left}"
unschedulable="$(k get node "${NODE}" -o jsonpath='{.spec.unschedulable}')" || unschedulable=""
[[ "${unschedulable}" == "true" ]] || finish 1 "node ${NODE} is no longer cordoned: something uncordoned it"
log verify "node ${NODE} cordoned, no workload pods left on it"
finish 0 "cordoned and drained node ${NODE}: ${evicted} pods evicted; it stays cordoned until repaired"
