// A node:test reporter for scripts/run-tests.js, writing JSON lines the runner reads back: the
// run's totals (node reports them as top-level diagnostics such as "pass 1102") and every skipped
// or todo test with its file, so the runner can print a plain closing line, say which tests a run
// did not cover, and fail a CI run because of them. One reporter beside `spec` (a third one makes
// node warn about too many listeners on its test stream).
const TOTALS = /^(tests|suites|pass|fail|cancelled|skipped|todo) (\d+)$/;

export default async function* runRecord(source) {
  for await (const event of source) {
    if (event.type === 'test:diagnostic' && event.data.nesting === 0) {
      const m = TOTALS.exec(event.data.message);
      if (m) yield `${JSON.stringify({ total: m[1], count: Number(m[2]) })}\n`;
      continue;
    }
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { file, name, skip, todo } = event.data;
    if (skip === undefined && todo === undefined) continue;
    yield `${JSON.stringify({ skipped: { file, name, why: skip !== undefined ? 'skipped' : 'todo', reason: typeof (skip ?? todo) === 'string' ? (skip ?? todo) : '' } })}\n`;
  }
}
