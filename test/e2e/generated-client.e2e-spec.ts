import createClient from 'openapi-fetch';
import type { components, paths } from '../../clients/typescript/schema.js';
import { FakeBridge } from '../fakes/fake-bridge.js';
import { CHATWOOT_TOKEN, startWithBridge } from '../support/chatwoot.js';
import { instanceName } from '../support/factories.js';
import { TEST_ADMIN_TOKEN, type TestApp } from '../support/test-app.js';

type Schemas = components['schemas'];

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/**
 * The generated client (clients/typescript, from openapi.json) drives the whole chatwoot lifecycle
 * against the real server: if the document were wrong about a path, a parameter, a body or a
 * response, this would not compile or would fail. Only the client talks to the server here.
 */
describe('the generated TypeScript client (openapi.json → openapi-typescript + openapi-fetch)', () => {
  const fake = new FakeBridge();
  let t: TestApp;

  beforeAll(async () => {
    await fake.start();
    t = await startWithBridge(fake);
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  it('creates an account and an instance, activates, reads and deactivates chatwoot, and reads a typed error', async () => {
    const admin = createClient<paths>({ baseUrl: t.url, headers: { token: TEST_ADMIN_TOKEN } });
    const created = await admin.POST('/api/admin/account/new', { body: { name: 'acme', instanceQuota: 2 } });
    expect(created.response.status).toBe(201);
    const account: Schemas['CreatedAccountResponse'] | undefined = created.data;
    expect(account).toEqual({
      success: true,
      message: 'Account created',
      account: { id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'acme', token: expect.any(String), instanceQuota: 2 },
    });
    // Every /api response carries the documented headers.
    expect(created.response.headers.get('X-RateLimit-Limit')).toBe('100');
    expect(created.response.headers.get('X-Request-Id')).toEqual(expect.any(String));

    // The bearer scheme is the documented alternative to the `token` header.
    const api = createClient<paths>({ baseUrl: t.url, headers: { Authorization: `Bearer ${account!.account.token}` } });
    const name = instanceName('client');
    const instance = await api.POST('/api/instance/new', { body: { name } });
    expect(instance.response.status).toBe(201);
    const token: string = instance.data!.instance.token;
    expect(instance.data).toEqual({
      success: true,
      message: 'Instance created',
      instance: { name, token, status: 'disconnected', created_at: expect.stringMatching(RFC3339_UTC) },
      data: { token },
    });

    // The instance's own token is enough for its chatwoot routes (SPEC §5).
    const own = createClient<paths>({ baseUrl: t.url, headers: { token } });
    const path = { instance: name };
    const set = await own.POST('/api/chatwoot/set/{instance}', {
      params: { path },
      body: { chatwootBaseUrl: 'https://chatwoot.example.com/', chatwootAccountId: 5, chatwootApiToken: CHATWOOT_TOKEN, signMessages: true },
    });
    expect(set.response.status).toBe(201);
    const [integration] = [...fake.integrations.values()];
    const activated: Schemas['ChatwootActivatedResponse'] = set.data!;
    expect(activated).toEqual({
      instance: name, status: 'active', bridge_integration_id: integration.id, message: 'chatwoot integration activated',
    });

    const status = await own.GET('/api/chatwoot/list/{instance}', { params: { path } });
    expect(status.response.status).toBe(200);
    const info: Schemas['ChatwootStatusResponse'] = status.data!;
    expect(info).toEqual({
      instance_name: name,
      status: 'active',
      bridge_integration_id: integration.id,
      chatwoot_base_url: 'https://chatwoot.example.com',
      chatwoot_account_id: 5,
      chatwoot_inbox_id: 42,
      chatwoot_inbox_name: 'RyzeAPI',
      last_error: '',
      created_at: expect.stringMatching(RFC3339_UTC),
      updated_at: expect.stringMatching(RFC3339_UTC),
      sign_messages: true,
      ignore_groups: false,
      start_as_pending: false,
      reopen_resolved: false,
    });
    expect(JSON.stringify(info)).not.toContain(CHATWOOT_TOKEN);

    const listed = await api.GET('/api/instance/list', { params: { query: { instanceName: name } } });
    expect(listed.data).toEqual({
      success: true,
      message: '1 Instance found',
      instances: [{ name, status: 'disconnected', created_at: expect.stringMatching(RFC3339_UTC), chatwoot: { enabled: true, status: 'active' } }],
    });

    const deleted = await own.DELETE('/api/chatwoot/delete/{instance}', { params: { path, query: { deleteInbox: false } } });
    expect(deleted.response.status).toBe(200);
    const deactivated: Schemas['ChatwootDeactivatedResponse'] = deleted.data!;
    expect(deactivated).toEqual({ message: 'chatwoot integration deactivated' });
    expect(fake.integrations.size).toBe(0);

    // An error is the typed envelope, with the exact message of SPEC §5.
    const gone = await own.GET('/api/chatwoot/list/{instance}', { params: { path } });
    expect(gone.response.status).toBe(404);
    expect(gone.data).toBeUndefined();
    const envelope: Schemas['ErrorEnvelope'] | undefined = gone.error;
    expect(envelope).toEqual({ success: false, error: { message: 'no chatwoot integration for this instance' } });

    const missing = await api.GET('/api/chatwoot/list/{instance}', { params: { path: { instance: 'no-such-instance' } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toEqual({ success: false, error: { message: 'instance not found' } });

    const removed = await api.DELETE('/api/instance/delete/{instance}', { params: { path } });
    expect(removed.data).toEqual({ success: true, message: 'Instance deleted', instance: { status: 'deleted' } });
  });
});
