#!/usr/bin/env bash
# The scenario's acceptance criteria as assertions, after run.sh (or the manual steps) ended.
#   ./validate.sh [--rr NAME]
# NAME: the RemediationRequest to judge (default: the newest in demo-statefulset for the alert
# KubernautStatefulSetReplicasMismatch).
#
# Output contract (parsed by `kubernaut demo` and the tests): one line per criterion,
#   PASS <criterion>
#   FAIL <criterion>: <what was seen>
# and the exit code is 0 if and only if every criterion passed.
#
# The audit trail is read from DataStorage: $DATASTORAGE_URL, else the embedded stack's; on a real
# cluster port-forward it first (kubectl -n kubernaut-system port-forward svc/kubernaut-datastorage
# 8085:8085) and export DATASTORAGE_URL=http://127.0.0.1:8085. $DATASTORAGE_TOKEN is sent as a bearer
# token (a ServiceAccount bound to the ClusterRole kubernaut-viewer may read the audit trail).
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RR=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rr) [[ $# -ge 2 && -n "$2" ]] || { echo "validate.sh: --rr needs a RemediationRequest name" >&2; exit 2; }; RR="$2"; shift 2 ;;
    --rr=*) RR="${1#--rr=}"; shift ;;
    -h | --help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "validate.sh: unknown argument $1 (usage: validate.sh [--rr NAME])" >&2; exit 2 ;;
  esac
done
use_cluster

FAILED=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; FAILED=$((FAILED + 1)); }
# check CRITERION ACTUAL EXPECTED: PASS when equal, else FAIL showing what was seen.
check() { if [[ "$2" == "$3" ]]; then pass "$1"; else fail "$1" "got '${2}', want '${3}'"; fi; }
# get KIND/NAME JSONPATH: one field, empty when the object or the field is missing.
get() { kubectl get "$1" -n "${NAMESPACE}" -o jsonpath="$2" 2>/dev/null || true; }

# ---- the workload -------------------------------------------------------------------------------
check "StatefulSet ${STATEFULSET} has 3 replicas and a volumeClaimTemplate data" \
  "$(get "statefulset/${STATEFULSET}" '{.spec.replicas} {.spec.volumeClaimTemplates[*].metadata.name}')" "3 data"
check "StatefulSet ${STATEFULSET} reports 3 ready replicas" "$(get "statefulset/${STATEFULSET}" '{.status.readyReplicas}')" "3"
for i in 0 1 2; do
  check "pod ${STATEFULSET}-${i} is Running and Ready" \
    "$(get "pod/${STATEFULSET}-${i}" '{.status.phase} {.status.conditions[?(@.type=="Ready")].status}')" "Running True"
  check "claim data-${STATEFULSET}-${i} is Bound" "$(get "pvc/data-${STATEFULSET}-${i}" '{.status.phase}')" "Bound"
done
# With run.sh's baseline: the workflow rebuilt the lost claim on a new volume.
BASELINE="$(baseline_file)"
old_volume="$(sed -n "s/^claim data-${STATEFULSET}-2 [A-Za-z]* volume=//p" "${BASELINE}" 2>/dev/null || true)"
if [[ -n "${old_volume}" ]]; then
  new_volume="$(get "pvc/data-${STATEFULSET}-2" '{.spec.volumeName}')"
  if [[ -n "${new_volume}" && "${new_volume}" != "${old_volume}" ]]; then
    pass "claim data-${STATEFULSET}-2 was recreated on a new volume"
  else
    fail "claim data-${STATEFULSET}-2 was recreated on a new volume" "volume '${new_volume}', before the fault '${old_volume}'"
  fi
fi

# ---- the remediation ----------------------------------------------------------------------------
[[ -n "${RR}" ]] || RR="$(find_rr || true)"
if [[ -z "${RR}" ]]; then
  fail "a RemediationRequest exists for ${SIGNAL_NAME}" "none in namespace ${NAMESPACE}"
  echo "${FAILED} criteria failed" >&2
  exit 1
fi
rr_status="$(get "remediationrequests.kubernaut.ai/${RR}" '{.status.overallPhase} {.status.outcome}')"
check "RemediationRequest ${RR} is Completed with outcome Remediated" "${rr_status}" "Completed Remediated"

aa="$(get "remediationrequests.kubernaut.ai/${RR}" '{.status.aiAnalysisRef.name}')"
aa="${aa:-ai-${RR}}"
check "AIAnalysis ${aa} Completed" "$(get "aianalyses.kubernaut.ai/${aa}" '{.status.phase}')" "Completed"
check "AIAnalysis detected stateful=true" "$(get "aianalyses.kubernaut.ai/${aa}" '{.status.postRCAContext.detectedLabels.stateful}')" "true"
root_cause="$(get "aianalyses.kubernaut.ai/${aa}" '{.status.rootCause}')"
if [[ "${root_cause}" == *"data-${STATEFULSET}-2"* && "${root_cause}" =~ PersistentVolumeClaim|PVC|[Cc]laim ]]; then
  pass "AIAnalysis diagnosed the claim failure of data-${STATEFULSET}-2"
else
  fail "AIAnalysis diagnosed the claim failure of data-${STATEFULSET}-2" "root cause '${root_cause}'"
fi
check "AIAnalysis selected ${WORKFLOW_ID}" "$(get "aianalyses.kubernaut.ai/${aa}" '{.status.selectedWorkflow.workflowId}')" "${WORKFLOW_ID}"

rar="$(get "remediationrequests.kubernaut.ai/${RR}" '{.status.remediationApprovalRequestRef.name}')"
if [[ -n "${rar}" ]]; then
  check "approval request ${rar} was Approved" "$(get "remediationapprovalrequests.kubernaut.ai/${rar}" '{.status.decision}')" "Approved"
fi

we="$(get "remediationrequests.kubernaut.ai/${RR}" '{.status.workflowExecutionRef.name}')"
we="${we:-we-${RR}}"
check "WorkflowExecution ${we} ran ${WORKFLOW_ID} and Completed" \
  "$(get "workflowexecutions.kubernaut.ai/${we}" '{.spec.workflowRef.workflowId} {.status.phase}')" "${WORKFLOW_ID} Completed"

ea="$(get "remediationrequests.kubernaut.ai/${RR}" '{.status.effectivenessAssessmentRef.name}')"
ea="${ea:-ea-${RR}}"
check "EffectivenessAssessment ${ea} Completed" "$(get "effectivenessassessments.kubernaut.ai/${ea}" '{.status.phase}')" "Completed"
check "EffectivenessAssessment found the target healthy (health score 1)" \
  "$(get "effectivenessassessments.kubernaut.ai/${ea}" '{.status.components.healthAssessed} {.status.components.healthScore}')" "true 1"
check "EffectivenessAssessment found the alert resolved (alert score 1)" \
  "$(get "effectivenessassessments.kubernaut.ai/${ea}" '{.status.components.alertAssessed} {.status.components.alertScore}')" "true 1"

# ---- the audit trail ----------------------------------------------------------------------------
# Every stage records its steps in DataStorage under the RR's name (the correlation id); the chain
# of event hashes must verify.
if ds_url="$(datastorage_url)"; then
  # shellcheck disable=SC2016 # the single-quoted program is JavaScript, with its own ${...}
  audit_lines="$(DS_URL="${ds_url}" DS_TOKEN="$(datastorage_token)" RR="${RR}" node --input-type=module -e '
    const { DS_URL: base, DS_TOKEN: token, RR: rr } = process.env;
    const headers = { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) };
    const say = (ok, what, detail) => console.log(ok ? `PASS ${what}` : `FAIL ${what}: ${detail}`);
    // Each stage and the event that proves it did its part.
    const stages = [
      ["Gateway received the alert and created the RR", /^gateway\.(signal\.received|crd\.created)$/],
      ["SignalProcessing enriched and classified the signal", /^signalprocessing\./],
      ["AIAnalysis analysed it", /^aianalysis\.analysis\.completed$/],
      ["the investigator ran its session", /^investigator\.session\.completed$/],
      ["the Orchestrator ran the lifecycle to the end", /^orchestrator\.lifecycle\.completed$/],
      ["the WorkflowExecution recorded the workflow run", /^workflow\./],
      ["the EffectivenessMonitor recorded its assessment", /^effectiveness\.assessment\.completed$/],
    ];
    try {
      const events = [];
      let cursor;
      do {
        const q = new URLSearchParams({ correlationId: rr, limit: "1000", ...(cursor ? { cursor } : {}) });
        const res = await fetch(`${base}/api/v1/audit/events?${q}`, { headers });
        if (!res.ok) throw new Error(`GET /api/v1/audit/events: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
        const page = await res.json();
        events.push(...page.events);
        cursor = page.nextCursor;
      } while (cursor);
      const types = new Set(events.map((e) => e.eventType));
      for (const [what, pattern] of stages) {
        say([...types].some((t) => pattern.test(t)), `audit trail: ${what}`, `no ${pattern.source} event among ${events.length} events for ${rr}`);
      }
      const res = await fetch(`${base}/api/v1/audit/verify-chain`, { method: "POST", headers, body: "{}" });
      const chain = res.ok ? await res.json() : { valid: false, reason: `HTTP ${res.status}` };
      say(chain.valid === true, "audit trail hash chain verifies", JSON.stringify(chain));
    } catch (e) {
      say(false, "audit trail readable from DataStorage", `${base}: ${e.cause?.message ?? e.message}`);
    }
  ' 2>&1)" || true
  echo "${audit_lines}"
  FAILED=$((FAILED + $(grep -c '^FAIL' <<<"${audit_lines}" || true)))
else
  fail "audit trail readable from DataStorage" "set DATASTORAGE_URL (see above)"
fi

if ((FAILED > 0)); then
  echo "${FAILED} criteria failed" >&2
  exit 1
fi
