#!/usr/bin/env bash
# The StatefulSet PVC failure scenario, steps 1-2: deploy kv-store, wait until its 3 replicas are
# Ready with their volumes Bound, then inject the PVC fault. Works against the embedded cluster
# (`npx kubernaut up`) or a real one such as kind (see ../kind-config-singlenode.yaml).
#   ./run.sh            deploy and inject
#   ./run.sh --no-inject  deploy only
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
use_cluster

echo "==> Deploying kv-store into ${NAMESPACE}"
kubectl apply -f "${SCENARIO_DIR}/manifests/namespace.yaml"
kubectl apply -f "${SCENARIO_DIR}/manifests/statefulset.yaml"
kubectl rollout status statefulset/kv-store -n "${NAMESPACE}" --timeout=180s
# The alert rule goes in once the set is Ready: with `kubernaut up --time-scale N` its `for: 3m`
# shrinks while the pods still take real seconds to start, so it would fire during the rollout.
if kubectl get crd prometheusrules.monitoring.coreos.com >/dev/null 2>&1; then
  kubectl apply -f "${SCENARIO_DIR}/manifests/prometheus-rule.yaml"
else
  echo "    (no PrometheusRule CRD in this cluster: the alert rule is not applied)"
fi
kubectl get pods,pvc -n "${NAMESPACE}"

if [[ "${1:-}" != "--no-inject" ]]; then
  "${SCENARIO_DIR}/inject-pvc-issue.sh"
  echo
  # kubectl watches one resource type per command (`get pods,pvc -w` is refused on any cluster).
  echo "Watch it: kubectl get pods -n ${NAMESPACE} -w   |   kubectl get pvc -n ${NAMESPACE} -w   |   kubectl describe pod kv-store-2 -n ${NAMESPACE}"
  alerts_hint
fi
