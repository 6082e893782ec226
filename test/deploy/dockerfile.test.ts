/**
 * The root Dockerfile, checked without a Docker daemon (none here, so the image itself is unbuilt):
 * its structure (a build stage with every dependency, a runtime stage with production ones only,
 * a numeric non-root USER, ENTRYPOINT `node bin/kubernaut.js`), every COPY source exists and is not
 * excluded by .dockerignore, and the runtime stage's file layout, assembled by following its COPY
 * instructions into a temporary directory, starts components from dist/ alone (no src/, no tsx).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT, eventually, freePort } from '../helpers/kubernaut-process.ts';

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  steps: Instruction[];
}

/** FROM/COPY/RUN/USER/... per stage; line continuations joined, comments dropped. */
function parseStages(text: string): Stage[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === 'FROM') {
      const [, from, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      stages.push({ from, name, steps: [] });
    } else stages.at(-1)!.steps.push({ op: op.toUpperCase(), args });
  }
  return stages;
}

/** `COPY [--from=x] src... dest`. */
function copyOf(args: string): { from?: string; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const from = words[0].startsWith('--from=') ? words.shift()!.slice('--from='.length) : undefined;
  const dest = words.pop()!;
  return { from, sources: words, dest };
}

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const stages = parseStages(dockerfile);
const build = stages[0];
const runtime = stages.at(-1)!;
const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

test('two stages: the build compiles dist/ with every dependency, the runtime installs production ones only', () => {
  assert.equal(stages.length, 2);
  assert.equal(build.name, 'build');
  for (const s of stages) assert.match(s.from, /^node:20-/, 'Node 20, as package.json engines');
  const runs = (s: Stage) => s.steps.filter((i) => i.op === 'RUN').map((i) => i.args);
  assert.ok(runs(build).some((r) => /npm ci\b/.test(r) && !/--omit=dev/.test(r)));
  assert.ok(runs(build).some((r) => r.includes('node scripts/build.js')));
  assert.ok(runs(runtime).some((r) => /npm ci\b.*--omit=dev/.test(r)));
  assert.ok(!runs(runtime).some((r) => r.includes('scripts/build.js')), 'the runtime stage compiles nothing');
  const fromBuild = runtime.steps.filter((i) => i.op === 'COPY').map((i) => copyOf(i.args)).filter((c) => c.from);
  assert.deepEqual(fromBuild.map((c) => [c.from, c.sources]), [['build', ['/app/dist']]]);
});

test('the runtime runs as a numeric non-root user and picks the component by argument', () => {
  const user = runtime.steps.filter((i) => i.op === 'USER').at(-1)?.args ?? '';
  assert.match(user, /^\d+(:\d+)?$/, 'numeric, so runAsNonRoot can verify it');
  assert.notEqual(Number(user.split(':')[0]), 0);
  const entrypoint = JSON.parse(runtime.steps.find((i) => i.op === 'ENTRYPOINT')!.args);
  assert.deepEqual(entrypoint, ['node', 'bin/kubernaut.js']);
  assert.deepEqual(JSON.parse(runtime.steps.find((i) => i.op === 'CMD')!.args), ['--help']);
});

test('every COPY source exists in the repository and is not excluded by .dockerignore', () => {
  for (const stage of stages) {
    for (const c of stage.steps.filter((i) => i.op === 'COPY').map((i) => copyOf(i.args))) {
      if (c.from) continue;
      for (const src of c.sources) {
        assert.ok(existsSync(join(ROOT, src)), `${src} exists`);
        assert.ok(!ignored.some((p) => src === p || src.startsWith(`${p}/`)), `${src} is not in .dockerignore`);
      }
    }
  }
  // What the code reads at run time relative to dist/: package.json (version), the CRDs, the shipped workflows.
  const runtimeSources = runtime.steps.filter((i) => i.op === 'COPY').flatMap((i) => copyOf(i.args).sources);
  for (const needed of ['package.json', 'deploy/crds', 'workflows', 'bin']) assert.ok(runtimeSources.includes(needed), needed);
  assert.ok(!runtimeSources.includes('src'), 'no sources in the image');
});

test('nothing a component runs shells out to kubectl, so the image needs none', () => {
  const r = spawnSync('grep', ['-rlE', String.raw`(spawn|execFile|exec|execSync|spawnSync)\([^)]*kubectl`, join(ROOT, 'src')], { encoding: 'utf8' });
  const callers = r.stdout.trim().split('\n').filter(Boolean).map((f) => f.slice(ROOT.length));
  // Only the embedded cluster's kubelet (workflow Jobs locally) and the CLI helpers for a person's
  // own machine may; none of the services in deploy/ import them.
  assert.deepEqual(callers.filter((f) => !f.startsWith('src/cluster/') && !f.startsWith('src/cli/') && !f.startsWith('src/demo/') && !f.startsWith('src/scenarios/')), []);
});

test('the runtime layout, assembled by the COPY instructions, serves from dist/ without src/', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kubernaut-image-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const roots = { build: join(dir, 'build'), runtime: join(dir, 'runtime') };
  for (const [name, stage] of [['build', build], ['runtime', runtime]] as const) {
    const root = roots[name];
    mkdirSync(root, { recursive: true });
    // `npm ci` cannot run offline here; the repository's node_modules stands in for both installs.
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
    for (const step of stage.steps) {
      if (step.op === 'COPY') {
        const c = copyOf(step.args);
        for (const src of c.sources) {
          const from = c.from ? join(roots[c.from as 'build'], src.replace(/^\/app\//, '')) : join(ROOT, src);
          const to = c.dest.endsWith('/') && c.sources.length > 1 ? join(root, c.dest, src.split('/').at(-1)!) : c.dest === './' ? join(root, src.split('/').at(-1)!) : join(root, c.dest);
          mkdirSync(dirname(to), { recursive: true });
          cpSync(from, to, { recursive: true });
        }
      } else if (step.op === 'RUN' && step.args.startsWith('node scripts/build.js')) {
        const r = spawnSync(process.execPath, step.args.split(/\s+/).slice(1), { cwd: root, encoding: 'utf8', timeout: 300_000 });
        assert.equal(r.status, 0, r.stderr);
      }
    }
  }
  assert.ok(!existsSync(join(roots.runtime, 'src')));
  const version = spawnSync(process.execPath, ['bin/kubernaut.js', '--version'], { cwd: roots.runtime, encoding: 'utf8', timeout: 60_000 });
  assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version, version.stderr);
  // A component that needs no cluster: the mock LLM answers its health check.
  const port = await freePort();
  const proc = spawn(process.execPath, ['bin/kubernaut.js', 'mock-llm', '--port', String(port)], { cwd: roots.runtime, stdio: 'ignore', env: { ...process.env, HOME: '/nonexistent' } });
  t.after(() => proc.kill('SIGTERM'));
  await eventually(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok, 'the mock LLM of the runtime layout serves', 60_000, 200);
});
