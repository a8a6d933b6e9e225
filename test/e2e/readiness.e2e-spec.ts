import { envelope } from '../support/http.js';
import { eventually } from '../support/chatwoot.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const NOT_READY = envelope('Not ready: database unavailable');

// An embedded PGlite cannot become unreachable: this needs a PostgreSQL server (TEST_DATABASE_URL).
const withPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

withPostgres('/readyz while PostgreSQL is unreachable (SPEC §7; PostgreSQL only, skipped without TEST_DATABASE_URL)', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    const real = new URL(db.databaseUrl!);
    proxy = await new TcpProxy({ host: real.hostname, port: Number(real.port || 5432) }).start();
    const viaProxy = new URL(real);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    t = await startTestApp({ db: { ...db, databaseUrl: viaProxy.toString() } });
  });
  afterAll(async () => {
    proxy?.restore();
    await t?.close();
    await proxy?.close();
    await db?.drop();
  });

  const ready = () => t.req('GET', '/readyz');

  it('answers 503 while the database connections are cut, and 200 again once it is back', async () => {
    expect((await ready()).body).toEqual({ status: 'ok', checks: { database: 'up' } });

    proxy.cut();
    const started = Date.now();
    const down = await ready();
    expect(down.status).toBe(503);
    expect(down.body).toEqual(NOT_READY);
    expect(Date.now() - started).toBeLessThan(2_500);
    // Liveness does not depend on the database: the process itself is fine.
    expect((await t.req('GET', '/healthz')).status).toBe(200);
    expect((await ready()).status).toBe(503);

    proxy.restore();
    await eventually(async () => {
      const res = await ready();
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok', checks: { database: 'up' } });
    }, 10_000);
  });

  it('answers 503 within its 2 s check timeout while the database hangs, and 200 again after', async () => {
    proxy.stall();
    const started = Date.now();
    const down = await ready();
    expect(down.status).toBe(503);
    expect(down.body).toEqual(NOT_READY);
    expect(Date.now() - started).toBeLessThan(4_000);

    proxy.restore();
    await eventually(async () => expect((await ready()).status).toBe(200), 10_000);
  });
});
