import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Import boundaries. Kubernaut's own services reach a cluster only through the Kubernetes API
 * (client-node), so only the embedded cluster itself, the command line that assembles it, the
 * benchmarks, the evaluation harness and the tests may import `src/cluster`. Inside `src/cluster`, dependencies point
 * down: `core` (object model and shared helpers) imports nothing of the cluster, `client` only
 * `core`, the API server and each component neither each other nor the assembly; only
 * `control-plane` and `embedded-cluster.ts` put the pieces together.
 */
const restrict = (message, ...regexes) => ({
  'no-restricted-imports': ['error', { patterns: regexes.map((regex) => ({ regex, message })) }],
  // no-restricted-imports does not look at `import()` expressions.
  'no-restricted-syntax': ['error', ...regexes.map((regex) => ({ selector: `ImportExpression > Literal[value=/${regex.replaceAll('/', '\\/')}/]`, message }))],
});
const CLUSTER_BOUNDARY = 'Kubernaut reaches a cluster only through the Kubernetes API (@kubernetes/client-node); only src/cluster, src/cli, bench, eval and test import src/cluster.';
const COMPONENTS = ['apiserver', 'controllers', 'scheduler', 'kubelet', 'local-path-provisioner', 'kube-state-metrics'];
const componentRules = COMPONENTS.map((name) => ({
  files: [`src/cluster/${name}/**/*.ts`],
  rules: restrict(
    `src/cluster/${name} may import core, client and its own files, not another component or the assembly (control-plane, embedded-cluster.ts).`,
    `^(\\.\\./)+(${[...COMPONENTS.filter((c) => c !== name), 'control-plane'].join('|')})/`,
    '^(\\.\\./)+embedded-cluster\\.ts$',
    ...(name === 'apiserver' ? ['^(\\.\\./)+client/'] : []),
  ),
}));

/**
 * The console's page (src/console/web) shows strings from signals, pod logs and LLM answers: only
 * ever as text. Its CSP allows no inline style either.
 */
const UNSAFE_HTML = 'The console renders server strings as text only: no HTML injection (Preact escapes text nodes).';
const webRules = (() => {
  const boundary = restrict(CLUSTER_BOUNDARY, '^(\\.\\./)+(src/)?cluster(/|$)');
  return {
    ...boundary,
    'no-restricted-syntax': [
      ...boundary['no-restricted-syntax'],
      { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: UNSAFE_HTML },
      { selector: 'MemberExpression[property.name=/^(innerHTML|outerHTML)$/]', message: UNSAFE_HTML },
      { selector: 'CallExpression[callee.property.name=/^(insertAdjacentHTML|write|writeln)$/]', message: UNSAFE_HTML },
      { selector: "JSXAttribute[name.name='style']", message: "The console's CSP forbids inline styles: use a class from styles.css." },
    ],
  };
})();

export default tseslint.config(
  { ignores: ['node_modules/', '.kubernaut/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly', fetch: 'readonly', AbortController: 'readonly', structuredClone: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['**/*.ts', '**/*.js'],
    ignores: ['src/cluster/**', 'src/cli/**', 'bench/**', 'eval/**', 'test/**'],
    rules: restrict(CLUSTER_BOUNDARY, '^(\\.\\./)+(src/)?cluster(/|$)'),
  },
  { files: ['src/cluster/core/**/*.ts'], rules: restrict('src/cluster/core is the bottom layer: it imports nothing else of the cluster.', '^\\.\\./[^.]') },
  { files: ['src/cluster/client/**/*.ts'], rules: restrict('src/cluster/client imports only src/cluster/core of the cluster.', '^\\.\\./(?!core/)[^.]') },
  ...componentRules,
  { files: ['src/console/web/**/*.ts', 'src/console/web/**/*.tsx'], rules: webRules },
  {
    files: ['src/cluster/controllers/*/**/*.ts'],
    ignores: ['src/cluster/controllers/shared/**'],
    rules: restrict(
      'A controller imports shared helpers from controllers/shared, not from another controller\'s folder.',
      `^(\\.\\./)+(${['apiserver', 'scheduler', 'kubelet', 'local-path-provisioner', 'kube-state-metrics', 'control-plane'].join('|')})/`,
      '^(\\.\\./)+embedded-cluster\\.ts$',
      '^\\.\\./(?!shared/)[^./][^/]*/',
    ),
  },
);
