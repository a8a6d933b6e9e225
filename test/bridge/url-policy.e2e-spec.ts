import { type BridgeHarness, integrationBody, startBridge } from './bridge-support.js';

const PRIVATE = 'a private or local address that CHATWOOT_ALLOWED_HOSTS does not allow';
const NEVER = 'a link-local or cloud-metadata address, never allowed';

/** SPEC §1 CHATWOOT_ALLOWED_HOSTS: whether a Chatwoot URL may point into the bridge's own network (BRIDGE-API §4 `blocked_address`). */
describe('bridge outbound URL policy', () => {
  /** Creates an integration at `baseUrl`; expects the refusal, and that nothing reached the Chatwoot double. */
  async function expectBlocked(h: BridgeHarness, baseUrl: string, detail: string | RegExp): Promise<void> {
    h.sim.requests.length = 0;
    const body = integrationBody(h, { chatwoot: { base_url: baseUrl } });
    const res = await h.call('POST', '/v1/integrations', { json: body });
    expect(res.status).toBe(502);
    const prefix = `Get "${baseUrl}/api/v1/accounts/${h.accountId}/inboxes": `;
    expect(res.body).toEqual({
      error: {
        code: 'upstream_unreachable',
        reason: 'blocked_address',
        message: typeof detail === 'string' ? `${prefix}${detail}` : expect.stringMatching(detail),
      },
    });
    expect(h.sim.requests).toEqual([]);
    const lookup = await h.call('GET', `/v1/integrations?external_id=${body.external_id as string}`);
    expect(lookup.body).toEqual({ integrations: [] });
  }

  async function expectReached(h: BridgeHarness, baseUrl: string): Promise<void> {
    const res = await h.call('POST', '/v1/integrations', { json: integrationBody(h, { chatwoot: { base_url: baseUrl } }) });
    expect([res.status, res.body.status]).toEqual([201, 'active']);
  }

  describe('the default: public addresses only', () => {
    let h: BridgeHarness;
    beforeAll(async () => {
      // The harness opens loopback for its Chatwoot double; an empty value is the default.
      h = await startBridge({ env: { CHATWOOT_ALLOWED_HOSTS: '' } });
    });
    afterAll(async () => {
      await h?.close();
    });

    const port = () => new URL(h.sim.url).port;

    it.each([
      ['a loopback IPv4 literal', (p: string) => `http://127.0.0.1:${p}`, `address 127.0.0.1 is ${PRIVATE}`],
      ['a loopback IPv6 literal', (p: string) => `http://[::1]:${p}`, `address ::1 is ${PRIVATE}`],
      ['an IPv4-mapped loopback', (p: string) => `http://[::ffff:127.0.0.1]:${p}`, `address ::ffff:7f00:1 is ${PRIVATE}`],
      ['an IPv4-translated loopback', (p: string) => `http://[::ffff:0:127.0.0.1]:${p}`, `address ::ffff:0:7f00:1 is ${PRIVATE}`],
      ['the cloud metadata address', () => 'http://169.254.169.254', `address 169.254.169.254 is ${NEVER}`],
      ['the metadata address, IPv4-mapped', () => 'http://[::ffff:169.254.169.254]', `address ::ffff:a9fe:a9fe is ${NEVER}`],
      ['a private address', () => 'https://10.1.2.3', `address 10.1.2.3 is ${PRIVATE}`],
      ['a decimal-encoded loopback', (p: string) => `http://2130706433:${p}`, `address 127.0.0.1 is ${PRIVATE}`],
    ])('refuses %s before connecting, as blocked_address', async (_, url, detail) => {
      await expectBlocked(h, url(port()), detail);
    });

    it('refuses a host name that resolves to loopback (checked after DNS)', async () => {
      const baseUrl = `http://localhost:${port()}`;
      await expectBlocked(h, baseUrl, new RegExp(`^Get "${baseUrl}/api/v1/accounts/${h.accountId}/inboxes": localhost resolves to (127\\.0\\.0\\.1|::1), ${PRIVATE}$`));
    });
  });

  describe('CHATWOOT_ALLOWED_HOSTS opens what it lists, and nothing else', () => {
    let h: BridgeHarness;
    beforeAll(async () => {
      h = await startBridge({ env: { CHATWOOT_ALLOWED_HOSTS: 'localhost, 127.0.0.0/8, 169.254.0.0/16' } });
    });
    afterAll(async () => {
      await h?.close();
    });

    const port = () => new URL(h.sim.url).port;

    it('reaches a Chatwoot on a listed range and on a listed host name', async () => {
      await expectReached(h, `http://127.0.0.1:${port()}`);
      // The simulator listens on 127.0.0.1 only; localhost may resolve to ::1 too, which the host
      // name entry allows, and which Node then falls back from.
      await expectReached(h, `http://localhost:${port()}`);
    });

    it('still refuses what it does not list, and the metadata address even when listed', async () => {
      await expectBlocked(h, `http://[::1]:${port()}`, `address ::1 is ${PRIVATE}`);
      await expectBlocked(h, 'http://10.1.2.3', `address 10.1.2.3 is ${PRIVATE}`);
      await expectBlocked(h, 'http://169.254.169.254', `address 169.254.169.254 is ${NEVER}`);
    });
  });

  describe('CHATWOOT_ALLOW_PRIVATE_URLS=true (deprecated alias)', () => {
    let h: BridgeHarness;
    beforeAll(async () => {
      h = await startBridge({ env: { CHATWOOT_ALLOWED_HOSTS: '', CHATWOOT_ALLOW_PRIVATE_URLS: 'true' } });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('still reaches private addresses, with a warning at boot', async () => {
      await expectReached(h, `http://127.0.0.1:${new URL(h.sim.url).port}`);
      expect(h.t.logs.entries().filter((e) => e.level === 'warn' && String(e.msg).startsWith('CHATWOOT_ALLOW_PRIVATE_URLS is deprecated')).map((e) => e.msg)).toEqual([
        'CHATWOOT_ALLOW_PRIVATE_URLS is deprecated: =true lets every tenant URL reach private and loopback addresses; list your self-hosted Chatwoot in CHATWOOT_ALLOWED_HOSTS instead',
      ]);
    });

    it('never reaches the metadata address', async () => {
      await expectBlocked(h, 'http://169.254.169.254', `address 169.254.169.254 is ${NEVER}`);
    });
  });
});
