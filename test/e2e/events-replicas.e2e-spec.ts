import { randomInt } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EventLog } from '../../src/events/event-log.js';
import { createAccount, createInstance } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { UNLIMITED_RATE_ENV } from '../support/tenants.js';
import { StreamClient } from '../support/ws.js';

// Two replicas need one database that two processes' pools share: PostgreSQL.
const withPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

/**
 * SPEC-MESSAGING §10 under concurrency: two replicas on one database append 1,000 events to one
 * instance; three readers, each reconnecting with `after` at random moments to a random replica,
 * see every event exactly once, in order.
 */
withPostgres('event stream across two replicas', () => {
  let db: TestDatabase;
  let replicas: TestApp[];

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = { ...UNLIMITED_RATE_ENV, ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') };
    replicas = [await startTestApp({ db, env }), await startTestApp({ db, env })];
  });
  afterAll(async () => {
    for (const r of replicas ?? []) await r.app.close();
    await db?.drop();
  });

  it('every reader sees events 1..1000 once, in order, whichever replica wrote or served them', async () => {
    const account = await createAccount(replicas[0]);
    const instance = await createInstance(replicas[0], account);
    const [{ id }]: Array<{ id: string }> = await replicas[0].app.get(DataSource).query(`SELECT id FROM instances WHERE name = $1`, [instance.name]);
    const TOTAL = 1_000;

    const readers = [0, 1, 2].map(async () => {
      const seen: number[] = [];
      while (seen.length < TOTAL) {
        const replica = replicas[randomInt(2)];
        const after = seen.length ? seen[seen.length - 1] : 0;
        const client = await StreamClient.open(replica.url, `/ws/${instance.name}?after=${after}`, { token: account.token });
        // Read for a random while (or until everything came), then drop the connection.
        const target = Math.min(TOTAL, after + 1 + randomInt(250));
        await client.until((c) => c.frames.length > 0 && c.frames[c.frames.length - 1].seq >= target, 30_000).catch(() => undefined);
        await client.close();
        seen.push(...client.seqs);
      }
      return seen;
    });

    let appended = 0;
    const writers = [0, 1, 2, 3].map(async (w) => {
      const log = replicas[w % 2].app.get(EventLog);
      while (appended < TOTAL) {
        const n = Math.min(1 + randomInt(5), TOTAL - appended);
        appended += n;
        await log.appendNow(id, Array.from({ length: n }, () => ({ type: 'instance.state' as const, data: { status: 'connected', reason: `w${w}` } })));
        if (randomInt(10) === 0) await new Promise((r) => setTimeout(r, randomInt(20)));
      }
    });

    await Promise.all(writers);
    const seen = await Promise.all(readers);
    for (const s of seen) expect(s).toEqual(Array.from({ length: TOTAL }, (_, n) => n + 1));
  }, 120_000);
});
