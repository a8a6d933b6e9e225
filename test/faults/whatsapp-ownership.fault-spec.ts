import { initAuthCreds } from '@whiskeysockets/baileys';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../ormconfig.js';
import { SecretCipher } from '../../src/common/crypto/secret-cipher.js';
import { keyIdOf } from '../../src/config/config.js';
import { BaileysAuthStore } from '../../src/whatsapp/baileys/baileys-auth-store.js';
import { FakeBridge } from '../fakes/fake-bridge.js';
import { eventually } from '../support/chatwoot.js';
import { createFaultInstance, createTenant, newEncryptionKey, startFaultServer } from '../support/faults.js';
import { request } from '../support/http.js';
import { PrivatePostgres } from '../support/private-postgres.js';
import { buildServer, exitWithin, type ServerProcess } from '../support/server-process.js';

interface Record {
  pid: number;
  what: 'open' | 'close' | 'send';
  at: number;
  text?: string | null;
}

/**
 * SPEC-MESSAGING §8 "one connection per instance, across replicas": two server processes on one
 * database and one linked Baileys session (a fake connection at the adapter's port). One holds it;
 * SIGKILLed, the other holds it within 30 s; at no moment do both.
 */
describe('one Baileys connection per instance across processes (real server processes)', () => {
  const fake = new FakeBridge();
  const encryptionKey = newEncryptionKey();
  let build: string;
  let pgsql: PrivatePostgres;
  let servers: ServerProcess[] = [];
  let dir: string;

  beforeAll(async () => {
    [build, pgsql] = await Promise.all([buildServer(), PrivatePostgres.create(), fake.start()]);
    dir = mkdtempSync(join(tmpdir(), 'ryze-ownership-'));
  }, 240_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.kill()));
    await fake.stop();
    await pgsql?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the survivor takes the connection over within 30 s of the holder\'s SIGKILL, never while the holder held it', async () => {
    const log = join(dir, 'connections.log');
    const env = { BAILEYS_SOCKET_MODULE: join(process.cwd(), 'test/fixtures/baileys/process-socket-module.mjs'), FAKE_BAILEYS_LOG: log };
    servers = [
      await startFaultServer({ build, pg: pgsql, fake, encryptionKey, env }),
      await startFaultServer({ build, pg: pgsql, fake, encryptionKey, env }),
    ];
    const tenant = await createTenant(servers[0]);
    const instance = await createFaultInstance(servers[0], pgsql, tenant);

    // A paired session, as a QR scan leaves it.
    const ds = await new DataSource(buildDataSourceOptions({ databaseUrl: pgsql.url, embeddedDatabaseDir: 'memory://' })).initialize();
    try {
      const key = Buffer.from(encryptionKey, 'base64');
      const session = new BaileysAuthStore(ds, new SecretCipher({ id: keyIdOf(key), key })).create(instance.id);
      Object.assign(session.state.creds, {
        ...initAuthCreds(),
        me: { id: '5511999999999:7@s.whatsapp.net', name: 'Loja' },
        account: { details: Buffer.from('adv'), accountSignatureKey: Buffer.alloc(32), accountSignature: Buffer.alloc(64), deviceSignature: Buffer.alloc(64) },
      });
      await session.saveCreds();
    } finally {
      await ds.destroy();
    }

    const records = (): Record[] =>
      readFileSafe(log).split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record);
    // Taken by one of them at its next sweep (every 5 s).
    await eventually(() => expect(records().filter((r) => r.what === 'open')).toHaveLength(1), 20_000, 100);
    const holderPid = records()[0].pid;
    const holder = servers.find((s) => s.process.pid === holderPid)!;
    const survivor = servers.find((s) => s !== holder)!;
    const status = async () => (await request(survivor.url, 'GET', `/api/instance/list?instanceName=${instance.name}`, { token: tenant.token })).body.instances[0].status;
    await eventually(async () => expect(await status()).toBe('connected'), 10_000);

    holder.process.kill('SIGKILL');
    const killedAt = Date.now();
    await exitWithin(holder, 5_000);
    await eventually(() => expect(records().filter((r) => r.what === 'open' && r.pid === survivor.process.pid)).toHaveLength(1), 40_000, 100);
    const takenAt = records().find((r) => r.pid === survivor.process.pid)!.at;
    // SPEC: within 30 s of the holder's death.
    expect(takenAt - killedAt).toBeLessThan(30_000);
    // Never two holders: the survivor opened only after the holder died (a SIGKILLed process holds
    // nothing), and the holder never opened again.
    expect(takenAt).toBeGreaterThan(killedAt);
    expect(records().filter((r) => r.pid === holderPid)).toEqual([expect.objectContaining({ what: 'open' })]);
    expect(await status()).toBe('connected');

    // A graceful stop hands the connection over at once instead (the lease is released).
    const third = await startFaultServer({ build, pg: pgsql, fake, encryptionKey, env });
    servers.push(third);
    survivor.process.kill('SIGTERM');
    const stoppedAt = Date.now();
    expect(await exitWithin(survivor, 30_000)).toEqual({ code: 0, signal: null });
    await eventually(() => expect(records().filter((r) => r.pid === third.process.pid && r.what === 'open')).toHaveLength(1), 20_000, 100);
    const closedAt = records().find((r) => r.pid === survivor.process.pid && r.what === 'close')!.at;
    const reopenedAt = records().find((r) => r.pid === third.process.pid && r.what === 'open')!.at;
    expect(closedAt).toBeGreaterThanOrEqual(stoppedAt);
    expect(reopenedAt).toBeGreaterThanOrEqual(closedAt);
    // Handed over, not waited out: well under the 20 s lease.
    expect(reopenedAt - closedAt).toBeLessThan(10_000);

    // A send asked on a process that does not hold the connection is sent by the one that does.
    const fourth = await startFaultServer({ build, pg: pgsql, fake, encryptionKey, env });
    servers.push(fourth);
    const sent = await request(fourth.url, 'POST', `/api/message/text/${instance.name}`, { token: tenant.token, json: { number: '5511888888888', message: 'relayed' } });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ success: true, message: 'Message sent successfully', data: { messageId: expect.stringMatching(/^FAKE\d+$/), direction: 'outgoing' } });
    expect(records().filter((r) => r.what === 'send')).toEqual([expect.objectContaining({ pid: third.process.pid, text: 'relayed' })]);
    // Held by nobody (its holder stopped, no other process takes it in time): not connected, at once.
    third.process.kill('SIGTERM');
    await exitWithin(third, 30_000);
    await pgsql.query(`UPDATE "whatsapp_sessions" SET "linked" = false`);
    await pgsql.query(`DELETE FROM "leases" WHERE "resource" LIKE 'whatsapp:%'`);
    const refused = await request(fourth.url, 'POST', `/api/message/text/${instance.name}`, { token: tenant.token, json: { number: '5511888888888', message: 'nobody' } });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ success: false, error: { message: 'Instance is not connected to WhatsApp' } });
  }, 180_000);

  it('while members that died are still counted, connections left free after their lease expired are taken up to the cap', async () => {
    const env = { BAILEYS_SOCKET_MODULE: join(process.cwd(), 'test/fixtures/baileys/process-socket-module.mjs'), FAKE_BAILEYS_LOG: join(dir, 'connections.log') };
    const live = servers.filter((s) => s.process.exitCode === null && s.process.signalCode === null);
    while (live.length < 2) {
      const server = await startFaultServer({ build, pg: pgsql, fake, encryptionKey, env });
      servers.push(server);
      live.push(server);
    }
    expect(live).toHaveLength(2);
    // Three members that died a moment ago and are still counted, and 10 linked sessions:
    // N = 5, target ⌈10/5⌉ = 2, cap ⌈1.2 × 10/5⌉ = 3.
    const ghosts = ['ghost-host:1:00000000', 'ghost-host:2:00000000', 'ghost-host:3:00000000'];
    for (const g of ghosts) {
      await pgsql.query(`INSERT INTO "leases" ("resource", "holder", "expires_at") VALUES ($1, $2, now() + interval '2 minutes')`, [`member:whatsapp:${g}`, g]);
    }
    const tenant = await createTenant(live[0]);
    const ids: string[] = [];
    const ds = await new DataSource(buildDataSourceOptions({ databaseUrl: pgsql.url, embeddedDatabaseDir: 'memory://' })).initialize();
    try {
      const key = Buffer.from(encryptionKey, 'base64');
      const store = new BaileysAuthStore(ds, new SecretCipher({ id: keyIdOf(key), key }));
      for (let i = 0; i < 10; i += 1) {
        const instance = await createFaultInstance(live[0], pgsql, tenant);
        const session = store.create(instance.id);
        Object.assign(session.state.creds, {
          ...initAuthCreds(),
          me: { id: `55119700000${String(i).padStart(2, '0')}:7@s.whatsapp.net`, name: `Loja ${i}` },
          account: { details: Buffer.from('adv'), accountSignatureKey: Buffer.alloc(32), accountSignature: Buffer.alloc(64), deviceSignature: Buffer.alloc(64) },
        });
        await session.saveCreds();
        ids.push(instance.id);
      }
    } finally {
      await ds.destroy();
    }
    const held = async () => {
      const rows = await pgsql.query<{ holder: string }>(
        `SELECT "holder" FROM "leases" WHERE "resource" = ANY($1::text[]) AND "expires_at" >= now()`, [ids.map((id) => `whatsapp:${id}`)],
      );
      return live.map((s) => rows.filter((r) => r.holder.split(':')[1] === String(s.process.pid)).length).sort();
    };
    // Each takes its target; what was never held (no lease) waits for the count to settle.
    await eventually(async () => expect(await held()).toEqual([2, 2]), 20_000, 250);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(await held()).toEqual([2, 2]);
    // What is free becomes a dead holder's, its lease expired 10 s ago: taken up to the cap.
    const taken = new Set((await pgsql.query<{ resource: string }>(`SELECT "resource" FROM "leases" WHERE "resource" LIKE 'whatsapp:%' AND "expires_at" >= now()`)).map((r) => r.resource));
    for (const id of ids.filter((x) => !taken.has(`whatsapp:${x}`))) {
      await pgsql.query(
        `INSERT INTO "leases" ("resource", "holder", "expires_at") VALUES ($1, $2, now() - interval '10 seconds')
         ON CONFLICT ("resource") DO UPDATE SET "holder" = EXCLUDED."holder", "expires_at" = EXCLUDED."expires_at"`,
        [`whatsapp:${id}`, ghosts[0]],
      );
    }
    await eventually(async () => expect(await held()).toEqual([3, 3]), 15_000, 250);
    // Once the dead are no longer counted (N = 2: target 5, cap 6), the rest is taken too, nobody above the cap.
    await pgsql.query(`DELETE FROM "leases" WHERE "resource" LIKE 'member:whatsapp:ghost-host:%'`);
    await eventually(async () => {
      const now = await held();
      expect(now.reduce((a, b) => a + b, 0)).toBe(10);
      expect(Math.max(...now)).toBeLessThanOrEqual(6);
    }, 20_000, 250);
  }, 180_000);
});

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
