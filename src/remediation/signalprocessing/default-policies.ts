/**
 * The shipped classification policies (CEL), reproducing the tables of crds.md §3.1. Each one can be
 * replaced by a key of the ConfigMap `kubernaut-signalprocessing-policies` (see README.md for the
 * variables and result shapes); these texts are also the fallback when an override fails for one
 * particular signal, so they must be total: defined for every input, never an error.
 */
import type { PolicyName } from './policy-definitions.ts';

/**
 * Namespace label `kubernaut.ai/environment` (lower-cased), else the namespace name
 * (production/prod, staging, development/dev), else unknown. Cluster-scoped targets: unknown.
 */
const ENVIRONMENT = `
cel.bind(ns, kubernetes.namespace,
  kubernetes.clusterScoped ? {"environment": "unknown", "source": "default"}
  : ns.labels[?"kubernaut.ai/environment"].orValue("") != ""
    ? {"environment": ns.labels["kubernaut.ai/environment"].lowerAscii(), "source": "namespace-labels"}
  : ns.name in ["production", "prod"] ? {"environment": "production", "source": "namespace-name"}
  : ns.name == "staging" ? {"environment": "staging", "source": "namespace-name"}
  : ns.name in ["development", "dev"] ? {"environment": "development", "source": "namespace-name"}
  : {"environment": "unknown", "source": "default"})
`;

/** The raw severity, case-insensitive, onto critical | high | medium | low | unknown. */
const SEVERITY = `
cel.bind(raw, signal.severity.lowerAscii(),
  raw in ["critical", "sev1", "p0", "p1", "error"] ? "critical"
  : raw in ["high", "sev2", "p2", "warning"] ? "high"
  : raw in ["medium", "sev3"] ? "medium"
  : raw in ["low", "p3"] ? "low"
  : "unknown")
`;

/** Predicted* signals are proactive and named after the problem they predict; the rest reactive. */
const SIGNAL_MODE = `
cel.bind(predicted, {
    "PredictedOOMKill": "OOMKilled",
    "PredictedCPUThrottling": "CPUThrottling",
    "PredictedDiskPressure": "DiskPressure",
    "PredictedNodeNotReady": "NodeNotReady"
  },
  signal.name in predicted
    ? {"signalMode": "proactive", "signalName": predicted[signal.name]}
    : {"signalMode": "reactive", "signalName": signal.name})
`;

/**
 * score-based: severity score (raw or normalised, the higher) + environment score (raised by the
 * namespace label tier / kubernaut.ai/tier), then >= 6 P0, 5 P1, 4 P2, 1-3 P3, 0 P3 (catch-all).
 */
const PRIORITY = `
cel.bind(severityScores, {"critical": 3, "warning": 2, "high": 2, "info": 1},
cel.bind(rawScore, severityScores[?signal.severity.lowerAscii()].orValue(0),
cel.bind(normalisedScore, severityScores[?severity].orValue(0),
cel.bind(severityScore, rawScore > normalisedScore ? rawScore : normalisedScore,
cel.bind(labels, kubernetes.namespace.labels,
cel.bind(tiers, [labels[?"tier"].orValue(""), labels[?"kubernaut.ai/tier"].orValue("")].map(t, t.lowerAscii()),
cel.bind(baseScore, {"production": 3, "staging": 2, "development": 1, "test": 1}[?environment].orValue(0),
cel.bind(environmentScore,
  "critical" in tiers ? (baseScore > 3 ? baseScore : 3)
  : "high" in tiers ? (baseScore > 2 ? baseScore : 2)
  : baseScore,
cel.bind(total, severityScore + environmentScore,
  total >= 6 ? {"priority": "P0", "policyName": "score-based"}
  : total == 5 ? {"priority": "P1", "policyName": "score-based"}
  : total == 4 ? {"priority": "P2", "policyName": "score-based"}
  : total >= 1 ? {"priority": "P3", "policyName": "score-based"}
  : {"priority": "P3", "policyName": "default-catch-all"})))))))))
`;

/**
 * Namespace labels kubernaut.ai/business-unit (else kubernaut.ai/team), service-owner, criticality,
 * sla-tier; missing criticality/SLA derived from the environment.
 */
const BUSINESS = `
cel.bind(labels, kubernetes.namespace.labels,
cel.bind(derived, {
    "production": ["high", "gold"],
    "staging": ["medium", "silver"],
    "development": ["low", "bronze"]
  }[?environment].orValue(["medium", "bronze"]),
  {
    "businessUnit": labels[?"kubernaut.ai/business-unit"].orValue(labels[?"kubernaut.ai/team"].orValue("")),
    "serviceOwner": labels[?"kubernaut.ai/service-owner"].orValue(""),
    "criticality": labels[?"kubernaut.ai/criticality"].orValue(derived[0]),
    "slaRequirement": labels[?"kubernaut.ai/sla-tier"].orValue(derived[1])
  }))
`;

/**
 * Namespace labels kubernaut.ai/label-<key>: <value> -> <key>: [<value>]; without any, the labels
 * kubernaut.ai/team (as "team"), tier, cost-center and region. Keys are normalised afterwards.
 */
const CUSTOM_LABELS = `
cel.bind(labels, kubernetes.namespace.labels,
cel.bind(prefixed, labels.filter(k, k.startsWith("kubernaut.ai/label-") && k.size() > 19),
  prefixed.size() > 0
    ? prefixed.map(k, {"key": k.substring(19), "values": [labels[k]]})
    : [["team", "kubernaut.ai/team"], ["tier", "tier"], ["cost-center", "cost-center"], ["region", "region"]]
        .filter(p, p[1] in labels)
        .map(p, {"key": p[0], "values": [labels[p[1]]]})))
`;

export const DEFAULT_POLICIES: Readonly<Record<PolicyName, string>> = {
  environment: ENVIRONMENT.trim(),
  severity: SEVERITY.trim(),
  signalMode: SIGNAL_MODE.trim(),
  priority: PRIORITY.trim(),
  business: BUSINESS.trim(),
  customLabels: CUSTOM_LABELS.trim(),
};
