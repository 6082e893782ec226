/**
 * The node's image store as containerd would report it: normalized references, stable digests
 * (derived from the reference, so the same image always gets the same imageID) and the list of
 * images the node has pulled, for `status.images` and the "already present on machine" decision.
 */
import { createHash, randomBytes } from 'node:crypto';

/** `nginx` -> `docker.io/library/nginx:latest`, `bitnami/redis:7` -> `docker.io/bitnami/redis:7`. */
export function normalizeImage(image: string): string {
  const slash = image.indexOf('/');
  const first = slash < 0 ? '' : image.slice(0, slash);
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let ref = hasRegistry ? image : slash < 0 ? `docker.io/library/${image}` : `docker.io/${image}`;
  const lastPart = ref.slice(ref.lastIndexOf('/') + 1);
  if (!lastPart.includes(':') && !ref.includes('@')) ref += ':latest';
  return ref;
}

/** The repository part of a normalized reference (no tag, no digest). */
function repository(ref: string): string {
  const at = ref.indexOf('@');
  if (at >= 0) return ref.slice(0, at);
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':', lastSlash + 1);
  return colon >= 0 ? ref.slice(0, colon) : ref;
}

export function imageDigest(image: string): string {
  return `sha256:${createHash('sha256').update(normalizeImage(image)).digest('hex')}`;
}

/** `docker.io/library/nginx@sha256:...`, as containerStatuses[].imageID. */
export function imageId(image: string): string {
  return `${repository(normalizeImage(image))}@${imageDigest(image)}`;
}

/** A fresh `containerd://<64 hex>` container ID. */
export function newContainerId(): string {
  return `containerd://${randomBytes(32).toString('hex')}`;
}

/** containerd's answer when a reference does not resolve, as the kubelet reports it. */
export function pullErrorMessage(image: string): string {
  const ref = normalizeImage(image);
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
}

/** Images present on this node. */
export class ImageStore {
  private present = new Map<string, { names: string[]; sizeBytes: number }>();
  private listeners: Array<() => void> = [];

  has(image: string): boolean {
    return this.present.has(normalizeImage(image));
  }

  add(image: string): void {
    const ref = normalizeImage(image);
    if (this.present.has(ref)) return;
    // Simulated images have no layers; a nominal size keeps `status.images` plausible.
    this.present.set(ref, { names: [imageId(image), ref], sizeBytes: 0 });
    for (const l of this.listeners) l();
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** `status.images` of the Node. */
  nodeImages(): Array<{ names: string[]; sizeBytes: number }> {
    return [...this.present.values()].map((i) => ({ names: [...i.names], sizeBytes: i.sizeBytes }));
  }

  /** Remembers images listed in a Node status written earlier. */
  restore(images: Array<{ names?: string[] }> | undefined): void {
    for (const i of images ?? []) {
      const tagged = (i.names ?? []).find((n) => !n.includes('@'));
      if (tagged) this.present.set(tagged, { names: [...(i.names ?? [])], sizeBytes: 0 });
    }
  }
}
