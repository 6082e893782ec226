/**
 * A minimal protobuf wire-format reader: varints (up to 64 bits, as two 32-bit halves so that
 * negative int32 values, which Go encodes as 10-byte sign-extended varints, decode exactly),
 * length-delimited fields and fixed 32/64-bit fields. Groups (wire types 3 and 4) are
 * rejected: no Kubernetes message uses them.
 */
export class ProtobufDecodeError extends Error {
  override name = 'ProtobufDecodeError';
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

/** A 64-bit varint as unsigned low and high 32-bit halves. */
export interface Varint64 {
  lo: number;
  hi: number;
}

export class WireReader {
  private pos: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  private byte(): number {
    if (this.pos >= this.end) throw new ProtobufDecodeError('truncated protobuf message');
    return this.buf[this.pos++];
  }

  varint(): Varint64 {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if ((b & 0x80) === 0) return { lo: lo >>> 0, hi: hi >>> 0 };
    }
    throw new ProtobufDecodeError('malformed varint (more than 10 bytes)');
  }

  /** A varint used as a length or tag: must fit in 32 bits. */
  uint32(): number {
    const { lo, hi } = this.varint();
    if (hi !== 0) throw new ProtobufDecodeError('varint too large for a length or field tag');
    return lo;
  }

  /** The next field tag, or undefined at the end of the message. */
  tag(): { field: number; wire: number } | undefined {
    if (this.done) return undefined;
    const key = this.uint32();
    const field = key >>> 3;
    if (field === 0) throw new ProtobufDecodeError('invalid protobuf field number 0');
    return { field, wire: key & 7 };
  }

  bytes(): Uint8Array {
    const len = this.uint32();
    if (len > this.end - this.pos) throw new ProtobufDecodeError('length-delimited field runs past the end of the message');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  fixed64(): Uint8Array {
    if (this.end - this.pos < 8) throw new ProtobufDecodeError('truncated fixed64 field');
    const out = this.buf.subarray(this.pos, this.pos + 8);
    this.pos += 8;
    return out;
  }

  fixed32(): Uint8Array {
    if (this.end - this.pos < 4) throw new ProtobufDecodeError('truncated fixed32 field');
    const out = this.buf.subarray(this.pos, this.pos + 4);
    this.pos += 4;
    return out;
  }

  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT: this.varint(); return;
      case WIRE_FIXED64: this.fixed64(); return;
      case WIRE_BYTES: this.bytes(); return;
      case WIRE_FIXED32: this.fixed32(); return;
      default: throw new ProtobufDecodeError(`unsupported protobuf wire type ${wire}`);
    }
  }
}

/** int32 (and enum) fields: the low 32 bits, signed. */
export function toInt32(v: Varint64): number {
  return v.lo | 0;
}

/** int64 fields as a JS number (exact up to 2^53). */
export function toInt64(v: Varint64): number {
  if (v.hi === 0) return v.lo;
  if (v.hi === 0xffffffff && v.lo !== 0) return v.lo - 0x100000000;
  return Number(BigInt.asIntN(64, (BigInt(v.hi) << 32n) | BigInt(v.lo)));
}

/** uint32/uint64 fields as a JS number. */
export function toUint64(v: Varint64): number {
  return v.hi * 0x100000000 + v.lo;
}

export function utf8(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('utf8');
}

export function base64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');
}
