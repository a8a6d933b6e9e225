import type { AddressInfo } from 'node:net';
import { createAccount, type TestAccount } from '../support/factories.js';
import { envelope } from '../support/http.js';
import { rawExchange, type RawExchange } from '../support/raw-http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const BRIDGE_TOKEN = 'body-limits-bridge-token-4b1d9e';
/** What a client offers: far more than any limit, so that a server reading to the end is caught. */
const UPLOAD_BYTES = 256 * 1024 * 1024;
/**
 * What the server may have taken once it answered: the largest limit in play (the 4 MiB Cloud
 * webhook) plus the loopback socket buffers of both ends, a few MiB on Linux.
 */
const TAKEN_AT_MOST = 24 * 1024 * 1024;

const bridgeError = (code: string, message: string) => ({ error: { code, message } });

/** SPEC §7: a body over its limit is not read to the end; the answer is sent and the connection closed. */
describe('body limits while reading (SPEC §2, §7)', () => {
  let t: TestApp;
  let port: number;
  let account: TestAccount;
  beforeAll(async () => {
    // Both roles: the bridge's /v1 routes and the API's /api routes on one port.
    t = await startTestApp({ env: { ROLES: 'api,bridge', BRIDGE_TOKEN, BRIDGE_HEALTH_INTERVAL_SECONDS: '0', BRIDGE_ROUTING: 'false' } });
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    account = await createAccount(t);
  }, 60_000);
  afterAll(() => t.close());

  const endless = (method: string, path: string, headers: Record<string, string> = {}): Promise<RawExchange> => {
    const lines = Object.entries({ 'content-type': 'application/json', ...headers }).map(([k, v]) => `${k}: ${v}`);
    return rawExchange(port, {
      head: [`${method} ${path} HTTP/1.1`, 'Host: localhost', 'Transfer-Encoding: chunked', ...lines].join('\r\n'),
      chunkedUploadBytes: UPLOAD_BYTES,
      timeoutMs: 60_000,
    });
  };

  const expectCutShort = (res: RawExchange) => {
    expect(res.uploadFinished).toBe(false);
    expect(res.bytesWritten).toBeLessThan(TAKEN_AT_MOST);
    expect(res.headers.connection).toBe('close');
  };

  it.each([
    ['the API route, with a token', 'POST', '/api/instance/new', 'account', 413, envelope('Request body too large')],
    ['the API route, without a token (auth first, SPEC §2)', 'POST', '/api/instance/new', null, 401, envelope('Invalid token')],
    ['an unknown /api route', 'POST', '/api/nope', null, 404, envelope('Not found')],
    ['an unknown route outside /api', 'PUT', '/nope', null, 404, envelope('Not found')],
    ['a bridge route, with its token', 'POST', '/v1/integrations', 'bridge', 400, bridgeError('invalid_request', 'request body too large')],
    ['a bridge route, without a token', 'POST', '/v1/integrations', null, 401, bridgeError('unauthorized', 'missing or invalid bearer token')],
    ['an unknown /v1 route', 'POST', '/v1/nope', null, 404, bridgeError('not_found', 'no such route')],
    ['the Chatwoot webhook of an unknown integration', 'POST', '/v1/webhooks/int_nonexistent/x', null, 400, bridgeError('invalid_request', 'request body too large')],
    ['the Cloud API webhook', 'POST', '/webhooks/whatsapp-cloud', null, 413, envelope('Request body too large')],
    // Its ~85 MiB limit (SPEC-MESSAGING §9) is for valid tokens: others get the 401 after 64 KiB.
    ['the media route, with an unknown token', 'POST', '/api/message/media/suporte', 'unknown', 401, envelope('Invalid token')],
  ])('answers an endless chunked upload to %s and closes: %s %s', async (_what, method, path, auth, status, body) => {
    const headers: Record<string, string> =
      auth === 'account'
        ? { token: account.token }
        : auth === 'bridge'
          ? { authorization: `Bearer ${BRIDGE_TOKEN}` }
          : auth === 'unknown'
            ? { token: 'not-a-token-of-this-server' }
            : {};
    const res = await endless(method, path, headers);
    expect({ status: res.status, body: res.body }).toEqual({ status, body });
    expectCutShort(res);
  }, 90_000);

  it('does not read a body of another Content-Type at all', async () => {
    const res = await endless('POST', '/api/instance/new', { token: account.token, 'content-type': 'text/plain' });
    expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: envelope('Invalid request body: Content-Type must be application/json') });
    expectCutShort(res);
  }, 90_000);

  it('answers a declared Content-Length over the limit without waiting for the body', async () => {
    const res = await rawExchange(port, {
      head: ['POST /api/instance/new HTTP/1.1', 'Host: localhost', 'Content-Type: application/json', `token: ${account.token}`, `Content-Length: ${10 * 1024 ** 3}`].join('\r\n'),
      body: Buffer.from('{"name":"'),
    });
    expect({ status: res.status, body: res.body }).toEqual({ status: 413, body: envelope('Request body too large') });
    expect(res.headers.connection).toBe('close');
  });

  it('keeps the connection of a body within the limit open for the next request', async () => {
    const res = await t.req('POST', '/api/instance/new', { token: account.token, json: { name: 'fits-the-limit' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('connection')).not.toBe('close');
  });
});
