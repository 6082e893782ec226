#!/usr/bin/env bash
# Fault injection, exactly as an SRE would type it: delete pod kv-store-2, its PVC data-kv-store-2
# and the PV behind it, each with its own kubectl. On a real cluster (and the embedded one) the
# StatefulSet controller recreates kv-store-2 at once and the scheduler binds it while the old PVC is
# still Bound; the PVC deletion then leaves the claim Terminating (pvc-protection: a scheduled pod
# uses it), the PV Terminating (pv-protection: still bound), and the kubelet refuses to mount a claim
# that is being deleted, so the new pod stays Pending (ContainerCreating) and the set reports 2/3 ready.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
use_cluster

TARGET_POD="kv-store-2"
TARGET_PVC="data-kv-store-2"

PV_NAME="$(kubectl get pvc "${TARGET_PVC}" -n "${NAMESPACE}" -o jsonpath='{.spec.volumeName}')"
echo "==> ${TARGET_PVC} is bound to PV ${PV_NAME:-<none>}"

echo "==> Deleting pod ${TARGET_POD}"
kubectl delete pod "${TARGET_POD}" -n "${NAMESPACE}" --grace-period=0 --force --wait=false
echo "==> Deleting PVC ${TARGET_PVC}"
kubectl delete pvc "${TARGET_PVC}" -n "${NAMESPACE}" --grace-period=0 --force --wait=false
if [[ -n "${PV_NAME}" ]]; then
  echo "==> Deleting PV ${PV_NAME}"
  kubectl delete pv "${PV_NAME}" --grace-period=0 --force --wait=false
fi

echo "==> Result (the pod stays Pending; the claim and volume stay Terminating):"
sleep 3
kubectl get pod "${TARGET_POD}" -n "${NAMESPACE}" -o wide || true
kubectl get pvc -n "${NAMESPACE}" || true
kubectl get statefulset kv-store -n "${NAMESPACE}" || true
