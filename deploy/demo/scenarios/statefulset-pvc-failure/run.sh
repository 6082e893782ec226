#!/usr/bin/env bash
# The StatefulSet PVC failure scenario from start to finish: deploy kv-store, wait for its rollout,
# record a baseline, inject the PVC fault, follow Kubernaut's pipeline (alert -> RemediationRequest
# -> SignalProcessing -> AIAnalysis -> approval -> WorkflowExecution -> EffectivenessAssessment)
# and verify the result with validate.sh. Works against the embedded stack (`npx kubernaut up`) and,
# unchanged, against a real cluster where Kubernaut is installed (see ../kind-config-singlenode.yaml).
#
#   ./run.sh                 everything; the approval request is auto-approved (and says so)
#   ./run.sh --interactive   wait for a person to approve (or reject) the remediation
#   ./run.sh --no-validate   stop after the pipeline ends, without validate.sh
#   ./run.sh --no-inject     deploy only (and record the baseline)
#
# Environment: ROLLOUT_TIMEOUT (180) and PIPELINE_TIMEOUT (600) in seconds, POLL_INTERVAL (2),
# BASELINE_FILE (where the baseline goes), KUBECONFIG / KUBERNAUT_HOME (which cluster).
# A previous run's namespace is removed first (cleanup.sh), so the scenario can run again at once.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

INTERACTIVE=false
VALIDATE=true
INJECT=true
usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
for arg in "$@"; do
  case "${arg}" in
    --interactive) INTERACTIVE=true ;;
    --no-validate) VALIDATE=false ;;
    --no-inject) INJECT=false ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown option ${arg}" >&2; usage >&2; exit 2 ;;
  esac
done
ROLLOUT_TIMEOUT="${ROLLOUT_TIMEOUT:-180}"
PIPELINE_TIMEOUT="${PIPELINE_TIMEOUT:-600}"
POLL_INTERVAL="${POLL_INTERVAL:-2}"
for setting in ROLLOUT_TIMEOUT PIPELINE_TIMEOUT POLL_INTERVAL; do
  [[ "${!setting}" =~ ^[0-9]+$ && "${!setting}" -gt 0 ]] || { echo "run.sh: ${setting}='${!setting}' is not a whole number of seconds" >&2; exit 2; }
done

use_cluster
STARTED=${SECONDS}
elapsed() { printf '[%4ss]' "$((SECONDS - STARTED))"; }

# ---- 0. a clean start ---------------------------------------------------------------------------
# A second run must not meet the first one's pods, claims or RemediationRequests (the Gateway would
# count the new alert against the old request, and validate.sh would read the old one).
if kubectl get namespace "${NAMESPACE}" >/dev/null 2>&1; then
  echo "==> ${NAMESPACE} is left from an earlier run: removing it first (cleanup.sh)"
  "${SCENARIO_DIR}/cleanup.sh"
fi

# ---- 1. deploy ----------------------------------------------------------------------------------
echo "==> Deploying kv-store into ${NAMESPACE}"
kubectl apply -f "${SCENARIO_DIR}/manifests/namespace.yaml"
kubectl apply -f "${SCENARIO_DIR}/manifests/statefulset.yaml"
kubectl rollout status "statefulset/${STATEFULSET}" -n "${NAMESPACE}" --timeout="${ROLLOUT_TIMEOUT}s"
# The alert rule goes in once the set is Ready: with `kubernaut up --time-scale N` its `for: 3m`
# shrinks while the pods still take real seconds to start, so it would fire during the rollout.
if kubectl get crd prometheusrules.monitoring.coreos.com >/dev/null 2>&1; then
  kubectl apply -f "${SCENARIO_DIR}/manifests/prometheus-rule.yaml"
else
  echo "    (no PrometheusRule CRD in this cluster: the alert rule is not applied)"
fi

# ---- 2. baseline --------------------------------------------------------------------------------
BASELINE="$(baseline_file)"
{
  echo "# kv-store before the fault, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "readyReplicas=$(kubectl get statefulset "${STATEFULSET}" -n "${NAMESPACE}" -o jsonpath='{.status.readyReplicas}')/$(kubectl get statefulset "${STATEFULSET}" -n "${NAMESPACE}" -o jsonpath='{.spec.replicas}')"
  kubectl get pods -n "${NAMESPACE}" -l app=kv-store \
    -o jsonpath='{range .items[*]}pod {.metadata.name} {.status.phase} ready={.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}'
  kubectl get pvc -n "${NAMESPACE}" \
    -o jsonpath='{range .items[*]}claim {.metadata.name} {.status.phase} volume={.spec.volumeName}{"\n"}{end}'
} >"${BASELINE}"
echo "==> Baseline (${BASELINE}):"
sed 's/^/    /' "${BASELINE}"

if [[ "${INJECT}" == false ]]; then
  echo "==> Deployed (--no-inject). Inject the fault with ${SCENARIO_DIR}/inject-pvc-issue.sh"
  exit 0
fi

# ---- 3. inject ----------------------------------------------------------------------------------
"${SCENARIO_DIR}/inject-pvc-issue.sh"
echo
alerts_hint
echo "Follow the pipeline: npx kubernaut watch -n ${NAMESPACE}   (or: kubectl get rr,sp,aa,we,ea -n ${NAMESPACE})"
echo

# ---- 4. the pipeline ----------------------------------------------------------------------------
# One line per change: the RR's phase and each child's, as the Orchestrator and controllers write them.
pipeline_state() {
  local rr="$1"
  kubectl get "remediationrequests.kubernaut.ai/${rr}" -n "${NAMESPACE}" \
    -o jsonpath='RR {.status.overallPhase}{" "}{.status.outcome}{" "}{.status.blockReason}' 2>/dev/null || echo "RR (gone)"
  kubectl get signalprocessings.kubernaut.ai,aianalyses.kubernaut.ai,remediationapprovalrequests.kubernaut.ai,workflowexecutions.kubernaut.ai,effectivenessassessments.kubernaut.ai \
    -n "${NAMESPACE}" -l "kubernaut.ai/remediation-request=${rr}" \
    -o jsonpath='{range .items[*]}{" | "}{.kind}{" "}{.status.phase}{.status.decision}{end}' 2>/dev/null || true
}

auto_approve() {
  local rr="$1" rar="rar-$1"
  echo "$(elapsed) ==> AUTO-APPROVING ${rar}: the demo approves on your behalf (run.sh --interactive lets you decide)"
  kubectl patch "remediationapprovalrequests.kubernaut.ai/${rar}" -n "${NAMESPACE}" --subresource=status --type=merge \
    -p '{"status":{"decision":"Approved","decidedBy":"demo-run.sh (auto-approved)","decisionMessage":"auto-approved by the scenario script run.sh; run it with --interactive to decide yourself"}}'
}

show_approval_commands() {
  local rr="$1"
  echo "$(elapsed) ==> Approval needed: $(kubectl get "remediationapprovalrequests.kubernaut.ai/rar-${rr}" -n "${NAMESPACE}" \
    -o jsonpath='{.spec.recommendedWorkflow.workflowId} on {.spec.targetResource.kind}/{.spec.targetResource.name}, confidence {.spec.confidence}, expires {.spec.requiredBy}')"
  echo "    approve:  npx kubernaut approve ${rr} -n ${NAMESPACE}"
  echo "    or:       kubectl patch remediationapprovalrequest rar-${rr} -n ${NAMESPACE} --subresource=status --type=merge -p '{\"status\":{\"decision\":\"Approved\",\"decidedBy\":\"${USER:-me}\"}}'"
  echo "    reject:   npx kubernaut reject ${rr} -n ${NAMESPACE}"
  echo "    Waiting for your decision..."
}

echo "$(elapsed) ==> Waiting for ${SIGNAL_NAME} to fire (for: 3m, shorter on a time-scaled stack) and the Gateway to create a RemediationRequest"
deadline=$((SECONDS + PIPELINE_TIMEOUT))
RR=""
last_state=""
last_note=${SECONDS}
approval_handled=false
phase=""
while :; do
  if ((SECONDS > deadline)); then
    echo "$(elapsed) ==> Timed out after ${PIPELINE_TIMEOUT}s (PIPELINE_TIMEOUT) ${RR:+with ${RR} in phase ${phase:-?}}${RR:-: no RemediationRequest appeared}" >&2
    if [[ -n "${RR}" ]]; then kubectl get rr,sp,aa,rar,we,ea -n "${NAMESPACE}" >&2 || true; fi
    exit 1
  fi
  if [[ -z "${RR}" ]]; then
    RR="$(find_rr || true)"
    if [[ -z "${RR}" ]]; then
      if ((SECONDS - last_note >= 15)); then
        echo "$(elapsed)     still waiting for the alert: kv-store is $(kubectl get statefulset "${STATEFULSET}" -n "${NAMESPACE}" -o jsonpath='{.status.readyReplicas}/{.spec.replicas}') ready"
        last_note=${SECONDS}
      fi
      sleep "${POLL_INTERVAL}"
      continue
    fi
    echo "$(elapsed) ==> RemediationRequest ${RR} created by the Gateway for ${SIGNAL_NAME}"
  fi
  state="$(pipeline_state "${RR}")"
  if [[ "${state}" != "${last_state}" ]]; then
    echo "$(elapsed)     ${state}"
    last_state="${state}"
  fi
  phase="$(kubectl get "remediationrequests.kubernaut.ai/${RR}" -n "${NAMESPACE}" -o jsonpath='{.status.overallPhase}' 2>/dev/null || true)"
  case "${phase}" in
    AwaitingApproval)
      if [[ "${approval_handled}" == false ]]; then
        if [[ "${INTERACTIVE}" == true ]]; then
          show_approval_commands "${RR}"
          approval_handled=true
        elif kubectl get "remediationapprovalrequests.kubernaut.ai/rar-${RR}" -n "${NAMESPACE}" >/dev/null 2>&1; then
          auto_approve "${RR}" && approval_handled=true
        fi
      fi
      ;;
    Completed | Failed | TimedOut | Skipped | Cancelled) break ;;
  esac
  sleep "${POLL_INTERVAL}"
done

echo "$(elapsed) ==> ${RR} ended: $(kubectl get "remediationrequests.kubernaut.ai/${RR}" -n "${NAMESPACE}" \
  -o jsonpath='{.status.overallPhase} {.status.outcome}{.status.failureReason}: {.status.message}')"
kubectl get "remediationrequests.kubernaut.ai/${RR}" -n "${NAMESPACE}" -o jsonpath='    root cause: {.status.conditions[?(@.type=="Analyzed")].message}{"\n"}' || true
kubectl get statefulset,pods,pvc -n "${NAMESPACE}"

# ---- 5. verify ----------------------------------------------------------------------------------
if [[ "${VALIDATE}" == false ]]; then
  [[ "${phase}" == Completed ]]
  exit
fi
echo "==> Validating (validate.sh --rr ${RR})"
"${SCENARIO_DIR}/validate.sh" --rr "${RR}"
