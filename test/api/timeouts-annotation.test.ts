/** The per-RR timeout overrides of the annotation kubernaut.ai/timeouts: durations in, milliseconds out, mistakes named. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANNOTATION_TIMEOUTS, parseTimeoutsAnnotation } from '../../src/api/v1alpha1/index.ts';

test('the annotation key is kubernaut.ai/timeouts', () => {
  assert.equal(ANNOTATION_TIMEOUTS, 'kubernaut.ai/timeouts');
});

test('every scope of the documented example becomes milliseconds', () => {
  const text = '{"global":"1h","processing":"5m","analyzing":"10m","executing":"30m","awaitingApproval":"15m","verifying":"30m"}';
  assert.deepEqual(parseTimeoutsAnnotation(text), {
    overrides: { global: 3_600_000, processing: 300_000, analyzing: 600_000, executing: 1_800_000, awaitingApproval: 900_000, verifying: 1_800_000 },
  });
});

test('a partial annotation overrides only what it names; compound and fractional durations work', () => {
  assert.deepEqual(parseTimeoutsAnnotation('{"analyzing":"1m30s","executing":"1.5h","global":"250ms"}'), { overrides: { analyzing: 90_000, executing: 5_400_000, global: 250 } });
});

test('no annotation, or a blank one, means no overrides', () => {
  assert.deepEqual(parseTimeoutsAnnotation(undefined), { overrides: {} });
  assert.deepEqual(parseTimeoutsAnnotation('  '), { overrides: {} });
  assert.deepEqual(parseTimeoutsAnnotation('{}'), { overrides: {} });
});

test('mistakes are errors that say what is wrong', () => {
  const error = (text: string) => {
    const result = parseTimeoutsAnnotation(text);
    assert.ok('error' in result, `${text} should be refused`);
    return result.error;
  };
  assert.match(error('global: 1h'), /not JSON/);
  assert.match(error('["1h"]'), /must be a JSON object/);
  assert.match(error('null'), /must be a JSON object/);
  assert.match(error('{"verify":"30m"}'), /unknown timeout "verify".*verifying/);
  assert.match(error('{"global":3600}'), /"global" must be a duration.*3600/);
  assert.match(error('{"global":"1 hour"}'), /"global" must be a duration/);
  assert.match(error('{"global":"1d"}'), /"global" must be a duration/);
  assert.match(error('{"global":"-5m"}'), /"global" must be a duration/);
  assert.match(error('{"analyzing":"0s"}'), /"analyzing" must be longer than zero/);
});
