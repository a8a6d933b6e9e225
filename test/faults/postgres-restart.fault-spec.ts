import { FakeBridge } from '../fakes/fake-bridge.js';
import { setBody } from '../support/chatwoot.js';
import {
  chatwoot, createFaultInstance, createTenant, expectSettled, newEncryptionKey, startFaultServer, timed, within, type Tenant,
} from '../support/faults.js';
import { envelope } from '../support/http.js';
import { PrivatePostgres } from '../support/private-postgres.js';
import { buildServer, type ServerProcess } from '../support/server-process.js';

/**
 * SPEC §2 / §7 with a private PostgreSQL stopped (`pg_ctl stop -m fast`) under traffic, then
 * started again: while down every request answers promptly with a clean envelope and /readyz says
 * so; once back the same process serves again, and the database still matches the bridge.
 */
const ACTIVATION_MS = 5_000;
/** No request may take longer than this, whatever the database does. */
const REQUEST_BOUND_MS = 20_000;

const INTERNAL = envelope('Internal server error');
const NOT_READY = envelope('Not ready: database unavailable');
const PERSIST_FAILED = envelope('chatwoot integration failed: persist integration: database write failed');

interface Outcome {
  op: string;
  started: number;
  ended: number;
  status: number;
  body: unknown;
}

describe('PostgreSQL stopped and started during traffic (real server process)', () => {
  const fake = new FakeBridge();
  let pgsql: PrivatePostgres;
  let server: ServerProcess;
  let tenant: Tenant;

  beforeAll(async () => {
    const [build, started] = await Promise.all([buildServer(), PrivatePostgres.create(), fake.start()]);
    pgsql = started;
    server = await startFaultServer({
      build, pg: pgsql, fake, encryptionKey: newEncryptionKey(),
      env: {
        BRIDGE_ACTIVATION_TIMEOUT_MS: String(ACTIVATION_MS),
        BRIDGE_GET_TIMEOUT_MS: '2000',
        BRIDGE_DELETE_TIMEOUT_MS: '2000',
        CHATWOOT_WORKER_INTERVAL_MS: '300',
        LIVE_STATUS_BREAKER_PAUSE_MS: '100',
      },
    });
    tenant = await createTenant(server);
  }, 240_000);

  afterAll(async () => {
    await server?.kill();
    await fake.stop();
    await pgsql?.destroy();
  });

  it('answers clean 500/503 envelopes while it is down, and recovers by itself once it is back', async () => {
    const steady = await createFaultInstance(server, pgsql, tenant); // activated once, then read and re-set
    const inFlight = await createFaultInstance(server, pgsql, tenant); // its activation straddles the stop
    expect((await chatwoot.set(server, tenant, steady.name)).status).toBe(201);
    const ids = [steady.id, inFlight.id];

    // Four clients: status reads and activations (updates) of the steady instance, plus the probes.
    const outcomes: Outcome[] = [];
    let stop = false;
    const ops: Array<[string, () => ReturnType<typeof timed>]> = [
      ['list', () => chatwoot.list(server, tenant, steady.name, REQUEST_BOUND_MS)],
      ['set', () => chatwoot.set(server, tenant, steady.name, setBody({ inboxName: `inbox ${outcomes.length}` }), REQUEST_BOUND_MS)],
      ['readyz', () => timed(server.url, 'GET', '/readyz', { boundMs: REQUEST_BOUND_MS })],
      ['instances', () => timed(server.url, 'GET', '/api/instance/list', { token: tenant.token, boundMs: REQUEST_BOUND_MS })],
    ];
    const clients = ops.map(async ([op, send]) => {
      while (!stop) {
        const started = Date.now();
        const res = await send();
        outcomes.push({ op, started, ended: Date.now(), status: res.status, body: res.body });
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    const since = (t: number) => outcomes.filter((o) => o.started >= t);

    try {
      await within(10_000, () => expect(outcomes.filter((o) => o.op === 'set' && o.status === 201).length).toBeGreaterThanOrEqual(2));

      // An activation whose bridge call is in flight when the database stops.
      fake.behave('create', { kind: 'delay', ms: 1_500 });
      const straddling = chatwoot.set(server, tenant, inFlight.name, setBody(), REQUEST_BOUND_MS);
      const creates = () => fake.requestsOf('POST').filter((r) => r.body?.external_id === inFlight.id);
      await within(10_000, () => expect(creates()).toHaveLength(1));
      await pgsql.stop();
      const down = Date.now();

      // It answers 500 with the documented message; the integration the bridge had just made is
      // deleted again (nothing orphaned).
      const answer = await straddling;
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual(PERSIST_FAILED);
      const [created] = [...fake.integrations.values()].filter((i) => i.external_id === inFlight.id);
      expect(created).toBeUndefined();
      expect(fake.requestsOf('DELETE')).toHaveLength(1);

      // /readyz reflects the outage; liveness does not depend on the database.
      await within(10_000, async () => {
        const ready = await timed(server.url, 'GET', '/readyz', { boundMs: REQUEST_BOUND_MS });
        expect(ready.status).toBe(503);
        expect(ready.body).toEqual(NOT_READY);
      });
      expect((await timed(server.url, 'GET', '/healthz')).status).toBe(200);
      // Traffic for a while (3 s at least) against the stopped database.
      await within(20_000, () => {
        expect(Date.now() - down).toBeGreaterThanOrEqual(3_000);
        expect(since(down).filter((o) => o.op !== 'readyz').length).toBeGreaterThanOrEqual(12);
      });

      const restarting = Date.now();
      await pgsql.start();
      await within(30_000, async () => {
        const ready = await timed(server.url, 'GET', '/readyz', { boundMs: REQUEST_BOUND_MS });
        expect(ready.status).toBe(200);
        expect(ready.body).toEqual({ status: 'ok', checks: { database: 'up' } });
      });
      const ready = Date.now();
      fake.reset();

      // The instance whose activation failed during the outage can be activated again at once:
      // nothing (such as an unreleased instance lease) holds it.
      const retried = await chatwoot.set(server, tenant, inFlight.name, setBody(), REQUEST_BOUND_MS);
      expect(retried.status).toBe(201);
      await within(15_000, () => expect(since(ready).filter((o) => o.op === 'set' && o.status === 201).length).toBeGreaterThanOrEqual(3));
      stop = true;
      await Promise.all(clients);

      // While down: every answer (of a request sent after the stop, answered before the restart
      // began) is a clean 500 envelope (503 on /readyz), and none took long.
      const during = outcomes.filter((o) => o.started >= down && o.ended <= restarting);
      expect(during.length).toBeGreaterThanOrEqual(12);
      for (const o of during) {
        if (o.op === 'readyz') expect([o.status, o.body]).toEqual([503, NOT_READY]);
        else expect([o.op, o.status, o.body]).toEqual([o.op, 500, INTERNAL]);
        expect(o.ended - o.started).toBeLessThan(10_000);
      }
      // Once ready again: every request succeeds.
      const after = since(ready);
      expect(after.length).toBeGreaterThanOrEqual(4);
      for (const o of after) {
        const expected = { list: 200, set: 201, readyz: 200, instances: 200 }[o.op];
        expect([o.op, o.status]).toEqual([o.op, expected]);
      }
      for (const o of outcomes) expect(o.ended - o.started).toBeLessThan(REQUEST_BOUND_MS);
    } finally {
      stop = true;
      await Promise.allSettled(clients);
    }

    // The database matches the bridge for both instances.
    for (const id of ids) {
      const settled = await expectSettled(pgsql, fake, id, { boundMs: 2 * ACTIVATION_MS + 20_000 });
      expect(settled.rows).toHaveLength(1);
    }
    expect(server.stderr).toEqual([]);
    expect(server.process.exitCode).toBeNull(); // the same process throughout
  });
});
