#!/usr/bin/env bash
# Removes the scenario: its namespace (StatefulSet, pods, claims) and the PrometheusRule in it.
# Dynamically provisioned volumes go with their claims (reclaim policy Delete).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
use_cluster
kubectl delete namespace "${NAMESPACE}" --ignore-not-found --wait=true --timeout=120s
echo "==> ${NAMESPACE} removed"
