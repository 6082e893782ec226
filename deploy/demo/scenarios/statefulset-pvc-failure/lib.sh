# shellcheck shell=bash disable=SC2034 # the variables are for the scripts that source this file
# Shared by the scenario scripts: find the cluster (KUBECONFIG, else the one `npx kubernaut up`
# wrote under $KUBERNAUT_HOME or ./.kubernaut) and fail clearly when none answers; find the
# scenario's RemediationRequest; reach DataStorage. Pure kubectl + bash, with node (a prerequisite
# of Kubernaut anyway) reading JSON, so the same scripts run on the embedded stack and on a real
# cluster where Kubernaut is installed.
EMBEDDED_HOME=""   # the data dir of the `kubernaut up` whose cluster the scripts use, if any
SCENARIO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${SCENARIO_DIR}/../../../.." && pwd)"
NAMESPACE="demo-statefulset"
STATEFULSET="kv-store"
SIGNAL_NAME="KubernautStatefulSetReplicasMismatch"
WORKFLOW_ID="fix-statefulset-pvc-v1"
# Where Kubernaut runs workflow Jobs (its controllers' --workflow-namespace).
WORKFLOW_NAMESPACE="${WORKFLOW_NAMESPACE:-kubernaut-workflows}"

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

# json_eval EXPR: reads one JSON document on stdin and prints the JavaScript expression EXPR
# evaluated with `o` bound to it (strings as they are, anything else as JSON, nothing for
# undefined/null). kubectl's jsonpath cannot filter and sort lists; node can.
json_eval() {
  node -e '
    const o = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const v = (0, eval)("(o) => (" + process.argv[1] + ")")(o);
    if (v !== undefined && v !== null) process.stdout.write((typeof v === "string" ? v : JSON.stringify(v)) + "\n");
  ' "$1"
}

# The newest RemediationRequest the Gateway created for the scenario's alert, or nothing.
find_rr() {
  kubectl get remediationrequests.kubernaut.ai -n "${NAMESPACE}" -o json | json_eval "
    o.items
      .filter((r) => r.spec?.signalName === '${SIGNAL_NAME}')
      .sort((a, b) => Date.parse(b.metadata.creationTimestamp) - Date.parse(a.metadata.creationTimestamp) || b.metadata.name.localeCompare(a.metadata.name))
      .map((r) => r.metadata.name)[0]"
}

# Where run.sh records the healthy state before the fault (validate.sh compares volumes with it):
# $BASELINE_FILE, else the embedded stack's data dir, else the temp dir.
baseline_file() {
  if [[ -n "${BASELINE_FILE:-}" ]]; then
    echo "${BASELINE_FILE}"
  elif [[ -n "${EMBEDDED_HOME:-}" ]]; then
    echo "${EMBEDDED_HOME}/demo-statefulset-baseline.txt"
  else
    echo "${TMPDIR:-/tmp}/kubernaut-demo-statefulset-baseline.txt"
  fi
}

# DataStorage's base URL: $DATASTORAGE_URL, else the embedded stack's; fails with what to do.
datastorage_url() {
  if [[ -n "${DATASTORAGE_URL:-}" ]]; then
    echo "${DATASTORAGE_URL%/}"
    return 0
  fi
  if [[ -n "${EMBEDDED_HOME:-}" ]] && node "${REPO_ROOT}/bin/kubernaut.js" endpoints datastorage --data-dir "${EMBEDDED_HOME}" 2>/dev/null; then
    return 0
  fi
  echo "DataStorage's URL is unknown: set DATASTORAGE_URL, e.g. after" >&2
  echo "  kubectl -n kubernaut-system port-forward svc/kubernaut-datastorage 8085:8085 &   export DATASTORAGE_URL=http://127.0.0.1:8085" >&2
  echo "(a DataStorage that checks tokens also needs DATASTORAGE_TOKEN: see the scenario's README)" >&2
  return 1
}

# The bearer token for a DataStorage that requires one: $DATASTORAGE_TOKEN, else, on the embedded
# stack, its kubeconfig user's token (what `kubernaut up --require-auth` writes), else none. A real
# cluster's credentials are never sent anywhere unasked.
datastorage_token() {
  if [[ -n "${DATASTORAGE_TOKEN:-}" ]]; then
    echo "${DATASTORAGE_TOKEN}"
  elif [[ -n "${EMBEDDED_HOME:-}" ]]; then
    kubectl config view --raw --minify -o jsonpath='{.users[0].user.token}' 2>/dev/null || true
  fi
}
