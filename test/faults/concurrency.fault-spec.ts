import { FakeBridge } from '../fakes/fake-bridge.js';
import { setBody } from '../support/chatwoot.js';
import {
  chatwoot, createFaultInstance, createTenant, expectSettled, globalMismatch, newEncryptionKey, startFaultServer, type Tenant,
} from '../support/faults.js';
import type { HttpResponse } from '../support/http.js';
import { envelope } from '../support/http.js';
import { PrivatePostgres } from '../support/private-postgres.js';
import { buildServer, type ServerProcess } from '../support/server-process.js';

/**
 * SPEC §5 concurrent activations end with one row naming one live integration: one server, then two
 * replicas on one PostgreSQL (only the lease row serialises them), and activations racing deactivations.
 */
const ACTIVATION_MS = 20_000;
const TIMEOUT_504 = (name: string) =>
  envelope(`chatwoot activation timed out after 60s — it may still complete; check GET /api/chatwoot/list/${name}`);

describe('concurrent activations and deactivations of one instance (real server processes)', () => {
  const fake = new FakeBridge();
  let pgsql: PrivatePostgres;
  let replicas: ServerProcess[];
  let tenant: Tenant;

  beforeAll(async () => {
    const [build, started] = await Promise.all([buildServer(), PrivatePostgres.create(), fake.start()]);
    pgsql = started;
    const encryptionKey = newEncryptionKey();
    const env = { BRIDGE_ACTIVATION_TIMEOUT_MS: String(ACTIVATION_MS), BRIDGE_DELETE_TIMEOUT_MS: '5000', CHATWOOT_WORKER_INTERVAL_MS: '500' };
    // One after the other: both would run the migrations at boot.
    const first = await startFaultServer({ build, pg: pgsql, fake, encryptionKey, env });
    const second = await startFaultServer({ build, pg: pgsql, fake, encryptionKey, env });
    replicas = [first, second];
    tenant = await createTenant(first);
  }, 240_000);

  afterAll(async () => {
    await Promise.all((replicas ?? []).map((s) => s.kill()));
    await fake.stop();
    await pgsql?.destroy();
  });

  beforeEach(() => fake.reset());

  /** 201 with the activation body, or SPEC §5's documented 504 (the lock wait outlasted the budget). */
  function expectActivationAnswer(res: HttpResponse, name: string): void {
    if (res.status === 201) {
      expect(res.body).toMatchObject({ instance: name, status: 'active', message: 'chatwoot integration activated' });
    } else {
      expect([res.status, res.body]).toEqual([504, TIMEOUT_504(name)]);
    }
  }

  it.each([
    ['one server process', 1],
    ['two replicas sharing the database', 2],
  ])('50 parallel activations through %s: one row, one bridge integration, named by the row', async (_label, n) => {
    const inst = await createFaultInstance(replicas[0], pgsql, tenant);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        chatwoot.set(replicas[i % n], tenant, inst.name, setBody({ inboxName: `inbox ${i}` }), ACTIVATION_MS + 30_000)),
    );
    for (const r of results) expectActivationAnswer(r, inst.name);
    const ok = results.filter((r) => r.status === 201);
    expect(ok.length).toBeGreaterThanOrEqual(1);

    const settled = await expectSettled(pgsql, fake, inst.id);
    expect(settled.rows).toHaveLength(1);
    expect(settled.live).toEqual(settled.rows);
    // Every successful answer named that one integration (later sets update it in place)…
    expect(new Set(ok.map((r) => r.body.bridge_integration_id))).toEqual(new Set(settled.rows));
    // …and the row and the bridge hold the same configuration, the last one applied.
    const [row] = await pgsql.query<{ chatwoot_inbox_name: string }>(`SELECT chatwoot_inbox_name FROM chatwoot_integrations WHERE instance_id = $1`, [inst.id]);
    expect(fake.integrations.get(settled.rows[0])!.inbox_name).toBe(row.chatwoot_inbox_name);
    expect(fake.requestsOf('POST').length).toBeGreaterThanOrEqual(1);
  });

  it.each([
    ['a prompt bridge', 0],
    ['a slow bridge (150 ms a call)', 150],
  ])('activations racing deactivations on two replicas, with %s, end consistent', async (_label, delayMs) => {
    if (delayMs > 0) {
      for (const op of ['create', 'update', 'delete'] as const) fake.behave(op, { kind: 'delay', ms: delayMs });
    }
    for (let round = 0; round < 3; round++) {
      const inst = await createFaultInstance(replicas[0], pgsql, tenant);
      const ops = Array.from({ length: 24 }, (_, i) => {
        const server = replicas[i % 2];
        return i % 3 === 2
          ? chatwoot.delete(server, tenant, inst.name, ACTIVATION_MS + 60_000).then((r) => ({ kind: 'delete' as const, r }))
          : chatwoot.set(server, tenant, inst.name, setBody({ inboxName: `round ${round} op ${i}` }), ACTIVATION_MS + 30_000).then((r) => ({ kind: 'set' as const, r }));
      });
      for (const { kind, r } of await Promise.all(ops)) {
        if (kind === 'set') expectActivationAnswer(r, inst.name);
        else if (r.status === 200) expect(r.body).toEqual({ message: 'chatwoot integration deactivated' });
        else expect([r.status, r.body]).toEqual([404, envelope('no chatwoot integration to delete')]);
      }
      const settled = await expectSettled(pgsql, fake, inst.id, { boundMs: 30_000 });
      expect(settled.rows.length).toBeLessThanOrEqual(1);
      expect(settled.live).toEqual(settled.rows);
    }
    expect(await globalMismatch(pgsql, fake)).toEqual({ orphans: [], dangling: [] });
  });

  it('the replicas never wrote to stderr', () => {
    for (const s of replicas) expect(s.stderr).toEqual([]);
  });
});
