/**
 * Field sets: which fields of an object a manager owns, as a tree of path elements, and their
 * FieldsV1 wire form (`{"f:spec":{"f:replicas":{}}}`).
 *
 * Path elements are strings exactly as FieldsV1 spells them:
 *   `f:<name>`  a struct field or map key
 *   `k:<json>`  a list-map item, by its key fields (`k:{"name":"web"}`)
 *   `v:<json>`  a set item, by value (`v:"example.com/finalizer"`)
 *   `i:<n>`     a list item by index (only ever read from foreign data)
 * A node is a *member* when the manager owns that node itself; FieldsV1 writes that as an empty
 * object for leaves and as a `.` child for nodes that also have owned children.
 */
import { isObject, stableStringify } from './values.ts';

export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  /** The child node, created if absent. */
  at(pe: string): FieldSet {
    let c = this.children.get(pe);
    if (!c) this.children.set(pe, (c = new FieldSet()));
    return c;
  }

  /** The node at a path, if any. */
  find(path: readonly string[]): FieldSet | undefined {
    return path.reduce<FieldSet | undefined>((node, pe) => node?.children.get(pe), this);
  }

  has(path: readonly string[]): boolean {
    return this.find(path)?.member === true;
  }

  isEmpty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  /** Every member path, parents before children. */
  members(prefix: string[] = []): string[][] {
    const out: string[][] = this.member ? [prefix] : [];
    for (const [pe, c] of this.children) out.push(...c.members([...prefix, pe]));
    return out;
  }

  clone(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [pe, c] of this.children) out.children.set(pe, c.clone());
    return out;
  }

  union(other: FieldSet): FieldSet {
    const out = this.clone();
    out.merge(other);
    return out;
  }

  /** Adds other's members into this set (in place). */
  merge(other: FieldSet): void {
    this.member ||= other.member;
    for (const [pe, c] of other.children) this.at(pe).merge(c);
  }

  /** Members of this set that are not members of other. */
  difference(other: FieldSet | undefined): FieldSet {
    const out = new FieldSet();
    out.member = this.member && !other?.member;
    for (const [pe, c] of this.children) {
      const d = c.difference(other?.children.get(pe));
      if (!d.isEmpty()) out.children.set(pe, d);
    }
    return out;
  }

  /** This set without anything at or below any member path of `cut` (in place). */
  removeUnder(cut: FieldSet): void {
    for (const [pe, c] of cut.children) {
      const mine = this.children.get(pe);
      if (!mine) continue;
      if (c.member) this.children.delete(pe);
      else {
        mine.removeUnder(c);
        if (mine.isEmpty()) this.children.delete(pe);
      }
    }
    if (cut.member) {
      this.member = false;
      this.children.clear();
    }
  }

  /** The members of this set at or below any member path of `cut`. */
  within(cut: FieldSet): FieldSet {
    if (cut.member) return this.clone();
    const out = new FieldSet();
    for (const [pe, c] of cut.children) {
      const mine = this.children.get(pe);
      if (!mine) continue;
      const sub = mine.within(c);
      if (!sub.isEmpty()) out.children.set(pe, sub);
    }
    return out;
  }

  /** Drops nodes that own nothing (in place). */
  prune(): this {
    for (const [pe, c] of this.children) {
      c.prune();
      if (c.isEmpty()) this.children.delete(pe);
    }
    return this;
  }

  equals(other: FieldSet): boolean {
    return stableStringify(this.toFieldsV1()) === stableStringify(other.toFieldsV1());
  }

  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.member && this.children.size > 0) out['.'] = {};
    for (const pe of [...this.children.keys()].sort()) {
      const c = this.children.get(pe)!;
      if (!c.isEmpty()) out[pe] = c.toFieldsV1();
    }
    return out;
  }

  static fromFieldsV1(raw: unknown): FieldSet {
    const out = new FieldSet();
    if (!isObject(raw)) return out;
    const keys = Object.keys(raw);
    if (keys.length === 0) out.member = true;
    for (const k of keys) {
      if (k === '.') out.member = true;
      else out.at(canonicalPe(k)).merge(FieldSet.fromFieldsV1(raw[k]));
    }
    return out;
  }
}

/** Re-encodes foreign `k:`/`v:` elements so they compare equal to ours (sorted keys). */
function canonicalPe(pe: string): string {
  if (pe.startsWith('k:') || pe.startsWith('v:')) {
    try {
      return pe.slice(0, 2) + stableStringify(JSON.parse(pe.slice(2)));
    } catch {
      return pe;
    }
  }
  return pe;
}

export const fieldPe = (name: string): string => `f:${name}`;
export const keyPe = (key: Record<string, unknown>): string => `k:${stableStringify(key)}`;
export const valuePe = (value: unknown): string => `v:${stableStringify(value)}`;

/** A path as the real server prints it in conflicts: `.spec.containers[name="web"].image`. */
export function formatPath(path: readonly string[]): string {
  let out = '';
  for (const pe of path) {
    const body = pe.slice(2);
    if (pe.startsWith('f:')) out += `.${body}`;
    else if (pe.startsWith('i:')) out += `[${body}]`;
    else if (pe.startsWith('v:')) out += `[=${body}]`;
    else if (pe.startsWith('k:')) {
      let parts: string[];
      try {
        const key = JSON.parse(body) as Record<string, unknown>;
        parts = Object.keys(key).sort().map((k) => `${k}=${JSON.stringify(key[k])}`);
      } catch {
        parts = [body];
      }
      out += `[${parts.join(',')}]`;
    } else out += `.${pe}`;
  }
  return out;
}
