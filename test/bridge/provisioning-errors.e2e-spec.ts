import net from 'node:net';
import { ChatwootErrors } from '../fakes/chatwoot-simulator.js';
import { type BridgeHarness, integrationBody, startBridge } from './bridge-support.js';

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Every Chatwoot failure becomes the BRIDGE-API §4 error with the right code and reason, a
 * message in the documented form, and never the Chatwoot token.
 */
describe('bridge provisioning errors (BRIDGE-API §4)', () => {
  let h: BridgeHarness;
  /** Every token a test used, checked against the logs at the end. */
  const tokens: string[] = [];
  beforeAll(async () => {
    h = await startBridge({ env: { CHATWOOT_TIMEOUT_MS: '400' } });
    tokens.push(h.admin.token);
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.sim.requests.length = 0;
    h.sim.clearFailures();
    h.sim.hang(false);
  });

  const inboxesUrl = () => `${h.sim.url}/api/v1/accounts/${h.accountId}/inboxes`;

  /** Creates, expects the error body, and checks that nothing was stored. */
  async function expectCreateError(body: Record<string, unknown>, expected: object): Promise<void> {
    const res = await h.call('POST', '/v1/integrations', { json: body });
    expect(res.body).toEqual({ error: expected });
    expect(res.status).toBe((expected as { code: string }).code === 'internal' ? 500 : 502);
    const token = (body.chatwoot as { api_token: string }).api_token;
    expect(res.text).not.toContain(token);
    const lookup = await h.call('GET', `/v1/integrations?external_id=${body.external_id as string}`);
    expect(lookup.body).toEqual({ integrations: [] });
  }

  describe('token_rejected', () => {
    it('a revoked token (401 Invalid Access Token)', async () => {
      const user = h.sim.addUser(h.accountId);
      tokens.push(user.token);
      h.sim.revokeToken(user.token);
      await expectCreateError(integrationBody(h, { chatwoot: { api_token: user.token } }), {
        code: 'upstream_http',
        reason: 'token_rejected',
        upstream_status: 401,
        message: `${inboxesUrl()} HTTP 401: {"error":"Invalid Access Token"}`,
      });
      expect(h.sim.requests.map((r) => r.method)).toEqual(['GET']);
    });

    it('a token Chatwoot never issued', async () => {
      tokens.push('never-issued-token-abc123xyz');
      await expectCreateError(integrationBody(h, { chatwoot: { api_token: 'never-issued-token-abc123xyz' } }), {
        code: 'upstream_http',
        reason: 'token_rejected',
        upstream_status: 401,
        message: `${inboxesUrl()} HTTP 401: {"error":"Invalid Access Token"}`,
      });
    });

    it('a 401 with a body it does not know', async () => {
      h.sim.failNext({ status: 401, body: ChatwootErrors.signIn });
      await expectCreateError(integrationBody(h), {
        code: 'upstream_http',
        reason: 'token_rejected',
        upstream_status: 401,
        message: `${inboxesUrl()} HTTP 401: {"errors":["You need to sign in or sign up before continuing."]}`,
      });
    });
  });

  describe('forbidden', () => {
    it('an agent without admin rights (401 "You are not authorized to do this action" on create)', async () => {
      const agent = h.sim.addUser(h.accountId, 'agent');
      tokens.push(agent.token);
      await expectCreateError(integrationBody(h, { chatwoot: { api_token: agent.token, inbox_name: 'Agent inbox' } }), {
        code: 'upstream_http',
        reason: 'forbidden',
        upstream_status: 401,
        message: `${inboxesUrl()} HTTP 401: {"error":"You are not authorized to do this action"}`,
      });
      // The list passed (an agent sees its own inboxes); the create was denied.
      expect(h.sim.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
      expect(h.sim.inboxes(h.accountId).filter((i) => i.name === 'Agent inbox')).toEqual([]);
    });

    it('an agent whose inbox exists but must be repointed (401 on the update)', async () => {
      const agent = h.sim.addUser(h.accountId, 'agent');
      tokens.push(agent.token);
      const inbox = h.sim.addInbox(h.accountId, { name: 'Agent member inbox', members: [agent.id] });
      await expectCreateError(integrationBody(h, { chatwoot: { api_token: agent.token, inbox_name: 'Agent member inbox' } }), {
        code: 'upstream_http',
        reason: 'forbidden',
        upstream_status: 401,
        message: `${inboxesUrl()}/${inbox.id} HTTP 401: {"error":"You are not authorized to do this action"}`,
      });
    });

    it('a user outside the account (401 "You are not authorized to access this account")', async () => {
      const other = h.sim.addUser(h.sim.addAccount(901));
      tokens.push(other.token);
      await expectCreateError(integrationBody(h, { chatwoot: { api_token: other.token } }), {
        code: 'upstream_http',
        reason: 'forbidden',
        upstream_status: 401,
        message: `${inboxesUrl()} HTTP 401: {"error":"You are not authorized to access this account"}`,
      });
    });

    it('a 403', async () => {
      h.sim.failNext({ status: 403, body: { error: 'Forbidden by a proxy rule' } });
      await expectCreateError(integrationBody(h), {
        code: 'upstream_http',
        reason: 'forbidden',
        upstream_status: 403,
        message: `${inboxesUrl()} HTTP 403: {"error":"Forbidden by a proxy rule"}`,
      });
    });
  });

  describe('not_found', () => {
    it('an account that does not exist (404 Resource could not be found)', async () => {
      await expectCreateError(integrationBody(h, { chatwoot: { account_id: 999 } }), {
        code: 'upstream_http',
        reason: 'not_found',
        upstream_status: 404,
        message: `${h.sim.url}/api/v1/accounts/999/inboxes HTTP 404: {"error":"Resource could not be found"}`,
      });
    });

    it('a base_url that is not Chatwoot (a web page answering 200): described, never quoted (SPEC §5)', async () => {
      h.sim.failNext({ status: 200, body: '<html><body>INTERNAL-SECRET-PAGE</body></html>', contentType: 'text/html; charset=utf-8' });
      await expectCreateError(integrationBody(h), {
        code: 'upstream_http',
        reason: 'not_found',
        upstream_status: 200,
        message: `${inboxesUrl()} HTTP 200 text/html, 46 bytes, not Chatwoot's API`,
      });
    });

    it('an error answer that is not Chatwoot\'s JSON error: described, never quoted', async () => {
      h.sim.failNext({ status: 404, body: { secret: 'INTERNAL-SECRET-VALUE' } });
      await expectCreateError(integrationBody(h), {
        code: 'upstream_http', reason: 'not_found', upstream_status: 404, message: `${inboxesUrl()} HTTP 404 application/json, 34 bytes`,
      });
    });

    it('a base_url that redirects (the API never does)', async () => {
      h.sim.failNext({ status: 301, body: '' });
      await expectCreateError(integrationBody(h), {
        code: 'upstream_http', reason: 'not_found', upstream_status: 301, message: `${inboxesUrl()} HTTP 301 text/plain, 0 bytes`,
      });
    });
  });

  describe('invalid', () => {
    it('a 422 on the inbox create', async () => {
      h.sim.failNext({ status: 422, method: 'POST', body: { message: "Name can't be blank", attributes: ['name'] } });
      await expectCreateError(integrationBody(h, { chatwoot: { inbox_name: 'Refused inbox' } }), {
        code: 'upstream_http',
        reason: 'invalid',
        upstream_status: 422,
        message: `${inboxesUrl()} HTTP 422: {"message":"Name can't be blank","attributes":["name"]}`,
      });
    });

    it('a 402 inbox limit', async () => {
      h.sim.failNext({ status: 402, method: 'POST', body: { error: 'Account limit exceeded. Upgrade to a higher plan' } });
      await expectCreateError(integrationBody(h, { chatwoot: { inbox_name: 'One too many' } }), {
        code: 'upstream_http',
        reason: 'invalid',
        upstream_status: 402,
        message: `${inboxesUrl()} HTTP 402: {"error":"Account limit exceeded. Upgrade to a higher plan"}`,
      });
    });
  });

  describe('upstream_error', () => {
    it('a 500', async () => {
      h.sim.failNext({ status: 500, body: ChatwootErrors.internal });
      await expectCreateError(integrationBody(h), {
        code: 'upstream_http',
        reason: 'upstream_error',
        upstream_status: 500,
        message: `${inboxesUrl()} HTTP 500: {"status":500,"error":"Internal Server Error"}`,
      });
    });

    it('a 503 from a proxy', async () => {
      h.sim.failNext({ status: 503, body: 'Service Unavailable', contentType: 'text/plain' });
      await expectCreateError(integrationBody(h), {
        code: 'upstream_http', reason: 'upstream_error', upstream_status: 503, message: `${inboxesUrl()} HTTP 503 text/plain, 19 bytes`,
      });
    });

    it('a 429 from rack-attack', async () => {
      h.sim.failNext({ status: 429, body: 'Retry later\n', contentType: 'text/plain' });
      await expectCreateError(integrationBody(h), {
        code: 'upstream_http', reason: 'upstream_error', upstream_status: 429, message: `${inboxesUrl()} HTTP 429 text/plain, 12 bytes`,
      });
    });

    it('redacts the token when an error echoes it, before cutting the quote to 300 characters', async () => {
      // The token straddles character 300 of the body: cut first, its first characters would survive.
      const error = `${'x'.repeat(300 - '{"error":"'.length - 10)}${h.admin.token}`;
      h.sim.failNext({ status: 502, body: { error } });
      const redacted = `{"error":"${error.replace(h.admin.token, '[REDACTED]')}"}`;
      await expectCreateError(integrationBody(h), {
        code: 'upstream_http',
        reason: 'upstream_error',
        upstream_status: 502,
        message: `${inboxesUrl()} HTTP 502: ${redacted.slice(0, 300)}…`,
      });
    });
  });

  describe('unreachable', () => {
    it('connection refused', async () => {
      const port = await closedPort();
      const url = `http://127.0.0.1:${port}/api/v1/accounts/${h.accountId}/inboxes`;
      await expectCreateError(integrationBody(h, { chatwoot: { base_url: `http://127.0.0.1:${port}` } }), {
        code: 'upstream_unreachable',
        reason: 'unreachable',
        message: `Get "${url}": dial tcp 127.0.0.1:${port}: connect: connection refused (ECONNREFUSED)`,
      });
    });

    it('a Chatwoot that does not answer within CHATWOOT_TIMEOUT_MS', async () => {
      h.sim.hang();
      const started = Date.now();
      await expectCreateError(integrationBody(h), {
        code: 'upstream_unreachable',
        reason: 'unreachable',
        message: `Get "${inboxesUrl()}": i/o timeout: no answer within 400ms (ETIMEDOUT)`,
      });
      expect(Date.now() - started).toBeLessThan(3_000);
    });

    it('a TLS failure', async () => {
      const httpsUrl = h.sim.url.replace('http://', 'https://');
      const port = new URL(h.sim.url).port;
      await expectCreateError(integrationBody(h, { chatwoot: { base_url: httpsUrl } }), {
        code: 'upstream_unreachable',
        reason: 'unreachable',
        message: `Get "${httpsUrl}/api/v1/accounts/${h.accountId}/inboxes": tls: handshake with 127.0.0.1:${port} failed: wrong version number (EPROTO)`,
      });
    });
  });

  it('keeps an existing integration intact when an idempotent create fails', async () => {
    const body = integrationBody(h);
    const created = await h.call('POST', '/v1/integrations', { json: body });
    expect(created.status).toBe(201);
    h.sim.failNext({ status: 500, body: ChatwootErrors.internal });
    const retry = await h.call('POST', '/v1/integrations', { json: { ...body, instance: 'other' } });
    expect(retry.status).toBe(502);
    const got = await h.call('GET', `/v1/integrations/${created.body.id}`);
    expect(got.body).toEqual(created.body);
  });

  it('never logs a Chatwoot token', () => {
    const logs = h.t.logs.text();
    expect(logs).toContain('HTTP 401');
    for (const token of tokens) expect(logs).not.toContain(token);
  });
});
