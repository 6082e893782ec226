// Tells whether dist/ was built from the sources as they are now, so `kubernaut` runs the compiled
// JavaScript only when it cannot be stale (a developer editing src/ always runs what they edited).
// The fingerprint covers every file's path, size and mtime: edits, new files, deletions and renames
// all change it, even when a copied file keeps an older mtime. Walking src/ costs a few milliseconds.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The build writes this file last; it holds the fingerprint of the sources it compiled. */
export const STAMP_FILE = '.build-stamp';

export function sourceFingerprint(srcDir) {
  const hash = createHash('sha1');
  for (const name of readdirSync(srcDir, { recursive: true }).sort()) {
    const st = statSync(join(srcDir, name));
    if (st.isFile()) hash.update(`${name}\0${st.size}\0${st.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

/** True when distDir holds a finished build of srcDir as it is now (or when there are no sources to compare with). */
export function distIsFresh(srcDir, distDir) {
  let stamp;
  try {
    stamp = readFileSync(join(distDir, STAMP_FILE), 'utf8').trim();
  } catch {
    return false;
  }
  try {
    return stamp === sourceFingerprint(srcDir);
  } catch (e) {
    if (e.code === 'ENOENT') return true; // an install that ships dist/ without src/
    throw e;
  }
}
