import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from '../support/http.js';
import { buildServer, startServer, type ServerProcess } from '../support/server-process.js';
import { TEST_ADMIN_TOKEN } from '../support/test-app.js';

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a module of the build to its exit, with exactly this environment (plus PATH). */
function runToExit(script: string, env: Record<string, string>, timeoutMs = 60_000): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`still running after ${timeoutMs} ms: ${stdout}${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const key = () => randomBytes(32).toString('base64');
const inUse = (dir: string, pid: number) =>
  `DATA_DIR ${dir} is in use by another process (pid ${pid}) — stop it first, or use DATABASE_URL\n`;

/** SPEC §1 and §7 on the embedded data directory: created on every boot path, never shared by two processes. */
describe('embedded DATA_DIR (SPEC §1, §7)', () => {
  let build: string;
  const roots: string[] = [];
  const servers: ServerProcess[] = [];
  const tempRoot = () => {
    const root = mkdtempSync(join(tmpdir(), 'ryze-data-dir-test-'));
    roots.push(root);
    return root;
  };
  // Embedded PGlite whatever the test database is: DATA_DIR is what is under test.
  const embedded = (dataDir: string, extra: Record<string, string> = {}) => ({ ROLES: 'api', DATA_DIR: dataDir, ADMIN_TOKEN: TEST_ADMIN_TOKEN, ...extra });
  const cli = (args: string[]) => `import(${JSON.stringify(join(build, 'src', 'cli.js'))}).then((m) => m.main(${JSON.stringify(args)}))`;
  const main = () => `import(${JSON.stringify(join(build, 'src', 'main.js'))})`;

  beforeAll(async () => {
    build = await buildServer();
  }, 180_000);
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.kill();
  });
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  it.each([
    ['ENCRYPTION_KEY set', 'DATA_DIR missing', true, false],
    ['ENCRYPTION_KEY set', 'DATA_DIR present', true, true],
    ['no ENCRYPTION_KEY', 'DATA_DIR missing', false, false],
    ['no ENCRYPTION_KEY', 'DATA_DIR present', false, true],
  ])('boots with %s and %s, and serves from that directory', async (_k, _d, withKey, present) => {
    const root = tempRoot();
    const dataDir = present ? root : join(root, 'nested', 'data');
    const server = await startServer(build, embedded(dataDir, withKey ? { ENCRYPTION_KEY: key() } : {}), 120_000);
    servers.push(server);
    expect((await request(server.url, 'GET', '/readyz')).status).toBe(200);
    const created = await request(server.url, 'POST', '/api/admin/account/new', { token: TEST_ADMIN_TOKEN, json: { name: 'acme' } });
    expect(created.status).toBe(201);
    expect(existsSync(join(dataDir, 'pglite', 'PG_VERSION'))).toBe(true);
    // The generated key exists only when none was given (SPEC §1).
    expect(existsSync(join(dataDir, 'encryption.key'))).toBe(!withKey);
    expect(readFileSync(join(dataDir, 'server.lock'), 'utf8')).toBe(`${server.process.pid}\n`);
  }, 180_000);

  it('stops a CLI and a second server next to a running server with the exact message, writing nothing', async () => {
    const dataDir = join(tempRoot(), 'data');
    const server = await startServer(build, embedded(dataDir, { ENCRYPTION_KEY: key() }), 120_000);
    servers.push(server);
    const pid = server.process.pid!;
    const before = readdirSync(dataDir).sort();

    // Without ENCRYPTION_KEY, a process that went on would generate encryption.key into DATA_DIR.
    const account = await runToExit(cli(['account:create', 'intruder']), embedded(dataDir));
    expect(account).toEqual({ code: 1, stdout: '', stderr: inUse(dataDir, pid) });
    const second = await runToExit(main(), embedded(dataDir, { PORT: '0' }));
    expect(second).toEqual({ code: 1, stdout: '', stderr: inUse(dataDir, pid) });

    expect(readdirSync(dataDir).sort()).toEqual(before);
    expect(existsSync(join(dataDir, 'encryption.key'))).toBe(false);
    expect(readFileSync(join(dataDir, 'server.lock'), 'utf8')).toBe(`${pid}\n`);
    // The server still writes its own data.
    const after = await request(server.url, 'POST', '/api/admin/account/new', { token: TEST_ADMIN_TOKEN, json: { name: 'after' } });
    expect(after.status).toBe(201);

    // A killed server leaves no stale lock: the kernel released it with the process.
    await server.kill();
    const later = await runToExit(cli(['account:create', 'acme']), embedded(dataDir, { ENCRYPTION_KEY: key() }), 120_000);
    expect(later.code).toBe(0);
    expect(later.stdout).toMatch(/^account [0-9a-f-]{36} \(acme\) created\ntoken: [A-Za-z0-9_-]{43}\n$/);
  }, 240_000);
});
