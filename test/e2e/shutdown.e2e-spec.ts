import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FakeBridge } from '../fakes/fake-bridge.js';
import { eventually, setBody } from '../support/chatwoot.js';
import { instanceName } from '../support/factories.js';
import { request } from '../support/http.js';
import { buildServer, connectOutcome, exitWithin, freePort, startServer, type ServerProcess } from '../support/server-process.js';
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

/**
 * README's `npm start`: npm runs the script through `sh -c` and forwards SIGTERM to that shell only,
 * so the server must not survive it as an orphan.
 */
describe('SIGTERM to `npm start`', () => {
  it('stops the server it started, which drains and exits', async () => {
    const build = await buildServer();
    const root = resolve(process.cwd());
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    // The project's own start script, on a prebuilt dist/ (prestart's build is the slow part, and
    // buildServer has made it already).
    const app = mkdtempSync(join(tmpdir(), 'ryze-npm-start-'));
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'npm-start-check', private: true, type: 'module', scripts: { start: scripts.start } }));
    symlinkSync(build, join(app, 'dist'), 'dir');
    symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'), 'dir');
    const db = await createTestDatabase();
    const port = await freePort();
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: app,
      env: {
        PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? app, PORT: String(port), DATA_DIR: join(app, 'data'), ROLES: 'api',
        ENCRYPTION_KEY: randomBytes(32).toString('base64'), ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    npm.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
    npm.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
    const npmExited = new Promise((r) => npm.once('exit', r));
    let serverPid = 0;
    try {
      await eventually(async () => expect((await request(`http://127.0.0.1:${port}`, 'GET', '/healthz')).status).toBe(200), 60_000)
        .catch((err: Error) => Promise.reject(new Error(`${err.message}\n${log}`)));
      serverPid = (JSON.parse(log.split('\n').find((l) => l.includes('listening on port'))!) as { pid: number }).pid;
      expect(serverPid).not.toBe(npm.pid);

      npm.kill('SIGTERM');
      await npmExited;
      await eventually(() => expect(isRunning(serverPid)).toBe(false), 10_000);
      expect(await connectOutcome(port)).toBe('refused');
      expect(log).toContain('parent process exited: draining in-flight requests (up to 25 s)');
    } finally {
      if (npm.exitCode === null) npm.kill('SIGKILL');
      // An orphan would hold the output pipes open and the test run with them.
      if (serverPid && isRunning(serverPid)) process.kill(serverPid, 'SIGKILL');
      rmSync(app, { recursive: true, force: true });
      await db.drop();
    }
  }, 120_000);
});

/** Alive, and not a zombie waiting for an init that may not reap it (the server is re-parented). */
function isRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}
