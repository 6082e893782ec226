/**
 * The CRD manifests are the single source of truth: the committed TypeScript types must be exactly
 * what scripts/gen-crd-types.ts produces from them now (regenerate and commit when this fails).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GENERATED_DIR, crdFiles, generateCrdTypes } from '../../scripts/gen-crd-types.ts';

test('committed generated types are fresh (node --import tsx scripts/gen-crd-types.ts)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubernaut-crd-types-'));
  try {
    const files = await generateCrdTypes(dir);
    assert.equal(files.length, crdFiles().length + 1, 'one module per CRD plus kinds.ts');
    assert.deepEqual(readdirSync(GENERATED_DIR).sort(), [...files].sort(), 'generated directory holds exactly the generated modules');
    for (const file of files) {
      const fresh = readFileSync(join(dir, file), 'utf8');
      assert.ok(fresh.includes('generated — do not edit'), `${file} has the generated header`);
      assert.equal(readFileSync(join(GENERATED_DIR, file), 'utf8'), fresh, `src/api/v1alpha1/generated/${file} is stale: regenerate it`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('generation is deterministic', async () => {
  const a = mkdtempSync(join(tmpdir(), 'kubernaut-crd-types-'));
  const b = mkdtempSync(join(tmpdir(), 'kubernaut-crd-types-'));
  try {
    const files = await generateCrdTypes(a);
    await generateCrdTypes(b);
    for (const f of files) assert.equal(readFileSync(join(a, f), 'utf8'), readFileSync(join(b, f), 'utf8'), f);
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});
