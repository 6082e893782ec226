/** The fixtures' cluster steps and conditions live in src/scenarios/cluster-steps.ts (the demo uses them too). */
export * from '../src/scenarios/cluster-steps.ts';
