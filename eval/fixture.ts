/**
 * The evaluation's fixtures: the format lives in src/scenarios/fixture.ts (the demo scenarios use it
 * too); the files are eval/fixtures/<id>.yaml, loaded from there unless told otherwise.
 */
import { loadFixtures as loadFixturesFrom, type Fixture } from '../src/scenarios/fixture.ts';

export { FixtureError, conditionSchema, expectedSchema, fixtureSchema, parseFixture, renamableNames, renameFixtureText, stepSchema, substitute } from '../src/scenarios/fixture.ts';
export type { Condition, Expected, Fixture, Step } from '../src/scenarios/fixture.ts';

export const FIXTURES_DIR = new URL('./fixtures/', import.meta.url).pathname;

export function loadFixtures(opts: { dir?: string; only?: string[]; rename?: { seed: string } } = {}): Fixture[] {
  return loadFixturesFrom({ ...opts, dir: opts.dir ?? FIXTURES_DIR });
}
