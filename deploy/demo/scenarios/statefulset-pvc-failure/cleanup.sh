#!/usr/bin/env bash
# Removes everything the scenario created, so run.sh starts from nothing again:
#  - the namespace, and with it the StatefulSet, its pods and claims, the PrometheusRule, and the
#    RemediationRequests with all their children (SignalProcessing, AIAnalysis, approval request,
#    WorkflowExecution, EffectivenessAssessment, notifications);
#  - the workflow Jobs Kubernaut ran for them in its workflow namespace;
#  - volumes that outlived their claims (a StorageClass with reclaimPolicy Retain leaves them Released);
#  - the baseline run.sh recorded.
# The audit trail in DataStorage is kept: it is the durable record of what happened.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
use_cluster

echo "==> Deleting namespace ${NAMESPACE} (StatefulSet, pods, claims, PrometheusRule, RemediationRequests and their children)"
kubectl delete namespace "${NAMESPACE}" --ignore-not-found --wait=true --timeout="${CLEANUP_TIMEOUT:-180}s"

if kubectl get namespace "${WORKFLOW_NAMESPACE}" >/dev/null 2>&1; then
  echo "==> Deleting the workflow Jobs run for ${NAMESPACE} in ${WORKFLOW_NAMESPACE}"
  kubectl delete jobs -n "${WORKFLOW_NAMESPACE}" -l "kubernaut.ai/source-namespace=${NAMESPACE}" \
    --ignore-not-found --cascade=background --wait=false
fi

# Released volumes still name their former claim; delete the ones that were this namespace's.
leftover_pvs="$(kubectl get pv -o json | json_eval "
  o.items.filter((pv) => pv.spec?.claimRef?.namespace === '${NAMESPACE}').map((pv) => pv.metadata.name).join(' ')")"
if [[ -n "${leftover_pvs}" ]]; then
  echo "==> Deleting volumes left by ${NAMESPACE}'s claims: ${leftover_pvs}"
  # shellcheck disable=SC2086 # one argument per volume name
  kubectl delete pv ${leftover_pvs} --ignore-not-found --wait=true --timeout=60s
fi

baseline="$(baseline_file)"
rm -f "${baseline}"
echo "==> ${NAMESPACE} removed"
