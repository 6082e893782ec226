#!/usr/bin/env bash
# Runbook remove-node-taint-v1: a stale NoSchedule/NoExecute taint keeps pods off the node they
# must run on; remove it. Taints Kubernetes manages itself are never touched.
#
# Parameters (environment only): TARGET_NODE (required; taken from TARGET_RESOURCE=Node/<name>
# when empty), TAINT_KEY (optional: every NoSchedule/NoExecute taint when omitted), TAINT_EFFECT
# (optional: NoSchedule, PreferNoSchedule or NoExecute).
# Exit codes: 0 removed or nothing to do; 1 removal failed; 2 invalid input.
set -euo pipefail

log() { printf '%s: %s\n' "$1" "$2"; }
finish() {
  log summary "$2"
  exit "$1"
}
k() { kubectl --request-timeout=30s "$@"; }
# Taints the node lifecycle, the kubelet or the installer own: they clear themselves on recovery.
is_system_key() { [[ "$1" == node.kubernetes.io/* || "$1" == node-role.kubernetes.io/* || "$1" == node.cloudprovider.kubernetes.io/* ]]; }

# ---- inputs -----------------------------------------------------------------------------------
NODE="${TARGET_NODE:-}"
if [[ -z "${NODE}" && "${TARGET_RESOURCE:-}" =~ ^Node/([^/]+)$ ]]; then NODE="${BASH_REMATCH[1]}"; fi
KEY="${TAINT_KEY:-}" EFFECT="${TAINT_EFFECT:-}"
[[ -n "${NODE}" ]] || finish 2 "invalid input: TARGET_NODE is required (or TARGET_RESOURCE=Node/<name>)"
[[ "${NODE}" =~ ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ && ${#NODE} -le 253 ]] || finish 2 "invalid input: TARGET_NODE '${NODE}' is not a node name"
if [[ -n "${KEY}" ]] && ! [[ "${KEY}" =~ ^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$ && ${#KEY} -le 316 ]]; then
  finish 2 "invalid input: TAINT_KEY '${KEY}' is not a taint key"
fi
if [[ -n "${EFFECT}" && ! "${EFFECT}" =~ ^(NoSchedule|PreferNoSchedule|NoExecute)$ ]]; then finish 2 "invalid input: TAINT_EFFECT '${EFFECT}' is not NoSchedule, PreferNoSchedule or NoExecute"; fi
if [[ -n "${KEY}" ]] && is_system_key "${KEY}"; then finish 2 "invalid input: ${KEY} is a taint Kubernetes manages itself; it clears when the node recovers (or cordon and drain the node)"; fi
log inputs "node ${NODE}, taint ${KEY:-<every NoSchedule/NoExecute>}${EFFECT:+:${EFFECT}}"

# ---- validate ---------------------------------------------------------------------------------
taints="$(k get node "${NODE}" --ignore-not-found -o go-template='{{.metadata.name}}{{"\n"}}{{range .spec.taints}}{{.key}} {{.effect}}{{"\n"}}{{end}}')" \
  || finish 1 "cannot read node ${NODE}"
[[ -n "${taints}" ]] || finish 2 "node ${NODE} not found"
selected=()
while read -r key effect; do
  [[ -n "${key}" ]] || continue
  if [[ -n "${KEY}" ]]; then
    [[ "${key}" == "${KEY}" ]] || continue
  else
    is_system_key "${key}" && continue
    [[ -n "${EFFECT}" || "${effect}" != "PreferNoSchedule" ]] || continue
  fi
  [[ -z "${EFFECT}" || "${effect}" == "${EFFECT}" ]] || continue
  selected+=("${key}:${effect}")
done < <(tail -n +2 <<<"${taints}")
if [[ ${#selected[@]} -eq 0 ]]; then
  log validate "no matching taint on node ${NODE}"
  finish 0 "nothing to do: node ${NODE} has no taint ${KEY:-NoSchedule/NoExecute}${EFFECT:+:${EFFECT}} to remove"
fi
log validate "taints to remove from ${NODE}: ${selected[*]}"

# ---- remove -----------------------------------------------------------------------------------
removals=()
for t in "${selected[@]}"; do removals+=("${t}-"); done
out="$(k taint node "${NODE}" "${removals[@]}" 2>&1)" || finish 1 "kubectl taint failed: ${out}"
log remove "${out}"

# ---- verify -----------------------------------------------------------------------------------
now="$(k get node "${NODE}" -o go-template='{{range .spec.taints}}{{.key}}:{{.effect}} {{end}}')" || finish 1 "cannot read node ${NODE} again"
for t in "${selected[@]}"; do
  [[ " ${now} " != *" ${t} "* ]] || finish 1 "taint ${t} is back on node ${NODE}: something else keeps setting it"
done
log verify "node ${NODE} taints now: ${now:-<none>}"
finish 0 "removed ${selected[*]} from node ${NODE}"
