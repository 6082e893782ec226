// A node:test reporter for scripts/run-tests.js: one JSON line per skipped or todo test, with its
// file, so the runner can say which tests a run did not cover (and fail a CI run because of them).
export default async function* skippedTests(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { file, name, skip, todo } = event.data;
    if (skip === undefined && todo === undefined) continue;
    yield `${JSON.stringify({ file, name, why: skip !== undefined ? 'skipped' : 'todo', reason: typeof (skip ?? todo) === 'string' ? (skip ?? todo) : '' })}\n`;
  }
}
