/** `kubernaut up` sends structured logs to a file and shows only warnings and errors, readably, on stderr. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { componentLogger, logToFile } from '../../src/platform/log.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubernaut-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('logToFile: every line in the file as JSON, warnings and errors also on stderr as one line each', () => {
  const stderr: string[] = [];
  const file = join(dir, 'logs', 'kubernaut.log');
  logToFile(file, { write: (line: string) => stderr.push(line) });
  const log = componentLogger('alerting');
  log.level = 'info';
  log.info({ port: 9190 }, 'serving');
  log.warn({ port: 9190 }, 'default port taken; using a free port');
  log.error({ err: new Error('connection refused') }, 'scrape failed');

  const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => [l.component, l.msg]), [
    ['alerting', 'serving'],
    ['alerting', 'default port taken; using a free port'],
    ['alerting', 'scrape failed'],
  ]);
  assert.deepEqual(stderr, ['warn [alerting] default port taken; using a free port\n', 'error [alerting] scrape failed: connection refused\n']);
});
