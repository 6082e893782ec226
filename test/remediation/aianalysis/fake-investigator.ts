/**
 * A fake investigator speaking the session API of investigation.md §1, scripted per incident
 * (the AA name): sessions stay `investigating` until the test completes or fails them; a session
 * can be forgotten (404, as after an investigator restart), POSTs can be answered with an error.
 * Idempotent like the real one: a POST for an incident whose session still runs returns its id.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AnalyzeRequest, InvestigationResult } from '../../../src/investigator/api/wire.ts';

interface Session {
  id: string;
  incident: string;
  status: 'investigating' | 'completed' | 'failed';
  result?: InvestigationResult;
  error?: { reason: string; message: string };
  polls: number;
}

interface Script {
  /** Answer the next POSTs with this status (count: how many; Infinity for all). */
  postError?: { status: number; count: number };
  /** Every session of this incident is lost at once (404 on every session call). */
  alwaysLose?: boolean;
  /** New sessions complete at once with this result. */
  autoComplete?: InvestigationResult;
}

export class FakeInvestigator {
  readonly posts: AnalyzeRequest[] = [];
  readonly tokens: Array<string | undefined> = [];
  private readonly sessions = new Map<string, Session>();
  private readonly scripts = new Map<string, Script>();
  private seq = 0;
  private server!: Server;
  url = '';

  static async start(): Promise<FakeInvestigator> {
    const f = new FakeInvestigator();
    f.server = createServer((req, res) => void f.handle(req, res));
    await new Promise<void>((r) => f.server.listen(0, '127.0.0.1', r));
    f.url = `http://127.0.0.1:${(f.server.address() as AddressInfo).port}`;
    return f;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  script(incident: string, s: Script): void {
    this.scripts.set(incident, { ...this.scripts.get(incident), ...s });
  }

  postsFor(incident: string): AnalyzeRequest[] {
    return this.posts.filter((p) => p.incident_id === incident);
  }

  /** The incident's newest session. */
  latest(incident: string): Session | undefined {
    return [...this.sessions.values()].filter((s) => s.incident === incident).at(-1);
  }

  complete(incident: string, result: InvestigationResult): void {
    const s = this.latest(incident);
    if (!s) throw new Error(`no session for ${incident}`);
    s.status = 'completed';
    s.result = { ...result, incident_id: incident };
  }

  fail(incident: string, reason: string, message: string): void {
    const s = this.latest(incident);
    if (!s) throw new Error(`no session for ${incident}`);
    s.status = 'failed';
    s.error = { reason, message };
  }

  /** Forgets every session of the incident (an investigator restart): the next call for them is a 404. */
  forget(incident: string): void {
    for (const [id, s] of this.sessions) if (s.incident === incident) this.sessions.delete(id);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' }).end(JSON.stringify(body));
    const url = req.url ?? '';
    if (req.method === 'POST' && url === '/api/v1/incident/analyze') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AnalyzeRequest;
      this.posts.push(body);
      this.tokens.push(req.headers.authorization);
      const script = this.scripts.get(body.incident_id) ?? {};
      if (script.postError && script.postError.count > 0) {
        script.postError.count--;
        return send(script.postError.status, { type: 'about:blank', title: 'scripted failure', status: script.postError.status, detail: `scripted ${script.postError.status}` });
      }
      const running = [...this.sessions.values()].find((s) => s.incident === body.incident_id && s.status === 'investigating');
      if (running) return send(202, { session_id: running.id });
      const id = `${body.incident_id}-s${++this.seq}`;
      const session: Session = { id, incident: body.incident_id, status: 'investigating', polls: 0 };
      if (script.autoComplete) Object.assign(session, { status: 'completed', result: { ...script.autoComplete, incident_id: body.incident_id } });
      this.sessions.set(id, session);
      return send(202, { session_id: id });
    }
    const m = /^\/api\/v1\/incident\/session\/([^/]+)(\/result)?$/.exec(url);
    if (req.method !== 'GET' || !m) return send(404, { title: 'no such route' });
    const s = this.sessions.get(decodeURIComponent(m[1]));
    if (!s) return send(404, { title: 'session not found' });
    if (this.scripts.get(s.incident)?.alwaysLose) {
      this.sessions.delete(s.id);
      return send(404, { title: 'session not found' });
    }
    if (m[2]) {
      if (s.status !== 'completed') return send(409, { title: 'not finished' });
      return send(200, s.result);
    }
    s.polls++;
    const at = new Date().toISOString();
    return send(200, { session_id: s.id, incident_id: s.incident, status: s.status, created_at: at, updated_at: at, error: s.error ?? null });
  }
}
