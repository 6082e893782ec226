/**
 * What one WorkflowExecution will run, decided before anything is created: the parameters checked
 * again against the catalog version that was chosen (workflow-schema.md §5, the same
 * `validateParameters` the investigator used), the ServiceAccount, the pinned image, the time limit
 * and the dependencies to mount. A problem here is a ConfigurationError: nothing ran, nothing changed.
 */
import type { WorkflowExecution } from '../../api/v1alpha1/index.ts';
import type { CatalogEntryView } from '../../datastorage/client/workflow-catalog-client.ts';
import { PARAMETER_NAME_RE, validateParameters } from '../../datastorage/workflows/parameters.ts';
import { parseSpecDuration } from '../signalprocessing/spec-duration.ts';
import { DEFAULT_SERVICE_ACCOUNT, lockName, pinnedImage, RESERVED_ENV, type WorkflowJobInput } from './job-spec.ts';

export const DEFAULT_EXECUTION_TIMEOUT_MS = 30 * 60_000;
const MAX_VALUE_LENGTH = 4096;
const DIGEST_RE = /@(sha256:[a-f0-9]{64})$/;

/** The parts of a catalog entry the executor uses (DataStorage's by-catalog-id answer has them all). */
export type CatalogEntryForExecution = Pick<CatalogEntryView, 'metadata' | 'execution' | 'dependencies' | 'parameters'>;

export type ExecutionPlan = { ok: true; job: WorkflowJobInput } | { ok: false; message: string };

export interface PlanOptions {
  workflowNamespace: string;
  /** The catalog version of `workflowRef.catalogId`, when DataStorage is configured and the WE names one. */
  entry?: CatalogEntryForExecution;
}

export function planExecution(we: WorkflowExecution, opts: PlanOptions): ExecutionPlan {
  const problems: string[] = [];
  const spec = we.spec;
  const entry = opts.entry;
  const weName = we.metadata?.name ?? '';
  const weNamespace = we.metadata?.namespace ?? '';
  if (entry && entry.metadata.workflowId !== spec.workflowRef.workflowId) {
    problems.push(`catalog entry ${spec.workflowRef.catalogId} is workflow ${entry.metadata.workflowId}, not ${spec.workflowRef.workflowId}`);
  }

  const timeoutText = spec.executionConfig?.timeout;
  let timeoutMs = DEFAULT_EXECUTION_TIMEOUT_MS;
  if (timeoutText) {
    try {
      timeoutMs = parseSpecDuration(timeoutText);
      if (!(timeoutMs >= 1000)) problems.push(`executionConfig.timeout ${timeoutText} is shorter than one second`);
    } catch {
      problems.push(`executionConfig.timeout "${timeoutText}" is not a duration`);
    }
  }

  const given = Object.fromEntries(Object.entries(spec.parameters ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
  let parameters: [string, string][];
  if (entry) {
    const v = validateParameters(entry.parameters, given);
    for (const e of v.errors) problems.push(`parameter ${e.parameter}: ${e.message} (${e.code})`);
    // Declared order first: the Job reads the same way as the catalog entry.
    parameters = entry.parameters.filter((p) => Object.hasOwn(v.values, p.name)).map((p) => [p.name, v.values[p.name]]);
  } else {
    // No catalog to check against: at least nothing that could pass for the executor's own variables.
    for (const [name, value] of Object.entries(given)) {
      if (!PARAMETER_NAME_RE.test(name)) problems.push(`parameter ${name}: not a valid parameter name (^[A-Z][A-Z0-9_]{0,62}$)`);
      else if (name === RESERVED_ENV.target || name.startsWith('KUBERNAUT_')) problems.push(`parameter ${name}: reserved for the executor`);
      if (value.length > MAX_VALUE_LENGTH || value.includes('\0')) problems.push(`parameter ${name}: value must be at most ${MAX_VALUE_LENGTH} characters and contain no NUL`);
    }
    parameters = Object.keys(given).sort().map((k) => [k, given[k]]);
  }

  if (problems.length) return { ok: false, message: problems.join('; ') };
  const bundle = spec.workflowRef.executionBundle;
  const digest = spec.workflowRef.executionBundleDigest ?? entry?.execution.bundleDigest ?? DIGEST_RE.exec(bundle)?.[1];
  return {
    ok: true,
    job: {
      name: lockName(spec.targetResource),
      namespace: opts.workflowNamespace,
      workflowExecution: { name: weName, namespace: weNamespace },
      remediationRequest: spec.remediationRequestRef.name,
      workflowId: spec.workflowRef.workflowId,
      targetResource: spec.targetResource,
      image: pinnedImage(bundle, digest),
      // The catalog's ServiceAccount is the one whose RBAC was written for this workflow.
      serviceAccountName: entry?.execution.serviceAccountName || spec.executionConfig?.serviceAccountName || DEFAULT_SERVICE_ACCOUNT,
      parameters,
      activeDeadlineSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)),
      dependencies: {
        secrets: (entry?.dependencies?.secrets ?? []).map((s) => s.name),
        configMaps: (entry?.dependencies?.configMaps ?? []).map((c) => c.name),
      },
    },
  };
}
