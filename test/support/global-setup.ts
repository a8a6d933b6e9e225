import { PGlite } from '@electric-sql/pglite';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// No relative imports here: jest loads this file natively, without the test files' module mapping.

/**
 * Where the seed of every embedded test database lives: the data directory of a new, empty PGlite
 * database, as `dumpDataDir()` writes it. A database started from it is the same as one that ran
 * initdb, which costs PGlite about 2 s (most of an embedded app's boot) against 0.4 s for loading
 * this. One per PGlite version, shared by every test file and run.
 */
export function pgliteSeedPath(): string {
  const manifest = join(process.cwd(), 'node_modules', '@electric-sql', 'pglite', 'package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return join(tmpdir(), `ryze-pglite-seed-${version}.tar`);
}

/** jest globalSetup: once per run, before any test file. */
export default async function globalSetup(): Promise<void> {
  const file = pgliteSeedPath();
  if (process.env.TEST_DATABASE_URL || existsSync(file)) return;
  const db = new PGlite('memory://');
  // dumpDataDir() before the database is ready never settles (and the process then just ends).
  await db.waitReady;
  const dump = await db.dumpDataDir('none');
  await db.close();
  const staging = `${file}.${process.pid}`;
  writeFileSync(staging, Buffer.from(await dump.arrayBuffer()));
  renameSync(staging, file);
}
