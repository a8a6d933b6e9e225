import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../ormconfig.js';
import { runCli } from '../../src/cli.js';
import { loadConfig } from '../../src/config/config.js';
import { MIGRATIONS } from '../../src/database/migrations/index.js';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase } from '../support/test-database.js';

describe('command line (SPEC §1, §3)', () => {
  it('migrates, creates an account whose token works, and reports usage errors', async () => {
    const db = await createTestDatabase();
    // PGlite in memory does not outlive a data source: use a directory for the embedded case.
    const dir = db.databaseUrl ? db.embeddedDatabaseDir : `/tmp/cli-test-${randomBytes(4).toString('hex')}`;
    const env = { ENCRYPTION_KEY: randomBytes(32).toString('base64'), ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}), ROLES: 'api' };
    const config = loadConfig(env, { embeddedDatabaseDir: dir, embeddedDatabaseSeed: db.embeddedDatabaseSeed, migrateOnStart: false });
    const out: string[] = [];
    const print = (s: string) => void out.push(s);

    expect(await runCli(['migrate'], config, print)).toBe(0);
    expect(out.join('')).toContain(`applied ${MIGRATIONS[0].name}`);
    out.length = 0;
    expect(await runCli(['migrate'], config, print)).toBe(0);
    expect(out.join('')).toBe('no pending migrations\n');

    out.length = 0;
    expect(await runCli(['account:create', 'acme', '--quota', '2'], config, print)).toBe(0);
    const token = /token: (\S+)/.exec(out.join(''))?.[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    expect(await runCli(['account:create'], config, print)).toBe(2);
    expect(await runCli(['account:create', 'x', '--quota', 'many'], config, print)).toBe(2);
    expect(await runCli(['frobnicate'], config, print)).toBe(2);

    const t = await startTestApp({ db: { ...db, embeddedDatabaseDir: dir }, env: { ...env, MIGRATE_ON_START: 'false' } });
    try {
      const res = await t.req('GET', '/api/instance/list', { token });
      expect(res.status).toBe(200);
    } finally {
      await t.close();
      await db.drop();
    }
  });

  it('leaves nothing for migration:generate: entities and migrations agree', async () => {
    const db = await createTestDatabase();
    const ds = await new DataSource(buildDataSourceOptions(db)).initialize();
    try {
      await ds.runMigrations();
      const pending = await ds.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await ds.destroy();
      await db.drop();
    }
  });
});
