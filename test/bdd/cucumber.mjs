// cucumber-js configuration: the scenario's feature, executed against the embedded stack by the
// TypeScript step definitions under test/bdd. Run it through tsx so the steps load as they are:
//   node --import tsx node_modules/@cucumber/cucumber/bin/cucumber.js --config test/bdd/cucumber.mjs
// (npm run test:bdd; test/e2e/bdd.test.ts runs the same in `npm test`).
export default {
  paths: ['deploy/demo/scenarios/statefulset-pvc-failure/*.feature'],
  import: ['test/bdd/support/**/*.ts', 'test/bdd/steps/**/*.ts'],
  // The scenarios tell one story in order; the stack is shared, so they never run in parallel.
  order: 'defined',
  parallel: 0,
  strict: true,
  // A later scenario starts where the earlier one ended: after a failure the rest would only wait.
  failFast: true,
  format: ['progress'],
};
