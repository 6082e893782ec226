/**
 * The controller manager (src/remediation/manager.ts) against a real API server, with stand-in
 * controllers: each controller runs in exactly one of two managers (its own Lease), a closed
 * leader hands over at once, and a manager started while the API server is unreachable keeps
 * campaigning instead of dying.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ScaledClock } from '../../src/platform/clock.ts';
import { NoopAuditSink } from '../../src/datastorage/client/audit-client.ts';
import { startControllerManager, type ControllerStarter, type ControllerManager } from '../../src/remediation/manager.ts';
import { createServer, type AddressInfo } from 'node:net';
import { eventually } from '../helpers/kubernaut-process.ts';
import { startKubeEnv, type KubeEnv } from '../kube/fixtures.ts';

let env: KubeEnv;
before(async () => {
  env = await startKubeEnv();
});
after(async () => {
  await env?.stop();
});

/** Stand-in controllers that record which manager runs them. */
function recordingStarters(running: Map<string, string>, owner: string): Record<'sp' | 'ro', ControllerStarter> {
  const starter = (name: string): ControllerStarter => async () => {
    assert.equal(running.get(name), undefined, `${name} started by ${owner} while ${running.get(name)} runs it`);
    running.set(name, owner);
    return { stop: async () => void running.delete(name) };
  };
  return { sp: starter('sp'), ro: starter('ro') };
}

const clock = new ScaledClock(1);
const common = { clock, audit: new NoopAuditSink(), controllers: ['sp', 'ro'] as const, leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 200 };

test('two managers: every controller runs in exactly one; closing its leader hands it to the other', async () => {
  const namespace = await env.namespace('managers');
  const running = new Map<string, string>();
  const a = await startControllerManager({ ...common, kubeconfig: env.kc, namespace, identity: 'a', starters: recordingStarters(running, 'a') });
  const b = await startControllerManager({ ...common, kubeconfig: env.kc, namespace, identity: 'b', starters: recordingStarters(running, 'b') });
  const managers: ControllerManager[] = [a, b];
  try {
    await eventually(() => running.size === 2, 'both controllers running');
    const leaders = [...a.leading(), ...b.leading()].sort();
    assert.deepEqual(leaders, ['ro', 'sp']);
    const leaderOfRo = running.get('ro') === 'a' ? a : b;
    const other = leaderOfRo === a ? b : a;
    await leaderOfRo.close();
    managers.splice(managers.indexOf(leaderOfRo), 1);
    // Released at once, so well within one lease duration the other manager runs both.
    await eventually(() => running.get('ro') === other.identity && running.get('sp') === other.identity, 'the other manager runs both', 10_000);
  } finally {
    await Promise.all(managers.map((m) => m.close()));
  }
  assert.equal(running.size, 0, 'closing stops every controller');
});

test('an unreachable API server: the manager keeps campaigning, runs nothing, and closes cleanly', async () => {
  // An "API server" that hangs up on every connection, counting the attempts.
  let attempts = 0;
  const broken = createServer((socket) => {
    attempts++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
  const kc = env.kcFor(`http://127.0.0.1:${(broken.address() as AddressInfo).port}`);
  const running = new Map<string, string>();
  const m = await startControllerManager({ ...common, kubeconfig: kc, namespace: 'kubernaut-system', identity: 'lonely', port: 0, starters: recordingStarters(running, 'lonely') });
  try {
    // Several failed campaign rounds, and the process is still here to answer.
    await eventually(() => attempts >= 6, 'repeated campaign attempts', 30_000);
    const health = await fetch(`${m.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(((await (await fetch(`${m.url}/leadership`)).json()) as { leading: string[] }).leading, []);
    assert.equal(running.size, 0);
  } finally {
    await m.close();
    broken.close();
  }
});
