import { DataSource } from 'typeorm';
import { SecretCipher } from '../../src/common/crypto/secret-cipher.js';
import { bridgeError, type Behaviour, refusedPort } from '../fakes/fake-bridge.js';
import { CHATWOOT_TOKEN, setBody, chatwootSuite } from '../support/chatwoot.js';
import { createAccount, createInstance, type TestAccount } from '../support/factories.js';
import { envelope } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const URL_ = 'https://chatwoot.example.com';
const UPSTREAM_401 = 'https://chatwoot.example.com/api/v1/accounts/5/inboxes HTTP 401: {"error":"Invalid Access Token"}';

describe('POST /api/chatwoot/set/:instance (SPEC §5)', () => {
  const s = chatwootSuite();
  const fake = s.fake;

  const set = (body: unknown, token = s.account.token, name = s.inst.name) => s.t.req('POST', `/api/chatwoot/set/${name}`, { token, json: body });
  const status = (name = s.inst.name) => s.t.req('GET', `/api/chatwoot/list/${name}`, { token: s.account.token });
  const storedRow = async () =>
    (await s.t.app.get(DataSource).query(`SELECT * FROM chatwoot_integrations i JOIN instances n ON n.id = i.instance_id WHERE n.name = $1`, [s.inst.name]))[0];

  describe('success', () => {
    it('activates: 201 with the documented body, and the bridge got the whole configuration', async () => {
      const res = await set(setBody());
      expect(res.status).toBe(201);
      const [integration] = [...fake.integrations.values()];
      expect(res.body).toEqual({ instance: s.inst.name, status: 'active', bridge_integration_id: integration.id, message: 'chatwoot integration activated' });
      const [create] = fake.requestsOf('POST');
      expect(create.authorization).toBe(`Bearer ${fake.token}`);
      expect(create.contentType).toBe('application/json');
      expect(create.body).toEqual({
        external_id: expect.any(String),
        instance: s.inst.name,
        chatwoot: {
          base_url: URL_, account_id: 5, api_token: CHATWOOT_TOKEN, inbox_name: 'WhatsApp - Orion',
          sign_messages: true, ignore_groups: false, start_as_pending: false, reopen_resolved: true,
        },
        // `after`: the instance's last event when the activation began (none yet), where routing starts.
        source: { api_url: s.t.config.publicUrl, instance: s.inst.name, token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), after: 0 },
      });
    });

    it('stores the token encrypted (AES-256-GCM, v1 format) and the callback token hashed', async () => {
      await set(setBody());
      const row = await storedRow();
      expect(row.chatwoot_api_token).toMatch(/^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      expect(row.chatwoot_api_token).not.toContain(CHATWOOT_TOKEN);
      expect(s.t.app.get(SecretCipher).decrypt(row.chatwoot_api_token)).toBe(CHATWOOT_TOKEN);
      const callback = fake.requestsOf('POST')[0].body.source.token as string;
      expect(row.callback_token_hash).not.toContain(callback);
      expect(row.callback_token_hash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('applies the defaults to omitted optional fields and normalises the URL', async () => {
      const res = await set({ chatwootBaseUrl: 'https://chatwoot.example.com/sub///', chatwootAccountId: 7, chatwootApiToken: 'tok' });
      expect(res.status).toBe(201);
      expect(fake.requestsOf('POST')[0].body.chatwoot).toEqual({
        base_url: 'https://chatwoot.example.com/sub', account_id: 7, api_token: 'tok', inbox_name: 'RyzeAPI',
        sign_messages: false, ignore_groups: false, start_as_pending: false, reopen_resolved: false,
      });
    });

    it('updates with PUT and replaces the whole configuration (omitted fields take their defaults)', async () => {
      const first = await set(setBody());
      const res = await set({ chatwootBaseUrl: 'https://other.example.com', chatwootAccountId: 9, chatwootApiToken: 'new-token', inboxName: '  Trimmed  ' });
      expect(res.status).toBe(201);
      expect(res.body.bridge_integration_id).toBe(first.body.bridge_integration_id);
      const [put] = fake.requestsOf('PUT');
      expect(put.path).toBe(`/v1/integrations/${first.body.bridge_integration_id}`);
      expect(put.body.chatwoot).toEqual({
        base_url: 'https://other.example.com', account_id: 9, api_token: 'new-token', inbox_name: 'Trimmed',
        sign_messages: false, ignore_groups: false, start_as_pending: false, reopen_resolved: false,
      });
      const info = await status();
      expect(info.body).toMatchObject({
        chatwoot_base_url: 'https://other.example.com', chatwoot_account_id: 9, chatwoot_inbox_name: 'Trimmed',
        sign_messages: false, reopen_resolved: false,
      });
      const externalId = fake.requestsOf('POST')[0].body.external_id;
      expect([...fake.integrations.values()].filter((i) => i.external_id === externalId)).toHaveLength(1);
    });

    it('provisions again with the same external_id when the PUT answers 404', async () => {
      const first = await set(setBody());
      fake.integrations.clear(); // the bridge lost it
      const res = await set(setBody({ inboxName: 'Again' }));
      expect(res.status).toBe(201);
      const [, recreate] = fake.requestsOf('POST');
      expect(recreate.body.external_id).toBe(fake.requestsOf('POST')[0].body.external_id);
      expect(res.body.bridge_integration_id).not.toBe(first.body.bridge_integration_id);
      expect((await status()).body.bridge_integration_id).toBe(res.body.bridge_integration_id);
    });

    it('accepts a TokenInstance on its own instance', async () => {
      const res = await set(setBody(), s.inst.token);
      expect(res.status).toBe(201);
    });
  });

  describe('failures map to SPEC §5 and change nothing', () => {
    const cases: Array<[string, Behaviour, number, string]> = [
      ['reason token_rejected', bridgeError(502, { code: 'upstream_http', reason: 'token_rejected', upstream_status: 401, message: UPSTREAM_401 }), 401,
        `Chatwoot rejected the API token — verify chatwootApiToken. Detail: ${UPSTREAM_401}`],
      ['reason forbidden (Chatwoot 401 for an agent)', bridgeError(502, { code: 'upstream_http', reason: 'forbidden', upstream_status: 401, message: 'HTTP 401: {"error":"You are not authorized to do this action"}' }), 403,
        'Chatwoot denied the request — verify the API token has admin scope on account 5. Detail: HTTP 401: {"error":"You are not authorized to do this action"}'],
      ['reason not_found', bridgeError(502, { code: 'upstream_http', reason: 'not_found', upstream_status: 404, message: 'HTTP 404: {"error":"not found"}' }), 400,
        `Chatwoot account or endpoint not found — verify chatwootBaseUrl (${URL_}) and chatwootAccountId (5). Detail: HTTP 404: {"error":"not found"}`],
      ['reason invalid', bridgeError(502, { code: 'upstream_http', reason: 'invalid', upstream_status: 422, message: 'HTTP 422: name taken' }), 400,
        'Chatwoot rejected the request as invalid — verify inboxName and the integration settings. Detail: HTTP 422: name taken'],
      ['reason upstream_error', bridgeError(502, { code: 'upstream_http', reason: 'upstream_error', upstream_status: 503, message: 'HTTP 503: down' }), 502,
        `Chatwoot is unreachable at ${URL_} — verify chatwootBaseUrl and that the host is reachable from the server. Detail: HTTP 503: down`],
      ['upstream_unreachable', bridgeError(502, { code: 'upstream_unreachable', reason: 'unreachable', message: 'Post "https://chatwoot.example.com/api/v1/accounts/5/inboxes": dial tcp [::1]:443: connect: connection refused' }), 502,
        `Chatwoot is unreachable at ${URL_} — verify chatwootBaseUrl and that the host is reachable from the server. Detail: Post "https://chatwoot.example.com/api/v1/accounts/5/inboxes": dial tcp [::1]:443: connect: connection refused`],
      ['upstream_unreachable without reason', bridgeError(502, { code: 'upstream_unreachable', message: 'lookup chatwoot.example.com: no such host' }), 502,
        `Chatwoot is unreachable at ${URL_} — verify chatwootBaseUrl and that the host is reachable from the server. Detail: lookup chatwoot.example.com: no such host`],
      ['upstream_status 403 without reason', bridgeError(502, { code: 'upstream_http', upstream_status: 403, message: 'HTTP 403: nope' }), 403,
        'Chatwoot denied the request — verify the API token has admin scope on account 5. Detail: HTTP 403: nope'],
      ['upstream_status 422 without reason', bridgeError(502, { code: 'upstream_http', upstream_status: 422, message: 'HTTP 422: bad' }), 400,
        'Chatwoot rejected the request as invalid — verify inboxName and the integration settings. Detail: HTTP 422: bad'],
      ['text-only HTTP 401', { kind: 'respond', status: 502, body: UPSTREAM_401, contentType: 'text/plain' }, 401,
        `Chatwoot rejected the API token — verify chatwootApiToken. Detail: ${UPSTREAM_401}`],
      ['text-only HTTP 404', { kind: 'respond', status: 500, body: 'GET x HTTP 404: missing', contentType: 'text/plain' }, 400,
        `Chatwoot account or endpoint not found — verify chatwootBaseUrl (${URL_}) and chatwootAccountId (5). Detail: GET x HTTP 404: missing`],
      ['text-only dial tcp', { kind: 'respond', status: 500, body: 'dial tcp 10.0.0.1:443: i/o timeout', contentType: 'text/plain' }, 502,
        `Chatwoot is unreachable at ${URL_} — verify chatwootBaseUrl and that the host is reachable from the server. Detail: dial tcp 10.0.0.1:443: i/o timeout`],
      ['text-only without a pattern', { kind: 'respond', status: 500, body: 'kaboom', contentType: 'text/plain' }, 502,
        'integration gateway failed — retry later. Detail: kaboom'],
      ['internal', bridgeError(500, { code: 'internal', message: 'database is down' }), 502, 'integration gateway failed — retry later. Detail: database is down'],
      ['invalid_request', bridgeError(400, { code: 'invalid_request', message: 'chatwoot.base_url is required' }), 502,
        'integration gateway failed — retry later. Detail: chatwoot.base_url is required'],
      ['garbage with 200', { kind: 'respond', status: 200, body: '<<not json>>', contentType: 'text/html' }, 502,
        'integration gateway failed — retry later. Detail: unexpected non-JSON body with HTTP 200'],
      ['an unexpected JSON object', { kind: 'respond', status: 201, body: '{"ok":true}' }, 502,
        'integration gateway failed — retry later. Detail: unexpected body with HTTP 201: {"ok":true}'],
      ['bridge 401', bridgeError(401, { code: 'unauthorized', message: 'bad token' }), 503, 'integration gateway rejected the server credentials — verify BRIDGE_TOKEN'],
      ['bridge 403', { kind: 'respond', status: 403, body: 'forbidden', contentType: 'text/plain' }, 503, 'integration gateway rejected the server credentials — verify BRIDGE_TOKEN'],
    ];

    it.each(cases)('first activation, %s', async (_, behaviour, code, message) => {
      fake.behave('create', behaviour);
      const res = await set(setBody());
      expect(res.status).toBe(code);
      expect(res.body).toEqual(envelope(message));
      const after = await status();
      expect(after.status).toBe(404);
      expect(after.body).toEqual(envelope('no chatwoot integration for this instance'));
    });

    it.each(cases.slice(0, 6))('update, %s: the previous integration stays exactly as it was', async (_, behaviour, code, message) => {
      await set(setBody());
      const before = await storedRow();
      fake.behave('update', behaviour);
      const res = await set(setBody({ chatwootApiToken: 'replacement-token', inboxName: 'Changed', chatwootAccountId: 5 }));
      expect(res.status).toBe(code);
      expect(res.body).toEqual(envelope(message));
      expect(await storedRow()).toEqual(before);
    });

    it('answers 502 integration gateway is unreachable when the bridge refuses connections', async () => {
      const port = await refusedPort();
      const t2 = await startTestApp({ env: { BRIDGE_URL: `http://127.0.0.1:${port}`, BRIDGE_TOKEN: 'x' } });
      try {
        const acc = await createAccount(t2);
        const i2 = await createInstance(t2, acc);
        const res = await t2.req('POST', `/api/chatwoot/set/${i2.name}`, { token: acc.token, json: setBody() });
        expect(res.status).toBe(502);
        expect(res.body).toEqual(envelope(`integration gateway is unreachable — retry later. Detail: POST http://127.0.0.1:${port}/v1/integrations: connect ECONNREFUSED 127.0.0.1:${port}`));
        expect((await t2.req('GET', `/api/chatwoot/list/${i2.name}`, { token: acc.token })).status).toBe(404);
      } finally {
        await t2.close();
      }
    });

    it('answers 502 integration gateway failed when the bridge drops the connection', async () => {
      fake.behave('create', { kind: 'destroy' });
      const res = await set(setBody());
      expect(res.status).toBe(502);
      expect(res.body.error.message).toMatch(/^integration gateway failed — retry later\. Detail: POST http:\/\/127\.0\.0\.1:\d+\/v1\/integrations: other side closed$/);
      // create is idempotent, so it alone was retried once
      expect(fake.requestsOf('POST')).toHaveLength(2);
    });

    it('takes a proxy 404 page on the PUT as a gateway failure, not as a lost integration', async () => {
      await set(setBody());
      const before = await storedRow();
      fake.behave('update', { kind: 'respond', status: 404, body: '<html>404 Not Found</html>', contentType: 'text/html' });
      const res = await set(setBody({ inboxName: 'Changed' }));
      expect(res.status).toBe(502);
      expect(res.body).toEqual(envelope('integration gateway failed — retry later. Detail: <html>404 Not Found</html>'));
      expect(fake.requestsOf('POST')).toHaveLength(1); // no re-provisioning
      expect(await storedRow()).toEqual(before);
    });

    it('does not retry a PUT', async () => {
      await set(setBody());
      fake.behave('update', { kind: 'destroy' });
      expect((await set(setBody())).status).toBe(502);
      expect(fake.requestsOf('PUT')).toHaveLength(1);
    });

    it('answers 504 when the 60 s budget (shortened here) runs out: it gives up the bridge call, and stores nothing', async () => {
      fake.behave('create', { kind: 'hang' });
      const res = await set(setBody());
      expect(res.status).toBe(504);
      expect(res.body).toEqual(envelope(`chatwoot activation timed out after 60s — it may still complete; check GET /api/chatwoot/list/${s.inst.name}`));
      // The fake never answers: only the server's deadline can have ended the call, by closing it;
      // and a timed-out create is not sent again.
      const creates = fake.requestsOf('POST');
      expect(creates).toHaveLength(1);
      await creates[0].abandoned;
      expect((await status()).status).toBe(404);
    });

    it('redacts the Chatwoot token if the bridge ever echoes it', async () => {
      fake.behave('create', bridgeError(502, { code: 'upstream_http', reason: 'token_rejected', upstream_status: 401, message: `token ${CHATWOOT_TOKEN} rejected` }));
      const res = await set(setBody());
      expect(res.status).toBe(401);
      expect(res.body).toEqual(envelope('Chatwoot rejected the API token — verify chatwootApiToken. Detail: token [REDACTED] rejected'));
      expect(res.text).not.toContain(CHATWOOT_TOKEN);
      expect(s.t.logs.text()).not.toContain(CHATWOOT_TOKEN);
    });
  });

  describe('request checks', () => {
    it.each<[Record<string, unknown>, string]>([
      [{}, 'invalid body: chatwootBaseUrl is required; chatwootAccountId is required; chatwootApiToken is required'],
      [setBody({ chatwootBaseUrl: 'ftp://x.example.com' }), 'invalid body: chatwootBaseUrl must be an absolute http or https URL with a host and no query, fragment or credentials'],
      [setBody({ chatwootBaseUrl: 'https://x.example.com/?q=1' }), 'invalid body: chatwootBaseUrl must be an absolute http or https URL with a host and no query, fragment or credentials'],
      [setBody({ chatwootBaseUrl: 'https://x.example.com/#f' }), 'invalid body: chatwootBaseUrl must be an absolute http or https URL with a host and no query, fragment or credentials'],
      [setBody({ chatwootBaseUrl: 5 }), 'invalid body: chatwootBaseUrl must be a string'],
      [setBody({ chatwootAccountId: '5' }), 'invalid body: chatwootAccountId must be an integer greater than 0'],
      [setBody({ chatwootAccountId: 0 }), 'invalid body: chatwootAccountId must be an integer greater than 0'],
      [setBody({ chatwootAccountId: 1.5 }), 'invalid body: chatwootAccountId must be an integer greater than 0'],
      [setBody({ chatwootApiToken: '' }), 'invalid body: chatwootApiToken must not be empty'],
      [setBody({ chatwootApiToken: 'x'.repeat(513) }), 'invalid body: chatwootApiToken must be at most 512 characters'],
      // SPEC §5: 1–512 visible ASCII characters; these used to pass and fail later as a 502.
      ...['tok en', 'tok\r\nX-Injected: 1', 'tok\u0000en', 'tok\ten', 'tokén', 'tok😀', 'tok\ud800en'].map((token): [Record<string, unknown>, string] => [
        setBody({ chatwootApiToken: token }),
        'invalid body: chatwootApiToken must be visible ASCII characters only (no spaces, control characters or non-ASCII)',
      ]),
      [setBody({ inboxName: 'Orion \ud800' }), 'invalid body: inboxName must not contain a lone surrogate (an unpaired \\ud800-\\udfff escape)'],
      [setBody({ inboxName: '' }), 'invalid body: inboxName must be 1 to 100 characters after trimming'],
      [setBody({ inboxName: ' '.repeat(5) }), 'invalid body: inboxName must be 1 to 100 characters after trimming'],
      [setBody({ inboxName: 'x'.repeat(101) }), 'invalid body: inboxName must be 1 to 100 characters after trimming'],
      [setBody({ signMessages: 'true' }), 'invalid body: signMessages must be a boolean'],
      [setBody({ ignoreGroups: 1 }), 'invalid body: ignoreGroups must be a boolean'],
      [setBody({ startAsPending: null, reopenResolved: 'no' }), 'invalid body: reopenResolved must be a boolean'],
      [setBody({ extra: 1 }), 'invalid body: unknown field extra'],
    ])('rejects a body with 400 and calls no bridge: %#', async (body, message) => {
      const res = await set(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(envelope(message));
      expect([...fake.requestsOf('POST'), ...fake.requestsOf('PUT')]).toHaveLength(0);
    });

    it('accepts 100 characters of inboxName after trimming', async () => {
      expect((await set(setBody({ inboxName: `  ${'x'.repeat(100)}  ` }))).status).toBe(201);
    });

    it('rejects a wrong Content-Type and malformed JSON with 400 invalid body', async () => {
      const wrongType = await s.t.req('POST', `/api/chatwoot/set/${s.inst.name}`, { token: s.account.token, raw: JSON.stringify(setBody()), contentType: 'text/plain' });
      expect(wrongType.status).toBe(400);
      expect(wrongType.body).toEqual(envelope('invalid body: Content-Type must be application/json'));
      const malformed = await s.t.req('POST', `/api/chatwoot/set/${s.inst.name}`, { token: s.account.token, raw: '{"chatwootBaseUrl":', contentType: 'application/json' });
      expect(malformed.status).toBe(400);
      expect(malformed.body).toEqual(envelope('invalid body: malformed JSON'));
    });

    it('answers 404 instance not found, also for another account’s instance', async () => {
      const missing = await set(setBody(), s.account.token, 'does-not-exist');
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual(envelope('instance not found'));
      const other = await createAccount(s.t);
      const theirs = await createInstance(s.t, other);
      const foreign = await set(setBody(), s.account.token, theirs.name);
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual(envelope('instance not found'));
      expect([...fake.requestsOf('POST'), ...fake.requestsOf('PUT')]).toHaveLength(0);
    });

    it('answers 403 to a TokenInstance on any other instance name, existing or not', async () => {
      const sibling = await createInstance(s.t, s.account);
      for (const name of [sibling.name, 'does-not-exist']) {
        const res = await set(setBody(), s.inst.token, name);
        expect(res.status).toBe(403);
        expect(res.body).toEqual(envelope('Instance token does not match the requested instance'));
      }
    });

    it('checks in the order of SPEC §2: auth, then body, then instance', async () => {
      const noToken = await s.t.req('POST', '/api/chatwoot/set/whatever', { raw: '{bad', contentType: 'application/json' });
      expect(noToken.status).toBe(401);
      expect(noToken.body).toEqual(envelope('Invalid token'));
      const badBodyOtherInstance = await set({}, s.inst.token, 'does-not-exist');
      expect(badBodyOtherInstance.status).toBe(400);
      const badBodyMissing = await set({}, s.account.token, 'does-not-exist');
      expect(badBodyMissing.status).toBe(400);
    });
  });
});

describe('chatwoot routes without a bridge (SPEC §5 503)', () => {
  let t: TestApp;
  let account: TestAccount;
  beforeAll(async () => {
    t = await startTestApp({ env: { BRIDGE_URL: 'http://127.0.0.1:9' } }); // no BRIDGE_TOKEN
    account = await createAccount(t);
  });
  afterAll(() => t.close());

  it.each([
    ['POST', '/api/chatwoot/set/anything'],
    ['GET', '/api/chatwoot/list/anything'],
    ['DELETE', '/api/chatwoot/delete/anything'],
  ])('%s %s answers 503 after auth and before the body', async (method, path) => {
    const body = method === 'GET' ? {} : { raw: '{bad', contentType: 'application/json' };
    const res = await t.req(method, path, { token: account.token, ...body });
    expect(res.status).toBe(503);
    expect(res.body).toEqual(envelope('integration gateway not configured (set BRIDGE_URL and BRIDGE_TOKEN)'));
    const noAuth = await t.req(method, path);
    expect(noAuth.status).toBe(401);
    expect(noAuth.body).toEqual(envelope('Invalid token'));
  });
});
