import { FakeBridge } from '../fakes/fake-bridge.js';
import {
  chatwoot, createFaultInstance, createTenant, expectSettled, instanceState, newEncryptionKey, startFaultServer, within, type Tenant,
} from '../support/faults.js';
import { PrivatePostgres } from '../support/private-postgres.js';
import { buildServer, type ServerProcess } from '../support/server-process.js';

/**
 * SPEC §5 delete step 2 with the bridge down: deactivations answer 200 at once, and the bridge
 * integrations go once it is back, with the same process and across a SIGKILL and a restart.
 */
const DEACTIVATED = { message: 'chatwoot integration deactivated' };

describe('the durable deletion retry (real server processes, private PostgreSQL)', () => {
  const fake = new FakeBridge();
  const encryptionKey = newEncryptionKey();
  let build: string;
  let pgsql: PrivatePostgres;
  let bridgePort: number;
  const servers: ServerProcess[] = [];
  const start = async (workerIntervalMs: number) => {
    const s = await startFaultServer({
      build, pg: pgsql, fake, encryptionKey,
      env: { BRIDGE_DELETE_TIMEOUT_MS: '2000', CHATWOOT_WORKER_INTERVAL_MS: String(workerIntervalMs) },
    });
    servers.push(s);
    return s;
  };

  beforeAll(async () => {
    [build, pgsql] = await Promise.all([buildServer(), PrivatePostgres.create(), fake.start()]);
    bridgePort = Number(new URL(fake.url).port);
  }, 240_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.kill()));
    await fake.stop().catch(() => undefined);
    await pgsql?.destroy();
  });

  async function activatedInstances(server: ServerProcess, tenant: Tenant, n: number) {
    const out: Array<{ name: string; id: string; integrationId: string }> = [];
    for (let i = 0; i < n; i++) {
      const inst = await createFaultInstance(server, pgsql, tenant);
      const res = await chatwoot.set(server, tenant, inst.name);
      expect(res.status).toBe(201);
      out.push({ ...inst, integrationId: res.body.bridge_integration_id });
    }
    return out;
  }

  it('bridge down during delete → 200 at once; bridge back → the integrations disappear from it', async () => {
    const server = await start(300);
    const tenant = await createTenant(server);
    const instances = await activatedInstances(server, tenant, 3);

    await fake.stop(); // connections refused
    try {
      for (const inst of instances) {
        const res = await chatwoot.delete(server, tenant, inst.name);
        expect([res.status, res.body]).toEqual([200, DEACTIVATED]);
        expect(res.elapsedMs).toBeLessThan(5_000);
        expect(await instanceState(pgsql, fake, inst.id)).toMatchObject({ rows: [], live: [inst.integrationId], queued: [inst.integrationId] });
      }
      // Several failed retries while it stays down; the queue keeps every deletion.
      await within(10_000, async () => {
        const [{ attempts }] = await pgsql.query<{ attempts: number }>(`SELECT min(attempts)::int AS attempts FROM chatwoot_bridge_deletions`);
        expect(attempts).toBeGreaterThanOrEqual(2);
      });
      expect(instances.every((i) => fake.integrations.has(i.integrationId))).toBe(true);
    } finally {
      await fake.start(bridgePort);
    }
    for (const inst of instances) {
      expect(await expectSettled(pgsql, fake, inst.id, { alsoQueued: [inst.integrationId], boundMs: 30_000 })).toMatchObject({ rows: [], live: [] });
    }
    expect(fake.requestsOf('DELETE').every((r) => r.query.get('delete_inbox') === null)).toBe(true);
    await server.kill();
  });

  it('survives a SIGKILL and a restart: the restarted server finishes the deletion once the bridge is back', async () => {
    // A slow worker first, so that no retry of these deletions is in flight when it is killed
    // (a deletion claimed by a process that dies waits out its 5-minute claim).
    const first = await start(10_000);
    const tenant = await createTenant(first);
    const instances = await activatedInstances(first, tenant, 2);

    await fake.stop();
    let second: ServerProcess | undefined;
    try {
      for (const inst of instances) expect((await chatwoot.delete(first, tenant, inst.name)).status).toBe(200);
      await first.kill();
      expect(first.process.signalCode).toBe('SIGKILL');
      const queued = await pgsql.query(`SELECT bridge_integration_id FROM chatwoot_bridge_deletions ORDER BY bridge_integration_id`);
      expect(queued.map((r) => r.bridge_integration_id)).toEqual(instances.map((i) => i.integrationId).sort());

      // Restarted while the bridge is still down: it keeps retrying, nothing is dropped.
      second = await start(300);
      await within(20_000, async () => {
        const rows = await pgsql.query<{ attempts: number }>(`SELECT attempts FROM chatwoot_bridge_deletions`);
        expect(rows).toHaveLength(2);
        expect(rows.every((r) => r.attempts >= 2)).toBe(true);
      });
    } finally {
      await fake.start(bridgePort);
    }
    for (const inst of instances) {
      expect(await expectSettled(pgsql, fake, inst.id, { alsoQueued: [inst.integrationId], boundMs: 30_000 })).toMatchObject({ rows: [], live: [] });
    }
    expect(await pgsql.query(`SELECT * FROM chatwoot_bridge_deletions`)).toEqual([]);
    expect(second!.stderr).toEqual([]);
  });
});
