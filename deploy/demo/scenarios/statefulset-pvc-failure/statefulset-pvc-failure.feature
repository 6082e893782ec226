Feature: A StatefulSet replica that lost its volume is healed by Kubernaut
  StatefulSet kv-store in namespace demo-statefulset runs 3 replicas, each with a claim from the
  volumeClaimTemplate "data". When replica kv-store-2 loses its claim and volume, the pod stays
  Pending and the set runs 2 of 3. Kubernaut must notice through the alert, find the cause, select
  the workflow fix-statefulset-pvc-v1, run it once a person approves, confirm the set is whole again,
  and keep an audit trail of every step.

  The scenarios tell one story in order; each one's Given brings the story to its starting point,
  so a scenario can also run alone.

  Background:
    Given the Kubernaut stack is running
    And kubectl reaches its cluster

  Scenario: The StatefulSet deploys healthy
    When I apply the manifests namespace.yaml and statefulset.yaml
    And I wait for "kubectl rollout status statefulset/kv-store"
    And I apply the alert rule prometheus-rule.yaml
    Then the StatefulSet kv-store has 3 replicas and a volumeClaimTemplate "data"
    And pods kv-store-0, kv-store-1 and kv-store-2 are Running and Ready
    And claims data-kv-store-0, data-kv-store-1 and data-kv-store-2 are Bound to provisioned volumes

  Scenario: Deleting the claim and its volume leaves kv-store-2 Pending
    Given kv-store runs 3 Ready replicas with the alert rule applied
    When I run inject-pvc-issue.sh
    Then pod kv-store-2 is recreated and stays Pending
    And the kubelet refuses to mount claim data-kv-store-2 because it is being deleted
    And the StatefulSet kv-store reports 2 of 3 replicas ready

  Scenario: The alert fires after its for window and becomes a RemediationRequest
    Given kv-store-2 is stuck Pending without its claim
    When the alert KubernautStatefulSetReplicasMismatch fires
    Then it fired only after being pending for its "for" window of 3m, scaled to the stack's time
    And the Gateway created a RemediationRequest for StatefulSet kv-store from it

  Scenario: The analysis finds the claim failure and selects the workflow
    Given a RemediationRequest exists for the alert
    When the AIAnalysis of the RemediationRequest completes
    Then the SignalProcessing classified the signal as production and critical
    And the AIAnalysis detected stateful=true
    And the AIAnalysis diagnosed the claim failure of data-kv-store-2
    And the AIAnalysis selected the workflow fix-statefulset-pvc-v1
    And the RemediationRequest awaits approval because the target is a production StatefulSet

  Scenario: A person approves the remediation
    Given the RemediationRequest awaits approval
    When I approve it with "kubernaut approve"
    Then the approval request records the decision Approved and who decided
    And the RemediationRequest proceeds to execute the workflow

  Scenario: The workflow recreates the claim and deletes the stuck pod
    Given the remediation was approved
    When the WorkflowExecution completes
    Then the workflow Job for fix-statefulset-pvc-v1 succeeded
    And claim data-kv-store-2 is Bound to a new volume
    And pod kv-store-2 was deleted and recreated
    And all 3 replicas of kv-store are Running and Ready

  Scenario: The EffectivenessAssessment confirms and the remediation ends Remediated
    Given the workflow has run
    When the EffectivenessAssessment completes
    Then it found kv-store healthy and the alert resolved
    And the RemediationRequest is Completed with outcome Remediated

  Scenario: The audit trail holds every step and its chain verifies
    Given the remediation has ended
    Then DataStorage holds the RemediationRequest's audit events from the gateway, signalprocessing, aianalysis, investigator, orchestrator, workflow and effectiveness
    And the audit hash chain verifies
    And validate.sh prints only PASS lines and exits 0
