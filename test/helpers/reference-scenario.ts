/**
 * What the end-to-end tests that run the reference scenario's fault injection
 * (deploy/demo/scenarios/statefulset-pvc-failure/inject-pvc-issue.sh) share.
 */

/**
 * Kubelet delays for `kubernaut up --kubelet-delays`. The fault is a race, on a real cluster too:
 * the claim deletion must land while the kubelet is still mounting the pod the StatefulSet
 * recreated at once. The script's next kubectl lands 0.15-0.3 s after the pod deletion on an idle
 * 2-core machine and up to 0.85 s beside three CPU hogs (load average 6): an 8 s mount keeps the
 * race about ten times out of reach (the default 1.5 s does not). The tests wait for states, so the
 * longer mount costs them only time: 6.5 s for each pod started.
 */
export const SCENARIO_KUBELET_DELAYS = 'mount=8s,pull=600ms,start=300ms';
