import { type BridgeHarness, integrationBody, startBridge } from './bridge-support.js';

/** CHATWOOT_ALLOW_PRIVATE_URLS: whether a Chatwoot URL may point into the bridge's own network. */
describe('bridge outbound URL policy', () => {
  describe('CHATWOOT_ALLOW_PRIVATE_URLS=false', () => {
    let h: BridgeHarness;
    beforeAll(async () => {
      h = await startBridge({ env: { CHATWOOT_ALLOW_PRIVATE_URLS: 'false' } });
    });
    afterAll(async () => {
      await h?.close();
    });
    beforeEach(() => {
      h.sim.requests.length = 0;
    });

    const port = () => new URL(h.sim.url).port;

    it.each([
      ['a loopback IPv4 literal', (p: string) => `http://127.0.0.1:${p}`, 'address 127.0.0.1 is not allowed (CHATWOOT_ALLOW_PRIVATE_URLS=false)'],
      ['a loopback IPv6 literal', (p: string) => `http://[::1]:${p}`, 'address ::1 is not allowed (CHATWOOT_ALLOW_PRIVATE_URLS=false)'],
      ['an IPv4-mapped loopback', (p: string) => `http://[::ffff:127.0.0.1]:${p}`, 'address ::ffff:7f00:1 is not allowed (CHATWOOT_ALLOW_PRIVATE_URLS=false)'],
      ['the cloud metadata address', () => 'http://169.254.169.254', 'address 169.254.169.254 is not allowed (CHATWOOT_ALLOW_PRIVATE_URLS=false)'],
      ['a private address', () => 'https://10.1.2.3', 'address 10.1.2.3 is not allowed (CHATWOOT_ALLOW_PRIVATE_URLS=false)'],
      ['a decimal-encoded loopback', (p: string) => `http://2130706433:${p}`, 'address 127.0.0.1 is not allowed (CHATWOOT_ALLOW_PRIVATE_URLS=false)'],
    ])('refuses %s before connecting, as upstream_unreachable', async (_, url, detail) => {
      const baseUrl = url(port());
      const res = await h.call('POST', '/v1/integrations', { json: integrationBody(h, { chatwoot: { base_url: baseUrl } }) });
      expect(res.status).toBe(502);
      expect(res.body).toEqual({
        error: {
          code: 'upstream_unreachable',
          reason: 'unreachable',
          // The URL as configured: the message shows the operator what they wrote.
          message: `Get "${baseUrl}/api/v1/accounts/${h.accountId}/inboxes": ${detail}`,
        },
      });
      expect(h.sim.requests).toEqual([]);
    });

    it('refuses a host name that resolves to loopback (checked after DNS)', async () => {
      const res = await h.call('POST', '/v1/integrations', { json: integrationBody(h, { chatwoot: { base_url: `http://localhost:${port()}` } }) });
      expect(res.status).toBe(502);
      expect(res.body.error).toEqual({
        code: 'upstream_unreachable',
        reason: 'unreachable',
        message: expect.stringMatching(
          new RegExp(`^Get "http://localhost:${port()}/api/v1/accounts/${h.accountId}/inboxes": localhost resolves to (127\\.0\\.0\\.1|::1), which is not allowed \\(CHATWOOT_ALLOW_PRIVATE_URLS=false\\)$`),
        ),
      });
      expect(h.sim.requests).toEqual([]);
    });
  });

  describe('CHATWOOT_ALLOW_PRIVATE_URLS unset (default true, for self-hosted Chatwoot)', () => {
    let h: BridgeHarness;
    beforeAll(async () => {
      h = await startBridge();
    });
    afterAll(async () => {
      await h?.close();
    });

    it.each([
      ['127.0.0.1', (p: string) => `http://127.0.0.1:${p}`],
      ['localhost', (p: string) => `http://localhost:${p}`],
    ])('reaches a Chatwoot on %s', async (_, url) => {
      // The simulator listens on 127.0.0.1 only; localhost may resolve to ::1 first, which Node
      // then falls back from, so both spellings must reach it.
      const res = await h.call('POST', '/v1/integrations', { json: integrationBody(h, { chatwoot: { base_url: url(new URL(h.sim.url).port) } }) });
      expect(res.status).toBe(201);
      expect(res.body.status).toBe('active');
    });
  });
});
