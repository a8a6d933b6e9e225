import { bridgeError, FakeBridge, type Behaviour } from '../fakes/fake-bridge.js';
import { setBody } from '../support/chatwoot.js';
import {
  chatwoot, createFaultInstance, createTenant, expectSettled, instanceState, newEncryptionKey, startFaultServer, within, type Tenant,
} from '../support/faults.js';
import { envelope } from '../support/http.js';
import { PrivatePostgres } from '../support/private-postgres.js';
import { buildServer, type ServerProcess } from '../support/server-process.js';

/**
 * SPEC §5 under a failing bridge, against the real server process: for set, list and delete, the
 * bridge hangs, refuses, answers 500 or garbage, or answers just under (40 % of the budget) or just
 * over (budget + 1.5 s) the shortened timeout. Each case checks the documented answer, then that the
 * database matches the bridge once the worker has settled.
 */
const ACTIVATION_MS = 3_000;
const GET_MS = 1_500;
const DELETE_MS = 2_000;
/** Reconciliation looks at an activation once it is 2 × ACTIVATION_MS old, then every interval. */
const SETTLE_MS = 2 * ACTIVATION_MS + 15_000;

const TIMEOUT_504 = (name: string) =>
  envelope(`chatwoot activation timed out after 60s — it may still complete; check GET /api/chatwoot/list/${name}`);
const DEACTIVATED = { message: 'chatwoot integration deactivated' };

describe('the bridge failing under set, list and delete (real server process, private PostgreSQL)', () => {
  const fake = new FakeBridge();
  let pgsql: PrivatePostgres;
  let server: ServerProcess;
  let tenant: Tenant;
  let bridgePort: number;

  beforeAll(async () => {
    const [build, started] = await Promise.all([buildServer(), PrivatePostgres.create(), fake.start()]);
    pgsql = started;
    bridgePort = Number(new URL(fake.url).port);
    server = await startFaultServer({
      build, pg: pgsql, fake, encryptionKey: newEncryptionKey(),
      env: {
        BRIDGE_ACTIVATION_TIMEOUT_MS: String(ACTIVATION_MS),
        BRIDGE_GET_TIMEOUT_MS: String(GET_MS),
        BRIDGE_DELETE_TIMEOUT_MS: String(DELETE_MS),
        CHATWOOT_WORKER_INTERVAL_MS: '300',
        LIVE_STATUS_BREAKER_PAUSE_MS: '100',
      },
    });
    tenant = await createTenant(server);
  }, 240_000);

  afterAll(async () => {
    await server?.kill();
    await fake.stop().catch(() => undefined);
    await pgsql?.destroy();
  });

  beforeEach(() => fake.reset());

  /** The bridge refuses connections (nothing listens on its port) while `fn` runs. */
  async function whileRefusing<T>(fn: () => Promise<T>): Promise<T> {
    await fake.stop();
    try {
      return await fn();
    } finally {
      await fake.start(bridgePort);
    }
  }

  /** A new instance with an active integration; returns it and the bridge integration id. */
  async function activated(): Promise<{ name: string; id: string; integrationId: string }> {
    const inst = await createFaultInstance(server, pgsql, tenant);
    const res = await chatwoot.set(server, tenant, inst.name);
    expect(res.status).toBe(201);
    return { ...inst, integrationId: res.body.bridge_integration_id };
  }

  const refusedDetail = (method: string, path: string) =>
    `${method} ${fake.url}${path}: connect ECONNREFUSED 127.0.0.1:${bridgePort}`;
  const GARBAGE = '<html><body>502 Bad Gateway</body></html>';

  describe('POST /api/chatwoot/set (activation budget 3 s)', () => {
    type Case = [string, Behaviour | 'refused', (name: string) => [number, unknown]];
    const failing: Case[] = [
      ['hangs', { kind: 'hang' }, (name) => [504, TIMEOUT_504(name)]],
      ['refuses connections', 'refused', () => [502, envelope(`integration gateway is unreachable — retry later. Detail: ${refusedDetail('POST', '/v1/integrations')}`)]],
      ['answers 500', bridgeError(500, { code: 'internal', message: 'bridge storage unavailable' }), () => [
        502, envelope('integration gateway failed — retry later. Detail: bridge storage unavailable'),
      ]],
      ['answers garbage', { kind: 'respond', status: 201, body: GARBAGE, contentType: 'text/html' }, () => [
        502, envelope('integration gateway failed — retry later. Detail: unexpected non-JSON body with HTTP 201'),
      ]],
    ];

    it.each(failing)('the bridge %s: the documented error, and no row and no bridge integration', async (_label, behaviour, expected) => {
      const inst = await createFaultInstance(server, pgsql, tenant);
      if (behaviour !== 'refused') fake.behave('create', behaviour);
      const res = behaviour === 'refused'
        ? await whileRefusing(() => chatwoot.set(server, tenant, inst.name))
        : await chatwoot.set(server, tenant, inst.name);
      const [status, body] = expected(inst.name);
      expect(res.status).toBe(status);
      expect(res.body).toEqual(body);
      expect(res.elapsedMs).toBeLessThan(ACTIVATION_MS + 5_000);
      expect((await instanceState(pgsql, fake, inst.id)).rows).toEqual([]); // nothing stored
      const settled = await expectSettled(pgsql, fake, inst.id, { boundMs: SETTLE_MS });
      expect(settled).toMatchObject({ rows: [], live: [] });
    });

    it('the bridge answers just under the budget: 201, one row naming the one integration', async () => {
      const inst = await createFaultInstance(server, pgsql, tenant);
      fake.behave('create', { kind: 'delay', ms: 0.4 * ACTIVATION_MS });
      const res = await chatwoot.set(server, tenant, inst.name);
      expect(res.status).toBe(201);
      const [integration] = [...fake.integrations.values()].filter((i) => i.external_id === inst.id);
      expect(res.body).toEqual({
        instance: inst.name, status: 'active', bridge_integration_id: integration.id, message: 'chatwoot integration activated',
      });
      const settled = await expectSettled(pgsql, fake, inst.id, { boundMs: SETTLE_MS });
      expect(settled).toMatchObject({ rows: [integration.id], live: [integration.id] });
    });

    it('the bridge answers just over the budget: 504, and reconciliation removes what the bridge created later', async () => {
      const inst = await createFaultInstance(server, pgsql, tenant);
      let landed = false;
      fake.beforeAnswer.create = async () => {
        landed = true;
      };
      fake.behave('create', { kind: 'delay', ms: ACTIVATION_MS + 1_500 });
      const res = await chatwoot.set(server, tenant, inst.name);
      expect(res.status).toBe(504);
      expect(res.body).toEqual(TIMEOUT_504(inst.name));
      expect((await instanceState(pgsql, fake, inst.id)).rows).toEqual([]);
      // The bridge finishes the create after the server gave up…
      await within(10_000, () => expect(landed).toBe(true));
      // …and the worker removes it, since no row names it.
      const settled = await expectSettled(pgsql, fake, inst.id, { boundMs: SETTLE_MS });
      expect(settled).toMatchObject({ rows: [], live: [] });
      expect(fake.requestsOf('DELETE').map((r) => r.path)).toHaveLength(1);
    });

    it('an update while the bridge hangs: 504, the previous integration and row stay as they were', async () => {
      const inst = await activated();
      const before = await pgsql.query(`SELECT * FROM chatwoot_integrations WHERE instance_id = $1`, [inst.id]);
      fake.behave('update', { kind: 'hang' });
      const res = await chatwoot.set(server, tenant, inst.name, setBody({ inboxName: 'Renamed' }));
      expect(res.status).toBe(504);
      expect(res.body).toEqual(TIMEOUT_504(inst.name));
      expect(await pgsql.query(`SELECT * FROM chatwoot_integrations WHERE instance_id = $1`, [inst.id])).toEqual(before);
      const settled = await expectSettled(pgsql, fake, inst.id, { boundMs: SETTLE_MS });
      expect(settled).toMatchObject({ rows: [inst.integrationId], live: [inst.integrationId] });
    });
  });

  describe('GET /api/chatwoot/list (get timeout 1.5 s): local data when the bridge fails', () => {
    /** The bridge's live view differs from the row, so that the answer shows which one it used. */
    async function withLiveMarker(): Promise<{ name: string; id: string; integrationId: string }> {
      const inst = await activated();
      Object.assign(fake.integrations.get(inst.integrationId)!, { status: 'error', last_error: 'live: inbox removed in Chatwoot' });
      return inst;
    }
    const LOCAL = { status: 'active', last_error: '' };

    const failing: Array<[string, Behaviour | 'refused']> = [
      ['hangs', { kind: 'hang' }],
      ['refuses connections', 'refused'],
      ['answers 500', bridgeError(500, { code: 'internal', message: 'bridge storage unavailable' })],
      ['answers garbage', { kind: 'respond', status: 200, body: GARBAGE, contentType: 'text/html' }],
      ['answers just over the timeout', { kind: 'delay', ms: GET_MS + 1_500 }],
    ];

    it.each(failing)('the bridge %s: 200 with the local data, within the timeout', async (_label, behaviour) => {
      const inst = await withLiveMarker();
      if (behaviour !== 'refused') fake.behave('get', behaviour);
      const res = behaviour === 'refused'
        ? await whileRefusing(() => chatwoot.list(server, tenant, inst.name))
        : await chatwoot.list(server, tenant, inst.name);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ instance_name: inst.name, bridge_integration_id: inst.integrationId, ...LOCAL });
      expect(res.body).not.toHaveProperty('chatwoot_api_token');
      expect(res.elapsedMs).toBeLessThan(GET_MS + 5_000);
      const settled = await expectSettled(pgsql, fake, inst.id);
      expect(settled).toMatchObject({ rows: [inst.integrationId], live: [inst.integrationId] });
    });

    it('the bridge answers just under the timeout: 200 with the live status and error', async () => {
      const inst = await withLiveMarker();
      fake.behave('get', { kind: 'delay', ms: 0.4 * GET_MS });
      // A circuit opened by the previous case lets one trial read through after its 100 ms pause.
      await within(5_000, async () => {
        const res = await chatwoot.list(server, tenant, inst.name);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ instance_name: inst.name, status: 'error', last_error: 'live: inbox removed in Chatwoot' });
      });
      const settled = await expectSettled(pgsql, fake, inst.id);
      expect(settled).toMatchObject({ rows: [inst.integrationId], live: [inst.integrationId] });
    });
  });

  describe('DELETE /api/chatwoot/delete (delete timeout 2 s): 200, and a queued retry when the bridge did not confirm', () => {
    type Case = [string, Behaviour | 'refused'];
    const failing: Case[] = [
      ['hangs', { kind: 'hang' }],
      ['refuses connections', 'refused'],
      ['answers 500', bridgeError(500, { code: 'internal', message: 'bridge storage unavailable' })],
      ['answers garbage (200 with an HTML page)', { kind: 'respond', status: 200, body: GARBAGE, contentType: 'text/html' }],
      ['answers garbage (a proxy\'s 404 page)', { kind: 'respond', status: 404, body: '<html>404 page not found</html>', contentType: 'text/html' }],
    ];

    it.each(failing)('the bridge %s: 200, the row goes, the deletion is retried until the bridge confirms', async (_label, behaviour) => {
      const inst = await activated();
      if (behaviour !== 'refused') fake.behave('delete', behaviour);
      const res = behaviour === 'refused'
        ? await whileRefusing(async () => {
          const r = await chatwoot.delete(server, tenant, inst.name);
          // Still refused: the row is gone and the deletion waits in the durable queue.
          expect(await instanceState(pgsql, fake, inst.id)).toMatchObject({ rows: [], live: [inst.integrationId], queued: [inst.integrationId] });
          return r;
        })
        : await chatwoot.delete(server, tenant, inst.name);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(DEACTIVATED);
      expect(res.elapsedMs).toBeLessThan(DELETE_MS + 5_000);
      const now = await instanceState(pgsql, fake, inst.id);
      expect(now.rows).toEqual([]);
      if (behaviour !== 'refused') {
        expect(now).toMatchObject({ live: [inst.integrationId], queued: [inst.integrationId] });
        fake.reset(); // the bridge is back
      }
      const settled = await expectSettled(pgsql, fake, inst.id, { alsoQueued: [inst.integrationId] });
      expect(settled).toMatchObject({ rows: [], live: [] });
    });

    it('the bridge answers just under the timeout: 200, deleted at once, nothing queued', async () => {
      const inst = await activated();
      fake.behave('delete', { kind: 'delay', ms: 0.4 * DELETE_MS });
      const res = await chatwoot.delete(server, tenant, inst.name);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(DEACTIVATED);
      expect(await instanceState(pgsql, fake, inst.id, [inst.integrationId])).toMatchObject({ rows: [], live: [], queued: [], attempts: 0 });
    });

    it('the bridge answers just over the timeout: 200, and the queued retry ends once the bridge confirms', async () => {
      const inst = await activated();
      fake.behave('delete', { kind: 'delay', ms: DELETE_MS + 1_500 });
      const res = await chatwoot.delete(server, tenant, inst.name);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(DEACTIVATED);
      expect(await instanceState(pgsql, fake, inst.id, [inst.integrationId])).toMatchObject({ rows: [], queued: [inst.integrationId] });
      // The bridge finishes the late delete, then answers promptly again: the retry sees its 404.
      await within(10_000, () => expect(fake.integrations.has(inst.integrationId)).toBe(false));
      fake.reset();
      const settled = await expectSettled(pgsql, fake, inst.id, { alsoQueued: [inst.integrationId] });
      expect(settled).toMatchObject({ rows: [], live: [] });
    });
  });

  describe('afterwards', () => {
    it('the process never wrote to stderr and still serves', async () => {
      expect(server.stderr).toEqual([]);
      expect((await chatwoot.list(server, tenant, 'no-such-instance')).body).toEqual(envelope('instance not found'));
    });
  });
});
