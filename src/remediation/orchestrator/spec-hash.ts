/**
 * The remediation target's spec hash now (the algorithm lives in src/api/v1alpha1/spec-hash.ts,
 * shared with the investigator). Captured once, right before the WorkflowExecution is created, so
 * the EffectivenessAssessment can tell whether the workflow changed the spec and whether someone
 * changed it back.
 */
import { specHash } from '../../api/v1alpha1/spec-hash.ts';
import type { TargetObjects } from './target-objects.ts';
import type { TargetRef } from './targets.ts';

/** The target's spec hash now; null when the target does not exist (or its kind cannot be addressed). */
export async function targetSpecHash(objects: TargetObjects, target: TargetRef): Promise<string | null> {
  const obj = await objects.read(target);
  return obj ? specHash((obj as { spec?: unknown }).spec) : null;
}
