import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalJson, eventHash, GENESIS_HASH } from '../../../src/datastorage/audit/hash-chain.ts';

test('canonical JSON sorts keys at every depth, keeps array order and leaves out undefined members', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: null, y: 'é' }], c: undefined } }), '{"a":{"d":[3,{"y":"é","z":null}]},"b":1}');
  assert.equal(canonicalJson({ B: 1, a: 2, _: 3 }), '{"B":1,"_":3,"a":2}');
  assert.equal(canonicalJson('x"y'), '"x\\"y"');
});

test('an event hash covers the previous hash and every stored field, in canonical form', () => {
  const e = {
    sequence: 1,
    eventId: '1b4e28ba-2fa1-41d2-883f-0016d3cca427',
    eventTimestamp: '2026-11-26T12:00:00.000Z',
    eventType: 'gateway.signal.received',
    eventCategory: 'gateway',
    eventAction: 'received',
    eventOutcome: 'success',
    correlationId: 'rr-1',
    actorType: 'service',
    actorId: 'gateway',
    resourceType: null,
    resourceName: null,
    namespace: 'demo',
    eventData: { b: 2, a: 1 },
    receivedAt: '2026-11-26T12:00:01.000Z',
  };
  const expected = createHash('sha256')
    .update(
      GENESIS_HASH +
        '{"actorId":"gateway","actorType":"service","correlationId":"rr-1","eventAction":"received","eventCategory":"gateway",' +
        '"eventData":{"a":1,"b":2},"eventId":"1b4e28ba-2fa1-41d2-883f-0016d3cca427","eventOutcome":"success",' +
        '"eventTimestamp":"2026-11-26T12:00:00.000Z","eventType":"gateway.signal.received","namespace":"demo",' +
        '"receivedAt":"2026-11-26T12:00:01.000Z","resourceName":null,"resourceType":null,"sequence":1}',
    )
    .digest('hex');
  assert.equal(eventHash(GENESIS_HASH, e), expected);
  assert.equal(GENESIS_HASH, '0'.repeat(64));
  assert.notEqual(eventHash(GENESIS_HASH, { ...e, sequence: 2 }), expected);
  assert.notEqual(eventHash('1'.repeat(64), e), expected);
  // Key order of the input does not matter; the stored hashes themselves are not hashed.
  assert.equal(eventHash(GENESIS_HASH, { ...e, eventData: { a: 1, b: 2 }, eventHash: 'x', previousEventHash: 'y' } as any), expected);
});
