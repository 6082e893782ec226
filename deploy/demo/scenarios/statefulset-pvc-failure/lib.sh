# Shared by the scenario scripts: find the cluster (KUBECONFIG, else the one `npx kubernaut up`
# wrote under $KUBERNAUT_HOME or ./.kubernaut) and fail clearly when none answers.
SCENARIO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${SCENARIO_DIR}/../../../.." && pwd)"
NAMESPACE="demo-statefulset"

use_cluster() {
  if [[ -z "${KUBECONFIG:-}" ]]; then
    local home="${KUBERNAUT_HOME:-${REPO_ROOT}/.kubernaut}"
    if [[ -f "${home}/kubeconfig" ]]; then export KUBECONFIG="${home}/kubeconfig"; fi
  fi
  if ! kubectl version --request-timeout=5s >/dev/null 2>&1; then
    echo "No Kubernetes cluster answers (KUBECONFIG=${KUBECONFIG:-unset})." >&2
    echo "Start the embedded one in another terminal with: npx kubernaut up" >&2
    return 1
  fi
}
