/**
 * Workflow bundles the embedded kubelet runs for real: a map from an image reference to a local
 * folder holding what the image would contain. A container whose image names a known bundle runs
 * as a local process (see bundle-runtime.ts); every other image stays simulated.
 *
 * A bundle folder describes itself in one of two ways:
 * - `bundle.yaml`: `{image: <ref>, entrypoint: [<file in the folder>, ...args], args?: [...],
 *   digest?: sha256:<hex>}`;
 * - otherwise the catalog entry and the Dockerfile the real image is built from: the image is
 *   `execution.bundle` of `workflow.yaml` (digest: `execution.bundleDigest` or an `@sha256:` suffix),
 *   ENTRYPOINT/CMD (exec form) give argv, and every in-image path a `COPY` put there maps back to
 *   the folder's file (`COPY remediate.sh /usr/local/bin/remediate.sh`). Simple `ENV K=V` lines
 *   become the image's environment.
 *
 * A directory given to `load` is either a bundle folder itself or holds bundle folders one level
 * down (the project's `workflows/`). Folders that describe no bundle are skipped; broken ones are
 * reported in `problems` and skipped, never fatal.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { normalizeImage } from './images.ts';

/** The project's own catalog, registered by default. */
export const PROJECT_WORKFLOWS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../workflows');

const MAX_DESCRIPTOR_BYTES = 1024 * 1024;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface WorkflowBundle {
  /** Normalized reference without digest, e.g. `docker.io/kubernaut/workflow-x:1.0.0`. */
  image: string;
  digest?: string;
  dir: string;
  /** Absolute path of the program the container runs by default, then its default arguments. */
  entrypoint: string[];
  args: string[];
  /** The image's own environment (`ENV`), which the container's env overrides. */
  env: Record<string, string>;
  /** In-image absolute path -> file in the folder, to resolve a container `command`. */
  files: Map<string, string>;
}

/** What the kubelet does with an image reference. */
export type BundleLookup = { bundle: WorkflowBundle } | { pullError: string } | undefined;

export class BundleRegistry {
  private readonly byImage = new Map<string, WorkflowBundle>();
  readonly problems: string[] = [];

  /** Registers every bundle under the given directories (later ones win on the same image). */
  static load(dirs: string[]): BundleRegistry {
    const registry = new BundleRegistry();
    for (const dir of dirs) registry.addDirectory(dir);
    return registry;
  }

  get bundles(): WorkflowBundle[] {
    return [...this.byImage.values()];
  }

  addDirectory(dir: string): void {
    const root = resolve(dir);
    if (!existsSync(root) || !statSync(root).isDirectory()) {
      this.problems.push(`${root}: not a directory`);
      return;
    }
    if (describesBundle(root)) return this.addFolder(root);
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      if (entry.isDirectory() && describesBundle(join(root, entry.name))) this.addFolder(join(root, entry.name));
    }
  }

  add(bundle: WorkflowBundle): void {
    this.byImage.set(bundle.image, bundle);
  }

  /**
   * The bundle an image reference names. A digest that does not match the bundle's own is a
   * pull error (the registry would not know that manifest); without a tag the digest alone picks.
   */
  find(image: string): BundleLookup {
    if (this.byImage.size === 0 || typeof image !== 'string') return undefined;
    const at = image.indexOf('@');
    const digest = at >= 0 ? image.slice(at + 1) : undefined;
    const named = at >= 0 ? image.slice(0, at) : image;
    const lastPart = named.slice(named.lastIndexOf('/') + 1);
    let bundle: WorkflowBundle | undefined;
    if (digest !== undefined && !lastPart.includes(':')) {
      const repo = normalizeImage(named).replace(/:latest$/, '');
      const candidates = this.bundles.filter((b) => b.image.startsWith(`${repo}:`));
      bundle = candidates.find((b) => b.digest === digest) ?? (candidates.length === 1 && !candidates[0].digest ? candidates[0] : undefined);
      if (!bundle && candidates.length === 0) return undefined;
    } else bundle = this.byImage.get(normalizeImage(named));
    if (!bundle) return digest !== undefined ? { pullError: manifestUnknown(image) } : undefined;
    if (digest !== undefined && bundle.digest && bundle.digest !== digest) return { pullError: manifestUnknown(image) };
    return { bundle };
  }

  private addFolder(dir: string): void {
    try {
      this.add(readBundle(dir));
    } catch (e) {
      this.problems.push(`${dir}: ${(e as Error).message}`);
    }
  }
}

function manifestUnknown(image: string): string {
  const ref = normalizeImage(image);
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
}

function describesBundle(dir: string): boolean {
  return existsSync(join(dir, 'bundle.yaml')) || (existsSync(join(dir, 'workflow.yaml')) && existsSync(join(dir, 'Dockerfile')));
}

function readText(file: string): string {
  if (statSync(file).size > MAX_DESCRIPTOR_BYTES) throw new Error(`${basename(file)} is larger than ${MAX_DESCRIPTOR_BYTES} bytes`);
  return readFileSync(file, 'utf8');
}

/** Reads one bundle folder; throws with a message naming what is wrong. */
export function readBundle(dir: string): WorkflowBundle {
  const manifest = join(dir, 'bundle.yaml');
  if (existsSync(manifest)) return fromManifest(dir, parseYaml(readText(manifest)));
  const workflow = parseYaml(readText(join(dir, 'workflow.yaml')));
  const ref = workflow?.execution?.bundle;
  if (typeof ref !== 'string' || !ref) throw new Error('workflow.yaml names no execution.bundle');
  const image = splitDigest(ref);
  const digest = workflow.execution.bundleDigest ?? image.digest;
  const docker = withFolderPaths(dir, parseDockerfile(readText(join(dir, 'Dockerfile'))));
  if (docker.entrypoint.length === 0) throw new Error('the Dockerfile has no ENTRYPOINT in exec form (["..."])');
  const program = resolveProgram(dir, docker.files, docker.entrypoint[0]);
  if (!program) throw new Error(`ENTRYPOINT ${docker.entrypoint[0]} is not a file COPYed from the folder`);
  return checked({ image: normalizeImage(image.name), digest, dir, entrypoint: [program, ...docker.entrypoint.slice(1)], args: docker.cmd, env: docker.env, files: docker.files });
}

function fromManifest(dir: string, doc: any): WorkflowBundle {
  if (typeof doc?.image !== 'string' || !doc.image) throw new Error('bundle.yaml: image is required');
  const entry = doc.entrypoint;
  if (!Array.isArray(entry) || entry.length === 0 || entry.some((a: unknown) => typeof a !== 'string')) throw new Error('bundle.yaml: entrypoint must be a non-empty list of strings');
  const args = doc.args ?? [];
  if (!Array.isArray(args) || args.some((a: unknown) => typeof a !== 'string')) throw new Error('bundle.yaml: args must be a list of strings');
  const image = splitDigest(doc.image);
  const file = resolve(dir, entry[0]);
  if (isAbsolute(entry[0]) || !file.startsWith(dir + '/')) throw new Error('bundle.yaml: entrypoint[0] must be a path inside the folder');
  return checked({ image: normalizeImage(image.name), digest: doc.digest ?? image.digest, dir, entrypoint: [file, ...entry.slice(1)], args, env: {}, files: new Map() });
}

function checked(b: WorkflowBundle): WorkflowBundle {
  if (b.digest !== undefined && !DIGEST.test(b.digest)) throw new Error(`digest ${JSON.stringify(b.digest)} is not sha256:<64 hex>`);
  if (!existsSync(b.entrypoint[0]) || !statSync(b.entrypoint[0]).isFile()) throw new Error(`entrypoint ${b.entrypoint[0]} does not exist`);
  return b;
}

function splitDigest(ref: string): { name: string; digest?: string } {
  const at = ref.indexOf('@');
  return at < 0 ? { name: ref } : { name: ref.slice(0, at), digest: ref.slice(at + 1) };
}

/** The folder file behind an in-image path (COPY destination, or a bare relative file name). */
export function resolveProgram(dir: string, files: Map<string, string>, path: string): string | undefined {
  const mapped = files.get(posix.normalize(path));
  if (mapped) return mapped;
  if (!path.includes('/')) return undefined;
  if (!isAbsolute(path)) {
    const local = resolve(dir, path);
    if (local.startsWith(dir + '/') && existsSync(local)) return local;
  }
  return undefined;
}

interface DockerfileFacts {
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
  files: Map<string, string>;
}

/** ENTRYPOINT/CMD (exec form), `ENV K=V` and the COPY map of the final stage of a Dockerfile. */
export function parseDockerfile(text: string): DockerfileFacts {
  const facts: DockerfileFacts = { entrypoint: [], cmd: [], env: {}, files: new Map() };
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  let workdir = '/';
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(\w+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [instruction, rest] = [m[1].toUpperCase(), m[2].trim()];
    if (instruction === 'FROM') {
      // A new stage: only the last one makes the image.
      Object.assign(facts, { entrypoint: [], cmd: [], env: {}, files: new Map() });
      workdir = '/';
    } else if (instruction === 'WORKDIR') workdir = posix.resolve(workdir, rest);
    else if (instruction === 'ENTRYPOINT' || instruction === 'CMD') {
      const argv = execForm(rest);
      if (instruction === 'ENTRYPOINT') {
        facts.entrypoint = argv;
        facts.cmd = [];
      } else facts.cmd = argv;
    } else if (instruction === 'ENV') {
      for (const kv of rest.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) facts.env[kv[1]] = kv[2].startsWith('"') ? JSON.parse(kv[2]) : kv[2];
    } else if (instruction === 'COPY' || instruction === 'ADD') {
      const words = rest.split(/\s+/).filter((w) => !w.startsWith('--'));
      if (words.length < 2) continue;
      const dest = posix.resolve(workdir, words[words.length - 1]);
      const sources = words.slice(0, -1);
      const intoDir = words[words.length - 1].endsWith('/') || sources.length > 1;
      for (const src of sources) facts.files.set(intoDir ? posix.join(dest, posix.basename(src)) : dest, src);
    }
  }
  return facts;
}

function execForm(text: string): string[] {
  try {
    const v = JSON.parse(text);
    return Array.isArray(v) && v.every((a) => typeof a === 'string') ? v : [];
  } catch {
    return []; // shell form: not supported, the bundle is reported as having no entrypoint
  }
}

/** Absolute folder paths for the COPY sources of a parsed Dockerfile. */
function withFolderPaths(dir: string, facts: DockerfileFacts): DockerfileFacts {
  const files = new Map<string, string>();
  for (const [inImage, src] of facts.files) {
    const local = resolve(dir, src);
    if (local.startsWith(dir + '/')) files.set(inImage, local);
  }
  return { ...facts, files };
}
