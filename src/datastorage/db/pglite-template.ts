/**
 * A freshly initialised PGlite data directory (what initdb leaves), dumped once by the build into
 * dist/, so that a new embedded database starts from a copy of it instead of running initdb,
 * which takes 2-4 s and was the slowest step of `kubernaut up`. Without the file (no build yet),
 * PGlite runs initdb as usual; the copy is keyed by PGlite's version, whose initdb it stands for.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

function pgliteVersion(): string {
  const main = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  return (JSON.parse(readFileSync(join(dirname(main), '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** dist/ of this checkout, from src/datastorage/db as from dist/datastorage/db. */
export function pgliteTemplateFile(): string {
  return join(fileURLToPath(new URL('../../../dist/', import.meta.url)), `pglite-template-${pgliteVersion()}.tar.gz`);
}

/** The template to start a new database from, if the build made one for this PGlite. */
export function pgliteTemplate(): Blob | undefined {
  try {
    return new Blob([readFileSync(pgliteTemplateFile())]);
  } catch {
    return undefined;
  }
}

/** Runs initdb once and dumps the result where pgliteTemplate() finds it (written aside, then renamed). */
export async function writePgliteTemplate(file = pgliteTemplateFile()): Promise<void> {
  const db = await PGlite.create();
  const dump = await db.dumpDataDir('gzip');
  await db.close();
  writeFileSync(`${file}.${process.pid}.tmp`, Buffer.from(await dump.arrayBuffer()));
  renameSync(`${file}.${process.pid}.tmp`, file);
}
