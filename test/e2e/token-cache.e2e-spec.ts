import { DataSource } from 'typeorm';
import { PrincipalCache } from '../../src/auth/principal-cache.js';
import { hashToken } from '../../src/common/auth/tokens.js';
import { LISTENER_APPLICATION_NAME } from '../../src/auth/token-revocations.js';
import { MetricsService } from '../../src/metrics/metrics.service.js';
import { eventually } from '../support/chatwoot.js';
import { createAccount, createInstance, type TestAccount } from '../support/factories.js';
import { envelope } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The token cache (README "Token cache"): a token is looked up in the database once, then
 * answered from memory, and stops working as soon as it is revoked, whoever revoked it.
 */

/** Each suite: an app on a database of its own, an account, and direct SQL on that database. */
function appWithAccount() {
  const fixture = {} as { t: TestApp; account: TestAccount };
  beforeAll(async () => {
    fixture.t = await startTestApp();
    fixture.account = await createAccount(fixture.t);
  });
  afterAll(() => fixture.t.close());
  return {
    fixture,
    sql: (query: string, params: unknown[] = []) => fixture.t.app.get(DataSource).query(query, params),
    list: (token: string) => fixture.t.req('GET', '/api/instance/list', { token }),
  };
}

describe('the principal cache and token revocations', () => {
  const { fixture, sql, list } = appWithAccount();
  let t: TestApp;
  let account: TestAccount;
  beforeAll(() => ({ t, account } = fixture));

  const lookups = async (source: 'cache' | 'database') =>
    (await t.app.get(MetricsService).registry.getSingleMetric('auth_token_lookups_total')!.get()).values.find((v) => v.labels.source === source)?.value ?? 0;
  const live = async () => (await t.app.get(MetricsService).registry.getSingleMetric('auth_cache_live')!.get()).values[0]?.value;

  it('is live once the server listens for revocations, and answers a token from memory after its first look-up', async () => {
    expect(await live()).toBe(1);
    const instance = await createInstance(t, account);
    const [fromDatabase, fromCache] = [await lookups('database'), await lookups('cache')];
    expect((await list(instance.token)).status).toBe(200);
    expect((await list(instance.token)).status).toBe(200);
    expect((await list(instance.token)).status).toBe(200);
    expect(await lookups('database')).toBe(fromDatabase + 1);
    expect(await lookups('cache')).toBe(fromCache + 2);
  });

  it('never remembers an unknown token: one issued later works at once', async () => {
    const token = `custom-token-${Date.now()}-abcdefgh`;
    expect((await list(token)).body).toEqual(envelope('Invalid token'));
    await createInstance(t, account, { token });
    expect((await list(token)).status).toBe(200);
  });

  it('rejects the token of an instance deleted through the API at once (401 Invalid token)', async () => {
    const instance = await createInstance(t, account);
    expect((await list(instance.token)).status).toBe(200);
    expect((await t.req('DELETE', `/api/instance/delete/${instance.name}`, { token: account.token })).status).toBe(200);
    const res = await list(instance.token);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(envelope('Invalid token'));
  });

  it('rejects a token deleted behind its back (another replica, the CLI, psql) once the database notifies it', async () => {
    const instance = await createInstance(t, account);
    expect((await list(instance.token)).status).toBe(200);
    const cached = await lookups('cache');
    expect((await list(instance.token)).status).toBe(200);
    expect(await lookups('cache')).toBe(cached + 1);

    await sql('DELETE FROM instances WHERE token_hash = $1', [hashToken(instance.token)]);
    // PGlite delivers the notification with the commit; PostgreSQL within milliseconds.
    await eventually(async () => expect((await list(instance.token)).body).toEqual(envelope('Invalid token')), 2_000);
  });

  it('forgets a token whose row changes name, account or token (what a principal is made of)', async () => {
    const cache = t.app.get(PrincipalCache);
    const other = await createAccount(t);
    const changes: Array<[string, (hash: string) => Promise<unknown>]> = [
      ['instance renamed', (hash) => sql(`UPDATE instances SET name = name || '-renamed' WHERE token_hash = $1`, [hash])],
      ['instance moved', (hash) => sql('UPDATE instances SET account_id = $1 WHERE token_hash = $2', [other.id, hash])],
      ['instance token changed', (hash) => sql(`UPDATE instances SET token_hash = md5(token_hash) || md5(token_hash) WHERE token_hash = $1`, [hash])],
    ];
    for (const [change, apply] of changes) {
      const instance = await createInstance(t, account);
      const hash = hashToken(instance.token);
      expect((await list(instance.token)).status).toBe(200);
      expect(cache.get(hash)).toMatchObject({ kind: 'instance', instanceName: instance.name });
      await apply(hash);
      await eventually(() => expect([change, cache.get(hash)]).toEqual([change, undefined]), 2_000);
    }
    const fresh = await createAccount(t);
    const hash = hashToken(fresh.token);
    expect((await list(fresh.token)).status).toBe(200);
    expect(cache.get(hash)).toEqual({ kind: 'account', accountId: fresh.id });
    await sql(`UPDATE accounts SET token_hash = md5(token_hash) || md5(token_hash) WHERE token_hash = $1`, [hash]);
    await eventually(() => expect(cache.get(hash)).toBeUndefined(), 2_000);
  });

  it('does not notify for a deletion that rolls back', async () => {
    const instance = await createInstance(t, account);
    expect((await list(instance.token)).status).toBe(200);
    await t.app.get(DataSource).transaction(async (m) => {
      await m.query('DELETE FROM instances WHERE token_hash = $1', [hashToken(instance.token)]);
      throw new Error('roll back');
    }).catch(() => undefined);
    const cached = await lookups('cache');
    expect((await list(instance.token)).status).toBe(200);
    expect(await lookups('cache')).toBe(cached + 1);
  });

  it('forgets every token when the tables are truncated (the last test of this suite: it empties them)', async () => {
    const cache = t.app.get(PrincipalCache);
    const instance = await createInstance(t, account);
    expect((await list(instance.token)).status).toBe(200);
    expect((await list(account.token)).status).toBe(200);
    expect(cache.size).toBeGreaterThanOrEqual(2);
    await sql('TRUNCATE instances CASCADE');
    await eventually(() => expect(cache.size).toBe(0), 2_000);
    expect((await list(instance.token)).body).toEqual(envelope('Invalid token'));
  });
});

const withPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

withPostgres('the revocation channel on PostgreSQL (skipped without TEST_DATABASE_URL)', () => {
  const { fixture, sql, list } = appWithAccount();
  let t: TestApp;
  let account: TestAccount;
  beforeAll(() => ({ t, account } = fixture));

  const listenerPid = async (): Promise<number | undefined> =>
    (await sql('SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()', [LISTENER_APPLICATION_NAME]))[0]?.pid;

  it('stays off while a revocation trigger is disabled, and forgets what it knew', async () => {
    const cache = t.app.get(PrincipalCache);
    const instance = await createInstance(t, account);
    expect((await list(instance.token)).status).toBe(200);
    expect(cache.get(hashToken(instance.token))).toBeDefined();
    await sql('ALTER TABLE instances DISABLE TRIGGER instances_token_revoked');
    try {
      // Within a heartbeat (2 s) the server sees it, forgets, and stops answering.
      await eventually(() => expect(cache.enabled).toBe(false), 5_000, 50);
      expect(cache.size).toBe(0);
      expect((await list(account.token)).status).toBe(200);
      expect(cache.size).toBe(0); // read from the database, not remembered
      // A deletion now is notified to nobody, and is not missed: the token is read from the database.
      await sql('DELETE FROM instances WHERE token_hash = $1', [hashToken(instance.token)]);
      expect((await list(instance.token)).body).toEqual(envelope('Invalid token'));
    } finally {
      await sql('ALTER TABLE instances ENABLE ALWAYS TRIGGER instances_token_revoked');
    }
    await eventually(() => expect(cache.enabled).toBe(true), 5_000, 50);
  });

  it('listens on a connection of its own', async () => {
    expect(await listenerPid()).toEqual(expect.any(Number));
  });

  it('a token deleted through one replica stops working on another one that remembered it', async () => {
    const other = await startTestApp({ db: t.db });
    try {
      const instance = await createInstance(t, account);
      for (let i = 0; i < 2; i++) expect((await other.req('GET', '/api/instance/list', { token: instance.token })).status).toBe(200);
      expect((await t.req('DELETE', `/api/instance/delete/${instance.name}`, { token: account.token })).status).toBe(200);
      await eventually(async () => {
        expect((await other.req('GET', '/api/instance/list', { token: instance.token })).body).toEqual(envelope('Invalid token'));
      }, 2_000);
    } finally {
      await other.close();
    }
  });

  it('forgets everything when the channel is lost (a revocation may have been missed), and listens again by itself', async () => {
    const instance = await createInstance(t, account);
    expect((await list(instance.token)).status).toBe(200); // remembered
    const before = await listenerPid();

    // The channel dies, and the instance is deleted while no listener exists (checked in the same
    // statement): its notification reaches nobody.
    await sql('SELECT pg_terminate_backend($1)', [before]);
    await eventually(async () => {
      const deleted = await sql(
        `DELETE FROM instances WHERE token_hash = $1
           AND NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = $2 AND datname = current_database())
         RETURNING id`,
        [hashToken(instance.token), LISTENER_APPLICATION_NAME],
      );
      expect(deleted[1]).toBe(1); // TypeORM answers a DELETE with [rows, count]
    }, 5_000, 5);

    await eventually(async () => expect((await list(instance.token)).body).toEqual(envelope('Invalid token')), 5_000);
    await eventually(async () => {
      const now = await listenerPid();
      expect(now).toEqual(expect.any(Number));
      expect(now).not.toBe(before);
    }, 10_000);

    // Listening again: revocations reach it as before.
    const next = await createInstance(t, account);
    expect((await list(next.token)).status).toBe(200);
    await sql('DELETE FROM instances WHERE token_hash = $1', [hashToken(next.token)]);
    await eventually(async () => expect((await list(next.token)).body).toEqual(envelope('Invalid token')), 2_000);
  });
});
