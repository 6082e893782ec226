/** Which image references name a workflow bundle, and how a bundle folder describes itself. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleRegistry, parseDockerfile } from '../../../src/cluster/kubelet/bundles.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function registry(files: Record<string, string>): { registry: BundleRegistry; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-registry-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text, { mode: 0o755 });
  }
  return { registry: BundleRegistry.load([dir]), dir };
}

test('image references match with the registry defaults; a digest must agree with the bundle', () => {
  const { registry: r, dir } = registry({
    'pinned/bundle.yaml': `image: kubernaut/pinned:1.0.0@${DIGEST}\nentrypoint: [run.sh, --flag]\n`,
    'pinned/run.sh': '#!/bin/sh\n',
    'loose/bundle.yaml': 'image: registry.example.com/team/loose:2\nentrypoint: [run.sh]\n',
    'loose/run.sh': '#!/bin/sh\n',
  });
  try {
    assert.ok(r.find('kubernaut/pinned:1.0.0'));
    assert.ok(r.find('docker.io/kubernaut/pinned:1.0.0'));
    assert.ok(r.find(`kubernaut/pinned:1.0.0@${DIGEST}`));
    assert.ok(r.find(`kubernaut/pinned@${DIGEST}`), 'the digest alone picks the bundle');
    const wrong = r.find(`kubernaut/pinned:1.0.0@sha256:${'cd'.repeat(32)}`);
    assert.ok(wrong && 'pullError' in wrong && /not found/.test(wrong.pullError));
    assert.ok(r.find(`registry.example.com/team/loose:2@${DIGEST}`), 'a bundle without a digest accepts any pin');
    assert.equal(r.find('kubernaut/pinned:2.0.0'), undefined);
    assert.equal(r.find('nginx:1.27'), undefined);
    const found = r.find('kubernaut/pinned:1.0.0');
    assert.ok(found && 'bundle' in found);
    assert.deepEqual(found.bundle.entrypoint, [join(dir, 'pinned', 'run.sh'), '--flag']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('broken folders are reported and skipped', () => {
  const { registry: r, dir } = registry({
    'no-entry/bundle.yaml': 'image: x/y:1\nentrypoint: [missing.sh]\n',
    'escape/bundle.yaml': 'image: x/z:1\nentrypoint: [../../etc/passwd]\n',
    'shell-form/workflow.yaml': 'execution:\n  bundle: x/w:1\n',
    'shell-form/Dockerfile': 'FROM scratch\nCOPY run.sh /run.sh\nENTRYPOINT /run.sh\n',
  });
  try {
    assert.equal(r.bundles.length, 0);
    assert.equal(r.problems.length, 3);
    assert.ok(r.problems.some((p) => /no-entry: entrypoint .* does not exist/.test(p)));
    assert.ok(r.problems.some((p) => /escape: .*inside the folder/.test(p)));
    assert.ok(r.problems.some((p) => /shell-form: .*exec form/.test(p)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the Dockerfile gives entrypoint, cmd, env and the COPY map of its last stage', () => {
  const facts = parseDockerfile(['FROM golang AS build', 'ENTRYPOINT ["/go"]', 'FROM debian', 'WORKDIR /app', 'COPY a.sh b.sh bin/', 'COPY --chmod=0755 c.sh /usr/local/bin/c', 'ENV A=1 B="two words"', 'ENTRYPOINT ["/usr/local/bin/c", "x"]', 'CMD ["y"]'].join('\n'));
  assert.deepEqual(facts.entrypoint, ['/usr/local/bin/c', 'x']);
  assert.deepEqual(facts.cmd, ['y']);
  assert.deepEqual(facts.env, { A: '1', B: 'two words' });
  assert.deepEqual([...facts.files], [['/app/bin/a.sh', 'a.sh'], ['/app/bin/b.sh', 'b.sh'], ['/usr/local/bin/c', 'c.sh']]);
});
