import { createAccount, createInstance } from '../support/factories.js';
import { envelope } from '../support/http.js';
import { type RoutingSetup, startRouting } from '../support/routing.js';

const ACCOUNT_ID = 7;

/**
 * What one tenant may make the server do with its Chatwoot URL and inbox (SPEC §5), through the
 * embedded bridge and the Chatwoot double: no reading the server's own network, no taking over
 * another instance's inbox.
 */
describe('chatwoot set: the address policy and inbox ownership (SPEC §5)', () => {
  describe('the default address policy: public addresses only', () => {
    let s: RoutingSetup;
    beforeAll(async () => {
      // The routing setup opens loopback for its doubles; an empty value is the default.
      s = await startRouting(ACCOUNT_ID, { CHATWOOT_ALLOWED_HOSTS: '' });
    });
    afterAll(async () => {
      await s?.close();
    });

    it.each([
      ['a loopback address', () => s.sim.url, '127.0.0.1'],
      ['a host name resolving to loopback', () => s.sim.url.replace('127.0.0.1', 'localhost'), 'localhost'],
      ['the cloud metadata address', () => 'http://169.254.169.254', '169.254.169.254'],
      ['an IPv4-mapped private address', () => 'http://[::ffff:10.0.0.1]:8080', '[::ffff:a00:1]'],
    ])('refuses %s with the 400 row, sending nothing and storing nothing', async (_, url, host) => {
      const inst = await createInstance(s.t, s.account);
      s.sim.requests.length = 0;
      const res = await s.t.req('POST', `/api/chatwoot/set/${inst.name}`, {
        token: s.account.token,
        json: { chatwootBaseUrl: url(), chatwootAccountId: ACCOUNT_ID, chatwootApiToken: s.admin.token },
      });
      expect([res.status, res.body]).toEqual([
        400,
        envelope(`Chatwoot URL is not allowed — ${host} resolves to a private or local address; the server's CHATWOOT_ALLOWED_HOSTS can allow it`),
      ]);
      expect(s.sim.requests).toEqual([]);
      const status = await s.t.req('GET', `/api/chatwoot/list/${inst.name}`, { token: s.account.token });
      expect([status.status, status.body]).toEqual([404, envelope('no chatwoot integration for this instance')]);
    });
  });

  describe('an inbox that another instance routes through', () => {
    let s: RoutingSetup;
    beforeAll(async () => {
      s = await startRouting(ACCOUNT_ID, {});
    });
    afterAll(async () => {
      await s?.close();
    });

    const set = (token: string, name: string, extra: Record<string, unknown> = {}) =>
      s.t.req('POST', `/api/chatwoot/set/${name}`, {
        token,
        json: { chatwootBaseUrl: s.sim.url, chatwootAccountId: ACCOUNT_ID, chatwootApiToken: s.admin.token, ...extra },
      });
    const IN_USE = (inbox: string) => envelope(`Chatwoot inbox "${inbox}" is already connected to another instance — choose another inboxName`);

    it('refuses a second instance with the default inboxName (409), never re-pointing the first one\'s inbox', async () => {
      const first = await createInstance(s.t, s.account);
      const second = await createInstance(s.t, s.account);
      const owner = await set(s.account.token, first.name);
      expect(owner.status).toBe(201);
      const [inbox] = s.sim.inboxes(ACCOUNT_ID).filter((i) => i.name === 'RyzeAPI');
      const webhook = inbox.webhookUrl;

      const res = await set(s.account.token, second.name);
      expect([res.status, res.body]).toEqual([409, IN_USE('RyzeAPI')]);
      expect(s.sim.inbox(inbox.id)!.webhookUrl).toBe(webhook);
      const status = await s.t.req('GET', `/api/chatwoot/list/${second.name}`, { token: s.account.token });
      expect([status.status, status.body]).toEqual([404, envelope('no chatwoot integration for this instance')]);

      // Another account pointing at the same Chatwoot account is refused the same way.
      const other = await createAccount(s.t);
      const foreign = await createInstance(s.t, other);
      expect((await set(other.token, foreign.name)).body).toEqual(IN_USE('RyzeAPI'));

      // The owner's own update reuses its inbox; another name works for the second instance.
      expect((await set(s.account.token, first.name, { signMessages: true })).status).toBe(201);
      expect(s.sim.inbox(inbox.id)!.webhookUrl).toBe(webhook);
      expect((await set(s.account.token, second.name, { inboxName: 'Vendas' })).status).toBe(201);
      // An update of the second onto the first one's inbox is refused too, and changes nothing.
      const moved = await set(s.account.token, second.name, { inboxName: 'RyzeAPI' });
      expect([moved.status, moved.body]).toEqual([409, IN_USE('RyzeAPI')]);
      const kept = await s.t.req('GET', `/api/chatwoot/list/${second.name}`, { token: s.account.token });
      expect(kept.body.chatwoot_inbox_name).toBe('Vendas');

      // Deactivating the owner frees the inbox.
      expect((await s.t.req('DELETE', `/api/chatwoot/delete/${first.name}`, { token: s.account.token })).status).toBe(200);
      expect((await set(other.token, foreign.name)).status).toBe(201);
      expect(s.sim.inbox(inbox.id)!.webhookUrl).not.toBe(webhook);
    });
  });
});
