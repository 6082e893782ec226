/** Template fixes found by the differential tests against real Prometheus (test/alerting/differential). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandTemplate, formatG, sprintf } from '../../../src/alerting/rules/index.ts';

const x = (t: string, value = 0) => expandTemplate(t, { labels: {}, value }, '__alert_Test');

test('parseDuration takes Prometheus durations with several units', () => {
  assert.equal(x('{{ parseDuration "1h30m" }}'), '5400');
  assert.equal(x('{{ parseDuration "1d2h3m4s5ms" }}'), '93784.005');
  assert.equal(x('{{ parseDuration "90s" }} {{ parseDuration "0" }} {{ parseDuration "250ms" }}'), '90 0 0.25');
  assert.match(x('{{ parseDuration "30m1h" }}'), /not a valid duration string: "30m1h"/);
  assert.match(x('{{ parseDuration "1.5h" }}'), /not a valid duration string/);
});

test('toTime prints like a Go time.Time, and refuses what Go cannot represent', () => {
  assert.equal(x('{{ $value | toTime }}', 1700000000), '2023-11-14 22:13:20 +0000 UTC');
  assert.equal(x('{{ $value | toTime }}', 1234.5678), '1970-01-01 00:20:34.567 +0000 UTC');
  assert.match(x('{{ $value | toTime }}', Infinity), /error calling toTime: value is NaN or Inf/);
  assert.match(x('{{ $value | toTime }}', 1e21), /error calling toTime: 1e\+21 cannot be represented as a nanoseconds timestamp since it overflows int64/);
});

test('humanizeTimestamp of a time beyond int64 nanoseconds is an error, infinities print as numbers', () => {
  assert.match(x('{{ $value | humanizeTimestamp }}', 1e100), /1e\+100 cannot be represented as a nanoseconds timestamp/);
  assert.equal(x('{{ $value | humanizeTimestamp }}', Infinity), '+Inf');
  assert.equal(x('{{ $value | humanizeTimestamp }}', 90061.5), '1970-01-02 01:01:01.5 +0000 UTC');
});

test('exact halfway values round to even like Go, not away from zero like JS', () => {
  assert.equal(sprintf('%.0f|%.0f|%.0f|%.1f|%.1f', [0.5, 1.5, 2.5, 0.25, 0.75]), '0|2|2|0.2|0.8');
  assert.equal(sprintf('%.0f|%.2f', [-0.5, 1.005]), '-0|1.00', '1.005 is below the tie in binary');
  assert.equal(sprintf('%.0e|%.1e', [2.5, 1.25]), '2e+00|1.2e+00');
  assert.equal(formatG(1234.5, 4), '1234');
  assert.equal(formatG(1.0625, 4), '1.062');
  assert.equal(formatG(0.125, 2), '0.12');
  assert.equal(x('{{ printf "%.1f" $value }}', 0.25), '0.2');
});
