import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { processAlive } from '../../src/platform/process-alive.ts';

test('a running process is alive, an exited and reaped one is not', () => {
  assert.equal(processAlive(process.pid), true);
  const done = spawnSync('true');
  assert.equal(processAlive(done.pid!), false);
});

test('a zombie (exited, never reaped by its parent) counts as gone', { skip: process.platform !== 'linux' && 'needs /proc' }, async (t) => {
  // The shell prints its background child's pid, then becomes `sleep`, which never reaps that child.
  const parent = spawn('sh', ['-c', 'true & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => parent.kill('SIGKILL'));
  const zombie = await new Promise<number>((resolve) => parent.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
  // Wait for the state, not for a time: the child exits when the scheduler runs it.
  while (!/\) Z /.test(readFileSync(`/proc/${zombie}/stat`, 'utf8'))) await new Promise((r) => setTimeout(r, 10));
  assert.doesNotThrow(() => process.kill(zombie, 0), 'signal 0 still reaches the zombie');
  assert.equal(processAlive(zombie), false);
  assert.equal(processAlive(parent.pid!), true);
});
