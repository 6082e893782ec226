/**
 * Custom labels as the status stores them. Workflow catalog discovery refuses any key outside
 * `^[a-z0-9_-]+$`, and the SP CRD enforces the same rule, so keys are normalised here whatever a
 * policy returned: lower case, `.` and `/` (and anything else outside the alphabet) become `_`.
 * Keys that normalise alike are merged. Sizes stay within the CRD's limits.
 */
import type { CustomLabelsResult } from './policy-results.ts';

export const MAX_CUSTOM_LABEL_KEYS = 64;
export const MAX_CUSTOM_LABEL_VALUES = 64;
export const MAX_CUSTOM_LABEL_KEY_LENGTH = 63;
export const MAX_CUSTOM_LABEL_VALUE_LENGTH = 253;

export function normaliseCustomLabelKey(key: string): string {
  return key
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_')
    .slice(0, MAX_CUSTOM_LABEL_KEY_LENGTH);
}

export function normaliseCustomLabels(entries: CustomLabelsResult): Record<string, string[]> {
  const merged = new Map<string, string[]>();
  for (const { key, values } of entries) {
    const k = normaliseCustomLabelKey(key);
    if (!k) continue;
    const list = merged.get(k) ?? [];
    for (const v of values) {
      const value = v.slice(0, MAX_CUSTOM_LABEL_VALUE_LENGTH);
      if (!list.includes(value) && list.length < MAX_CUSTOM_LABEL_VALUES) list.push(value);
    }
    merged.set(k, list);
  }
  const keys = [...merged.keys()].sort().slice(0, MAX_CUSTOM_LABEL_KEYS);
  return Object.fromEntries(keys.map((k) => [k, merged.get(k)!]));
}
