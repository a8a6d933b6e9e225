import { createAccount, createInstance, instanceName, type TestAccount } from '../support/factories.js';
import { envelope } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('instances (SPEC §4)', () => {
  let t: TestApp;
  let account: TestAccount;
  beforeAll(async () => {
    t = await startTestApp();
  });
  beforeEach(async () => {
    account = await createAccount(t);
  });
  afterAll(() => t.close());

  const list = (token: string, query = '') => t.req('GET', `/api/instance/list${query}`, { token });

  describe('POST /api/instance/new', () => {
    it('creates an instance with a generated TokenInstance', async () => {
      const res = await t.req('POST', '/api/instance/new', { token: account.token, json: { name: 'suporte' } });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        success: true,
        message: 'Instance created',
        instance: { name: 'suporte', token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), status: 'disconnected', created_at: expect.stringMatching(RFC3339) },
        data: { token: res.body.instance.token },
      });
      expect(res.body).not.toHaveProperty('chatwoot');
      const own = await list(res.body.instance.token);
      expect(own.body.instances.map((i: { name: string }) => i.name)).toEqual(['suporte']);
    });

    it('accepts a custom token', async () => {
      const token = 'custom_token-0123456789abcdef';
      const res = await t.req('POST', '/api/instance/new', { token: account.token, json: { name: instanceName(), token } });
      expect(res.status).toBe(201);
      expect(res.body.instance.token).toBe(token);
      expect(res.body.data.token).toBe(token);
      expect((await list(token)).status).toBe(200);
    });

    it('accepts and ignores the documented RyzeAPI fields', async () => {
      const res = await t.req('POST', '/api/instance/new', {
        token: account.token,
        json: {
          name: instanceName(), webhookUrl: 'https://hook.example.com', webhookEvents: ['x'], websocketEnabled: true,
          proxyHost: 'p', s3Bucket: 'b', autoRejectCalls: true, callRejectMessage: 'no', ignoreGroupMessages: true,
          keepOnlineStatus: false, autoReadMessages: true, disableHistorySync: true, ignoreStatus: true,
        },
      });
      expect(res.status).toBe(201);
    });

    it.each([
      [{}, 'Invalid request body: name is required'],
      [{ name: 'bad name' }, 'Invalid request body: name must match ^[A-Za-z0-9_-]{1,64}$'],
      [{ name: 'x'.repeat(65) }, 'Invalid request body: name must match ^[A-Za-z0-9_-]{1,64}$'],
      [{ name: 7 }, 'Invalid request body: name must be a string'],
      [{ name: 'ok', token: 'short' }, 'Invalid request body: token must match ^[A-Za-z0-9_-]{16,128}$'],
      [{ name: 'ok', token: 'has space in it 12345' }, 'Invalid request body: token must match ^[A-Za-z0-9_-]{16,128}$'],
      [{ name: 'ok', unknownThing: 1 }, 'Invalid request body: unknown field unknownThing'],
      [{ name: 'ok', chatwootEnabled: 'yes' }, 'Invalid request body: chatwootEnabled must be a boolean'],
      [{ name: 'ok', chatwootEnabled: true }, 'Invalid request body: chatwootBaseUrl is required; chatwootAccountId is required; chatwootApiToken is required'],
      [
        { name: 'ok', chatwootEnabled: true, chatwootBaseUrl: 'ftp://x', chatwootAccountId: 0, chatwootApiToken: 'k' },
        'Invalid request body: chatwootBaseUrl must be an absolute http or https URL with a host and no query, fragment or credentials; chatwootAccountId must be an integer greater than 0',
      ],
      [
        { name: 'ok', chatwootEnabled: true, chatwootBaseUrl: 'https://c.example.com', chatwootAccountId: 1, chatwootApiToken: 'k', chatwootInboxName: '   ' },
        'Invalid request body: chatwootInboxName must be 1 to 100 characters after trimming',
      ],
      [
        { name: 'ok', chatwootEnabled: true, chatwootBaseUrl: 'https://c.example.com', chatwootAccountId: 1, chatwootApiToken: 'k', chatwootSignMessages: 'true' },
        'Invalid request body: chatwootSignMessages must be a boolean',
      ],
    ])('rejects %j with 400 and creates nothing', async (body, message) => {
      const res = await t.req('POST', '/api/instance/new', { token: account.token, json: body });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(envelope(message));
      expect((await list(account.token)).body.instances).toEqual([]);
    });

    it('does not validate the chatwoot block when chatwootEnabled is not true', async () => {
      const res = await t.req('POST', '/api/instance/new', {
        token: account.token,
        json: { name: instanceName(), chatwootEnabled: false, chatwootBaseUrl: 'not a url', chatwootAccountId: 'x' },
      });
      expect(res.status).toBe(201);
      expect(res.body).not.toHaveProperty('chatwoot');
    });

    it('answers 409 Instance name already in use', async () => {
      const name = instanceName();
      await createInstance(t, account, { name });
      const res = await t.req('POST', '/api/instance/new', { token: account.token, json: { name } });
      expect(res.status).toBe(409);
      expect(res.body).toEqual(envelope('Instance name already in use'));
    });

    it('lets two accounts use the same name', async () => {
      const other = await createAccount(t);
      const name = instanceName();
      await createInstance(t, account, { name });
      expect((await t.req('POST', '/api/instance/new', { token: other.token, json: { name } })).status).toBe(201);
    });

    it('answers 409 Instance token already in use, across accounts and token kinds', async () => {
      const other = await createAccount(t);
      const token = 'shared_token_0123456789';
      await createInstance(t, other, { token });
      const res = await t.req('POST', '/api/instance/new', { token: account.token, json: { name: instanceName(), token } });
      expect(res.status).toBe(409);
      expect(res.body).toEqual(envelope('Instance token already in use'));
      const asAccountToken = await t.req('POST', '/api/instance/new', { token: account.token, json: { name: instanceName(), token: account.token } });
      expect(asAccountToken.status).toBe(409);
      expect(asAccountToken.body).toEqual(envelope('Instance token already in use'));
    });

    it('answers 403 Account instance quota exceeded', async () => {
      const limited = await createAccount(t, { instanceQuota: 1 });
      await createInstance(t, limited);
      const res = await t.req('POST', '/api/instance/new', { token: limited.token, json: { name: instanceName() } });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(envelope('Account instance quota exceeded'));
      const none = await createAccount(t, { instanceQuota: 0 });
      expect((await t.req('POST', '/api/instance/new', { token: none.token, json: { name: instanceName() } })).status).toBe(403);
    });

    it('keeps the quota under concurrent creations', async () => {
      const limited = await createAccount(t, { instanceQuota: 3 });
      const results = await Promise.all(
        Array.from({ length: 8 }, () => t.req('POST', '/api/instance/new', { token: limited.token, json: { name: instanceName() } })),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(3);
      expect(results.filter((r) => r.status === 403)).toHaveLength(5);
      expect((await list(limited.token)).body.instances).toHaveLength(3);
    });

    it('answers 401 Invalid token to a TokenInstance', async () => {
      const inst = await createInstance(t, account);
      const res = await t.req('POST', '/api/instance/new', { token: inst.token, json: { name: instanceName() } });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(envelope('Invalid token'));
    });

    it('answers the chatwoot error object when the module is not configured, and keeps the instance', async () => {
      const name = instanceName();
      const res = await t.req('POST', '/api/instance/new', {
        token: account.token,
        json: { name, chatwootEnabled: true, chatwootBaseUrl: 'https://c.example.com/', chatwootAccountId: 5, chatwootApiToken: 'secret-token' },
      });
      expect(res.status).toBe(201);
      expect(res.body.chatwoot).toEqual({
        enabled: false,
        status: 'error',
        error: 'integration gateway not configured (set BRIDGE_URL and BRIDGE_TOKEN)',
      });
      expect(res.text).not.toContain('secret-token');
      expect((await list(account.token, `?instanceName=${name}`)).status).toBe(200);
    });
  });

  describe('GET /api/instance/list', () => {
    it('says 0 Instances found, 1 Instance found, N Instances found', async () => {
      expect((await list(account.token)).body).toEqual({ success: true, message: '0 Instances found', instances: [] });
      const a = await createInstance(t, account);
      const one = await list(account.token);
      expect(one.body).toEqual({
        success: true,
        message: '1 Instance found',
        instances: [{ name: a.name, status: 'disconnected', created_at: expect.stringMatching(RFC3339), chatwoot: { enabled: false, status: null } }],
      });
      await createInstance(t, account);
      expect((await list(account.token)).body.message).toBe('2 Instances found');
    });

    it('filters by comma-separated names, ignoring unknown ones', async () => {
      const a = await createInstance(t, account);
      const b = await createInstance(t, account);
      await createInstance(t, account);
      const res = await list(account.token, `?instanceName=${a.name},nope,${b.name}`);
      expect(res.status).toBe(200);
      expect(res.body.instances.map((i: { name: string }) => i.name).sort()).toEqual([a.name, b.name].sort());
      expect(res.body.message).toBe('2 Instances found');
      const none = await list(account.token, '?instanceName=nope1,nope2');
      expect(none.body).toEqual({ success: true, message: '0 Instances found', instances: [] });
    });

    it('answers 404 Instance not found when the single name asked does not exist', async () => {
      const res = await list(account.token, '?instanceName=missing');
      expect(res.status).toBe(404);
      expect(res.body).toEqual(envelope('Instance not found'));
    });

    it('shows a TokenInstance only its own instance, ignoring the filter', async () => {
      const a = await createInstance(t, account);
      const b = await createInstance(t, account);
      const res = await list(a.token, `?instanceName=${b.name}`);
      expect(res.status).toBe(200);
      expect(res.body.message).toBe('1 Instance found');
      expect(res.body.instances.map((i: { name: string }) => i.name)).toEqual([a.name]);
    });

    it('never shows another account’s instances', async () => {
      const other = await createAccount(t);
      const theirs = await createInstance(t, other);
      await createInstance(t, account);
      const res = await list(account.token);
      expect(res.body.instances.map((i: { name: string }) => i.name)).not.toContain(theirs.name);
      const asked = await list(account.token, `?instanceName=${theirs.name}`);
      expect(asked.status).toBe(404);
      expect(asked.body).toEqual(envelope('Instance not found'));
    });
  });

  describe('DELETE /api/instance/delete/:instance', () => {
    it('deletes the instance and revokes its token', async () => {
      const a = await createInstance(t, account);
      const res = await t.req('DELETE', `/api/instance/delete/${a.name}`, { token: account.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true, message: 'Instance deleted', instance: { status: 'deleted' } });
      expect((await list(account.token)).body.instances).toEqual([]);
      const revoked = await list(a.token);
      expect(revoked.status).toBe(401);
      expect(revoked.body).toEqual(envelope('Invalid token'));
      const again = await t.req('DELETE', `/api/instance/delete/${a.name}`, { token: account.token });
      expect(again.status).toBe(404);
      expect(again.body).toEqual(envelope('Instance not found'));
    });

    it('answers 404 for another account’s instance and leaves it alone', async () => {
      const other = await createAccount(t);
      const theirs = await createInstance(t, other);
      const res = await t.req('DELETE', `/api/instance/delete/${theirs.name}`, { token: account.token });
      expect(res.status).toBe(404);
      expect(res.body).toEqual(envelope('Instance not found'));
      expect((await list(other.token)).body.instances).toHaveLength(1);
    });

    it('answers 401 Invalid token to a TokenInstance, even for its own instance', async () => {
      const a = await createInstance(t, account);
      const res = await t.req('DELETE', `/api/instance/delete/${a.name}`, { token: a.token });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(envelope('Invalid token'));
      expect((await list(account.token)).body.instances).toHaveLength(1);
    });
  });
});
