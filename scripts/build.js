#!/usr/bin/env node
// Compiles src/ to dist/ (one .js per .ts, same tree, so paths relative to import.meta.url such
// as ../../deploy/crds still resolve), copies the non-TypeScript files src/ reads at run time
// (SQL migrations), bundles the console's page (src/console/web) for the browser, dumps a freshly
// initialised PGlite database for DataStorage to start from (src/datastorage/db/pglite-template.ts),
// and writes the build stamp last.
// Runs as `prepare` on `npm install` and `npm ci`, and before `npm test` and `npm run bench`.
// esbuild does the transpiling, the same transform tsx applies in development and tests, in
// well under a second and without the network. No type checking here: `npm run typecheck` does that.
//   node scripts/build.js            build unless dist/ is already fresh
//   node scripts/build.js --force    build anyway
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { distIsFresh, sourceFingerprint, STAMP_FILE } from '../bin/source-fingerprint.js';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'src');
const dist = join(root, 'dist');

if (!process.argv.includes('--force') && distIsFresh(src, dist)) process.exit(0);

// Taken before reading any source: a file edited during the build leaves the stamp stale.
const fingerprint = sourceFingerprint(src);
// Without a stamp, `kubernaut` started meanwhile runs the sources, not a half-written dist/.
rmSync(join(dist, STAMP_FILE), { force: true });

const files = readdirSync(src, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile())
  .map((e) => join(e.parentPath, e.name).slice(src.length + 1));
// The console's page runs in a browser: bundled below into a single script and stylesheet, its
// sources neither compiled one by one for Node nor copied.
const WEB = join('console', 'web');
const webAssets = ['app.js', 'app.css'].map((f) => join(WEB, 'assets', f));
const nodeFiles = files.filter((f) => !f.startsWith(WEB + '/'));
const sources = nodeFiles.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
const assets = nodeFiles.filter((f) => !/\.(ts|md)$/.test(f));

const { build } = await import('esbuild');
await build({
  entryPoints: sources.map((f) => join(src, f)),
  outdir: dist,
  outbase: src,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // Bundling with every import external transpiles each file alone (as tsx does) while letting
  // the plugin rewrite `./x.ts` imports, static and dynamic, to the `./x.js` written beside them.
  bundle: true,
  plugins: [
    {
      name: 'one-file-each',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) => (args.kind === 'entry-point' ? undefined : { path: args.path.replace(/\.ts$/, '.js'), external: true }));
      },
    },
  ],
});
for (const f of assets) {
  mkdirSync(dirname(join(dist, f)), { recursive: true });
  copyFileSync(join(src, f), join(dist, f));
}
// The console's page: main.tsx and everything it imports (Preact, styles.css) into assets/app.js and
// assets/app.css, minified; an IIFE, so the server's HTML shell may load it as a classic or module script.
await build({
  entryPoints: { app: join(src, WEB, 'main.tsx') },
  outdir: join(dist, WEB, 'assets'),
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2020',
  minify: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
// initdb's output for the embedded DataStorage database, made once per PGlite version (a few seconds).
const { pgliteTemplateFile, writePgliteTemplate } = await import(join(dist, 'datastorage/db/pglite-template.js'));
const template = pgliteTemplateFile();
if (!existsSync(template)) await writePgliteTemplate(template);
// Output of sources that were deleted or renamed since the last build (and older templates).
const expected = new Set([...sources.map((f) => f.replace(/\.ts$/, '.js')), ...assets, ...webAssets, basename(template)]);
for (const f of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!f.isFile() || f.name.endsWith('.tmp')) continue; // .tmp: a template another build is writing
  const rel = join(f.parentPath, f.name).slice(dist.length + 1);
  if (!expected.has(rel)) rmSync(join(dist, rel));
}
writeFileSync(join(dist, STAMP_FILE), fingerprint + '\n');
