/** A tiny protobuf writer for hand-built test messages (test-only). */

export type Part = Uint8Array;

function varint(value: bigint): number[] {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

const cat = (parts: Part[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));
const key = (field: number, wire: number): number[] => varint(BigInt(field * 8 + wire));

/** A varint field (negative numbers are sign-extended to 64 bits, as Go encodes int32/int64). */
export const int = (field: number, n: number | bigint): Part => Uint8Array.from([...key(field, 0), ...varint(BigInt(n))]);
export const bool = (field: number, b: boolean): Part => int(field, b ? 1 : 0);
export const bytes = (field: number, b: Uint8Array): Part => Uint8Array.from([...key(field, 2), ...varint(BigInt(b.length)), ...b]);
export const str = (field: number, s: string): Part => bytes(field, new TextEncoder().encode(s));
export const msg = (field: number, ...parts: Part[]): Part => bytes(field, cat(parts));
export const double = (field: number, d: number): Part => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, d, true);
  return Uint8Array.from([...key(field, 1), ...b]);
};
/** A packed repeated varint field. */
export const packed = (field: number, ns: number[]): Part => bytes(field, Uint8Array.from(ns.flatMap((n) => varint(BigInt(n)))));
/** map<string, V> entry. */
export const entry = (field: number, k: string, value: Part): Part => msg(field, str(1, k), value);
export const raw = (...parts: Part[]): Uint8Array => cat(parts);

/** "k8s\0" + runtime.Unknown{typeMeta{apiVersion, kind}, raw, contentEncoding, contentType}. */
export function envelope(apiVersion: string, kind: string, object: Part[], extra: Part[] = []): Buffer {
  return Buffer.from(cat([
    Uint8Array.from([0x6b, 0x38, 0x73, 0x00]),
    msg(1, str(1, apiVersion), str(2, kind)),
    bytes(2, cat(object)),
    ...extra,
  ]));
}
