/** Restarting `kubernaut up` on the same data dir keeps objects and resourceVersions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubernaut } from '../helpers/kubernaut-process.ts';

test('state survives a restart, a SIGKILL included', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubernaut-persist-'));
  try {
    const first = await startKubernaut({ dataDir });
    first.kubectlOk(['create', 'namespace', 'keep']);
    first.kubectlOk(['create', 'configmap', 'c', '-n', 'keep', '--from-literal=a=1']);
    const before = JSON.parse(first.kubectlOk(['get', 'cm', 'c', '-n', 'keep', '-o', 'json']));
    assert.equal(await first.stop('SIGTERM'), 0, 'clean shutdown on SIGTERM');

    const second = await startKubernaut({ dataDir });
    const after = JSON.parse(second.kubectlOk(['get', 'cm', 'c', '-n', 'keep', '-o', 'json']));
    assert.equal(after.metadata.uid, before.metadata.uid);
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
    second.kubectlOk(['create', 'configmap', 'd', '-n', 'keep']);
    const d = JSON.parse(second.kubectlOk(['get', 'cm', 'd', '-n', 'keep', '-o', 'json']));
    assert.ok(Number(d.metadata.resourceVersion) > Number(before.metadata.resourceVersion), 'resourceVersions keep growing');
    await second.stop('SIGKILL');

    const third = await startKubernaut({ dataDir });
    assert.equal(third.kubectl(['get', 'cm', 'd', '-n', 'keep']).code, 0, 'a crash loses no acknowledged write');
    await third.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('--ephemeral keeps nothing', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubernaut-eph-'));
  try {
    const a = await startKubernaut({ dataDir, args: ['--ephemeral'] });
    a.kubectlOk(['create', 'namespace', 'gone']);
    await a.stop();
    const b = await startKubernaut({ dataDir, args: ['--ephemeral'] });
    assert.notEqual(b.kubectl(['get', 'ns', 'gone']).code, 0);
    await b.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
