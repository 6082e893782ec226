/** When `kubernaut` may run the compiled dist/ instead of the sources: only when built from them as they are. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distIsFresh, sourceFingerprint, STAMP_FILE } from '../../bin/source-fingerprint.js';

function tree(): { src: string; dist: string; stamp: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'kubernaut-fingerprint-'));
  const src = join(root, 'src');
  const dist = join(root, 'dist');
  mkdirSync(join(src, 'cli'), { recursive: true });
  mkdirSync(dist);
  writeFileSync(join(src, 'cli', 'main.ts'), 'export {};\n');
  writeFileSync(join(src, 'cli', 'up.ts'), 'export const up = 1;\n');
  return { src, dist, stamp: () => writeFileSync(join(dist, STAMP_FILE), sourceFingerprint(src) + '\n') };
}

test('a build stamped with the sources as they are is fresh; no stamp is not', () => {
  const t = tree();
  assert.equal(distIsFresh(t.src, t.dist), false);
  t.stamp();
  assert.equal(distIsFresh(t.src, t.dist), true);
});

test('an edit, even one that leaves an older mtime, makes the build stale', () => {
  const t = tree();
  t.stamp();
  writeFileSync(join(t.src, 'cli', 'up.ts'), 'export const up = 2;\n');
  assert.equal(distIsFresh(t.src, t.dist), false);
  t.stamp();
  // Same size, mtime set back a year (as a copy or an archive extraction would).
  writeFileSync(join(t.src, 'cli', 'up.ts'), 'export const up = 3;\n');
  const yearAgo = new Date(Date.now() - 365 * 86_400_000);
  utimesSync(join(t.src, 'cli', 'up.ts'), yearAgo, yearAgo);
  assert.equal(distIsFresh(t.src, t.dist), false);
});

test('a new, deleted or renamed source file makes the build stale', () => {
  for (const change of [
    (src: string) => writeFileSync(join(src, 'cli', 'wait.ts'), 'export {};\n'),
    (src: string) => rmSync(join(src, 'cli', 'up.ts')),
    (src: string) => renameSync(join(src, 'cli', 'up.ts'), join(src, 'cli', 'start.ts')),
  ]) {
    const t = tree();
    t.stamp();
    change(t.src);
    assert.equal(distIsFresh(t.src, t.dist), false);
  }
});

test('an install that ships dist/ without src/ runs dist/', () => {
  const t = tree();
  t.stamp();
  rmSync(t.src, { recursive: true });
  assert.equal(distIsFresh(t.src, t.dist), true);
});
