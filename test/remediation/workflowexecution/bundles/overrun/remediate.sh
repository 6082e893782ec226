#!/usr/bin/env bash
# Waits (far past any sane time limit) before it would restart its target's pods.
set -u
echo "waiting for ${TARGET_RESOURCE:-?} to drain"
sleep 600
kubectl rollout restart "deployment/${TARGET_NAME:?}" -n "${TARGET_NAMESPACE:?}"
