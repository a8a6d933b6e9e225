import { DataSource } from 'typeorm';
import { SecretCipher } from '../../src/common/crypto/secret-cipher.js';
import { BridgeIntegration } from '../../src/bridge/integration.entity.js';
import {
  BRIDGE_PUBLIC_URL, BRIDGE_TOKEN, type BridgeHarness, INTEGRATION_KEYS, RFC3339, integrationBody, startBridge,
} from './bridge-support.js';

/** BRIDGE-API §2 against the Chatwoot simulator, on a bridge-only app (ROLES=bridge). */
describe('bridge integrations API (BRIDGE-API §2)', () => {
  let h: BridgeHarness;
  beforeAll(async () => {
    h = await startBridge();
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.sim.requests.length = 0;
    h.sim.clearFailures();
  });

  const webhookPattern = (id: string) => new RegExp(`^${BRIDGE_PUBLIC_URL}/v1/webhooks/${id}/[A-Za-z0-9_-]{43}$`);

  describe('authentication', () => {
    it.each([
      ['no Authorization header', undefined],
      ['a wrong token', 'not-the-bridge-token'],
      ['the token with one character changed', `${BRIDGE_TOKEN.slice(0, -1)}x`],
    ])('answers 401 unauthorized to %s, on every route', async (_, bearer) => {
      const routes: [string, string][] = [
        ['POST', '/v1/integrations'],
        ['PUT', '/v1/integrations/int_x'],
        ['GET', '/v1/integrations/int_x'],
        ['GET', '/v1/integrations?external_id=x'],
        ['DELETE', '/v1/integrations/int_x'],
      ];
      for (const [method, path] of routes) {
        const res = await h.t.req(method, path, { ...(bearer !== undefined ? { bearer } : {}), json: method === 'POST' || method === 'PUT' ? integrationBody(h) : undefined });
        expect([method, path, res.status]).toEqual([method, path, 401]);
        expect(res.body).toEqual({ error: { code: 'unauthorized', message: 'missing or invalid bearer token' } });
      }
      // Nothing reached Chatwoot: auth comes before any work.
      expect(h.sim.requests).toEqual([]);
    });

    it('accepts the token in a case-insensitive Bearer scheme', async () => {
      const res = await h.t.req('GET', '/v1/integrations?external_id=none', { headers: { authorization: `bearer ${BRIDGE_TOKEN}` } });
      expect(res.status).toBe(200);
    });

    it('serves /healthz without a token, once (the app health module)', async () => {
      const res = await h.t.req('GET', '/healthz');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    });

    it('answers unknown /v1 routes with the §4 not_found body', async () => {
      const res = await h.call('GET', '/v1/nothing-here');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 'not_found', message: 'no such route' } });
    });
  });

  describe('create', () => {
    it('creates an API inbox, answers 201 with the integration object, and stores the inbox id', async () => {
      const body = integrationBody(h);
      const res = await h.call('POST', '/v1/integrations', { json: body });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body)).toEqual(INTEGRATION_KEYS);
      const name = (body.chatwoot as { inbox_name: string }).inbox_name;
      const inboxes = h.sim.inboxes(h.accountId).filter((i) => i.name === name && i.webhookUrl?.includes(res.body.id));
      expect(inboxes).toHaveLength(1);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^int_[a-z2-7]{16}$/),
        external_id: body.external_id,
        instance: 'suporte',
        status: 'active',
        inbox_id: inboxes[0].id,
        inbox_name: name,
        last_error: '',
        updated_at: expect.stringMatching(RFC3339),
      });

      // Verified by listing, then created with the documented API-channel body (CONTRACT §2).
      expect(h.sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        `GET /api/v1/accounts/${h.accountId}/inboxes`,
        `POST /api/v1/accounts/${h.accountId}/inboxes`,
      ]);
      const create = h.sim.requests[1];
      expect(create.token).toBe(h.admin.token);
      expect(create.body).toEqual({ name, channel: { type: 'api', webhook_url: expect.stringMatching(webhookPattern(res.body.id)) } });
      expect(inboxes[0].webhookUrl).toBe((create.body as { channel: { webhook_url: string } }).channel.webhook_url);
    });

    it('encrypts the Chatwoot token, the callback token and the webhook secrets at rest', async () => {
      const body = integrationBody(h);
      const res = await h.call('POST', '/v1/integrations', { json: body });
      expect(res.status).toBe(201);
      const [row] = await h.t.app.get(DataSource).query('SELECT * FROM bridge_integrations WHERE id = $1', [res.body.id]);
      const cipher = h.t.app.get(SecretCipher);
      const chatwoot = body.chatwoot as { api_token: string };
      const source = body.source as { token: string };
      const inbox = h.sim.inbox(res.body.inbox_id)!;
      const webhookSecret = inbox.webhookUrl!.split('/').pop()!;
      for (const [column, plain] of [
        ['chatwoot_api_token', chatwoot.api_token],
        ['source_token', source.token],
        ['webhook_secret', webhookSecret],
        ['inbox_signing_secret', inbox.secret!],
      ] as const) {
        expect(row[column]).toMatch(/^v1\.[0-9a-f]{8}\./);
        expect(cipher.decrypt(row[column])).toBe(plain);
      }
      expect(JSON.stringify(row)).not.toContain(chatwoot.api_token);
      expect(JSON.stringify(row)).not.toContain(source.token);
      expect(JSON.stringify(row)).not.toContain(webhookSecret);
    });

    it('is idempotent on external_id: a second create answers 200 with the new configuration, and no second inbox', async () => {
      const body = integrationBody(h);
      const first = await h.call('POST', '/v1/integrations', { json: body });
      expect(first.status).toBe(201);
      const inboxCount = h.sim.inboxes(h.accountId).length;
      h.sim.requests.length = 0;

      const again = await h.call('POST', '/v1/integrations', {
        json: { ...body, instance: 'vendas', chatwoot: { ...(body.chatwoot as object), reopen_resolved: false } },
      });
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ ...first.body, instance: 'vendas', updated_at: expect.stringMatching(RFC3339) });
      expect(h.sim.inboxes(h.accountId)).toHaveLength(inboxCount);
      // Re-verified against Chatwoot, found its own inbox, changed nothing there.
      expect(h.sim.requests.map((r) => r.method)).toEqual(['GET']);
      const rows = (await h.rows()).filter((r) => r.externalId === body.external_id);
      expect(rows).toHaveLength(1);
      expect(rows[0].instance).toBe('vendas');
      expect(rows[0].reopenResolved).toBe(false);
      expect(rows[0].revision).toBe(2);
    });

    it('ends concurrent creates of one external_id with one integration and one inbox', async () => {
      const body = integrationBody(h, { chatwoot: { inbox_name: 'Concurrent inbox' } });
      const answers = await Promise.all(Array.from({ length: 6 }, () => h.call('POST', '/v1/integrations', { json: body })));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
      expect(h.sim.inboxes(h.accountId).filter((i) => i.name === 'Concurrent inbox')).toHaveLength(1);
      expect(h.sim.requestsMatching('POST', /\/inboxes$/)).toHaveLength(1);
      expect((await h.rows()).filter((r) => r.externalId === body.external_id)).toHaveLength(1);
    });

    it('reuses an existing API inbox of that name and points its webhook at the integration', async () => {
      const existing = h.sim.addInbox(h.accountId, { name: 'Reused inbox', webhookUrl: 'https://old.example.com/hook' });
      const res = await h.call('POST', '/v1/integrations', { json: integrationBody(h, { chatwoot: { inbox_name: 'Reused inbox' } }) });
      expect(res.status).toBe(201);
      expect(res.body.inbox_id).toBe(existing.id);
      expect(h.sim.requestsMatching('POST', /\/inboxes$/)).toEqual([]);
      const patch = h.sim.requestsMatching('PATCH', new RegExp(`/inboxes/${existing.id}$`));
      expect(patch.map((r) => r.body)).toEqual([{ channel: { webhook_url: expect.stringMatching(webhookPattern(res.body.id)) } }]);
      expect(h.sim.inbox(existing.id)!.webhookUrl).toMatch(webhookPattern(res.body.id));
    });

    it('never reuses an inbox of another channel type with the same name', async () => {
      const widget = h.sim.addInbox(h.accountId, { name: 'Shared name', channelType: 'Channel::WebWidget' });
      const whatsapp = h.sim.addInbox(h.accountId, { name: 'Shared name', channelType: 'Channel::Whatsapp' });
      const res = await h.call('POST', '/v1/integrations', { json: integrationBody(h, { chatwoot: { inbox_name: 'Shared name' } }) });
      expect(res.status).toBe(201);
      expect([widget.id, whatsapp.id]).not.toContain(res.body.inbox_id);
      expect(h.sim.inbox(res.body.inbox_id)!.channelType).toBe('Channel::Api');
      expect(h.sim.requestsMatching('PATCH', /./)).toEqual([]);
      expect(h.sim.inbox(widget.id)!.webhookUrl).toBeNull();
    });

    it.each<[string, unknown, string]>([
      ['a missing external_id', { external_id: undefined }, 'external_id is required'],
      ['an empty instance', { instance: '' }, 'instance must not be empty'],
      ['a missing chatwoot block', { chatwoot: undefined }, 'chatwoot is required'],
      ['chatwoot as a string', { chatwoot: 'x' }, 'chatwoot must be an object'],
      ['an account_id as a string', { chatwoot: { account_id: '5' } }, 'chatwoot.account_id must be an integer greater than 0'],
      ['an account_id of 0', { chatwoot: { account_id: 0 } }, 'chatwoot.account_id must be an integer greater than 0'],
      ['a base_url with a query', { chatwoot: { base_url: 'https://cw.example.com/?x=1' } }, 'chatwoot.base_url must be an absolute http or https URL with a host and no query, fragment or credentials'],
      ['a base_url with credentials', { chatwoot: { base_url: 'https://u:p@cw.example.com' } }, 'chatwoot.base_url must be an absolute http or https URL with a host and no query, fragment or credentials'],
      ['an ftp base_url', { chatwoot: { base_url: 'ftp://cw.example.com' } }, 'chatwoot.base_url must be an absolute http or https URL with a host and no query, fragment or credentials'],
      ['an empty api_token', { chatwoot: { api_token: '' } }, 'chatwoot.api_token must not be empty'],
      ['a blank inbox_name', { chatwoot: { inbox_name: '   ' } }, 'chatwoot.inbox_name must not be blank'],
      ['a flag as a string', { chatwoot: { sign_messages: 'yes' } }, 'chatwoot.sign_messages must be a boolean'],
      ['a missing source token', { source: { token: undefined } }, 'source.token is required'],
      ['an unknown field', { extra: 1 }, 'unknown field extra'],
      ['an unknown nested field', { chatwoot: { apiToken: 'x' } }, 'unknown field chatwoot.apiToken'],
    ])('refuses %s with 400 invalid_request', async (_, change, message) => {
      const base = integrationBody(h) as Record<string, any>;
      const body: Record<string, any> = { ...base };
      for (const [key, value] of Object.entries(change as object)) {
        if (value !== null && typeof value === 'object' && typeof base[key] === 'object') body[key] = { ...base[key], ...value };
        else body[key] = value;
      }
      for (const block of ['chatwoot', 'source']) {
        if (body[block] && typeof body[block] === 'object') {
          body[block] = Object.fromEntries(Object.entries(body[block]).filter(([, v]) => v !== undefined));
        }
      }
      const res = await h.call('POST', '/v1/integrations', { json: JSON.parse(JSON.stringify(body)) });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: 'invalid_request', message } });
      expect(h.sim.requests).toEqual([]);
    });

    it.each([
      ['malformed JSON', { raw: '{"external_id": ', contentType: 'application/json' }, 'malformed JSON'],
      ['a non-JSON content type', { raw: 'external_id=x', contentType: 'application/x-www-form-urlencoded' }, 'Content-Type must be application/json'],
      ['a JSON array', { raw: '[]', contentType: 'application/json' }, 'body must be a JSON object'],
      ['no body', {}, 'body must be a JSON object'],
      // The API's body checks, shared (src/common/http/validate-body.ts): a nesting bound instead of
      // a stack overflow, and keys every object has are unknown fields, not silently dropped.
      ['a deeply nested body', { raw: `{"x":${'['.repeat(5000)}${']'.repeat(5000)}}`, contentType: 'application/json' }, 'body nests deeper than 32 levels'],
      ['a __proto__ key', { raw: '{"__proto__": {"admin": true}}', contentType: 'application/json' }, 'external_id is required; instance is required; chatwoot is required; source is required; unknown field __proto__'],
    ])('refuses %s with 400 invalid_request', async (_, opts, message) => {
      const res = await h.call('POST', '/v1/integrations', opts);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: 'invalid_request', message } });
    });

    it('removes trailing slashes from base_url before calling Chatwoot', async () => {
      const res = await h.call('POST', '/v1/integrations', { json: integrationBody(h, { chatwoot: { base_url: `${h.sim.url}//` } }) });
      expect(res.status).toBe(201);
      expect(h.sim.requests[0].path).toBe(`/api/v1/accounts/${h.accountId}/inboxes`);
    });
  });

  describe('replace (PUT)', () => {
    it('re-verifies, re-resolves the inbox by its new name, and answers 200', async () => {
      const body = integrationBody(h, { chatwoot: { inbox_name: 'Before rename' } });
      const created = await h.call('POST', '/v1/integrations', { json: body });
      h.sim.requests.length = 0;
      const res = await h.call('PUT', `/v1/integrations/${created.body.id}`, {
        json: { ...body, chatwoot: { ...(body.chatwoot as object), inbox_name: 'After rename' } },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        ...created.body, inbox_id: expect.any(Number), inbox_name: 'After rename', updated_at: expect.stringMatching(RFC3339),
      });
      expect(res.body.inbox_id).not.toBe(created.body.inbox_id);
      const inbox = h.sim.inbox(res.body.inbox_id)!;
      expect(inbox.name).toBe('After rename');
      // The same webhook URL: the integration's secret does not change with its configuration.
      expect(inbox.webhookUrl).toBe(h.sim.inbox(created.body.inbox_id)!.webhookUrl);
      expect(h.sim.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
      const got = await h.call('GET', `/v1/integrations/${created.body.id}`);
      expect(got.body).toEqual(res.body);
    });

    it('answers 404 not_found for an unknown id, without calling Chatwoot', async () => {
      const res = await h.call('PUT', '/v1/integrations/int_doesnotexist0000', { json: integrationBody(h) });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 'not_found', message: 'integration int_doesnotexist0000 not found' } });
      expect(h.sim.requests).toEqual([]);
    });

    it('refuses to change the external_id', async () => {
      const created = await h.call('POST', '/v1/integrations', { json: integrationBody(h) });
      const res = await h.call('PUT', `/v1/integrations/${created.body.id}`, { json: integrationBody(h) });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: { code: 'invalid_request', message: `external_id cannot change (integration ${created.body.id} has another external_id)` },
      });
    });

    it('leaves the integration as it was when Chatwoot refuses the new configuration', async () => {
      const body = integrationBody(h);
      const created = await h.call('POST', '/v1/integrations', { json: body });
      const before = (await h.rows()).find((r) => r.id === created.body.id)!;
      const stranger = h.sim.addUser(h.sim.addAccount(77));
      const res = await h.call('PUT', `/v1/integrations/${created.body.id}`, {
        json: { ...body, instance: 'changed', chatwoot: { ...(body.chatwoot as object), api_token: stranger.token } },
      });
      expect(res.status).toBe(502);
      expect(res.body.error.reason).toBe('forbidden');
      const after = (await h.rows()).find((r) => r.id === created.body.id)!;
      expect(after).toEqual(before);
    });
  });

  describe('get and look-up', () => {
    it('GET by id answers 200 with the object, 404 when unknown', async () => {
      const created = await h.call('POST', '/v1/integrations', { json: integrationBody(h) });
      h.sim.requests.length = 0;
      const res = await h.call('GET', `/v1/integrations/${created.body.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(created.body);
      // Reading is local: the live state comes from the health checker, not from this call.
      expect(h.sim.requests).toEqual([]);

      const missing = await h.call('GET', '/v1/integrations/int_unknown');
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ error: { code: 'not_found', message: 'integration int_unknown not found' } });
    });

    it('answers an id or external_id holding a NUL as unknown (404, empty list), not as a 500', async () => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await h.call(method, '/v1/integrations/int_%00', method === 'PUT' ? { json: integrationBody(h) } : {});
        expect([method, res.status, res.body]).toEqual([method, 404, { error: { code: 'not_found', message: 'integration int_\u0000 not found' } }]);
      }
      const lookup = await h.call('GET', '/v1/integrations?external_id=a%00b');
      expect([lookup.status, lookup.body]).toEqual([200, { integrations: [] }]);
      const created = await h.call('POST', '/v1/integrations', { json: integrationBody(h, { external_id: 'a\u0000b' }) });
      expect([created.status, created.body]).toEqual([400, { error: { code: 'invalid_request', message: 'external_id must not contain the NUL character (U+0000)' } }]);
    });

    it('refuses a Chatwoot token that cannot travel in a header, before calling Chatwoot', async () => {
      for (const token of ['tok en', 'tok\r\nX-Injected: 1', 'tok\u0000en', 'tokén', 'tok\ud800en']) {
        const res = await h.call('POST', '/v1/integrations', { json: integrationBody(h, { chatwoot: { api_token: token } }) });
        expect([token, res.status, res.body.error.code]).toEqual([token, 400, 'invalid_request']);
        expect(res.body.error.message).toMatch(/^(chatwoot\.)?api_token must (not contain|be visible ASCII)/);
      }
      expect(h.sim.requests).toEqual([]);
    });

    it('GET ?external_id= lists the integration, or an empty list', async () => {
      const body = integrationBody(h);
      const created = await h.call('POST', '/v1/integrations', { json: body });
      const found = await h.call('GET', `/v1/integrations?external_id=${encodeURIComponent(body.external_id as string)}`);
      expect(found.status).toBe(200);
      expect(found.body).toEqual({ integrations: [created.body] });

      const none = await h.call('GET', '/v1/integrations?external_id=nobody');
      expect(none.status).toBe(200);
      expect(none.body).toEqual({ integrations: [] });
    });

    it('GET without external_id is a 400 invalid_request', async () => {
      const res = await h.call('GET', '/v1/integrations');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: 'invalid_request', message: 'the external_id query parameter is required' } });
    });
  });

  describe('delete', () => {
    it('forgets the integration and keeps the inbox by default (204, then 404)', async () => {
      const created = await h.call('POST', '/v1/integrations', { json: integrationBody(h) });
      h.sim.requests.length = 0;
      const res = await h.call('DELETE', `/v1/integrations/${created.body.id}`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(h.sim.requests).toEqual([]);
      expect(h.sim.inbox(created.body.inbox_id)).toBeDefined();
      expect((await h.call('GET', `/v1/integrations/${created.body.id}`)).status).toBe(404);
      const again = await h.call('DELETE', `/v1/integrations/${created.body.id}`);
      expect(again.status).toBe(404);
      expect(again.body).toEqual({ error: { code: 'not_found', message: `integration ${created.body.id} not found` } });
    });

    it('deletes the inbox in Chatwoot with delete_inbox=true', async () => {
      const created = await h.call('POST', '/v1/integrations', { json: integrationBody(h, { chatwoot: { inbox_name: 'To delete' } }) });
      h.sim.requests.length = 0;
      const res = await h.call('DELETE', `/v1/integrations/${created.body.id}?delete_inbox=true`);
      expect(res.status).toBe(204);
      expect(h.sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE /api/v1/accounts/${h.accountId}/inboxes/${created.body.inbox_id}`]);
      expect(h.sim.inbox(created.body.inbox_id)).toBeUndefined();
      expect((await h.rows()).find((r) => r.id === created.body.id)).toBeUndefined();
    });

    it('treats an inbox already gone from Chatwoot as deleted', async () => {
      const created = await h.call('POST', '/v1/integrations', { json: integrationBody(h) });
      h.sim.deleteInbox(created.body.inbox_id);
      const res = await h.call('DELETE', `/v1/integrations/${created.body.id}?delete_inbox=true`);
      expect(res.status).toBe(204);
      expect((await h.call('GET', `/v1/integrations/${created.body.id}`)).status).toBe(404);
    });

    it('keeps the integration when Chatwoot refuses to delete the inbox, so that a retry can', async () => {
      const created = await h.call('POST', '/v1/integrations', { json: integrationBody(h) });
      h.sim.revokeToken(h.admin.token);
      try {
        const res = await h.call('DELETE', `/v1/integrations/${created.body.id}?delete_inbox=true`);
        expect(res.status).toBe(502);
        expect(res.body).toEqual({
          error: {
            code: 'upstream_http', reason: 'token_rejected', upstream_status: 401,
            message: `${h.sim.url}/api/v1/accounts/${h.accountId}/inboxes/${created.body.inbox_id} HTTP 401: {"error":"Invalid Access Token"}`,
          },
        });
        expect((await h.call('GET', `/v1/integrations/${created.body.id}`)).status).toBe(200);
      } finally {
        h.sim.restoreToken(h.admin.token);
      }
    });

    it('refuses a delete_inbox that is neither true nor false', async () => {
      const created = await h.call('POST', '/v1/integrations', { json: integrationBody(h) });
      const res = await h.call('DELETE', `/v1/integrations/${created.body.id}?delete_inbox=yes`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: 'invalid_request', message: 'delete_inbox must be true or false' } });
      expect((await h.call('GET', `/v1/integrations/${created.body.id}`)).status).toBe(200);
    });
  });

  describe('an inbox that routes for another integration (BRIDGE-API §4 inbox_in_use)', () => {
    const inboxOf = (body: Record<string, unknown>) => (body.chatwoot as { inbox_name: string }).inbox_name;
    const refusal = (name: string, inboxId: number) => ({
      error: { code: 'inbox_in_use', message: `the API inbox "${name}" (${inboxId}) of Chatwoot account ${h.accountId} routes for another integration` },
    });

    it('refuses a second integration with the same inbox name (409), and leaves the inbox routing to the first', async () => {
      const first = integrationBody(h);
      const owner = await h.call('POST', '/v1/integrations', { json: first });
      expect(owner.status).toBe(201);
      const webhook = h.sim.inbox(owner.body.inbox_id)!.webhookUrl;
      h.sim.requests.length = 0;

      const second = integrationBody(h, { chatwoot: { inbox_name: inboxOf(first) } });
      const res = await h.call('POST', '/v1/integrations', { json: second });
      expect([res.status, res.body]).toEqual([409, refusal(inboxOf(first), owner.body.inbox_id)]);
      // Listed, and nothing written to Chatwoot: the inbox's webhook still goes to the first.
      expect(h.sim.requests.map((r) => r.method)).toEqual(['GET']);
      expect(h.sim.inbox(owner.body.inbox_id)!.webhookUrl).toBe(webhook);
      expect((await h.call('GET', `/v1/integrations?external_id=${second.external_id as string}`)).body).toEqual({ integrations: [] });
    });

    it('refuses a replace that moves an integration onto another one\'s inbox, and keeps it as it was', async () => {
      const a = integrationBody(h);
      const b = integrationBody(h);
      const ownerA = await h.call('POST', '/v1/integrations', { json: a });
      const ownerB = await h.call('POST', '/v1/integrations', { json: b });
      const res = await h.call('PUT', `/v1/integrations/${ownerB.body.id}`, {
        json: { ...b, chatwoot: { ...(b.chatwoot as object), inbox_name: inboxOf(a) } },
      });
      expect([res.status, res.body]).toEqual([409, refusal(inboxOf(a), ownerA.body.inbox_id)]);
      expect((await h.call('GET', `/v1/integrations/${ownerB.body.id}`)).body).toEqual(ownerB.body);
      expect(h.sim.inbox(ownerA.body.inbox_id)!.webhookUrl).toContain(ownerA.body.id);
    });

    it('ends concurrent creates of one inbox name with one integration and one inbox', async () => {
      const name = `Shared ${Date.now()}`;
      const bodies = Array.from({ length: 4 }, () => integrationBody(h, { chatwoot: { inbox_name: name } }));
      const answers = await Promise.all(bodies.map((json) => h.call('POST', '/v1/integrations', { json })));
      expect(answers.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
      const inboxes = h.sim.inboxes(h.accountId).filter((i) => i.name === name);
      expect(inboxes).toHaveLength(1);
      const winner = answers.find((r) => r.status === 201)!;
      expect(inboxes[0].webhookUrl).toContain(winner.body.id);
    });

    it('frees the inbox when its integration is deleted: a new integration reuses it', async () => {
      const first = integrationBody(h);
      const owner = await h.call('POST', '/v1/integrations', { json: first });
      expect((await h.call('DELETE', `/v1/integrations/${owner.body.id}`)).status).toBe(204);
      const next = await h.call('POST', '/v1/integrations', { json: integrationBody(h, { chatwoot: { inbox_name: inboxOf(first) } }) });
      expect([next.status, next.body.inbox_id]).toEqual([201, owner.body.inbox_id]);
      expect(h.sim.inbox(owner.body.inbox_id)!.webhookUrl).toContain(next.body.id);
    });

    it('still takes over an inbox of that name that no integration of this bridge routes for', async () => {
      const name = `Left behind ${Date.now()}`;
      const stray = await h.call('POST', '/v1/integrations', { json: integrationBody(h, { chatwoot: { inbox_name: name } }) });
      // The row is gone (another bridge's database, a restore), but the inbox still calls a URL of this bridge.
      await h.t.app.get(DataSource).query('DELETE FROM bridge_integrations WHERE id = $1', [stray.body.id]);
      const res = await h.call('POST', '/v1/integrations', { json: integrationBody(h, { chatwoot: { inbox_name: name } }) });
      expect([res.status, res.body.inbox_id]).toEqual([201, stray.body.inbox_id]);
    });
  });

  it('never writes a Chatwoot token, callback token or webhook secret to a response or the logs', async () => {
    const rows = await h.rows();
    expect(rows.length).toBeGreaterThan(5);
    const cipher = h.t.app.get(SecretCipher);
    const logs = h.t.logs.text();
    for (const row of rows as BridgeIntegration[]) {
      for (const secret of [row.chatwootApiTokenEncrypted, row.sourceTokenEncrypted, row.webhookSecretEncrypted].map((c) => cipher.decrypt(c))) {
        expect(logs).not.toContain(secret);
      }
    }
    expect(logs).not.toContain(h.admin.token);
  });
});
