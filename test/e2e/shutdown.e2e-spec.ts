import { randomBytes } from 'node:crypto';
import { FakeBridge } from '../fakes/fake-bridge.js';
import { eventually, setBody } from '../support/chatwoot.js';
import { instanceName } from '../support/factories.js';
import { request } from '../support/http.js';
import { buildServer, connectOutcome, exitWithin, startServer, type ServerProcess } from '../support/server-process.js';
import { TEST_ADMIN_TOKEN } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** SPEC §7: SIGTERM stops accepting, finishes in-flight requests, closes the database, exits 0. */
describe('SIGTERM on the real server process (SPEC §7)', () => {
  const fake = new FakeBridge();
  let db: TestDatabase;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    const [build] = await Promise.all([buildServer(), fake.start()]);
    db = await createTestDatabase();
    server = await startServer(build, {
      ROLES: 'api',
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      BRIDGE_URL: fake.url,
      BRIDGE_TOKEN: fake.token,
      LOG_LEVEL: 'info',
      ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
    });
  }, 180_000);
  afterAll(async () => {
    await server?.kill();
    await fake.stop();
    await db?.drop();
  });

  it('lets a slow in-flight request finish with 200, refuses new connections meanwhile, and exits 0', async () => {
    const s = server!;
    const account = await request(s.url, 'POST', '/api/admin/account/new', { token: TEST_ADMIN_TOKEN, json: { name: 'acme' } });
    expect(account.status).toBe(201);
    const token = account.body.account.token as string;
    const name = instanceName();
    expect((await request(s.url, 'POST', '/api/instance/new', { token, json: { name } })).status).toBe(201);
    expect((await request(s.url, 'POST', `/api/chatwoot/set/${name}`, { token, json: setBody() })).status).toBe(201);

    // The status read waits ~2 s on the bridge: SIGTERM arrives while it is in flight.
    fake.behave('get', { kind: 'delay', ms: 2_000 });
    let settled = false;
    const inFlight = request(s.url, 'GET', `/api/chatwoot/list/${name}`, { token, headers: { 'x-request-id': 'in-flight-1' } });
    void inFlight.finally(() => (settled = true));
    await eventually(() => expect(fake.requestsOf('GET')).toHaveLength(1));
    s.process.kill('SIGTERM');

    await eventually(async () => expect(await connectOutcome(s.port)).toBe('refused'), 1_500);
    expect(settled).toBe(false);

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ instance_name: name, status: 'active', chatwoot_inbox_id: 42 });
    // Well before the 25 s cap: nothing (an idle keep-alive connection) held the exit.
    expect(await exitWithin(s, 8_000)).toEqual({ code: 0, signal: null });
    expect(await connectOutcome(s.port)).toBe('refused');

    // The process logged JSON lines, among them the drain and the access line of the request.
    const entries = s.stdout.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.some((e) => e.msg === 'SIGTERM: draining in-flight requests (up to 25 s)')).toBe(true);
    expect(entries).toContainEqual(expect.objectContaining({
      msg: 'request completed', requestId: 'in-flight-1', method: 'GET', route: '/api/chatwoot/list/:instance', status: 200,
    }));
    expect(s.stderr).toEqual([]);
  });
});
