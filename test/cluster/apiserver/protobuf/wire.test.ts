import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ProtobufDecodeError, WireReader, toInt32, toInt64, toUint64,
} from '../../../../src/cluster/apiserver/protobuf/wire.ts';
import { int, raw, str } from './pb-writer.ts';

const reader = (...bytes: number[]) => new WireReader(Uint8Array.from(bytes));

test('varints: one byte, multi byte and 64-bit values', () => {
  assert.deepEqual(reader(0x00).varint(), { lo: 0, hi: 0 });
  assert.deepEqual(reader(0x96, 0x01).varint(), { lo: 150, hi: 0 });
  assert.equal(toUint64(reader(0xff, 0xff, 0xff, 0xff, 0x0f).varint()), 0xffffffff);
  assert.equal(toUint64(reader(0x80, 0x80, 0x80, 0x80, 0x10).varint()), 2 ** 32);
  assert.equal(toInt64(new WireReader(int(1, 2 ** 40 + 7).subarray(1)).varint()), 2 ** 40 + 7);
});

test('negative int32 values are 10-byte sign-extended varints', () => {
  const enc = int(1, -5).subarray(1);
  assert.equal(enc.length, 10);
  const v = new WireReader(enc).varint();
  assert.equal(toInt32(v), -5);
  assert.equal(toInt64(v), -5);
  assert.equal(toInt64(new WireReader(int(1, -(2 ** 40)).subarray(1)).varint()), -(2 ** 40));
  assert.equal(toInt64(new WireReader(int(1, -1n << 32n).subarray(1)).varint()), -(2 ** 32));
  assert.equal(toInt32(new WireReader(int(1, -2147483648).subarray(1)).varint()), -2147483648);
});

test('tags, length-delimited fields and skipping', () => {
  const r = new WireReader(raw(str(1, 'ab'), int(15, 3), int(16, 4)));
  assert.deepEqual(r.tag(), { field: 1, wire: 2 });
  assert.equal(Buffer.from(r.bytes()).toString(), 'ab');
  assert.deepEqual(r.tag(), { field: 15, wire: 0 });
  r.skip(0);
  assert.deepEqual(r.tag(), { field: 16, wire: 0 });
  assert.equal(toInt32(r.varint()), 4);
  assert.equal(r.tag(), undefined);
  const fixed = reader(0x09, 1, 2, 3, 4, 5, 6, 7, 8, 0x15, 1, 2, 3, 4);
  fixed.tag(); fixed.skip(1); fixed.tag(); fixed.skip(5);
  assert.equal(fixed.done, true);
});

test('malformed input throws ProtobufDecodeError', () => {
  assert.throws(() => reader(0x80).varint(), ProtobufDecodeError);
  assert.throws(() => reader(...Array(11).fill(0xff)).varint(), /more than 10 bytes/);
  assert.throws(() => reader(0x0a, 0x05, 0x61).bytes(), ProtobufDecodeError);
  const r = reader(0x0a, 0x05, 0x61);
  r.tag();
  assert.throws(() => r.bytes(), /past the end/);
  assert.throws(() => reader(0x00).tag(), /field number 0/);
  assert.throws(() => reader(0x0b).skip(3), /wire type 3/);
  assert.throws(() => reader(1, 2, 3).fixed64(), /truncated/);
  assert.throws(() => reader(0xff, 0xff, 0xff, 0xff, 0xff, 0x01).uint32(), /too large/);
});
