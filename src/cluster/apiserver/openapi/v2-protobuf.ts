/**
 * Encodes the swagger 2.0 document as the protobuf message kubectl asks `/openapi/v2` for
 * (`Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`, message
 * `openapi.v2.Document` of the gnostic OpenAPI v2 schema). kubectl only ever requests this
 * encoding, and needs it for client-side validation of `kind: List` files (the server-side
 * field validation check is skipped for List) and as a patch fallback.
 *
 * Only the parts kubectl reads are encoded: swagger version, info, definitions (schemas with
 * their vendor extensions) and paths (operations, parameters, responses, extensions). Vendor
 * extension and example/default/enum values travel as YAML text; JSON is valid YAML.
 */
import type { Schema } from './schema-util.ts';

/** Minimal protobuf writer: length-delimited fields are built bottom-up into byte arrays. */
class Writer {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  private varint(value: number): void {
    const out: number[] = [];
    let v = value;
    while (v > 0x7f) {
      out.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
    this.push(Uint8Array.from(out));
  }

  private key(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  string(field: number, value: unknown): this {
    if (typeof value !== 'string' || value === '') return this;
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  strings(field: number, values: unknown): this {
    if (Array.isArray(values)) for (const v of values) if (typeof v === 'string') this.bytes(field, Buffer.from(v, 'utf8'));
    return this;
  }

  bool(field: number, value: unknown): this {
    return value === true ? this.oneofBool(field, true) : this;
  }

  /** A bool that is encoded even when false (a oneof member). */
  oneofBool(field: number, value: boolean): this {
    this.key(field, 0);
    this.varint(value ? 1 : 0);
    return this;
  }

  int64(field: number, value: unknown): this {
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) return this;
    this.key(field, 0);
    this.varint(value);
    return this;
  }

  double(field: number, value: unknown): this {
    if (typeof value !== 'number') return this;
    this.key(field, 1);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    this.push(b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.varint(value.length);
    this.push(value);
    return this;
  }

  message(field: number, build: (w: Writer) => void): this {
    const inner = new Writer();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return Buffer.concat(this.chunks, this.size);
  }
}

/** `Any { string yaml = 2; }` */
function anyValue(w: Writer, field: number, value: unknown): void {
  if (value === undefined) return;
  w.message(field, (a) => a.string(2, JSON.stringify(value)));
}

/** `repeated NamedAny vendor_extension` from the `x-` keys of an object. */
function extensions(w: Writer, field: number, obj: Schema): void {
  for (const [k, v] of Object.entries(obj)) {
    if (!k.startsWith('x-')) continue;
    w.message(field, (n) => {
      n.string(1, k);
      anyValue(n, 2, v);
    });
  }
}

function schema(w: Writer, s: Schema): void {
  w.string(1, s.$ref)
    .string(2, s.format)
    .string(3, s.title)
    .string(4, s.description);
  anyValue(w, 5, s.default);
  w.double(6, s.multipleOf)
    .double(7, s.maximum)
    .bool(8, s.exclusiveMaximum)
    .double(9, s.minimum)
    .bool(10, s.exclusiveMinimum)
    .int64(11, s.maxLength)
    .int64(12, s.minLength)
    .string(13, s.pattern)
    .int64(14, s.maxItems)
    .int64(15, s.minItems)
    .bool(16, s.uniqueItems)
    .int64(17, s.maxProperties)
    .int64(18, s.minProperties)
    .strings(19, s.required);
  if (Array.isArray(s.enum)) for (const e of s.enum) anyValue(w, 20, e);
  if (s.additionalProperties !== undefined) {
    const ap = s.additionalProperties;
    w.message(21, (a) => {
      if (typeof ap === 'boolean') a.oneofBool(2, ap);
      else a.message(1, (x) => schema(x, ap));
    });
  }
  if (s.type !== undefined) w.message(22, (t) => t.strings(1, Array.isArray(s.type) ? s.type : [s.type]));
  if (s.items !== undefined) {
    const items = Array.isArray(s.items) ? s.items : [s.items];
    w.message(23, (i) => {
      for (const item of items) i.message(1, (x) => schema(x, item));
    });
  }
  if (Array.isArray(s.allOf)) for (const sub of s.allOf) w.message(24, (x) => schema(x, sub));
  if (s.properties && typeof s.properties === 'object') {
    w.message(25, (p) => {
      for (const [name, prop] of Object.entries(s.properties as Schema)) {
        p.message(1, (n) => n.string(1, name).message(2, (x) => schema(x, prop)));
      }
    });
  }
  w.string(26, s.discriminator).bool(27, s.readOnly);
  anyValue(w, 30, s.example);
  extensions(w, 31, s);
}

/** The fields of a `ParametersItem` (its `Parameter parameter = 1`) for one swagger parameter. */
function parametersItem(w: Writer, p: Schema): void {
  w.message(1, (param) => {
    if (p.in === 'body') {
      param.message(1, (b) => {
        b.string(1, p.description).string(2, p.name).string(3, p.in).bool(4, p.required);
        if (p.schema) b.message(5, (x) => schema(x, p.schema));
      });
      return;
    }
    // NonBodyParameter: query = 3, path = 4 (header/formData are not published).
    const query = p.in !== 'path';
    param.message(2, (nb) =>
      nb.message(query ? 3 : 4, (q) => {
        q.bool(1, p.required).string(2, p.in).string(3, p.description).string(4, p.name);
        if (query) q.string(6, p.type).bool(20, p.uniqueItems);
        else q.string(5, p.type).bool(19, p.uniqueItems);
      }),
    );
  });
}

function operation(w: Writer, op: Schema): void {
  w.strings(1, op.tags).string(3, op.description).string(5, op.operationId).strings(6, op.produces).strings(7, op.consumes);
  for (const p of op.parameters ?? []) w.message(8, (pi) => parametersItem(pi, p));
  if (op.responses) {
    w.message(9, (rs) => {
      for (const [code, r] of Object.entries(op.responses as Schema)) {
        rs.message(1, (n) =>
          n.string(1, code).message(2, (rv) =>
            rv.message(1, (resp) => {
              resp.string(1, r.description);
              if (r.schema) resp.message(2, (si) => si.message(1, (x) => schema(x, r.schema)));
            }),
          ),
        );
      }
    });
  }
  w.strings(10, op.schemes);
  extensions(w, 13, op);
}

const METHOD_FIELDS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

/** The `openapi.v2.Document` protobuf encoding of a swagger 2.0 document. */
export function encodeSwaggerProtobuf(doc: Schema): Buffer {
  const w = new Writer();
  w.string(1, doc.swagger);
  if (doc.info) w.message(2, (i) => i.string(1, doc.info.title).string(2, doc.info.version).string(3, doc.info.description));
  if (doc.paths) {
    w.message(8, (ps) => {
      for (const [path, item] of Object.entries(doc.paths as Schema)) {
        ps.message(2, (n) =>
          n.string(1, path).message(2, (pi) => {
            for (const [method, field] of Object.entries(METHOD_FIELDS)) {
              if (item[method]) pi.message(field, (o) => operation(o, item[method]));
            }
            for (const p of item.parameters ?? []) pi.message(9, (x) => parametersItem(x, p));
            extensions(pi, 10, item);
          }),
        );
      }
    });
  }
  if (doc.definitions) {
    w.message(9, (d) => {
      for (const [name, s] of Object.entries(doc.definitions as Schema)) {
        d.message(1, (n) => n.string(1, name).message(2, (x) => schema(x, s)));
      }
    });
  }
  return Buffer.from(w.finish());
}
