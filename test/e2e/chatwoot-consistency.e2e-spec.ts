import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { FakeBridge } from '../fakes/fake-bridge.js';
import { eventually, setBody, startWithBridge, chatwootSuite } from '../support/chatwoot.js';
import { createAccount, createInstance } from '../support/factories.js';
import { envelope } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';
import { createTestDatabase } from '../support/test-database.js';

/** The row of an instance's integration, and the bridge integrations with its external id. */
async function state(t: TestApp, fake: FakeBridge, name: string): Promise<{ rows: Array<{ bridge_integration_id: string }>; live: string[] }> {
  const ds = t.app.get(DataSource);
  const [instance] = await ds.query(`SELECT id FROM instances WHERE name = $1`, [name]);
  const rows = await ds.query(`SELECT bridge_integration_id FROM chatwoot_integrations WHERE instance_id = $1`, [instance.id]);
  const live = [...fake.integrations.values()].filter((i) => i.external_id === instance.id).map((i) => i.id);
  return { rows, live };
}

/** SPEC §5: the row and the bridge agree — one row naming the one live integration, or neither. */
async function expectConsistent(t: TestApp, fake: FakeBridge, name: string): Promise<void> {
  const { rows, live } = await state(t, fake, name);
  expect(rows.length).toBeLessThanOrEqual(1);
  expect(live).toEqual(rows.map((r) => r.bridge_integration_id));
}

describe('consistency between the database and the bridge (SPEC §5)', () => {
  const s = chatwootSuite();
  const fake = s.fake;

  const set = (body = setBody()) => s.t.req('POST', `/api/chatwoot/set/${s.inst.name}`, { token: s.account.token, json: body });
  const breakTable = () => s.t.app.get(DataSource).query(`ALTER TABLE "chatwoot_integrations" RENAME TO "chatwoot_integrations_off"`);
  const repairTable = () => s.t.app.get(DataSource).query(`ALTER TABLE "chatwoot_integrations_off" RENAME TO "chatwoot_integrations"`);

  it('500 on a database failure after the bridge created the integration, which is deleted again', async () => {
    fake.beforeAnswer.create = breakTable;
    let res;
    try {
      res = await set();
    } finally {
      await repairTable();
    }
    expect(res.status).toBe(500);
    expect(res.body).toEqual(envelope('chatwoot integration failed: persist integration: database write failed'));
    expect(fake.requestsOf('DELETE')).toHaveLength(1);
    expect(fake.requestsOf('DELETE')[0].query.get('delete_inbox')).toBeNull();
    await expectConsistent(s.t, fake, s.inst.name);
    expect((await state(s.t, fake, s.inst.name)).rows).toEqual([]);
  });

  it('500 on a database failure after an update: the bridge gets the previous configuration back', async () => {
    const first = await set();
    let res;
    let broken = false;
    fake.beforeAnswer.update = async () => {
      if (!broken) await breakTable(); // only the first PUT: the compensating one must go through
      broken = true;
    };
    try {
      res = await set(setBody({ chatwootApiToken: 'new-token-value', inboxName: 'New name' }));
    } finally {
      await repairTable();
    }
    expect(res.status).toBe(500);
    expect(res.body).toEqual(envelope('chatwoot integration failed: persist integration: database write failed'));
    const puts = fake.requestsOf('PUT');
    expect(puts).toHaveLength(2);
    expect(puts[1].body.chatwoot).toMatchObject({ api_token: setBody().chatwootApiToken, inbox_name: 'WhatsApp - Orion' });
    const status = await s.t.req('GET', `/api/chatwoot/list/${s.inst.name}`, { token: s.account.token });
    expect(status.body).toMatchObject({ bridge_integration_id: first.body.bridge_integration_id, chatwoot_inbox_name: 'WhatsApp - Orion' });
    await expectConsistent(s.t, fake, s.inst.name);
  });

  it('concurrent activations of one instance end with one row and one bridge integration', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => set(setBody({ inboxName: `inbox ${i}` }))));
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));
    const ids = new Set(results.map((r) => r.body.bridge_integration_id));
    expect(ids.size).toBe(1);
    await expectConsistent(s.t, fake, s.inst.name);
    expect((await state(s.t, fake, s.inst.name)).rows).toHaveLength(1);
    // The row and the bridge hold the same (last applied) configuration.
    const status = await s.t.req('GET', `/api/chatwoot/list/${s.inst.name}`, { token: s.account.token });
    const live = fake.integrations.get(status.body.bridge_integration_id)!;
    expect(live.inbox_name).toBe(status.body.chatwoot_inbox_name);
  });

  it('activations racing deactivations end consistent', async () => {
    const ops = Array.from({ length: 16 }, (_, i) =>
      i % 2 === 0 ? set() : s.t.req('DELETE', `/api/chatwoot/delete/${s.inst.name}`, { token: s.account.token }),
    );
    const results = await Promise.all(ops);
    for (const r of results) expect([200, 201, 404]).toContain(r.status);
    await eventually(() => expectConsistent(s.t, fake, s.inst.name));
  });

  it('after a 504, reconciliation removes the integration the bridge finished later', async () => {
    fake.behave('create', { kind: 'delay', ms: 2_200 }); // the budget is 1.5 s here
    const res = await set();
    expect(res.status).toBe(504);
    expect((await state(s.t, fake, s.inst.name)).rows).toEqual([]);
    // The bridge finishes the create after the server gave up…
    await eventually(async () => expect((await state(s.t, fake, s.inst.name)).live).toHaveLength(1), 3_000);
    // …and reconciliation, once the bridge can no longer be working on it, removes it.
    await eventually(async () => {
      const st = await state(s.t, fake, s.inst.name);
      expect(st.rows).toEqual([]);
      expect(st.live).toEqual([]);
      expect(await s.t.app.get(DataSource).query(`SELECT * FROM chatwoot_activation_attempts WHERE external_id = (SELECT id::text FROM instances WHERE name = $1)`, [s.inst.name])).toEqual([]);
    }, 8_000);
  });

  it('after a 504, a retried set ends with exactly one integration, named by the row', async () => {
    fake.behave('create', { kind: 'delay', ms: 1_800 });
    expect((await set()).status).toBe(504);
    fake.reset();
    const retried = await set();
    expect(retried.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 800)); // let the delayed create land
    await eventually(async () => {
      const st = await state(s.t, fake, s.inst.name);
      expect(st.rows).toHaveLength(1);
      expect(st.live).toEqual([st.rows[0].bridge_integration_id]);
    }, 8_000);
  });
});

describe('durable deletion retry across a restart', () => {
  it('finishes the bridge deletion after the server restarts and the bridge comes back', async () => {
    const fake = await new FakeBridge().start();
    const db = await createTestDatabase();
    const dir = db.databaseUrl ? db.embeddedDatabaseDir : `/tmp/restart-test-${randomBytes(4).toString('hex')}`;
    const shared = { ...db, embeddedDatabaseDir: dir };
    const env = { ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    try {
      const first = await startWithBridge(fake, { db: shared, env });
      const account = await createAccount(first);
      const inst = await createInstance(first, account);
      const set = await first.req('POST', `/api/chatwoot/set/${inst.name}`, { token: account.token, json: setBody() });
      const id = set.body.bridge_integration_id as string;
      fake.behave('delete', { kind: 'respond', status: 503, body: 'maintenance', contentType: 'text/plain' });
      expect((await first.req('DELETE', `/api/chatwoot/delete/${inst.name}`, { token: account.token })).status).toBe(200);
      await first.close();
      expect(fake.integrations.has(id)).toBe(true);

      fake.reset(); // the bridge is back
      const second = await startWithBridge(fake, { db: shared, env });
      try {
        await eventually(() => expect(fake.integrations.has(id)).toBe(false));
        await eventually(async () => expect(await second.app.get(DataSource).query(`SELECT * FROM chatwoot_bridge_deletions`)).toEqual([]));
      } finally {
        await second.close();
      }
    } finally {
      await fake.stop();
      await db.drop();
      if (!db.databaseUrl) rmSync(dir, { recursive: true, force: true });
    }
  });
});
