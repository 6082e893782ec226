# Shared by the scenario scripts: find the cluster (KUBECONFIG, else the one `npx kubernaut up`
# wrote under $KUBERNAUT_HOME or ./.kubernaut) and fail clearly when none answers.
EMBEDDED_HOME=""   # the data dir of the `kubernaut up` whose cluster the scripts use, if any
SCENARIO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${SCENARIO_DIR}/../../../.." && pwd)"
NAMESPACE="demo-statefulset"

use_cluster() {
  local home="${KUBERNAUT_HOME:-${REPO_ROOT}/.kubernaut}"
  if [[ -z "${KUBECONFIG:-}" && -f "${home}/kubeconfig" ]]; then export KUBECONFIG="${home}/kubeconfig"; fi
  # kubectl may connect as soon as `kubernaut up` has written the kubeconfig; the scenario also
  # needs the control plane and the alerting CRD, which come up a few seconds later.
  if [[ "${KUBECONFIG:-}" == "${home}/kubeconfig" && -f "${home}/endpoints.json" ]]; then
    EMBEDDED_HOME="${home}"
    node "${REPO_ROOT}/bin/kubernaut.js" wait --data-dir "${home}" --timeout 2m >/dev/null
  fi
  if ! kubectl version --request-timeout=5s >/dev/null 2>&1; then
    echo "No Kubernetes cluster answers (KUBECONFIG=${KUBECONFIG:-unset})." >&2
    echo "Start the embedded one in another terminal with: npx kubernaut up" >&2
    return 1
  fi
}

# Where the firing alert can be seen: the embedded stack's /alerts page (its real port: `up` moves
# off 9190 when that is taken), or a pointer to the cluster's own Prometheus.
alerts_hint() {
  local url
  if [[ -n "${EMBEDDED_HOME:-}" ]] && url="$(node "${REPO_ROOT}/bin/kubernaut.js" endpoints prometheus --data-dir "${EMBEDDED_HOME}" 2>/dev/null)"; then
    echo "Alerts: ${url}/alerts   (API: ${url}/api/v1/alerts)"
  else
    echo "Alerts: the /alerts page of the Prometheus that loads this cluster's PrometheusRules"
  fi
}
