import { randomBytes } from 'node:crypto';
import { hashToken } from '../../src/common/auth/tokens.js';
import { envelope, request } from '../support/http.js';
import { RedisInspector, TEST_REDIS_URL, uniquePrefix } from '../support/redis.js';
import { buildServer, exitWithin, startServer, type ServerProcess } from '../support/server-process.js';
import { TEST_ADMIN_TOKEN } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const scaledOut = process.env.TEST_DATABASE_URL && TEST_REDIS_URL ? describe : describe.skip;

scaledOut('two server processes against one Redis and one PostgreSQL (SPEC §1 REDIS_URL; skipped without TEST_DATABASE_URL and TEST_REDIS_URL)', () => {
  const redis = new RedisInspector(uniquePrefix());
  let db: TestDatabase;
  let a: ServerProcess | undefined;
  let b: ServerProcess | undefined;

  beforeAll(async () => {
    const [build, database] = await Promise.all([buildServer(), createTestDatabase()]);
    db = database;
    const env = {
      ROLES: 'api',
      DATABASE_URL: db.databaseUrl!,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      REDIS_URL: TEST_REDIS_URL!,
      REDIS_KEY_PREFIX: redis.prefix,
      RATE_LIMIT_PER_MINUTE: '4',
    };
    // One after the other: the first applies the migrations.
    a = await startServer(build, env);
    b = await startServer(build, env);
  }, 180_000);
  afterAll(async () => {
    await a?.kill();
    await b?.kill();
    await redis.cleanUp();
    await db?.drop();
  });

  it('shares one budget per token across both processes, and both stop cleanly', async () => {
    const account = await request(a!.url, 'POST', '/api/admin/account/new', { token: TEST_ADMIN_TOKEN, json: { name: 'acme' } });
    expect(account.status).toBe(201);
    const token = account.body.account.token as string;

    const seen: Array<[string, number, string | null]> = [];
    for (const [name, server] of [['A', a!], ['A', a!], ['B', b!], ['B', b!], ['B', b!], ['A', a!]] as const) {
      const res = await request(server.url, 'GET', '/api/instance/list', { token });
      seen.push([name, res.status, res.headers.get('x-ratelimit-remaining')]);
      if (res.status === 429) expect(res.body).toEqual(envelope('Rate limit exceeded. Try again later.'));
    }
    expect(seen).toEqual([['A', 200, '3'], ['A', 200, '2'], ['B', 200, '1'], ['B', 200, '0'], ['B', 429, '0'], ['A', 429, '0']]);
    expect((await redis.get(`${redis.prefix}rl:default:t:${hashToken(token)}`)).value).toBe('6');

    for (const server of [a!, b!]) server.process.kill('SIGTERM');
    expect(await Promise.all([exitWithin(a!, 10_000), exitWithin(b!, 10_000)])).toEqual([{ code: 0, signal: null }, { code: 0, signal: null }]);
    for (const server of [a!, b!]) {
      expect(server.stderr).toEqual([]);
      expect(server.stdout.join('\n')).not.toContain('Redis unavailable');
    }
  });
});
