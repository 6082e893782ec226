/**
 * Scripted container behaviour for the simulated kubelet. Images are never run; what a container
 * "does" comes from the pod annotation `sim.kubernaut.ai/behavior`, a YAML or JSON mapping from a
 * container name (or `"*"` for every container without its own entry) to:
 *
 * ```yaml
 * sim.kubernaut.ai/behavior: |
 *   app:
 *     logs: ["starting", "listening on :8080"]   # lines written each time the container starts
 *     exitAfterSeconds: 5      # the process exits this long after it started ...
 *     exitCode: 1              # ... with this code (default 0: reason Completed, else Error)
 *     crashLoop: true          # shorthand for exitAfterSeconds: 1, exitCode: 1
 *     oomKillAfterSeconds: 3   # killed by the OOM killer: terminated OOMKilled, exit code 137
 *     memoryUsage: 150Mi       # the memory the process grows to: above the container's memory limit the
 *                              # OOM killer ends it (after oomKillAfterSeconds, default 2), within it it runs
 *     readiness: fail          # result of the readinessProbe, when the spec defines one (default pass)
 *     liveness: fail           # result of the livenessProbe, when the spec defines one (default pass)
 *     imagePull: fail          # the image cannot be pulled (ErrImagePull / ImagePullBackOff)
 *     ignoreSigterm: true      # on deletion the container holds on for the whole grace period (exit 137)
 *   "*":
 *     logs: ["hello"]
 * ```
 *
 * Init containers without `exitAfterSeconds` complete (exit 0) as soon as they have started, so a
 * pod's init phase always ends unless scripted otherwise. A malformed annotation never breaks the
 * pod: the kubelet reports it (Warning InvalidSimulation) and runs every container with defaults.
 */
import { parse as parseYaml } from 'yaml';
import { compareQuantity, parseQuantity, type Quantity } from '../core/quantity.ts';

export const BEHAVIOR_ANNOTATION = 'sim.kubernaut.ai/behavior';

export interface ContainerBehavior {
  logs: string[];
  /** Seconds after start at which the process exits by itself (undefined: runs forever). */
  exitAfterSeconds?: number;
  exitCode: number;
  oomKillAfterSeconds?: number;
  /** Peak memory of the process: OOM-killed only when the container's memory limit is below it. */
  memoryUsage?: Quantity;
  readiness: 'pass' | 'fail';
  liveness: 'pass' | 'fail';
  imagePull: 'ok' | 'fail';
  ignoreSigterm: boolean;
}

export const DEFAULT_BEHAVIOR: ContainerBehavior = Object.freeze({
  logs: [],
  exitCode: 0,
  readiness: 'pass',
  liveness: 'pass',
  imagePull: 'ok',
  ignoreSigterm: false,
}) as ContainerBehavior;

export interface ParsedBehavior {
  /** Behaviour per container name. */
  forContainer(name: string): ContainerBehavior;
  /** Why the annotation was rejected, when it was. */
  error?: string;
}

const KNOWN_FIELDS = new Set(['logs', 'exitAfterSeconds', 'exitCode', 'crashLoop', 'oomKillAfterSeconds', 'memoryUsage', 'readiness', 'liveness', 'imagePull', 'ignoreSigterm']);

/** Parses the annotation value; never throws. */
export function parseBehavior(annotation: string | undefined): ParsedBehavior {
  const defaults: ParsedBehavior = { forContainer: () => DEFAULT_BEHAVIOR };
  if (annotation === undefined || annotation.trim() === '') return defaults;
  let doc: unknown;
  try {
    // YAML is a superset of JSON, so one parser covers both spellings.
    doc = parseYaml(annotation);
  } catch (e) {
    return { ...defaults, error: `cannot parse ${BEHAVIOR_ANNOTATION}: ${(e as Error).message.split('\n')[0]}` };
  }
  if (!isRecord(doc)) return { ...defaults, error: `${BEHAVIOR_ANNOTATION} must be a mapping from container name to behaviour` };
  const byName = new Map<string, ContainerBehavior>();
  for (const [name, raw] of Object.entries(doc)) {
    const parsed = parseOne(name, raw);
    if (typeof parsed === 'string') return { ...defaults, error: `invalid ${BEHAVIOR_ANNOTATION}: ${parsed}` };
    byName.set(name, parsed);
  }
  return { forContainer: (name) => byName.get(name) ?? byName.get('*') ?? DEFAULT_BEHAVIOR };
}

/** One container's entry, or a message saying what is wrong with it. */
function parseOne(name: string, raw: unknown): ContainerBehavior | string {
  if (raw === null) return DEFAULT_BEHAVIOR;
  if (!isRecord(raw)) return `${name}: must be a mapping`;
  for (const key of Object.keys(raw)) if (!KNOWN_FIELDS.has(key)) return `${name}: unknown field "${key}"`;
  const out: ContainerBehavior = { ...DEFAULT_BEHAVIOR, logs: [] };
  if (raw.logs !== undefined) {
    if (!Array.isArray(raw.logs)) return `${name}.logs: must be a list of strings`;
    out.logs = raw.logs.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)));
  }
  for (const key of ['exitAfterSeconds', 'oomKillAfterSeconds'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return `${name}.${key}: must be a non-negative number`;
    out[key] = v;
  }
  if (raw.memoryUsage !== undefined) {
    const q = parseQuantity(raw.memoryUsage);
    if (!q || q.nanos <= 0n) return `${name}.memoryUsage: must be a memory quantity such as 150Mi`;
    out.memoryUsage = q;
  }
  if (raw.exitCode !== undefined) {
    if (!Number.isInteger(raw.exitCode) || (raw.exitCode as number) < 0 || (raw.exitCode as number) > 255) return `${name}.exitCode: must be an integer 0-255`;
    out.exitCode = raw.exitCode as number;
  }
  if (raw.crashLoop !== undefined) {
    if (typeof raw.crashLoop !== 'boolean') return `${name}.crashLoop: must be true or false`;
    if (raw.crashLoop) {
      out.exitAfterSeconds ??= 1;
      if (raw.exitCode === undefined) out.exitCode = 1;
    }
  }
  for (const key of ['readiness', 'liveness'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (v !== 'pass' && v !== 'fail') return `${name}.${key}: must be "pass" or "fail"`;
    out[key] = v;
  }
  if (raw.imagePull !== undefined) {
    if (raw.imagePull !== 'fail' && raw.imagePull !== 'ok') return `${name}.imagePull: must be "fail"`;
    out.imagePull = raw.imagePull;
  }
  if (raw.ignoreSigterm !== undefined) {
    if (typeof raw.ignoreSigterm !== 'boolean') return `${name}.ignoreSigterm: must be true or false`;
    out.ignoreSigterm = raw.ignoreSigterm;
  }
  return out;
}

/** Seconds after which a process that outgrows its memory limit is OOM-killed, without oomKillAfterSeconds. */
const DEFAULT_OOM_AFTER_SECONDS = 2;

/**
 * When the OOM killer ends the container (seconds after its start), given its memory limit; undefined:
 * never. Without `memoryUsage` an `oomKillAfterSeconds` kills regardless of the limit; with it, only a
 * limit below the usage does, as the kernel's cgroup would (no limit: the node's memory, never here).
 */
export function oomKillAfter(b: ContainerBehavior, memoryLimit: unknown): number | undefined {
  if (!b.memoryUsage) return b.oomKillAfterSeconds;
  const limit = parseQuantity(memoryLimit);
  if (!limit || compareQuantity(limit, b.memoryUsage) >= 0) return undefined;
  return b.oomKillAfterSeconds ?? DEFAULT_OOM_AFTER_SECONDS;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
