import { DataSource } from 'typeorm';
import { ShutdownState } from '../../src/health/shutdown-state.js';
import { createAccount, createInstance, type TestAccount } from '../support/factories.js';
import { envelope } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('common HTTP behaviour (SPEC §2)', () => {
  let t: TestApp;
  let account: TestAccount;
  beforeAll(async () => {
    t = await startTestApp();
    account = await createAccount(t);
  });
  afterAll(() => t.close());

  describe('auth', () => {
    it.each([
      ['no token', {}],
      ['an unknown token', { token: 'unknown-token-value' }],
      ['an unknown bearer token', { bearer: 'unknown-token-value' }],
      ['an empty token header', { token: '' }],
      ['a malformed Authorization header', { headers: { authorization: 'Basic abc' } }],
    ])('answers 401 Invalid token to %s', async (_, opts) => {
      const res = await t.req('GET', '/api/instance/list', opts);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(envelope('Invalid token'));
    });

    it('accepts the token header and Authorization: Bearer', async () => {
      expect((await t.req('GET', '/api/instance/list', { token: account.token })).status).toBe(200);
      expect((await t.req('GET', '/api/instance/list', { bearer: account.token })).status).toBe(200);
    });

    it('isolates two instances of one account and two accounts', async () => {
      const other = await createAccount(t);
      const a = await createInstance(t, account);
      const b = await createInstance(t, account);
      const c = await createInstance(t, other);
      const seen = async (token: string) =>
        ((await t.req('GET', '/api/instance/list', { token })).body.instances as Array<{ name: string }>).map((i) => i.name);
      expect(await seen(a.token)).toEqual([a.name]);
      expect(await seen(b.token)).toEqual([b.name]);
      expect(await seen(c.token)).toEqual([c.name]);
      expect(await seen(other.token)).toEqual([c.name]);
      expect(await seen(account.token)).toEqual(expect.arrayContaining([a.name, b.name]));
      expect(await seen(account.token)).not.toContain(c.name);
    });
  });

  describe('errors', () => {
    it.each([
      ['GET', '/nope'],
      ['GET', '/api/nope'],
      ['POST', '/api/instance/list'],
      ['GET', '/api/chatwoot'],
    ])('answers 404 Not found to an unknown route %s %s, with or without a token', async (method, path) => {
      for (const opts of [{}, { token: account.token }]) {
        const res = await t.req(method, path, opts);
        expect(res.status).toBe(404);
        expect(res.body).toEqual(envelope('Not found'));
      }
    });

    it('checks auth before the body: malformed JSON without a token is a 401', async () => {
      const res = await t.req('POST', '/api/instance/new', { raw: '{"name":', contentType: 'application/json' });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(envelope('Invalid token'));
    });

    it('answers 400 with the route message to malformed JSON', async () => {
      const res = await t.req('POST', '/api/instance/new', { token: account.token, raw: '{"name":', contentType: 'application/json' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(envelope('Invalid request body: malformed JSON'));
    });

    it('answers 400 to a body that is not a JSON object', async () => {
      for (const raw of ['[1,2]', '"text"', '42', 'null']) {
        const res = await t.req('POST', '/api/instance/new', { token: account.token, raw, contentType: 'application/json' });
        expect(res.status).toBe(400);
        expect(res.body).toEqual(envelope('Invalid request body: body must be a JSON object'));
      }
    });

    it('answers 400 to a body that is not JSON', async () => {
      const res = await t.req('POST', '/api/instance/new', { token: account.token, raw: 'name=x', contentType: 'application/x-www-form-urlencoded' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(envelope('Invalid request body: Content-Type must be application/json'));
    });

    it('answers 413 Request body too large over 64 KiB, and accepts 64 KiB', async () => {
      const big = JSON.stringify({ name: 'x', pad: 'y'.repeat(64 * 1024) });
      const res = await t.req('POST', '/api/instance/new', { token: account.token, raw: big, contentType: 'application/json' });
      expect(res.status).toBe(413);
      expect(res.body).toEqual(envelope('Request body too large'));
      const prefix = '{"name":"fits","webhookPad":"';
      const exact = prefix + 'y'.repeat(64 * 1024 - prefix.length - 2) + '"}';
      expect(Buffer.byteLength(exact)).toBe(64 * 1024);
      const ok = await t.req('POST', '/api/instance/new', { token: account.token, raw: exact, contentType: 'application/json' });
      expect(ok.status).toBe(201);
    });
  });

  describe('X-Request-Id', () => {
    it('echoes a valid client id', async () => {
      const res = await t.req('GET', '/healthz', { headers: { 'x-request-id': 'client-Id_1.2' } });
      expect(res.headers.get('x-request-id')).toBe('client-Id_1.2');
    });

    it.each(['has space', 'x'.repeat(129), 'semi;colon'])('replaces an unsafe id %p with a generated one', async (id) => {
      const res = await t.req('GET', '/api/instance/list', { token: account.token, headers: { 'x-request-id': id } });
      const returned = res.headers.get('x-request-id');
      expect(returned).not.toBe(id);
      expect(returned).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
    });

    it('is on errors too', async () => {
      const res = await t.req('GET', '/api/nope');
      expect(res.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
    });
  });

  describe('operational routes', () => {
    it('serves /healthz and /readyz without auth or rate-limit headers', async () => {
      const live = await t.req('GET', '/healthz');
      expect(live.status).toBe(200);
      expect(live.body).toEqual({ status: 'ok' });
      const ready = await t.req('GET', '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ok', checks: { database: 'up' } });
      expect(live.headers.get('x-ratelimit-limit')).toBeNull();
    });
  });
});

describe('unexpected failures', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers 500 with no internals and logs the detail', async () => {
    const account = await createAccount(t);
    // Break the schema under the running app: the next query fails inside TypeORM.
    await t.app.get(DataSource).query('ALTER TABLE "instances" RENAME TO "instances_gone"');
    const res = await t.req('GET', '/api/instance/list', { token: account.token });
    expect(res.status).toBe(500);
    expect(res.body).toEqual(envelope('Internal server error'));
    expect(res.text).not.toMatch(/instances|relation|QueryFailed|at /);
    expect(t.logs.text()).toMatch(/instances/);
    await t.app.get(DataSource).query('ALTER TABLE "instances_gone" RENAME TO "instances"');
  });
});

describe('readiness during shutdown (SPEC §7)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers 503 Not ready: shutting down once shutdown has begun, while liveness stays 200', async () => {
    expect((await t.req('GET', '/readyz')).status).toBe(200);
    // What app.close() runs first on SIGTERM, before the server stops accepting (src/main.ts).
    t.app.get(ShutdownState).beforeApplicationShutdown();
    const ready = await t.req('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual(envelope('Not ready: shutting down'));
    expect((await t.req('GET', '/healthz')).status).toBe(200);
  });
});

