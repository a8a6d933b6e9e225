import { hashToken } from '../../src/common/auth/tokens.js';
import { refusedPort } from '../fakes/fake-bridge.js';
import { eventually } from '../support/chatwoot.js';
import { createAccount } from '../support/factories.js';
import { envelope } from '../support/http.js';
import { RedisInspector, TEST_REDIS_URL, uniquePrefix } from '../support/redis.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const UNAVAILABLE = 'Redis unavailable';
const BACK = 'Redis is reachable again: rate limits are shared across replicas again';

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = Date.now();
  const result = await fn();
  return [result, Date.now() - started];
}

describe('rate limits when Redis cannot be reached (fail open to per-process counters)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${await refusedPort()}`, RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(() => t.close());

  it('answers at once, still limits per process, and warns once', async () => {
    const account = await createAccount(t);
    const answers: Array<[number, string | null]> = [];
    for (let i = 0; i < 4; i += 1) {
      const [res, ms] = await timed(() => t.req('GET', '/api/instance/list', { token: account.token }));
      expect(ms).toBeLessThan(1_000);
      answers.push([res.status, res.headers.get('x-ratelimit-remaining')]);
      if (res.status === 429) expect(res.body).toEqual(envelope('Rate limit exceeded. Try again later.'));
    }
    expect(answers).toEqual([[200, '2'], [200, '1'], [200, '0'], [429, '0']]);
    expect(t.logs.lines.filter((l) => l.includes(UNAVAILABLE))).toHaveLength(1);
    expect(t.logs.entries().find((e) => e.msg.includes(UNAVAILABLE))).toMatchObject({ level: 'warn', context: 'RateLimit' });
  });
});

const withRedis = TEST_REDIS_URL ? describe : describe.skip;

withRedis('rate limits in Redis (REDIS_URL; skipped without TEST_REDIS_URL)', () => {
  const redis = new RedisInspector(uniquePrefix());
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { REDIS_URL: TEST_REDIS_URL!, REDIS_KEY_PREFIX: redis.prefix, RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(async () => {
    await t.close();
    await redis.cleanUp();
  });

  it('keeps one expiring counter per token under the prefix, named by the token hash only', async () => {
    const account = await createAccount(t);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await t.req('GET', '/api/instance/list', { token: account.token })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const key = `${redis.prefix}rl:default:t:${hashToken(account.token)}`;
    expect(await redis.keys()).toEqual(expect.arrayContaining([key]));
    for (const k of await redis.keys()) expect(k).not.toContain(account.token);
    const { value, pttl } = await redis.get(key);
    expect(value).toBe('4');
    expect(pttl).toBeGreaterThan(50_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
    expect(t.logs.text()).not.toContain(UNAVAILABLE);
  });
});

withRedis('rate limits when Redis goes away at run time (skipped without TEST_REDIS_URL)', () => {
  const redis = new RedisInspector(uniquePrefix());
  let proxy: TcpProxy;
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    const real = new URL(TEST_REDIS_URL!);
    proxy = await new TcpProxy({ host: real.hostname, port: Number(real.port || 6379) }).start();
    const viaProxy = new URL(real);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    t = await startTestApp({ env: { REDIS_URL: viaProxy.toString(), REDIS_KEY_PREFIX: redis.prefix, RATE_LIMIT_PER_MINUTE: '1000' } });
    token = (await createAccount(t)).token;
  });
  afterAll(async () => {
    proxy.restore();
    await t.close();
    await proxy.close();
    await redis.cleanUp();
  });

  const key = () => `${redis.prefix}rl:default:t:${hashToken(token)}`;
  const list = () => timed(() => t.req('GET', '/api/instance/list', { token }));

  it('falls back at once while the connection is down, and shares the counters again once it is back', async () => {
    expect((await list())[0].status).toBe(200);
    expect((await redis.get(key())).value).toBe('1');

    proxy.cut();
    for (let i = 0; i < 3; i += 1) {
      const [res, ms] = await list();
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-limit')).toBe('1000');
      expect(ms).toBeLessThan(1_000);
    }
    expect(t.logs.lines.filter((l) => l.includes(UNAVAILABLE))).toHaveLength(1);
    expect((await redis.get(key())).value).toBe('1');

    proxy.restore();
    await eventually(async () => {
      expect((await list())[0].status).toBe(200);
      expect(t.logs.text()).toContain(BACK);
    }, 10_000);
    expect(Number((await redis.get(key())).value)).toBeGreaterThanOrEqual(2);
  });

  it('does not hold requests while Redis hangs: one waits its short command timeout, the next ones skip Redis', async () => {
    proxy.stall();
    const [first, firstMs] = await list();
    expect(first.status).toBe(200);
    expect(firstMs).toBeGreaterThanOrEqual(400);
    expect(firstMs).toBeLessThan(2_500);
    const [second, secondMs] = await list();
    expect(second.status).toBe(200);
    expect(secondMs).toBeLessThan(400);
    proxy.restore();
  });
});
