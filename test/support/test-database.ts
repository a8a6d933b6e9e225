import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { pgliteSeedPath } from './global-setup.js';

export interface TestDatabase {
  /** `DATABASE_URL` for the app, or null for embedded PGlite in memory. */
  databaseUrl: string | null;
  embeddedDatabaseDir: string;
  /** PGlite only: a fresh, empty database to start from (see pgliteSeedPath). */
  embeddedDatabaseSeed: Blob | null;
  drop(): Promise<void>;
}

/**
 * An isolated database per test suite: a fresh PostgreSQL database on the server of
 * TEST_DATABASE_URL (CI), or an in-memory PGlite otherwise.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) return { databaseUrl: null, embeddedDatabaseDir: 'memory://', embeddedDatabaseSeed: freshPgliteSeed(), drop: async () => undefined };
  const name = `t_${randomBytes(6).toString('hex')}`;
  await withClient(admin, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    embeddedDatabaseDir: 'memory://',
    embeddedDatabaseSeed: null,
    drop: () => withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** A fresh, empty PGlite database's data directory (see pgliteSeedPath). */
function freshPgliteSeed(): Blob {
  return new Blob([readFileSync(pgliteSeedPath())]);
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
