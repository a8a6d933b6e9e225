import { bridgeError, FakeBridge, refusedPort } from '../fakes/fake-bridge.js';
import { setBody, startWithBridge } from '../support/chatwoot.js';
import { createAccount, createInstance, type TestAccount } from '../support/factories.js';
import { sampleValue, samples } from '../support/metrics.js';
import type { TestApp } from '../support/test-app.js';

const HTTP = 'http_requests_total';
const HTTP_SECONDS = 'http_request_duration_seconds';
const BRIDGE = 'bridge_requests_total';
const BRIDGE_SECONDS = 'bridge_request_duration_seconds';

describe('GET /metrics (SPEC §7)', () => {
  const fake = new FakeBridge();
  let t: TestApp;
  let account: TestAccount;

  beforeAll(async () => {
    await fake.start();
    t = await startWithBridge(fake);
    account = await createAccount(t);
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  const scrape = async (app: TestApp = t) => {
    const res = await app.req('GET', '/metrics');
    expect(res.status).toBe(200);
    return res.text;
  };

  it('answers Prometheus text with no token, outside the rate limit, with the process metrics', async () => {
    const res = await t.req('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.headers.get('x-ratelimit-limit')).toBeNull();
    expect(res.text).toContain('# TYPE http_requests_total counter');
    expect(res.text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(res.text).toContain('# TYPE bridge_requests_total counter');
    expect(res.text).toContain('# TYPE bridge_request_duration_seconds histogram');
    expect(samples(res.text, 'process_cpu_user_seconds_total')).toHaveLength(1);
    expect(samples(res.text, 'nodejs_heap_size_used_bytes')[0].value).toBeGreaterThan(0);
  });

  it('counts requests and their latency by method, route template and status, never by raw path', async () => {
    const inst = await createInstance(t, account);
    expect((await t.req('POST', `/api/chatwoot/set/${inst.name}`, { token: account.token, json: setBody() })).status).toBe(201);
    for (let i = 0; i < 2; i += 1) {
      expect((await t.req('GET', `/api/chatwoot/list/${inst.name}`, { token: account.token })).status).toBe(200);
    }
    expect((await t.req('GET', '/api/chatwoot/list/no-such-instance', { token: account.token })).status).toBe(404);
    expect((await t.req('GET', '/api/instance/list?instanceName=query-value-xyz', { token: account.token })).status).toBe(404);
    expect((await t.req('GET', `/api/nope/${inst.name}`, { token: account.token })).status).toBe(404);
    expect((await t.req('PATCH', '/api/instance/list', { token: account.token })).status).toBe(404);

    const text = await scrape();
    const list = { method: 'GET', route: '/api/chatwoot/list/:instance' };
    expect(sampleValue(text, HTTP, { ...list, status: '200' })).toBe(2);
    expect(sampleValue(text, HTTP, { ...list, status: '404' })).toBe(1);
    expect(sampleValue(text, HTTP, { method: 'POST', route: '/api/chatwoot/set/:instance', status: '201' })).toBe(1);
    expect(sampleValue(text, HTTP, { method: 'GET', route: '/api/instance/list', status: '404' })).toBe(1);
    expect(sampleValue(text, HTTP, { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(sampleValue(text, HTTP, { method: 'PATCH', route: 'unmatched', status: '404' })).toBe(1);
    expect(sampleValue(text, HTTP_SECONDS + '_count', { ...list, status: '200' })).toBe(2);
    expect(sampleValue(text, HTTP_SECONDS + '_bucket', { ...list, status: '200', le: '+Inf' })).toBe(2);
    expect(sampleValue(text, HTTP_SECONDS + '_sum', { ...list, status: '200' })).toBeGreaterThan(0);
    // The scrape before this one is counted too (a scrape counts when its answer is complete).
    expect(sampleValue(text, HTTP, { method: 'GET', route: '/metrics', status: '200' })).toBeGreaterThanOrEqual(1);
    // Label values are templates: no instance name, no query string.
    expect(text).not.toContain(inst.name);
    expect(text).not.toContain('no-such-instance');
    expect(text).not.toContain('query-value-xyz');
  });

  it('counts bridge calls and their latency by operation and outcome', async () => {
    const inst = await createInstance(t, account);
    const before = await scrape();
    const count = (text: string, operation: string, outcome: string) => sampleValue(text, BRIDGE, { operation, outcome }) ?? 0;

    expect((await t.req('POST', `/api/chatwoot/set/${inst.name}`, { token: account.token, json: setBody() })).status).toBe(201);
    expect((await t.req('POST', `/api/chatwoot/set/${inst.name}`, { token: account.token, json: setBody({ inboxName: 'Other' }) })).status).toBe(201);
    expect((await t.req('GET', `/api/chatwoot/list/${inst.name}`, { token: account.token })).status).toBe(200);
    fake.behave('get', bridgeError(500, { code: 'internal', message: 'boom' }));
    expect((await t.req('GET', `/api/chatwoot/list/${inst.name}`, { token: account.token })).status).toBe(200);
    fake.behave('get', { kind: 'hang' });
    expect((await t.req('GET', `/api/chatwoot/list/${inst.name}`, { token: account.token })).status).toBe(200);
    // SPEC §7: the answer came after 300 ms from stored data; the GET times out in the background.
    await new Promise((resolve) => setTimeout(resolve, t.config.bridgeTimeouts.getMs + 200));
    fake.reset();
    expect((await t.req('DELETE', `/api/chatwoot/delete/${inst.name}`, { token: account.token })).status).toBe(200);

    const after = await scrape();
    const delta = (operation: string, outcome: string) => count(after, operation, outcome) - count(before, operation, outcome);
    expect(delta('create', '201')).toBe(1);
    expect(delta('update', '200')).toBe(1);
    expect(delta('get', '200')).toBe(1);
    expect(delta('get', '500')).toBe(1);
    expect(delta('get', 'timeout')).toBe(1);
    expect(delta('delete', '204')).toBe(1);
    const timeouts = sampleValue(after, BRIDGE_SECONDS + '_sum', { operation: 'get', outcome: 'timeout' })!;
    // SHORT_TIMEOUTS gives the GET 400 ms.
    expect(timeouts).toBeGreaterThanOrEqual(0.39);
    expect(sampleValue(after, BRIDGE_SECONDS + '_count', { operation: 'create', outcome: '201' })).toBe(count(after, 'create', '201'));
  });
});

describe('metrics of two apps in one process', () => {
  it('keeps a registry per app, and counts an unreachable bridge and 429s under their route', async () => {
    const a = await startWithBridge(new FakeBridge(), { env: { BRIDGE_URL: `http://127.0.0.1:${await refusedPort()}`, RATE_LIMIT_PER_MINUTE: '1' } });
    const b = await startWithBridge(new FakeBridge(), { env: { BRIDGE_URL: `http://127.0.0.1:${await refusedPort()}` } });
    try {
      const account = await createAccount(a);
      const inst = await createInstance(a, account);
      const set = await a.req('POST', `/api/chatwoot/set/${inst.name}`, { token: account.token, json: setBody() });
      expect(set.status).toBe(502);
      expect((await a.req('GET', '/api/instance/list', { token: 'unknown-token-123' })).status).toBe(401);
      expect((await a.req('GET', '/api/instance/list', { token: 'unknown-token-123' })).status).toBe(429);

      const text = (await a.req('GET', '/metrics')).text;
      // The create is retried once when the bridge cannot be reached.
      expect(sampleValue(text, BRIDGE, { operation: 'create', outcome: 'unreachable' })).toBe(2);
      expect(sampleValue(text, HTTP, { method: 'POST', route: '/api/chatwoot/set/:instance', status: '502' })).toBe(1);
      expect(sampleValue(text, HTTP, { method: 'GET', route: '/api/instance/list', status: '401' })).toBe(1);
      expect(sampleValue(text, HTTP, { method: 'GET', route: '/api/instance/list', status: '429' })).toBe(1);

      const other = (await b.req('GET', '/metrics')).text;
      expect(samples(other, BRIDGE)).toEqual([]);
      expect(samples(other, HTTP).filter((s) => s.labels.route.startsWith('/api'))).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
