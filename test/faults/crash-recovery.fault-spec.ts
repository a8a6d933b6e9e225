import { FakeBridge } from '../fakes/fake-bridge.js';
import { setBody } from '../support/chatwoot.js';
import {
  chatwoot, createFaultInstance, createTenant, expectSettled, globalMismatch, newEncryptionKey, startFaultServer, within, type Tenant,
} from '../support/faults.js';
import { PrivatePostgres } from '../support/private-postgres.js';
import { buildServer, type ServerProcess } from '../support/server-process.js';

/**
 * SIGKILL while the bridge works on two creates and an update, which it then completes for a dead
 * server. Restarted on the same database, the server reconciles: no integration without its row or
 * row without its integration, and a retried activation ends with exactly one integration.
 */
const ACTIVATION_MS = 4_000;
/** A lease left by the killed process expires ACTIVATION_MS + 30 s after it was taken. */
const LEASE_MS = ACTIVATION_MS + 30_000;
const BRIDGE_WORK_MS = 2_500;

describe('SIGKILL during activations, then a restart on the same database (real server processes)', () => {
  const fake = new FakeBridge();
  const encryptionKey = newEncryptionKey();
  let build: string;
  let pgsql: PrivatePostgres;
  let servers: ServerProcess[] = [];
  let tenant: Tenant;
  const env = {
    BRIDGE_ACTIVATION_TIMEOUT_MS: String(ACTIVATION_MS),
    BRIDGE_GET_TIMEOUT_MS: '2000',
    BRIDGE_DELETE_TIMEOUT_MS: '2000',
    CHATWOOT_WORKER_INTERVAL_MS: '300',
  };
  const start = async () => {
    const s = await startFaultServer({ build, pg: pgsql, fake, encryptionKey, env });
    servers.push(s);
    return s;
  };

  beforeAll(async () => {
    [build, pgsql] = await Promise.all([buildServer(), PrivatePostgres.create(), fake.start()]);
  }, 240_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.kill()));
    await fake.stop();
    await pgsql?.destroy();
  });

  it('leaves the database and the bridge in agreement, and a retried set adopts or recreates one integration', async () => {
    const first = await start();
    tenant = await createTenant(first);
    const [created, retried, updated, untouched] = [
      await createFaultInstance(first, pgsql, tenant), // first activation in flight at the kill
      await createFaultInstance(first, pgsql, tenant), // same, then activated again after the restart
      await createFaultInstance(first, pgsql, tenant), // an update in flight at the kill
      await createFaultInstance(first, pgsql, tenant), // active, nothing in flight
    ];
    for (const inst of [updated, untouched]) expect((await chatwoot.set(first, tenant, inst.name)).status).toBe(201);
    const integrationOf = (id: string) => [...fake.integrations.values()].filter((i) => i.external_id === id).map((i) => i.id);
    const [updatedIntegration] = integrationOf(updated.id);
    const [untouchedIntegration] = integrationOf(untouched.id);

    // The bridge takes 2.5 s; the process dies while it works.
    fake.behave('create', { kind: 'delay', ms: BRIDGE_WORK_MS });
    fake.behave('update', { kind: 'delay', ms: BRIDGE_WORK_MS });
    const pending = [
      chatwoot.set(first, tenant, created.name),
      chatwoot.set(first, tenant, retried.name),
      chatwoot.set(first, tenant, updated.name, setBody({ inboxName: 'Renamed before the crash' })),
    ].map((p) => p.then((r) => r.status, (e: Error) => e.message));
    const seen = (method: string, id: string) => fake.requestsOf(method).some((r) => r.body?.external_id === id);
    await within(10_000, () => {
      expect(seen('POST', created.id) && seen('POST', retried.id) && seen('PUT', updated.id)).toBe(true);
    });
    await first.kill();
    expect(first.process.signalCode).toBe('SIGKILL');
    // The clients lost their connections: none got an answer.
    for (const outcome of await Promise.all(pending)) expect(typeof outcome).toBe('string');

    // The bridge completes the work of the dead process: two integrations no row names.
    await within(10_000, () => {
      expect(integrationOf(created.id)).toHaveLength(1);
      expect(integrationOf(retried.id)).toHaveLength(1);
      expect(fake.integrations.get(updatedIntegration)?.inbox_name).toBe('Renamed before the crash');
    });
    expect((await globalMismatch(pgsql, fake)).orphans).toHaveLength(2);

    // Restart on the same database, the bridge answering promptly again.
    fake.reset();
    const second = await start();

    // A retried set: 504 while the dead process's lease holds the instance, then 201.
    let answer = await chatwoot.set(second, tenant, retried.name, setBody(), ACTIVATION_MS + 20_000);
    const until = Date.now() + LEASE_MS + 30_000;
    while (answer.status !== 201 && Date.now() < until) {
      expect(answer.status).toBe(504);
      await new Promise((r) => setTimeout(r, 500));
      answer = await chatwoot.set(second, tenant, retried.name, setBody(), ACTIVATION_MS + 20_000);
    }
    expect(answer.status).toBe(201);

    // Reconciliation settles every instance: the orphan of the first activation is deleted, the
    // retried one has exactly one integration named by its row, the others are kept as they were.
    const bound = LEASE_MS + 2 * ACTIVATION_MS + 30_000;
    expect(await expectSettled(pgsql, fake, created.id, { boundMs: bound })).toMatchObject({ rows: [], live: [] });
    const again = await expectSettled(pgsql, fake, retried.id, { boundMs: bound });
    expect(again.rows).toEqual([answer.body.bridge_integration_id]);
    expect(await expectSettled(pgsql, fake, updated.id, { boundMs: bound })).toMatchObject({ rows: [updatedIntegration], live: [updatedIntegration] });
    expect(await expectSettled(pgsql, fake, untouched.id, { boundMs: bound })).toMatchObject({ rows: [untouchedIntegration], live: [untouchedIntegration] });
    expect(await globalMismatch(pgsql, fake)).toEqual({ orphans: [], dangling: [] });
    expect(await pgsql.query(`SELECT * FROM chatwoot_activation_attempts`)).toEqual([]);
    expect(await pgsql.query(`SELECT * FROM chatwoot_bridge_deletions`)).toEqual([]);
    expect(second.stderr).toEqual([]);
  }, 180_000);
});
