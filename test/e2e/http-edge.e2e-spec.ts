import type { AddressInfo } from 'node:net';
import { createAccount, instanceName, type TestAccount } from '../support/factories.js';
import { envelope } from '../support/http.js';
import { rawExchange } from '../support/raw-http.js';
import { startTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../support/test-app.js';

const BRIDGE_TOKEN = 'http-edge-bridge-token-8c2e41';

/** SPEC §7: what Node's parser refuses still gets the envelope; headers every answer carries. */
describe('the HTTP edge (SPEC §7)', () => {
  let t: TestApp;
  let port: number;
  let account: TestAccount;
  beforeAll(async () => {
    t = await startTestApp({ env: { ROLES: 'api,bridge', BRIDGE_TOKEN, BRIDGE_HEALTH_INTERVAL_SECONDS: '0', BRIDGE_ROUTING: 'false' } });
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    account = await createAccount(t);
  }, 60_000);
  afterAll(() => t.close());

  describe("requests Node's parser rejects", () => {
    const send = (head: string) => rawExchange(port, { head });

    it.each([
      ['a header over 16 KiB', `GET /api/instance/list HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20 * 1024)}`, 431, 'Request headers too large'],
      ['a 70 KB path', `GET /api/${'p'.repeat(70 * 1024)} HTTP/1.1\r\nHost: localhost`, 431, 'Request headers too large'],
      ['a malformed request line', 'GARBAGE\r\nHost: localhost', 400, 'Bad request'],
      ['a header line without a colon', 'GET /api/instance/list HTTP/1.1\r\nHost: localhost\r\nNoColonHere', 400, 'Bad request'],
      [
        'Content-Length together with Transfer-Encoding',
        'POST /api/instance/new HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked',
        400,
        'Bad request',
      ],
    ])('answers %s in the envelope', async (_what, head, status, message) => {
      const res = await send(head);
      expect({ status: res.status, body: res.body }).toEqual({ status, body: envelope(message) });
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-request-id']).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
    });
  });

  describe('headers', () => {
    it.each([
      ['an API answer', 'GET', '/api/instance/list', 'account'],
      ['an API error', 'GET', '/api/instance/list', null],
      ['an unknown route', 'GET', '/nope', null],
      ['an unknown /api route', 'GET', '/api/nope', null],
      ['a bridge answer', 'GET', '/v1/integrations/int_x', 'bridge'],
      ['a bridge error', 'GET', '/v1/nope', null],
      ['the liveness probe', 'GET', '/healthz', null],
      ['the metrics', 'GET', '/metrics', null],
      ['the OpenAPI document', 'GET', '/openapi.json', null],
      ['a Swagger UI asset', 'GET', '/docs/swagger-ui.css', null],
    ])('sends X-Content-Type-Options: nosniff on %s', async (_what, method, path, auth) => {
      const res = await t.req(method, path, auth === 'account' ? { token: account.token } : auth === 'bridge' ? { bearer: BRIDGE_TOKEN } : {});
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it('sends Cache-Control: no-store on the answers that carry a token, and only there', async () => {
      const created = await t.req('POST', '/api/admin/account/new', { token: TEST_ADMIN_TOKEN, json: { name: 'acme' } });
      expect(created.status).toBe(201);
      expect(created.headers.get('cache-control')).toBe('no-store');
      const instance = await t.req('POST', '/api/instance/new', { token: account.token, json: { name: instanceName() } });
      expect(instance.status).toBe(201);
      expect(instance.headers.get('cache-control')).toBe('no-store');
      expect((await t.req('GET', '/api/instance/list', { token: account.token })).headers.get('cache-control')).toBeNull();
    });

    it('serves /docs with a Content-Security-Policy that allows only its own assets', async () => {
      const page = await t.req('GET', '/docs');
      expect(page.status).toBe(200);
      const csp = page.headers.get('content-security-policy') ?? '';
      const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values.join(' ')]));
      expect(directives).toEqual({
        'default-src': "'self'",
        'script-src': "'self'",
        'style-src': "'self' 'unsafe-inline'",
        'img-src': "'self' data:",
        'connect-src': "'self'",
        'object-src': "'none'",
        'base-uri': "'self'",
        'form-action': "'self'",
        'frame-ancestors': "'none'",
      });
      // The page runs no inline script, which script-src 'self' would block.
      expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
      // The API's JSON answers need no CSP.
      expect((await t.req('GET', '/api/instance/list', { token: account.token })).headers.get('content-security-policy')).toBeNull();
    });
  });
});
