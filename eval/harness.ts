/**
 * Runs fixtures through an evaluation stack: each fixture's state is set up once, then investigated
 * `runs` times and every result graded. Fixtures that only touch their own namespace run side by
 * side; fixtures that change nodes (`exclusive`) run one at a time afterwards, each cleaned up
 * before the next, so no investigation sees another fixture's broken node.
 *
 * With `record`, each run's LLM conversation is saved as `<dir>/<fixture>.run<N>.json`; with
 * `replay`, each run answers from that file instead of a live model (one investigator per run, since
 * a transcript belongs to exactly one conversation).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { InvestigationResult } from '../src/investigator/api/wire.ts';
import { createTranscript, readTranscript, recordingProvider, replayProvider, writeTranscript, type TranscriptEntry } from '../src/investigator/llm/index.ts';
import type { RunningInvestigator } from '../src/investigator/server.ts';
import type { Fixture } from './fixture.ts';
import { gradeResult } from './grade.ts';
import { runInvestigation } from './investigate.ts';
import { prepareFixture, type PreparedFixture } from './setup.ts';
import type { EvalStack } from './stack.ts';

export interface RunReport {
  run: number;
  passed: boolean;
  failures: string[];
  result?: InvestigationResult;
  latencyMs: number;
}

export interface FixtureReport {
  id: string;
  title: string;
  /** Set when the fixture's state could not be brought about (no run happened). */
  setupError?: string;
  /** Real milliseconds from the fault to the faulty state. */
  faultMs?: number;
  runs: RunReport[];
}

export interface HarnessOptions {
  runs: number;
  /** Fixtures set up at once among the non-exclusive ones (default: all). */
  concurrency?: number;
  /** Directory to save each run's transcript in. */
  record?: string;
  /** Directory to replay each run's transcript from (no live model). */
  replay?: string;
  /** Real milliseconds to wait for each cluster state. */
  setupTimeoutMs: number;
  /** Real milliseconds one investigation may take. */
  investigationTimeoutMs: number;
  progress?: (fixtureId: string, message: string) => void;
}

export function transcriptPath(dir: string, fixtureId: string, run: number): string {
  return join(dir, `${fixtureId}.run${run}.json`);
}

export async function runFixtures(stack: EvalStack, fixtures: Fixture[], opts: HarnessOptions): Promise<FixtureReport[]> {
  if (opts.record) mkdirSync(opts.record, { recursive: true });
  const shared = new SharedInvestigator(stack);
  try {
    const reports = new Map<string, FixtureReport>();
    const parallel = fixtures.filter((f) => !f.exclusive);
    await inBatches(parallel, opts.concurrency ?? parallel.length, async (f) => reports.set(f.id, await runFixture(stack, shared, f, opts)));
    for (const f of fixtures.filter((x) => x.exclusive)) reports.set(f.id, await runFixture(stack, shared, f, opts));
    return fixtures.map((f) => reports.get(f.id)!);
  } finally {
    await shared.close();
  }
}

async function runFixture(stack: EvalStack, shared: SharedInvestigator, fixture: Fixture, opts: HarnessOptions): Promise<FixtureReport> {
  const report: FixtureReport = { id: fixture.id, title: fixture.title, runs: [] };
  let prepared: PreparedFixture | undefined;
  try {
    prepared = await prepareFixture(fixture, {
      kubeconfig: stack.kubeconfig,
      kubeconfigPath: stack.cluster.kubeconfigPath,
      nodes: stack.cluster.cluster,
      timeoutMs: opts.setupTimeoutMs,
      progress: opts.progress,
    });
    report.faultMs = prepared.faultMs;
    for (let run = 1; run <= opts.runs; run++) {
      opts.progress?.(fixture.id, `investigating (run ${run} of ${opts.runs})`);
      report.runs.push(await investigateOnce(stack, shared, prepared, run, opts));
    }
  } catch (e) {
    report.setupError = (e as Error).message;
  } finally {
    if (prepared) {
      await prepared.cleanUp().catch((e) => {
        // A fixture that cannot clean up would spoil the exclusive ones after it.
        report.setupError ??= `clean-up failed: ${(e as Error).message}`;
      });
    }
  }
  return report;
}

async function investigateOnce(stack: EvalStack, shared: SharedInvestigator, prepared: PreparedFixture, run: number, opts: HarnessOptions): Promise<RunReport> {
  try {
    return await investigateWith(stack, shared, prepared, run, opts);
  } catch (e) {
    // A missing or unreadable transcript, an investigator that would not start: this run fails, the next may not.
    return { run, passed: false, failures: [(e as Error).message], latencyMs: 0 };
  }
}

async function investigateWith(stack: EvalStack, shared: SharedInvestigator, prepared: PreparedFixture, run: number, opts: HarnessOptions): Promise<RunReport> {
  const { fixture } = prepared;
  let investigator: RunningInvestigator;
  let finish = async () => {};
  if (opts.replay) {
    const transcript = readTranscript(transcriptPath(opts.replay, fixture.id, run));
    investigator = await stack.startInvestigator(replayProvider(transcript));
    finish = () => investigator.close();
  } else if (opts.record) {
    const entries: TranscriptEntry[] = [];
    const base = stack.createProvider();
    investigator = await stack.startInvestigator(recordingProvider(base, (e) => entries.push(e)));
    finish = async () => {
      await investigator.close();
      writeTranscript(transcriptPath(opts.record!, fixture.id, run), createTranscript(base, entries));
    };
  } else {
    investigator = await shared.get();
  }
  try {
    const outcome = await runInvestigation(investigator.url, prepared.incident(run), { timeoutMs: opts.investigationTimeoutMs });
    if (!outcome.ok) return { run, passed: false, failures: [outcome.error], latencyMs: outcome.latencyMs };
    const grade = gradeResult(outcome.result, fixture.expected, { namespace: fixture.namespace, catalog: stack.catalog });
    return { run, passed: grade.passed, failures: grade.failures, result: outcome.result, latencyMs: outcome.latencyMs };
  } finally {
    await finish();
  }
}

/** One investigator for every plain run, started on first use. */
class SharedInvestigator {
  private running: Promise<RunningInvestigator> | undefined;
  constructor(private readonly stack: EvalStack) {}
  get(): Promise<RunningInvestigator> {
    this.running ??= this.stack.startInvestigator(this.stack.createProvider());
    return this.running;
  }
  async close(): Promise<void> {
    if (this.running) await (await this.running).close();
  }
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function inBatches<T>(items: T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  const workers = Array.from({ length: Math.max(1, Math.min(limit, queue.length)) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  });
  await Promise.all(workers);
}
