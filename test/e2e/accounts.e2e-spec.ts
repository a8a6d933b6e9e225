import { envelope } from '../support/http.js';
import { startTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../support/test-app.js';

describe('accounts (SPEC §3)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('creates an account and shows its token once', async () => {
    const res = await t.req('POST', '/api/admin/account/new', { token: TEST_ADMIN_TOKEN, json: { name: 'acme', instanceQuota: 10 } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      message: 'Account created',
      account: { id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'acme', token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), instanceQuota: 10 },
    });
    const list = await t.req('GET', '/api/instance/list', { token: res.body.account.token });
    expect(list.status).toBe(200);
  });

  it('defaults instanceQuota to unlimited (null) and allows duplicate names', async () => {
    const a = await t.req('POST', '/api/admin/account/new', { token: TEST_ADMIN_TOKEN, json: { name: 'same' } });
    const b = await t.req('POST', '/api/admin/account/new', { bearer: TEST_ADMIN_TOKEN, json: { name: 'same' } });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(a.body.account.instanceQuota).toBeNull();
    expect(a.body.account.id).not.toBe(b.body.account.id);
    expect(a.body.account.token).not.toBe(b.body.account.token);
  });

  it.each([
    ['a missing token', {}],
    ['a wrong admin token', { token: 'wrong-admin-token' }],
  ])('answers 401 Invalid token for %s', async (_, auth) => {
    const res = await t.req('POST', '/api/admin/account/new', { ...auth, json: { name: 'x' } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(envelope('Invalid token'));
  });

  it('does not accept an account token as the admin token', async () => {
    const acc = await t.req('POST', '/api/admin/account/new', { token: TEST_ADMIN_TOKEN, json: { name: 'x' } });
    const res = await t.req('POST', '/api/admin/account/new', { token: acc.body.account.token, json: { name: 'y' } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(envelope('Invalid token'));
  });

  it.each([
    [{}, 'Invalid request body: name is required'],
    [{ name: '' }, 'Invalid request body: name is required'],
    [{ name: 5 }, 'Invalid request body: name must be a string'],
    [{ name: 'a', instanceQuota: -1 }, 'Invalid request body: instanceQuota must be an integer greater than or equal to 0'],
    [{ name: 'a', instanceQuota: '3' }, 'Invalid request body: instanceQuota must be an integer greater than or equal to 0'],
    [{ name: 'a', extra: true }, 'Invalid request body: unknown field extra'],
  ])('rejects %j with 400', async (body, message) => {
    const res = await t.req('POST', '/api/admin/account/new', { token: TEST_ADMIN_TOKEN, json: body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(envelope(message));
  });

  it('rejects malformed JSON with the route body message', async () => {
    const res = await t.req('POST', '/api/admin/account/new', { token: TEST_ADMIN_TOKEN, raw: '{"name":', contentType: 'application/json' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(envelope('Invalid request body: malformed JSON'));
  });
});

describe('accounts without ADMIN_TOKEN', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { ADMIN_TOKEN: '' } });
  });
  afterAll(() => t.close());

  it('answers 404 Not found: the admin endpoints do not exist', async () => {
    const res = await t.req('POST', '/api/admin/account/new', { token: 'anything', json: { name: 'x' } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(envelope('Not found'));
  });
});
