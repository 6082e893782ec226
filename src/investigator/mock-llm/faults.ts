/**
 * Fault injection of the mock LLM (investigation.md §12): server configuration — a flag, the
 * environment or `POST /admin/faults` — never prompt content. Answer faults named `*_once` apply
 * while the conversation holds no validation feedback yet (so they need no state); the HTTP
 * faults fail the next request once and are re-armed by setting the faults again.
 */
import { z } from 'zod';

export const mockFaultsSchema = z.strictObject({
  /** First answer: a ```json block that does not parse. */
  malformed_json_once: z.boolean().optional(),
  /** First answer: a required parameter under a wrong name (unknown + missing). */
  wrong_parameter_once: z.boolean().optional(),
  /** First answer: a workflow id that is not in the catalog. */
  unknown_workflow_once: z.boolean().optional(),
  /** Every answer states a confidence below the 0.7 threshold. */
  low_confidence: z.boolean().optional(),
  /** Never answers: keeps calling tools, and answers nothing when no tool may be called. */
  no_answer: z.boolean().optional(),
  /** The next chat request fails with 500. */
  http_500_once: z.boolean().optional(),
  /** The next chat request fails with 429 (after a 500 if both are set). */
  http_429_once: z.boolean().optional(),
  /** Every chat request is answered this much later (nominal ms, through the clock). */
  delay_ms: z.number().int().min(0).max(600_000).optional(),
});
export type MockFaults = z.output<typeof mockFaultsSchema>;

export const FAULT_NAMES = Object.keys(mockFaultsSchema.shape) as Array<keyof MockFaults>;

export const FAULTS_ENV = 'KUBERNAUT_MOCK_LLM_FAULTS';

/** `malformed_json_once,delay_ms=500` → faults; throws with a message naming the bad part. */
export function parseFaultSpec(spec: string): MockFaults {
  const out: Record<string, unknown> = {};
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    if (!part) continue;
    const [name, value] = part.split('=').map((s) => s.trim());
    if (!(FAULT_NAMES as string[]).includes(name)) throw new Error(`unknown fault "${name}" (known: ${FAULT_NAMES.join(', ')})`);
    if (name === 'delay_ms') {
      if (value === undefined || !/^\d+$/.test(value)) throw new Error('delay_ms needs a whole number of milliseconds, e.g. delay_ms=500');
      out[name] = Number(value);
    } else {
      if (value !== undefined && value !== 'true' && value !== 'false') throw new Error(`fault "${name}" takes no value (or true/false)`);
      out[name] = value !== 'false';
    }
  }
  const r = mockFaultsSchema.safeParse(out);
  if (!r.success) throw new Error(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}
