import { randomBytes } from 'node:crypto';
import { createAccount, instanceName, type TestAccount } from '../support/factories.js';
import { envelope, type HttpResponse } from '../support/http.js';
import { startTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../support/test-app.js';

/** SPEC §2, literally: not imported from the code under test. */
const UNKNOWN_TOKEN_BUDGET = 30;

function expectHeaders(res: HttpResponse, limit: number, remaining: number): void {
  expect(res.headers.get('x-ratelimit-limit')).toBe(String(limit));
  expect(res.headers.get('x-ratelimit-remaining')).toBe(String(remaining));
  const reset = Number(res.headers.get('x-ratelimit-reset'));
  const now = Math.floor(Date.now() / 1000);
  expect(reset).toBeGreaterThanOrEqual(now);
  expect(reset).toBeLessThanOrEqual(now + 61);
}

describe('rate limits (SPEC §2)', () => {
  let t: TestApp;
  let account: TestAccount;
  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '4', RATE_LIMIT_CREATE_PER_MINUTE: '2' } });
    account = await createAccount(t);
  });
  afterAll(() => t.close());

  it('counts per token, with headers on every answer, and 429 over budget', async () => {
    const a = await t.req('GET', '/api/instance/list', { token: account.token });
    expectHeaders(a, 4, 3);
    const b = await t.req('GET', '/api/nope', { token: account.token });
    expect(b.status).toBe(404);
    expectHeaders(b, 4, 2);
    const c = await t.req('GET', '/api/instance/list?instanceName=missing', { token: account.token });
    expect(c.status).toBe(404);
    expectHeaders(c, 4, 1);
    expectHeaders(await t.req('GET', '/api/instance/list', { token: account.token }), 4, 0);
    const over = await t.req('GET', '/api/instance/list', { token: account.token });
    expect(over.status).toBe(429);
    expect(over.body).toEqual(envelope('Rate limit exceeded. Try again later.'));
    expectHeaders(over, 4, 0);
    // Other tokens keep their own budget; the operational routes are not limited.
    expect((await t.req('GET', '/api/instance/list', { bearer: (await createAccount(t)).token })).status).toBe(200);
    expect((await t.req('GET', '/healthz')).status).toBe(200);
  });

  it('checks the limit before auth (an unknown token is counted and limited too)', async () => {
    for (let i = 0; i < 4; i += 1) {
      const res = await t.req('GET', '/api/instance/list', { token: 'not-a-real-token' });
      expect(res.status).toBe(401);
      expectHeaders(res, 4, 3 - i);
    }
    const res = await t.req('GET', '/api/instance/list', { token: 'not-a-real-token' });
    expect(res.status).toBe(429);
    expect(res.body).toEqual(envelope('Rate limit exceeded. Try again later.'));
  });

  it('gives instance creation its own budget', async () => {
    const fresh = await createAccount(t);
    const first = await t.req('POST', '/api/instance/new', { token: fresh.token, json: { name: instanceName() } });
    expect(first.status).toBe(201);
    expectHeaders(first, 2, 1);
    expect((await t.req('POST', '/api/instance/new', { token: fresh.token, json: { name: instanceName() } })).status).toBe(201);
    const over = await t.req('POST', '/api/instance/new', { token: fresh.token, json: { name: instanceName() } });
    expect(over.status).toBe(429);
    expect(over.body).toEqual(envelope('Rate limit exceeded. Try again later.'));
    // The ordinary budget of the same token is untouched.
    const list = await t.req('GET', '/api/instance/list', { token: fresh.token });
    expect(list.status).toBe(200);
    expectHeaders(list, 4, 3);
  });

  it('limits requests without a token per client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await t.req('GET', '/api/nope')).status);
    expect(statuses).toEqual([404, 404, 404, 404, 429]);
  });
});

describe('rate limits of the admin token', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(() => t.close());

  it('counts the admin token like any other', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      statuses.push((await t.req('POST', '/api/admin/account/new', { token: TEST_ADMIN_TOKEN, json: { name: 'x' } })).status);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
  });
});

describe('the creation budget, matched as the router matches (SPEC §2)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '50', RATE_LIMIT_CREATE_PER_MINUTE: '2' } });
  });
  afterAll(() => t.close());

  it('spends the creation budget on /api/INSTANCE/new and /api/Instance/New/ too', async () => {
    const account = await createAccount(t);
    const first = await t.req('POST', '/api/INSTANCE/new', { token: account.token, json: { name: instanceName() } });
    expect(first.status).toBe(201);
    expectHeaders(first, 2, 1);
    expect((await t.req('POST', '/api/instance/new', { token: account.token, json: { name: instanceName() } })).status).toBe(201);
    const over = await t.req('POST', '/api/Instance/New/', { token: account.token, json: { name: instanceName() } });
    expect(over.status).toBe(429);
    expect(over.body).toEqual(envelope('Rate limit exceeded. Try again later.'));
    expectHeaders(over, 2, 0);
    expectHeaders(await t.req('GET', '/api/instance/list', { token: account.token }), 50, 49);
  });
});

describe('the per-address budget of missing and unknown tokens (SPEC §2)', () => {
  const guess = () => `guess-${randomBytes(16).toString('base64url')}`;
  const exhaust = async (t: TestApp, headers: Record<string, string> = {}) => {
    for (let i = 0; i < UNKNOWN_TOKEN_BUDGET; i += 1) {
      const res = await t.req('GET', '/api/instance/list', { token: guess(), headers });
      expect({ status: res.status, body: res.body }).toEqual({ status: 401, body: envelope('Invalid token') });
      expectHeaders(res, UNKNOWN_TOKEN_BUDGET, UNKNOWN_TOKEN_BUDGET - 1 - i);
    }
  };
  const expectLimited = (res: HttpResponse) => {
    expect({ status: res.status, body: res.body }).toEqual({ status: 429, body: envelope('Rate limit exceeded. Try again later.') });
    expectHeaders(res, UNKNOWN_TOKEN_BUDGET, 0);
  };

  describe('without a proxy in front', () => {
    let t: TestApp;
    beforeAll(async () => {
      // Budgets per token far above 30: only the per-address budget can refuse here.
      t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_CREATE_PER_MINUTE: '1000' } });
    });
    afterAll(() => t.close());

    it('refuses the 31st guess of a minute from one address, whatever the token, and keeps valid tokens working', async () => {
      const account = await createAccount(t);
      await exhaust(t);
      // A fresh well-formed guess, no token, a wrong admin token: all refused before auth.
      expectLimited(await t.req('GET', '/api/instance/list', { token: guess() }));
      expectLimited(await t.req('GET', '/api/instance/list', { bearer: guess() }));
      expectLimited(await t.req('GET', '/api/nope'));
      expectLimited(await t.req('POST', '/api/admin/account/new', { token: `${TEST_ADMIN_TOKEN}x`, json: { name: 'x' } }));
      // X-Forwarded-For is not believed without TRUST_PROXY.
      expectLimited(await t.req('GET', '/api/instance/list', { token: guess(), headers: { 'x-forwarded-for': '203.0.113.9' } }));
      // Valid tokens from the same address keep their own budgets.
      const list = await t.req('GET', '/api/instance/list', { token: account.token });
      expect(list.status).toBe(200);
      expectHeaders(list, 1000, 999);
      const created = await t.req('POST', '/api/admin/account/new', { token: TEST_ADMIN_TOKEN, json: { name: 'acme' } });
      expect(created.status).toBe(201);
      // createAccount() spent the admin token's first request.
      expectHeaders(created, 1000, 998);
    });
  });

  describe('behind TRUST_PROXY=1', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '1000', TRUST_PROXY: '1' } });
    });
    afterAll(() => t.close());

    it('counts per client address as the proxy reports it', async () => {
      await exhaust(t, { 'x-forwarded-for': '203.0.113.7' });
      expectLimited(await t.req('GET', '/api/instance/list', { token: guess(), headers: { 'x-forwarded-for': '203.0.113.7' } }));
      // Only the entry the trusted proxy appended counts: a client cannot pick its address.
      expectLimited(await t.req('GET', '/api/instance/list', { token: guess(), headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.7' } }));
      const other = await t.req('GET', '/api/instance/list', { token: guess(), headers: { 'x-forwarded-for': '203.0.113.8' } });
      expect(other.status).toBe(401);
      expectHeaders(other, UNKNOWN_TOKEN_BUDGET, UNKNOWN_TOKEN_BUDGET - 1);
    });
  });
});
