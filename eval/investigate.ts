/**
 * One investigation over the investigator's HTTP API, as the AIAnalysis controller drives it:
 * POST the incident, poll the session with a short backing-off interval, fetch the result.
 */
import type { AnalyzeRequestInput, InvestigationResult, SessionDocument } from '../src/investigator/api/wire.ts';
import { investigationResultSchema, sessionSchema } from '../src/investigator/api/wire.ts';

export type InvestigationRun =
  | { ok: true; result: InvestigationResult; latencyMs: number }
  | { ok: false; error: string; latencyMs: number; session?: SessionDocument };

async function json(res: Response, what: string): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what}: ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
}

export async function runInvestigation(investigatorUrl: string, incident: AnalyzeRequestInput, opts: { timeoutMs: number }): Promise<InvestigationRun> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  try {
    const post = await fetch(`${investigatorUrl}/api/v1/incident/analyze`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(incident),
      signal: AbortSignal.timeout(30_000),
    });
    const accepted = (await json(post, 'analyze')) as { session_id?: string };
    if (post.status !== 202 || !accepted.session_id) return { ok: false, error: `analyze answered ${post.status}: ${JSON.stringify(accepted).slice(0, 500)}`, latencyMs: elapsed() };
    const base = `${investigatorUrl}/api/v1/incident/session/${accepted.session_id}`;
    let delay = 100;
    for (;;) {
      if (elapsed() > opts.timeoutMs) return { ok: false, error: `no result within ${Math.round(opts.timeoutMs / 1000)} s`, latencyMs: elapsed() };
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 1.5, 2000);
      const res = await fetch(base, { signal: AbortSignal.timeout(30_000) });
      const session = sessionSchema.parse(await json(res, 'session'));
      if (session.status === 'failed') return { ok: false, error: `session failed: ${session.error?.reason ?? '?'}: ${session.error?.message ?? ''}`, latencyMs: elapsed(), session };
      if (session.status !== 'completed') continue;
      const resultRes = await fetch(`${base}/result`, { signal: AbortSignal.timeout(30_000) });
      const body = await json(resultRes, 'result');
      if (resultRes.status !== 200) return { ok: false, error: `result answered ${resultRes.status}: ${JSON.stringify(body).slice(0, 500)}`, latencyMs: elapsed(), session };
      const parsed = investigationResultSchema.safeParse(body);
      if (!parsed.success) return { ok: false, error: `result does not match the wire schema: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, latencyMs: elapsed(), session };
      // The session's own latency (usage.latency_ms) excludes polling; prefer it.
      return { ok: true, result: parsed.data, latencyMs: parsed.data.usage.latency_ms || elapsed() };
    }
  } catch (e) {
    return { ok: false, error: (e as Error).message, latencyMs: elapsed() };
  }
}
