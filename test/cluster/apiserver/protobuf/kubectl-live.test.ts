/**
 * Drives the real kubectl (when installed) against the stub server and checks that every body
 * it sends, protobuf or JSON, decodes to exactly what `--dry-run=client -o json` prints (or the
 * case's expectation). Guards against kubectl changing its wire behaviour after the fixtures
 * were captured.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CASES } from './cases.ts';
import { KubectlStub, captureCase, kubectlAvailable } from './kubectl-harness.ts';
import { decodeBody, withoutNulls } from './normalize.ts';

const available = kubectlAvailable();
const stub = new KubectlStub();

before(async () => {
  if (available) await stub.start();
});
after(async () => {
  if (available) await stub.stop();
});

for (const c of CASES) {
  test(`live kubectl: ${c.name}`, { skip: available ? false : 'kubectl not installed' }, async () => {
    const got = await captureCase(stub, c);
    const unknown: string[] = [];
    const decoded = decodeBody(got.body, got.contentType, (m, f) => unknown.push(`${m}.${f}`));
    assert.deepEqual(unknown, []);
    assert.deepEqual(decoded, withoutNulls(got.expected));
  });
}
