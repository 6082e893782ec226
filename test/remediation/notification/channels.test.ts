/**
 * Each channel on its own, through the Deliverer: Slack (Block Kit JSON against a local stand-in),
 * the generic webhook (payload, bearer token, HMAC signature), the file (JSON lines, rotation at
 * the cap), console and log; errors say whether a retry can help and never show a secret.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Deliverer } from '../../../src/remediation/notification/channels/deliverer.ts';
import { redact } from '../../../src/remediation/notification/channels/secrets.ts';
import type { DeliveryTarget } from '../../../src/remediation/notification/routing.ts';
import { HttpStandIn } from './http-stand-in.ts';
import { notification } from './fixtures.ts';

let standIn: HttpStandIn;
let dir: string;
const consoleLines: string[] = [];
const logLines: string[] = [];
const log = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, cb) => (logLines.push(String(chunk)), cb()) }));
let deliverer: Deliverer;

before(async () => {
  standIn = await HttpStandIn.start();
  dir = await mkdtemp(join(tmpdir(), 'notif-channels-'));
  deliverer = new Deliverer({ log, console: { write: (l: string) => consoleLines.push(l) }, now: () => new Date('2026-01-01T00:00:00Z'), http: { timeoutMs: 5_000 } });
});

after(async () => {
  await standIn?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const slack = (path: string, extra: Record<string, unknown> = {}): DeliveryTarget => ({ id: 'slack:r', receiver: 'r', kind: 'slack', config: { webhookUrl: `${standIn.url}${path}`, ...extra } });

test('slack: a Block Kit message with header, fields, body, buttons, context and a text fallback', async () => {
  const nr = notification({ body: 'Line one <b> & more' });
  const r = await deliverer.deliver(nr, slack('/services/T000/B000/XXXX', { channel: '#approvals' }), 1);
  assert.equal(r.ok, true);
  const req = standIn.to('/services/T000/B000/XXXX').at(-1)!;
  assert.match(String(req.headers['content-type']), /application\/json/);
  const msg = req.body;
  assert.equal(msg.channel, '#approvals');
  assert.match(msg.text, /^\[high\] Approval required: fix-statefulset-pvc-v1/);
  assert.deepEqual(
    msg.blocks.map((b: { type: string }) => b.type),
    ['header', 'section', 'section', 'actions', 'context'],
  );
  assert.deepEqual(msg.blocks[0].text, { type: 'plain_text', text: nr.spec.subject, emoji: true });
  assert.deepEqual(
    msg.blocks[1].fields.map((f: { text: string }) => f.text),
    ['*Type*\napproval', '*Priority*\nhigh', '*Severity*\ncritical', '*Phase*\nAwaitingApproval'],
  );
  assert.equal(msg.blocks[2].text.text, 'Line one &lt;b&gt; &amp; more');
  assert.deepEqual(msg.blocks[3].elements, [{ type: 'button', action_id: 'link-0', text: { type: 'plain_text', text: 'Review', emoji: true }, url: 'https://console.example.com/rar/rar-x' }]);
  assert.match(msg.blocks[4].elements[0].text, /RemediationRequest notif-test\/rr-0123456789ab-abcdefgh/);
});

test('slack: texts are cut to Slack\'s limits', async () => {
  const nr = notification({ body: 'x'.repeat(10_000) });
  nr.spec.subject = 's'.repeat(400);
  assert.equal((await deliverer.deliver(nr, slack('/long'), 1)).ok, true);
  const msg = standIn.to('/long')[0]!.body;
  assert.equal(msg.blocks[0].text.text.length, 150);
  assert.equal(msg.blocks[2].text.text.length, 3000);
  assert.ok(msg.text.length <= 3000);
});

test('slack: 5xx and 429 are transient, 404 permanent; the webhook URL (its token) never shows', async () => {
  standIn.script('/services/T1/B1/SECRETTOKEN', 500, 429, 404);
  const results = [];
  for (let i = 1; i <= 3; i++) results.push(await deliverer.deliver(notification(), slack('/services/T1/B1/SECRETTOKEN'), i));
  assert.deepEqual(
    results.map((r) => (r.ok ? 'ok' : r.kind)),
    ['transient', 'transient', 'permanent'],
  );
  for (const r of results) {
    assert.ok(!r.ok && !r.error.includes('SECRETTOKEN') && !r.error.includes('/services/'), !r.ok ? r.error : '');
    assert.ok(!r.ok && r.error.includes(standIn.url), 'names the origin');
  }
  assert.match(!results[2]!.ok ? results[2]!.error : '', /answered 404: no_service for \[REDACTED\]/);
});

test('slack: no answer is transient and bounded by the time limit; a URL from a file; a missing file is transient', async () => {
  const refused = await deliverer.deliver(notification(), { id: 'slack:r', receiver: 'r', kind: 'slack', config: { webhookUrl: 'http://127.0.0.1:1/services/T/B/TOKEN123' } }, 1);
  assert.ok(!refused.ok && refused.kind === 'transient' && !refused.error.includes('TOKEN123'), JSON.stringify(refused));
  const file = join(dir, 'slack-url');
  await writeFile(file, `${standIn.url}/from-file\n`);
  assert.equal((await deliverer.deliver(notification(), { id: 'slack:r', receiver: 'r', kind: 'slack', config: { webhookUrlFile: file } }, 1)).ok, true);
  assert.equal(standIn.to('/from-file').length, 1);
  const missing = await deliverer.deliver(notification(), { id: 'slack:r', receiver: 'r', kind: 'slack', config: { webhookUrlFile: join(dir, 'nope') } }, 1);
  assert.ok(!missing.ok && missing.kind === 'transient' && /ENOENT/.test(missing.error));
});

test('webhook: the NR as JSON with a delivery id, bearer token and HMAC signature of the body', async () => {
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, 'bearer-secret\n');
  const nr = notification();
  const target: DeliveryTarget = { id: 'webhook:r', receiver: 'r', kind: 'webhook', config: { url: `${standIn.url}/hook`, bearerTokenFile: tokenFile, hmacSecret: 'hmac-key' } };
  assert.equal((await deliverer.deliver(nr, target, 2)).ok, true);
  const req = standIn.to('/hook')[0]!;
  assert.equal(req.headers.authorization, 'Bearer bearer-secret');
  assert.equal(req.headers['x-kubernaut-signature'], `sha256=${createHmac('sha256', 'hmac-key').update(req.raw).digest('hex')}`);
  assert.equal(req.headers['x-kubernaut-delivery'], 'uid-1/webhook:r');
  assert.deepEqual(req.body.spec, nr.spec);
  assert.deepEqual([req.body.kind, req.body.metadata.name, req.body.metadata.uid, req.body.delivery], ['NotificationRequest', nr.metadata!.name, 'uid-1', { channel: 'webhook:r', attempt: 2 }]);
  // The receiver refusing the request: retrying cannot help.
  standIn.script('/hook', 400);
  const refused = await deliverer.deliver(nr, target, 3);
  assert.ok(!refused.ok && refused.kind === 'permanent');
});

test('webhook: a payload over the size limit is refused before sending', async () => {
  const small = new Deliverer({ log, now: () => new Date(), http: { maxRequestBytes: 1024 } });
  const before = standIn.requests.length;
  const r = await small.deliver(notification({ body: 'y'.repeat(5000) }), { id: 'webhook:r', receiver: 'r', kind: 'webhook', config: { url: `${standIn.url}/big` } }, 1);
  assert.ok(!r.ok && r.kind === 'permanent' && /more than the limit of 1024/.test(r.error));
  assert.equal(standIn.requests.length, before);
});

test('file: JSON lines appended; rotated to .1 before passing the cap', async () => {
  const path = join(dir, 'sub', 'notifications.jsonl');
  const target: DeliveryTarget = { id: 'file:r', receiver: 'r', kind: 'file', config: { path, maxSizeBytes: 4096 } };
  const results = await Promise.all(Array.from({ length: 6 }, () => deliverer.deliver(notification({ body: 'z'.repeat(500) }), target, 1)));
  assert.ok(results.every((r) => r.ok));
  const lines = (await readFile(path, 'utf8')).trim().split('\n');
  const rotated = (await readFile(`${path}.1`, 'utf8')).trim().split('\n');
  assert.equal(lines.length + rotated.length, 6);
  assert.ok((await stat(path)).size <= 4096 && (await stat(`${path}.1`)).size <= 4096);
  const entry = JSON.parse(lines[0]!);
  assert.deepEqual([entry.channel, entry.name, entry.spec.type, entry.time], ['file:r', 'nr-approval-rr-0123456789ab-abcdefgh', 'approval', '2026-01-01T00:00:00.000Z']);
  const tooBig = await deliverer.deliver(notification({ body: 'z'.repeat(5000) }), target, 1);
  assert.ok(!tooBig.ok && tooBig.kind === 'permanent');
});

test('console: one line; log: a structured entry with the notification', async () => {
  const nr = notification();
  nr.spec.subject = 'two\nlines';
  assert.equal((await deliverer.deliver(nr, { id: 'console:r', receiver: 'r', kind: 'console', config: {} }, 1)).ok, true);
  assert.equal(consoleLines.at(-1), 'NOTIFICATION [high] approval notif-test/nr-approval-rr-0123456789ab-abcdefgh (rr rr-0123456789ab-abcdefgh): two lines\n');
  assert.equal((await deliverer.deliver(nr, { id: 'log:r', receiver: 'r', kind: 'log', config: { level: 'warn' } }, 1)).ok, true);
  const entry = JSON.parse(logLines.at(-1)!);
  assert.deepEqual([entry.level, entry.notification.type, entry.notification.subject, entry.notification.remediationRequest], [40, 'approval', 'two\nlines', 'rr-0123456789ab-abcdefgh']);
});

test('unsupported channels fail permanently; redact removes known secrets and URL paths', async () => {
  const r = await deliverer.deliver(notification(), { id: 'email', receiver: '', kind: 'email', config: undefined, unavailable: 'channel email is not supported by this release' }, 1);
  assert.deepEqual(r.ok ? null : [r.kind, r.error], ['permanent', 'channel email is not supported by this release']);
  assert.equal(redact('POST https://hooks.slack.com/services/T/B/x?y=1 failed with tok3n', ['tok3n']), 'POST https://hooks.slack.com/[REDACTED] failed with [REDACTED]');
});
