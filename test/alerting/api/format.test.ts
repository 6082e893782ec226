import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAlertValue, formatSampleValue } from '../../../src/alerting/api/index.ts';

test('query values print like Go strconv "f" -1: shortest digits, never an exponent', () => {
  const cases: [number, string][] = [
    [1, '1'],
    [0, '0'],
    [-2.5, '-2.5'],
    [0.1, '0.1'],
    [1 / 3, '0.3333333333333333'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [123456.789, '123456.789'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ];
  for (const [v, want] of cases) assert.equal(formatSampleValue(v), want, `value ${v}`);
});

test('alert values print like Go strconv "e" -1, as Prometheus /api/v1/alerts does', () => {
  const cases: [number, string][] = [
    [2, '2e+00'],
    [1.5, '1.5e+00'],
    [12345, '1.2345e+04'],
    [0.001, '1e-03'],
    [-3e100, '-3e+100'],
    [0, '0e+00'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
  ];
  for (const [v, want] of cases) assert.equal(formatAlertValue(v), want, `value ${v}`);
});
