import { randomBytes } from 'node:crypto';
import { bridgeError, FakeBridge } from '../fakes/fake-bridge.js';
import { CHATWOOT_TOKEN, eventually, setBody, startWithBridge } from '../support/chatwoot.js';
import { instanceName } from '../support/factories.js';
import { envelope, type HttpResponse, type RequestOptions } from '../support/http.js';
import { StdioCapture } from '../support/stdio-capture.js';
import { TEST_ADMIN_TOKEN, type TestApp } from '../support/test-app.js';

/**
 * One full flow with a bridge that echoes every token it sees: no secret in a log line, nor in a
 * response other than the one that issues it (SPEC §5, §7).
 */
describe('secrets never reach the logs or unrelated responses (SPEC §7)', () => {
  const fake = new FakeBridge();
  const stdio = new StdioCapture();
  const INLINE_CHATWOOT_TOKEN = `cw_inline_${randomBytes(9).toString('hex')}`;
  const CUSTOM_INSTANCE_TOKEN = `inst_custom_${randomBytes(12).toString('hex')}`;
  let t: TestApp;
  const responses: Array<{ what: string; res: HttpResponse }> = [];
  const allowed = new Map<HttpResponse, string>();

  const call = async (what: string, method: string, path: string, opts: RequestOptions = {}) => {
    const res = await t.req(method, path, opts);
    responses.push({ what, res });
    return res;
  };

  let accountToken = '';
  let generatedInstanceToken = '';
  const customInstance = instanceName('custom');
  const plainInstance = instanceName('plain');

  beforeAll(async () => {
    stdio.start();
    await fake.start();
    t = await startWithBridge(fake);
  });
  afterAll(async () => {
    await t?.close();
    await fake.stop();
    stdio.stop();
  });

  it('runs the flow', async () => {
    const account = await call('account', 'POST', '/api/admin/account/new', { token: TEST_ADMIN_TOKEN, json: { name: 'acme' } });
    expect(account.status).toBe(201);
    accountToken = account.body.account.token;
    allowed.set(account, accountToken);
    const token = accountToken;

    const custom = await call('custom instance', 'POST', '/api/instance/new', { token, json: { name: customInstance, token: CUSTOM_INSTANCE_TOKEN } });
    expect(custom.status).toBe(201);
    expect(custom.body.instance.token).toBe(CUSTOM_INSTANCE_TOKEN);
    allowed.set(custom, CUSTOM_INSTANCE_TOKEN);
    const plain = await call('plain instance', 'POST', '/api/instance/new', { token, json: { name: plainInstance } });
    expect(plain.status).toBe(201);
    generatedInstanceToken = plain.body.instance.token;
    allowed.set(plain, generatedInstanceToken);

    // The bridge echoes the Chatwoot token and BRIDGE_TOKEN in every kind of failure.
    const echo = `api_access_token=${CHATWOOT_TOKEN} authorization=Bearer ${fake.token}`;
    const setPath = `/api/chatwoot/set/${customInstance}`;
    const failures: Array<[string, Parameters<FakeBridge['behave']>[1], number]> = [
      ['credentials', bridgeError(401, { code: 'unauthorized', message: `bad bearer ${fake.token}` }), 503],
      ['token rejected', bridgeError(502, { code: 'upstream_http', reason: 'token_rejected', upstream_status: 401, message: `HTTP 401 for ${echo}` }), 401],
      ['internal', bridgeError(500, { code: 'internal', message: `crashed on ${echo}` }), 502],
      ['text answer', { kind: 'respond', status: 500, body: `HTTP 500 ${echo}`, contentType: 'text/plain' }, 502],
      ['garbage 200', { kind: 'respond', status: 200, body: JSON.stringify({ echo }) }, 502],
    ];
    for (const [what, behaviour, status] of failures) {
      fake.behave('create', behaviour);
      const res = await call(`set: ${what}`, 'POST', setPath, { token, json: setBody(), headers: { 'x-request-id': `scan-${what.replace(/ /g, '-')}` } });
      expect(res.status).toBe(status);
    }
    fake.reset();
    const invalid = await call('set: invalid body', 'POST', setPath, { token, json: setBody({ chatwootBaseUrl: 'ftp://x', chatwootAccountId: 0 }) });
    expect(invalid.status).toBe(400);
    const set = await call('set', 'POST', setPath, { token, json: setBody() });
    expect(set.status).toBe(201);

    fake.behave('update', bridgeError(502, { code: 'upstream_http', reason: 'invalid', upstream_status: 422, message: `HTTP 422 ${echo}` }));
    const update = await call('update: invalid', 'POST', setPath, { token: CUSTOM_INSTANCE_TOKEN, json: setBody() });
    expect(update.status).toBe(400);
    fake.reset();

    const list = await call('list', 'GET', `/api/chatwoot/list/${customInstance}`, { bearer: CUSTOM_INSTANCE_TOKEN });
    expect(list.status).toBe(200);
    fake.behave('get', bridgeError(500, { code: 'internal', message: `cannot read ${echo}` }));
    expect((await call('list: bridge 500', 'GET', `/api/chatwoot/list/${customInstance}`, { token })).status).toBe(200);
    fake.behave('get', { kind: 'respond', status: 200, body: `{"garbage": "${echo}"}` });
    expect((await call('list: garbage', 'GET', `/api/chatwoot/list/${customInstance}`, { token })).status).toBe(200);
    fake.reset();

    const inline = await call('inline instance', 'POST', '/api/instance/new', {
      token,
      json: { name: instanceName('inline'), chatwootEnabled: true, chatwootBaseUrl: 'https://chatwoot.example.com', chatwootAccountId: 5, chatwootApiToken: INLINE_CHATWOOT_TOKEN },
    });
    expect(inline.status).toBe(201);
    allowed.set(inline, inline.body.instance.token);
    fake.behave('create', bridgeError(502, { code: 'upstream_http', reason: 'token_rejected', upstream_status: 401, message: `HTTP 401 ${INLINE_CHATWOOT_TOKEN}` }));
    const inlineFailed = await call('inline instance: rejected', 'POST', '/api/instance/new', {
      token,
      json: { name: instanceName('inline'), chatwootEnabled: true, chatwootBaseUrl: 'https://chatwoot.example.com', chatwootAccountId: 5, chatwootApiToken: INLINE_CHATWOOT_TOKEN },
    });
    expect(inlineFailed.status).toBe(201);
    expect(inlineFailed.body.chatwoot).toEqual({ enabled: false, status: 'error', error: expect.stringMatching(/^Chatwoot rejected the API token — verify chatwootApiToken\. Detail: /) });
    allowed.set(inlineFailed, inlineFailed.body.instance.token);
    fake.reset();

    // A failed bridge deletion is retried in the background, which logs the echo again.
    fake.behave('delete', bridgeError(500, { code: 'internal', message: `cannot delete ${echo}` }));
    const del = await call('delete', 'DELETE', `/api/chatwoot/delete/${customInstance}?deleteInbox=true`, { token });
    expect(del.status).toBe(200);
    await eventually(() => expect(t.logs.text()).toContain('failed again'));
    fake.reset();
    await eventually(() => expect(t.logs.text()).toContain('confirmed'));

    expect((await call('wrong token', 'GET', '/api/instance/list', { token: 'not-a-valid-token-000' })).status).toBe(401);
    const rejected = await call('instance token on the account route', 'DELETE', `/api/instance/delete/${plainInstance}`, { token: generatedInstanceToken });
    expect(rejected.status).toBe(401);
    expect(rejected.body).toEqual(envelope('Invalid token'));
    expect((await call('delete instance', 'DELETE', `/api/instance/delete/${plainInstance}`, { token })).status).toBe(200);
  });

  it('writes no secret in any log line, in any spelling', () => {
    const key = t.config.encryptionKey.key;
    const secrets: Record<string, string> = {
      'chatwoot token': CHATWOOT_TOKEN,
      'inline chatwoot token': INLINE_CHATWOOT_TOKEN,
      'account token': accountToken,
      'custom instance token': CUSTOM_INSTANCE_TOKEN,
      'generated instance token': generatedInstanceToken,
      'admin token': TEST_ADMIN_TOKEN,
      'bridge token': fake.token,
      'encryption key (base64)': key.toString('base64'),
      'encryption key (base64url)': key.toString('base64url'),
    };
    const logs = t.logs.text();
    const output = stdio.text();
    expect(t.logs.lines.length).toBeGreaterThan(30);
    for (const [what, secret] of Object.entries(secrets)) {
      expect(secret.length).toBeGreaterThanOrEqual(16);
      const lines = t.logs.lines.filter((line) => line.includes(secret));
      expect({ what, lines, inOutput: output.includes(secret) }).toEqual({ what, lines: [], inOutput: false });
    }
    // The echoes were logged (so the scan looked at them), redacted.
    expect(logs).toContain('api_access_token=[REDACTED] authorization=Bearer [REDACTED]');
  });

  it('returns a secret only in the response that issues it', () => {
    const secrets = [CHATWOOT_TOKEN, INLINE_CHATWOOT_TOKEN, accountToken, CUSTOM_INSTANCE_TOKEN, generatedInstanceToken, TEST_ADMIN_TOKEN, fake.token,
      t.config.encryptionKey.key.toString('base64'), t.config.encryptionKey.key.toString('base64url')];
    expect(responses.length).toBeGreaterThanOrEqual(20);
    for (const { what, res } of responses) {
      const own = allowed.get(res);
      const leaked = secrets.filter((s) => s !== own && res.text.includes(s));
      expect({ what, leaked }).toEqual({ what, leaked: [] });
    }
  });

  it('logs JSON lines, one access line per request with its request id, route template and no query', () => {
    const entries = t.logs.entries();
    const access = entries.filter((e) => e.msg === 'request completed');
    expect(access.length).toBeGreaterThanOrEqual(responses.length);
    for (const { res } of responses) {
      const id = res.headers.get('x-request-id');
      const mine = access.filter((e) => e.requestId === id);
      expect(mine).toHaveLength(1);
      expect(Object.keys(mine[0]).sort()).toEqual(['context', 'durationMs', 'hostname', 'level', 'method', 'msg', 'pid', 'requestId', 'route', 'status', 'time']);
      expect(mine[0].status).toBe(res.status);
    }
    expect(access.find((e) => e.method === 'DELETE' && e.route === '/api/chatwoot/delete/:instance')).toBeDefined();
    expect(JSON.stringify(access)).not.toContain('deleteInbox');
    // Every line written while serving a request carries its id: the gateway's line and the access line.
    const during = entries.filter((e) => e.requestId === 'scan-token-rejected');
    expect(during.map((e) => e.context)).toEqual(expect.arrayContaining(['BridgeGateway', 'Http']));
  });
});
