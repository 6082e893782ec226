/**
 * The scenarios `kubernaut demo <name>` knows. Adding one is one line here: its name and the module
 * (src/demo/scenarios/<name>.ts) whose default export is its DemoScenario, loaded only when used.
 */
import type { DemoScenario } from '../scenario.ts';

type ScenarioModule = { default: DemoScenario };

export const SCENARIOS: Record<string, () => Promise<ScenarioModule>> = {
  'statefulset-pvc-failure': () => import('./statefulset-pvc-failure.ts'),
  'statefulset-claim-missing-storageclass': () => import('./statefulset-claim-missing-storageclass.ts'),
  'deployment-bad-configmap-crashloop': () => import('./deployment-bad-configmap-crashloop.ts'),
  'oom-killed': () => import('./oom-killed.ts'),
  'image-pull-failure': () => import('./image-pull-failure.ts'),
  'node-not-ready': () => import('./node-not-ready.ts'),
  'untolerated-taint': () => import('./untolerated-taint.ts'),
  'prompt-injection-in-logs': () => import('./prompt-injection-in-logs.ts'),
};

export const DEFAULT_SCENARIO = 'statefulset-pvc-failure';

export function scenarioNames(): string[] {
  return Object.keys(SCENARIOS).sort();
}

/** The scenario of that name, or undefined when there is none. */
export async function loadScenario(name: string): Promise<DemoScenario | undefined> {
  const load = Object.hasOwn(SCENARIOS, name) ? SCENARIOS[name] : undefined;
  return load ? (await load()).default : undefined;
}
