/**
 * Go's fmt and strconv as the shared module prints them. Every expectation is what Go itself
 * prints: the %q cases are strconv's own quote tests, the %v cases follow strconv's rule for the
 * shortest 'g' form (exponent when the decimal exponent is < -4 or >= 6).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFloatShortest, goQuote, sprintf } from '../../src/platform/go-format.ts';

test('%v of a float64: plain digits for exponents -4..5, exponent form outside', () => {
  const cases: Array<[number, string]> = [
    [1, '1'],
    [0.5, '0.5'],
    [123456, '123456'],
    [123456.5, '123456.5'],
    [999999, '999999'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [1234567.5, '1.2345675e+06'],
    [1e21, '1e+21'],
    [-1e21, '-1e+21'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-2.5e-7, '-2.5e-07'],
    [1e100, '1e+100'],
    [0.1 + 0.2, '0.30000000000000004'],
    [0, '0'],
    [-0, '-0'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ];
  for (const [v, want] of cases) assert.equal(formatFloatShortest(v), want, String(v));
  assert.equal(sprintf('%v', [1234567]), '1.234567e+06');
});

test('%q of a string: strconv.Quote escapes, non-printables as \\x, \\u or \\U, printable Unicode kept', () => {
  const cases: Array<[string, string]> = [
    ['\x07\b\f\r\n\t\v', '"\\a\\b\\f\\r\\n\\t\\v"'],
    ['\\', '"\\\\"'],
    ['\u263a', '"☺"'],
    ['\u{10ffff}', '"\\U0010ffff"'],
    ['\x04', '"\\x04"'],
    ['\x7f', '"\\x7f"'],
    ['!\u00a0!\u2000!\u3000!', '"!\\u00a0!\\u2000!\\u3000!"'],
    ['"Fran & Freddie\'s Diner\t☺"', '"\\"Fran & Freddie\'s Diner\\t☺\\""'],
    ['\ufeff', '"\\ufeff"'],
    ['\u00ad', '"\\u00ad"'],
    ['😀 é 日本', '"😀 é 日本"'],
    ['', '""'],
  ];
  for (const [s, want] of cases) assert.equal(goQuote(s), want, JSON.stringify(s));
  // A lone surrogate cannot be in a Go string: Go's JSON decoding turns it into U+FFFD.
  assert.equal(goQuote('a\ud800b'), '"a\ufffdb"');
});

test('%+q is strconv.QuoteToASCII; %q of a non-string is a bad verb', () => {
  assert.equal(sprintf('%q', ['☺\n']), '"☺\\n"');
  assert.equal(sprintf('%+q', ['☺\n']), '"\\u263a\\n"');
  assert.equal(sprintf('%+q', ['\u{10ffff}']), '"\\U0010ffff"');
  assert.equal(sprintf('%q', [1.5]), '%!q(float64=1.5)');
});
