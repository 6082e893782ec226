/**
 * Generic table-driven decoder: turns a protobuf-encoded Kubernetes message into the object its
 * JSON encoding would produce, using the field tables in ./tables (notation in tables/types.ts).
 */
import { tableForKind } from './kinds.ts';
import { MESSAGE_TABLES } from './tables/index.ts';
import type { MessageSpec } from './tables/types.ts';
import { ProtobufDecodeError, WIRE_BYTES, WIRE_VARINT, WireReader, base64, toInt32, toInt64, utf8 } from './wire.ts';

/** The magic prefix of a Kubernetes protobuf body: "k8s\0". */
export const K8S_PROTOBUF_MAGIC = Uint8Array.from([0x6b, 0x38, 0x73, 0x00]);

export interface DecodeOptions {
  /** Called for every field number the tables do not know (the field is skipped). */
  onUnknownField?: (message: string, field: number) => void;
}

interface FieldType {
  base: string;
  repeated: boolean;
  map: boolean;
  keep: boolean;
  scalar: boolean;
}

const SCALARS = new Set(['s', 'i', 'l', 'b', 'y']);
const BUILTIN_MESSAGES = new Set(['time', 'microtime', 'qty', 'ios', 'raw', 'strings']);
const parsedTypes = new Map<string, FieldType>();

export function parseFieldType(type: string): FieldType {
  let t = parsedTypes.get(type);
  if (t) return t;
  let base = type;
  const keep = base.endsWith('!');
  if (keep) base = base.slice(0, -1);
  const repeated = base.startsWith('[]');
  if (repeated) base = base.slice(2);
  const map = base.startsWith('map:');
  if (map) base = base.slice(4);
  t = { base, repeated, map, keep, scalar: SCALARS.has(base) };
  parsedTypes.set(type, t);
  return t;
}

/** True when `base` names something the decoder can decode (scalar, built-in or table). */
export function isKnownBase(base: string): boolean {
  return SCALARS.has(base) || BUILTIN_MESSAGES.has(base) || Object.hasOwn(MESSAGE_TABLES, base);
}

const MAX_DEPTH = 64;

class Decoder {
  constructor(private readonly options: DecodeOptions) {}

  message(name: string, bytes: Uint8Array, depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) throw new ProtobufDecodeError('protobuf message nested too deeply');
    const table: MessageSpec | undefined = MESSAGE_TABLES[name];
    if (!table) throw new ProtobufDecodeError(`no protobuf table for message ${name}`);
    // Collected wire values per field number: scalars keep the last value, repeated fields
    // and maps accumulate, and singular messages concatenate their chunks (protobuf merge).
    const scalars = new Map<number, unknown>();
    const lists = new Map<number, unknown[]>();
    const maps = new Map<number, Record<string, unknown>>();
    const chunks = new Map<number, Uint8Array[]>();
    const r = new WireReader(bytes);
    for (let tag = r.tag(); tag; tag = r.tag()) {
      const spec = table[tag.field];
      if (!spec) {
        this.options.onUnknownField?.(name, tag.field);
        r.skip(tag.wire);
        continue;
      }
      const t = parseFieldType(spec[1]);
      if (t.map) {
        const entry = this.expectBytes(r, tag.wire, name, spec[0]);
        const m = maps.get(tag.field) ?? {};
        maps.set(tag.field, m);
        const [key, value] = this.mapEntry(t.base, entry, depth);
        setOwn(m, key, value);
      } else if (t.scalar) {
        const values = this.scalar(r, tag.wire, t.base, t.repeated, name, spec[0]);
        if (t.repeated) {
          const list = lists.get(tag.field) ?? [];
          lists.set(tag.field, list);
          for (const v of values) list.push(v);
        } else scalars.set(tag.field, values[values.length - 1]);
      } else {
        const b = this.expectBytes(r, tag.wire, name, spec[0]);
        if (t.repeated) {
          const list = lists.get(tag.field) ?? [];
          lists.set(tag.field, list);
          list.push(this.value(t.base, b, depth));
        } else {
          const c = chunks.get(tag.field) ?? [];
          chunks.set(tag.field, c);
          c.push(b);
        }
      }
    }

    const out: Record<string, unknown> = {};
    for (const [num, [json, type]] of Object.entries(table)) {
      const field = Number(num);
      const t = parseFieldType(type);
      let value: unknown;
      if (t.map) {
        value = maps.get(field);
      } else if (t.repeated) {
        const list = lists.get(field);
        value = list && list.length > 0 ? list : undefined;
      } else if (t.scalar) {
        if (!scalars.has(field)) continue;
        value = scalars.get(field);
        if (!t.keep && (value === '' || value === 0 || value === false)) continue;
      } else {
        const c = chunks.get(field);
        if (!c) continue;
        value = this.value(t.base, c.length === 1 ? c[0] : Buffer.concat(c), depth);
      }
      if (value === undefined || value === null) continue;
      if (json === '') Object.assign(out, value);
      else out[json] = value;
    }
    return out;
  }

  private expectBytes(r: WireReader, wire: number, message: string, field: string): Uint8Array {
    if (wire !== WIRE_BYTES) throw new ProtobufDecodeError(`${message}.${field}: expected a length-delimited field, got wire type ${wire}`);
    return r.bytes();
  }

  /** One occurrence of a scalar field; repeated numeric fields may be packed. */
  private scalar(r: WireReader, wire: number, base: string, repeated: boolean, message: string, field: string): unknown[] {
    if (base === 's' || base === 'y') {
      const b = this.expectBytes(r, wire, message, field);
      return [base === 's' ? utf8(b) : base64(b)];
    }
    if (wire === WIRE_BYTES && repeated) {
      const packed = new WireReader(r.bytes());
      const out: unknown[] = [];
      while (!packed.done) out.push(this.number(packed, WIRE_VARINT, base, message, field));
      return out;
    }
    return [this.number(r, wire, base, message, field)];
  }

  private number(r: WireReader, wire: number, base: string, message: string, field: string): number | boolean {
    if (wire !== WIRE_VARINT) throw new ProtobufDecodeError(`${message}.${field}: expected a varint field, got wire type ${wire}`);
    const v = r.varint();
    switch (base) {
      case 'i': return toInt32(v);
      case 'l': return toInt64(v);
      default: return v.lo !== 0 || v.hi !== 0; // 'b'
    }
  }

  /** A map<string, base> entry message: key = 1, value = 2. */
  private mapEntry(base: string, entry: Uint8Array, depth: number): [string, unknown] {
    const r = new WireReader(entry);
    let key = '';
    let value: unknown;
    for (let tag = r.tag(); tag; tag = r.tag()) {
      if (tag.field === 1) {
        if (tag.wire !== WIRE_BYTES) throw new ProtobufDecodeError(`map key: expected a string, got wire type ${tag.wire}`);
        key = utf8(r.bytes());
      } else if (tag.field === 2) {
        if (SCALARS.has(base)) value = this.scalar(r, tag.wire, base, false, 'map', 'value')[0];
        else value = this.value(base, this.expectBytes(r, tag.wire, 'map', 'value'), depth);
      } else r.skip(tag.wire);
    }
    if (value === undefined) value = this.zero(base, depth);
    return [key, value];
  }

  private zero(base: string, depth: number): unknown {
    switch (base) {
      case 's': case 'y': return '';
      case 'i': case 'l': return 0;
      case 'b': return false;
      default: return this.value(base, new Uint8Array(0), depth);
    }
  }

  /** Decodes a message-typed value: a built-in wrapper type or a table. */
  private value(base: string, bytes: Uint8Array, depth: number): unknown {
    switch (base) {
      case 'time': return formatTime(bytes, false);
      case 'microtime': return formatTime(bytes, true);
      case 'qty': {
        const s = fieldsOf(bytes).get(1)?.bytes;
        return s && s.length > 0 ? utf8(s) : '0';
      }
      case 'ios': {
        const f = fieldsOf(bytes);
        const type = f.get(1)?.varint;
        if (type && toInt64(type) === 1) return f.has(3) ? stringField(f.get(3), 'IntOrString.strVal') : '';
        const iv = f.get(2)?.varint;
        return iv ? toInt32(iv) : 0;
      }
      case 'raw': return this.raw(fieldsOf(bytes).get(1)?.bytes, depth);
      case 'strings': {
        const out: string[] = [];
        const r = new WireReader(bytes);
        for (let tag = r.tag(); tag; tag = r.tag()) {
          if (tag.field === 1 && tag.wire === WIRE_BYTES) out.push(utf8(r.bytes()));
          else r.skip(tag.wire);
        }
        return out;
      }
      default: return this.message(base, bytes, depth + 1);
    }
  }

  /** runtime.RawExtension / metav1.FieldsV1 bytes: embedded JSON (or a nested protobuf object). */
  raw(bytes: Uint8Array | undefined, depth: number): unknown {
    if (!bytes || bytes.length === 0) return undefined;
    if (hasMagic(bytes)) return this.envelope(bytes, depth + 1);
    try {
      return JSON.parse(utf8(bytes));
    } catch {
      throw new ProtobufDecodeError('embedded raw object is neither JSON nor Kubernetes protobuf');
    }
  }

  /** "k8s\0" + runtime.Unknown{typeMeta{apiVersion, kind}, raw, contentEncoding, contentType}. */
  envelope(body: Uint8Array, depth: number): { apiVersion: string; kind: string; [k: string]: unknown } {
    if (!hasMagic(body)) throw new ProtobufDecodeError('body does not start with the Kubernetes protobuf magic "k8s\\0"');
    const unknown = fieldsOf(body.subarray(K8S_PROTOBUF_MAGIC.length));
    const typeMeta = fieldsOf(unknown.get(1)?.bytes ?? new Uint8Array(0));
    const apiVersion = typeMeta.has(1) ? stringField(typeMeta.get(1), 'TypeMeta.apiVersion') : '';
    const kind = typeMeta.has(2) ? stringField(typeMeta.get(2), 'TypeMeta.kind') : '';
    const encoding = unknown.has(3) ? stringField(unknown.get(3), 'Unknown.contentEncoding') : '';
    const contentType = unknown.has(4) ? stringField(unknown.get(4), 'Unknown.contentType') : '';
    const raw = unknown.get(2)?.bytes ?? new Uint8Array(0);
    if (encoding !== '') throw new ProtobufDecodeError(`unsupported protobuf content encoding "${encoding}"`);
    if (kind === '') throw new ProtobufDecodeError('protobuf envelope has no kind');
    if (contentType.includes('json')) {
      const obj = this.raw(raw, depth);
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new ProtobufDecodeError('embedded JSON is not an object');
      return { ...(obj as Record<string, unknown>), apiVersion, kind };
    }
    if (contentType !== '' && !contentType.includes('protobuf')) {
      throw new ProtobufDecodeError(`unsupported embedded content type "${contentType}"`);
    }
    const table = tableForKind(apiVersion, kind);
    if (!table) throw new ProtobufDecodeError(`no protobuf decoding for ${apiVersion ? `${apiVersion}, ` : ''}Kind=${kind}`);
    return { apiVersion, kind, ...this.message(table, raw, depth) };
  }
}

interface WireValue {
  bytes?: Uint8Array;
  varint?: { lo: number; hi: number };
}

/** A string field of a small message; a varint where the string belongs is a malformed body, not a crash. */
function stringField(v: WireValue | undefined, field: string): string {
  if (v?.bytes === undefined) throw new ProtobufDecodeError(`${field}: expected a length-delimited field`);
  return utf8(v.bytes);
}

/** The last value of each field of a small message (for the built-in wrapper types). */
function fieldsOf(bytes: Uint8Array): Map<number, WireValue> {
  const out = new Map<number, WireValue>();
  const r = new WireReader(bytes);
  for (let tag = r.tag(); tag; tag = r.tag()) {
    if (tag.wire === WIRE_BYTES) out.set(tag.field, { bytes: r.bytes() });
    else if (tag.wire === WIRE_VARINT) out.set(tag.field, { varint: r.varint() });
    else r.skip(tag.wire);
  }
  return out;
}

/** Sets a map key as an own property, even "__proto__" (which plain assignment would treat as the prototype). */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

function hasMagic(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x6b && b[1] === 0x38 && b[2] === 0x73 && b[3] === 0x00;
}

/**
 * metav1.Time / MicroTime (seconds = 1, nanos = 2). An empty message is the zero time, which
 * JSON encodes as null. Time keeps whole seconds only (as the Go decoder does); MicroTime keeps
 * microseconds.
 */
function formatTime(bytes: Uint8Array, micro: boolean): string | null {
  if (bytes.length === 0) return null;
  const f = fieldsOf(bytes);
  const seconds = f.get(1)?.varint ? toInt64(f.get(1)!.varint!) : 0;
  const nanos = f.get(2)?.varint ? toInt32(f.get(2)!.varint!) : 0;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) throw new ProtobufDecodeError('timestamp out of range');
  const base = date.toISOString().replace(/\.\d{3}Z$/, '');
  if (!micro) return `${base}Z`;
  return `${base}.${String(Math.floor(Math.max(0, nanos) / 1000)).padStart(6, '0')}Z`;
}


export function decodeEnvelope(body: Uint8Array, options: DecodeOptions = {}): { apiVersion: string; kind: string; [k: string]: unknown } {
  return new Decoder(options).envelope(body, 0);
}

/** Decodes one message of a named table (exposed for tests). */
export function decodeMessage(name: string, bytes: Uint8Array, options: DecodeOptions = {}): Record<string, unknown> {
  return new Decoder(options).message(name, bytes, 0);
}
