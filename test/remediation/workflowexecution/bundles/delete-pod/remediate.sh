#!/usr/bin/env bash
# Deletes the target pod so its controller recreates it.
set -euo pipefail
echo "deleting pod ${TARGET_POD:?} in ${TARGET_NAMESPACE:?}"
kubectl delete pod "${TARGET_POD}" -n "${TARGET_NAMESPACE}" --wait=false
echo "deleted"
