#!/usr/bin/env bash
# Prints what it was given, then reads pods (allowed by its Role) and secrets (not allowed).
set -u
echo "args: $*"
echo "greeting: ${GREETING:-}"
printf 'param: %s\n' "${PARAM:-}"
echo "target: ${TARGET_RESOURCE:-}"
echo "from-configmap: ${FROM_CM:-}"
echo "kubeconfig set: $([ -r "${KUBECONFIG:-/nonexistent}" ] && echo yes || echo no)"
echo "whoami: $(kubectl auth whoami -o jsonpath='{.status.userInfo.username}')"
kubectl get pods -o name
if ! kubectl get secrets; then echo "secrets: denied"; fi
echo "done"
