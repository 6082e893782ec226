/**
 * LeaderElector with two candidates on one Lease of the real embedded API server, on a clock
 * scaled 10x (a 30 s lease lasts 3 s): one leader at a time, release hands over at once, a
 * leader cut off from the API server steps down and is replaced once the lease has expired.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { ScaledClock } from '../../src/platform/clock.ts';
import { LeaderElector, type LeaderElectorOptions } from '../../src/kube/leader-election.ts';
import { eventually } from '../helpers/kubernaut-process.ts';
import { BreakableProxy, startKubeEnv, type KubeEnv } from './fixtures.ts';

const clock = new ScaledClock(10);
let env: KubeEnv;
let leases: CoordinationV1Api;
const electors: LeaderElector[] = [];

before(async () => {
  env = await startKubeEnv();
  leases = env.kc.makeApiClient(CoordinationV1Api);
});

after(async () => {
  await Promise.all(electors.map((e) => e.release()));
  await env?.stop();
});

interface Candidate {
  elector: LeaderElector;
  id: string;
  /** Real time it started leading / lost leadership. */
  ledAt?: number;
  lostAt?: number;
  lost?: AbortSignal;
}

function candidate(id: string, name: string, ns: string, timing: Partial<LeaderElectorOptions> = {}, kc: KubeConfig = env.kc): Candidate {
  const elector = new LeaderElector(kc, clock, { namespace: ns, name, identity: id, ...timing });
  electors.push(elector);
  const c: Candidate = { elector, id };
  void elector.run((lost) => {
    c.ledAt = Date.now();
    c.lost = lost;
    lost.addEventListener('abort', () => (c.lostAt = Date.now()), { once: true });
  });
  return c;
}

const readLease = (ns: string, name: string): Promise<V1Lease> => leases.readNamespacedLease({ namespace: ns, name });

test('of two candidates exactly one leads, and release() hands the lease over at once', async () => {
  const ns = await env.namespace('le-release');
  // A lease long enough (6 s real) that a takeover before it ran out can only come from release().
  const timing = { leaseDurationMs: 60_000, renewDeadlineMs: 40_000, retryPeriodMs: 2_000 };
  const a = candidate('a', 'pair', ns, timing);
  const b = candidate('b', 'pair', ns, timing);
  const leader = await eventually(() => (a.elector.isLeader() ? a : b.elector.isLeader() ? b : undefined), 'a leader');
  const follower = leader === a ? b : a;

  // Watch the leader renew three times; at no point may both lead.
  const renewals = new Set<string>();
  const violations: string[] = [];
  await eventually(async () => {
    if (a.elector.isLeader() && b.elector.isLeader()) violations.push('two leaders at once');
    const lease = await readLease(ns, 'pair');
    if (lease.spec?.holderIdentity !== leader.id) violations.push(`holder ${lease.spec?.holderIdentity}`);
    renewals.add(new Date(lease.spec!.renewTime!).toISOString());
    return renewals.size >= 4 || violations.length > 0;
  }, 'three renewals');
  assert.deepEqual(violations, []);
  assert.equal(follower.ledAt, undefined, 'the follower never led');
  const lease = await readLease(ns, 'pair');
  assert.equal(lease.spec?.leaseDurationSeconds, 60);
  assert.equal(lease.spec?.leaseTransitions, 0);
  assert.ok(lease.spec?.acquireTime);
  assert.equal(follower.elector.observedHolder(), leader.id);

  const releasedAt = Date.now();
  await leader.elector.release();
  assert.equal(leader.lost?.aborted, true, 'the old leader was told before the lease was given up');
  assert.equal(leader.elector.isLeader(), false);
  await eventually(() => follower.elector.isLeader(), 'the follower takes over');
  assert.ok(follower.ledAt! - releasedAt < clock.scaled(timing.leaseDurationMs), `took over after ${follower.ledAt! - releasedAt} ms, before the lease could have expired`);
  const taken = await readLease(ns, 'pair');
  assert.equal(taken.spec?.holderIdentity, follower.id);
  assert.equal(taken.spec?.leaseTransitions, 1);
  await follower.elector.release();
});

test('a leader that can no longer renew steps down, and the other takes over once the lease expired', async () => {
  const ns = await env.namespace('le-expiry');
  // 3 s lease, 1 s renew deadline (real): the cut-off leader has given up long before the lease expires.
  const timing = { leaseDurationMs: 30_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
  const proxy = await new BreakableProxy(env.kubernaut.url).start();
  try {
    const partitioned = candidate('partitioned', 'expiry', ns, timing, env.kcFor(proxy.url));
    await eventually(() => partitioned.elector.isLeader(), 'first candidate leads');
    const successor = candidate('successor', 'expiry', ns, timing);
    await eventually(() => successor.elector.observedHolder() === 'partitioned', 'successor sees the leader');

    const cutAt = Date.now();
    proxy.cut();
    await eventually(() => successor.elector.isLeader(), 'successor takes over', 20_000);
    assert.equal(partitioned.elector.isLeader(), false);
    assert.ok(partitioned.lostAt !== undefined && partitioned.lostAt <= successor.ledAt!, 'the cut-off leader gave up before the successor started');
    // The lease was last renewed about one retry period (plus request latency) before the cut and
    // had to expire first; half the lease duration leaves room for a slow machine.
    const waited = successor.ledAt! - cutAt;
    assert.ok(waited >= clock.scaled(timing.leaseDurationMs) / 2, `took over after ${waited} ms`);
    const lease = await readLease(ns, 'expiry');
    assert.equal(lease.spec?.holderIdentity, 'successor');
    assert.equal(lease.spec?.leaseTransitions, 1);
  } finally {
    await proxy.stop();
  }
});

test('rejects timings where the leader could act after the lease expired', () => {
  assert.throws(() => new LeaderElector(env.kc, clock, { namespace: 'x', name: 'y', identity: 'z', leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }), /leaseDuration > renewDeadline > retryPeriod/);
});
