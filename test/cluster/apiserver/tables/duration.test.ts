import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { humanDuration, parseTimestamp, rfc3339Seconds, timestampSince } from '../../../../src/cluster/apiserver/tables/duration.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('humanDuration', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [45 * S, '45s'],
    [59 * S, '59s'],
    [90 * S, '90s'],
    [119 * S + 999, '119s'],
    [2 * M, '2m'],
    [2 * M + 3 * S, '2m3s'],
    [5 * M + 10 * S, '5m10s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M, '10m'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [3 * H + 4 * M, '3h4m'],
    [7 * H + 59 * M, '7h59m'],
    [8 * H + 30 * M, '8h'],
    [47 * H, '47h'],
    [2 * D, '2d'],
    [2 * D + 5 * H, '2d5h'],
    [7 * D + 23 * H, '7d23h'],
    [8 * D + 5 * H, '8d'],
    [120 * D, '120d'],
    [400 * D, '400d'],
    [730 * D, '2y'],
    [3 * 365 * D + 45 * D, '3y45d'],
    [10 * 365 * D, '10y'],
  ];
  for (const [ms, want] of cases) {
    it(`${ms}ms -> ${want}`, () => assert.equal(humanDuration(ms), want));
  }

  it('tolerates up to a second of clock skew and rejects more', () => {
    assert.equal(humanDuration(-500), '0s');
    assert.equal(humanDuration(-1999), '0s');
    assert.equal(humanDuration(-2 * S), '<invalid>');
  });
});

describe('timestamps', () => {
  const now = new Date('2024-06-01T12:00:00Z');

  it('ages RFC 3339 timestamps, with or without fractions and offsets', () => {
    assert.equal(timestampSince('2024-06-01T11:59:15Z', now), '45s');
    assert.equal(timestampSince('2024-06-01T11:56:59.123456Z', now), '3m');
    assert.equal(timestampSince('2024-06-01T13:55:00+02:00', now), '5m');
    assert.equal(timestampSince('2024-05-30T07:00:00Z', now), '2d5h');
  });

  it('reads absent, zero and garbage timestamps as <unknown>', () => {
    assert.equal(timestampSince(undefined, now), '<unknown>');
    assert.equal(timestampSince('', now), '<unknown>');
    assert.equal(timestampSince('0001-01-01T00:00:00Z', now), '<unknown>');
    assert.equal(timestampSince('yesterday', now), '<unknown>');
  });

  it('distinguishes zero from invalid when parsing', () => {
    assert.equal(parseTimestamp(null), null);
    assert.equal(parseTimestamp('not a time'), undefined);
    assert.equal(parseTimestamp('2024-06-01')?.getTime(), undefined);
    assert.equal(parseTimestamp('2024-06-01T00:00:00Z')?.toISOString(), '2024-06-01T00:00:00.000Z');
  });

  it('formats Created At as second-precision UTC', () => {
    assert.equal(rfc3339Seconds('2024-06-01T14:00:00.5+02:00'), '2024-06-01T12:00:00Z');
    assert.equal(rfc3339Seconds(undefined), '0001-01-01T00:00:00Z');
  });
});
