#!/usr/bin/env node
// Entry point of the `kubernaut` command. Runs the JavaScript that `npm install` compiled into dist/
// (scripts/build.js) when it was built from the sources as they are now; otherwise, e.g. while
// src/ is being edited, the TypeScript sources through tsx, so nobody ever runs stale code.
import { distIsFresh } from './source-fingerprint.js';

const root = new URL('..', import.meta.url);
if (distIsFresh(new URL('src', root).pathname, new URL('dist', root).pathname)) {
  await import('../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
