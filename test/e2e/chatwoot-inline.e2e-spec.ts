import { bridgeError } from '../fakes/fake-bridge.js';
import { CHATWOOT_TOKEN, chatwootSuite } from '../support/chatwoot.js';
import { instanceName } from '../support/factories.js';

describe('inline activation in POST /api/instance/new (SPEC §4)', () => {
  const s = chatwootSuite();
  const fake = s.fake;

  const inline = (extra: Record<string, unknown> = {}) => ({
    name: instanceName(),
    chatwootEnabled: true,
    chatwootBaseUrl: 'https://chatwoot.example.com/',
    chatwootAccountId: 5,
    chatwootApiToken: CHATWOOT_TOKEN,
    chatwootInboxName: 'WhatsApp - Orion',
    ...extra,
  });

  it('creates the instance and activates the integration', async () => {
    const body = inline({ chatwootSignMessages: true, chatwootReopenResolved: true });
    const res = await s.t.req('POST', '/api/instance/new', { token: s.account.token, json: body });
    expect(res.status).toBe(201);
    const [integration] = [...fake.integrations.values()].filter((i) => i.instance === body.name);
    expect(res.body.chatwoot).toEqual({ enabled: true, status: 'active', bridge_integration_id: integration.id });
    expect(fake.requestsOf('POST')[0].body.chatwoot).toEqual({
      base_url: 'https://chatwoot.example.com', account_id: 5, api_token: CHATWOOT_TOKEN, inbox_name: 'WhatsApp - Orion',
      sign_messages: true, ignore_groups: false, start_as_pending: false, reopen_resolved: true,
    });
    const status = await s.t.req('GET', `/api/chatwoot/list/${body.name}`, { token: res.body.instance.token });
    expect(status.body.bridge_integration_id).toBe(integration.id);
    const list = await s.t.req('GET', `/api/instance/list?instanceName=${body.name}`, { token: s.account.token });
    expect(list.body.instances[0].chatwoot).toEqual({ enabled: true, status: 'active' });
    expect(res.text).not.toContain(CHATWOOT_TOKEN);
  });

  it('keeps the instance when activation fails and reports the §5 message', async () => {
    fake.behave('create', bridgeError(502, {
      code: 'upstream_http', reason: 'token_rejected', upstream_status: 401,
      message: 'https://chatwoot.example.com/api/v1/accounts/5/inboxes HTTP 401: {"error":"Invalid Access Token"}',
    }));
    const body = inline();
    const res = await s.t.req('POST', '/api/instance/new', { token: s.account.token, json: body });
    expect(res.status).toBe(201);
    expect(res.body.instance.name).toBe(body.name);
    expect(res.body.chatwoot).toEqual({
      enabled: false,
      status: 'error',
      error: 'Chatwoot rejected the API token — verify chatwootApiToken. Detail: https://chatwoot.example.com/api/v1/accounts/5/inboxes HTTP 401: {"error":"Invalid Access Token"}',
    });
    const list = await s.t.req('GET', `/api/instance/list?instanceName=${body.name}`, { token: s.account.token });
    expect(list.body.instances[0].chatwoot).toEqual({ enabled: false, status: null });
    // SPEC seeds: the credentials can then be fixed with a set, without recreating the instance.
    fake.reset();
    const fixed = await s.t.req('POST', `/api/chatwoot/set/${body.name}`, {
      token: s.account.token,
      json: { chatwootBaseUrl: 'https://chatwoot.example.com', chatwootAccountId: 5, chatwootApiToken: 'fixed' },
    });
    expect(fixed.status).toBe(201);
  });

  it('reports a timeout as the 504 message', async () => {
    fake.behave('create', { kind: 'hang' });
    const body = inline();
    const res = await s.t.req('POST', '/api/instance/new', { token: s.account.token, json: body });
    expect(res.status).toBe(201);
    expect(res.body.chatwoot).toEqual({
      enabled: false,
      status: 'error',
      error: `chatwoot activation timed out after 60s — it may still complete; check GET /api/chatwoot/list/${body.name}`,
    });
  });
});
