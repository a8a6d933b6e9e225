import { DataSource } from 'typeorm';
import { ChatwootSimulator, type SimUser } from '../fakes/chatwoot-simulator.js';
import { refusedPort } from '../fakes/fake-bridge.js';
import { eventually } from '../support/chatwoot.js';
import { createAccount, createInstance, type TestAccount } from '../support/factories.js';
import { envelope } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { LOOPBACK_DOUBLES_ENV } from '../support/tenants.js';

const BRIDGE_PUBLIC_URL = 'http://bridge.test';
const RFC3339 = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

/**
 * API → embedded bridge → simulated Chatwoot, through the real HTTP stack (ROLES=api,bridge, the
 * default of `npm start`): the API calls its own bridge over loopback with a per-boot token.
 */
describe('full path: API → bridge → Chatwoot (embedded, ROLES=api,bridge)', () => {
  let sim: ChatwootSimulator;
  let t: TestApp;
  let account: TestAccount;
  let admin: SimUser;
  const ACCOUNT_ID = 5;

  beforeAll(async () => {
    sim = await ChatwootSimulator.start();
    sim.addAccount(ACCOUNT_ID);
    admin = sim.addUser(ACCOUNT_ID, 'administrator');
    const port = await refusedPort(); // a free port, for the embedded bridge URL
    t = await startTestApp({
      env: { ...LOOPBACK_DOUBLES_ENV, ROLES: 'api,bridge', PORT: String(port), BRIDGE_PUBLIC_URL, BRIDGE_HEALTH_INTERVAL_SECONDS: '0', CHATWOOT_TIMEOUT_MS: '3000' },
    });
    sim.routeWebhooks(BRIDGE_PUBLIC_URL, t.url);
    account = await createAccount(t);
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
  });

  const body = (token: string, extra: Record<string, unknown> = {}) => ({
    chatwootBaseUrl: `${sim.url}/`, chatwootAccountId: ACCOUNT_ID, chatwootApiToken: token, inboxName: 'WhatsApp - Orion', ...extra,
  });
  const activated = (instance: string) => ({
    instance, status: 'active', bridge_integration_id: expect.stringMatching(/^int_[a-z2-7]{16}$/), message: 'chatwoot integration activated',
  });
  const DEACTIVATED = { message: 'chatwoot integration deactivated' };

  it('wires the embedded bridge automatically', () => {
    expect(t.config.bridgeEmbedded).toBe(true);
    expect(t.config.bridgeUrl).toBe(`http://127.0.0.1:${t.config.port}`);
    expect(t.config.bridgeToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('activates: a real API inbox is created in Chatwoot and reported active', async () => {
    const inst = await createInstance(t, account);
    const res = await t.req('POST', `/api/chatwoot/set/${inst.name}`, { token: account.token, json: body(admin.token) });
    expect(res.status).toBe(201);
    expect(res.body).toEqual(activated(inst.name));
    const inboxes = sim.inboxes(ACCOUNT_ID).filter((i) => i.name === 'WhatsApp - Orion');
    expect(inboxes).toHaveLength(1);
    expect(inboxes[0].channelType).toBe('Channel::Api');
    expect(inboxes[0].webhookUrl).toMatch(new RegExp(`^${BRIDGE_PUBLIC_URL}/v1/webhooks/`));

    // The instance was never connected to WhatsApp: routing reports `paused` once its event stream
    // opened (SPEC-MESSAGING §11), a moment after the bridge answered the create with `active`.
    let status = await t.req('GET', `/api/chatwoot/list/${inst.name}`, { token: inst.token });
    await eventually(async () => {
      status = await t.req('GET', `/api/chatwoot/list/${inst.name}`, { token: inst.token });
      expect(status.body.status).toBe('paused');
    });
    expect(status.status).toBe(200);
    expect(status.body).toEqual({
      instance_name: inst.name, status: 'paused', bridge_integration_id: res.body.bridge_integration_id,
      chatwoot_base_url: sim.url, chatwoot_account_id: ACCOUNT_ID, chatwoot_inbox_id: inboxes[0].id,
      chatwoot_inbox_name: 'WhatsApp - Orion', last_error: '', created_at: RFC3339, updated_at: RFC3339,
      sign_messages: false, ignore_groups: false, start_as_pending: false, reopen_resolved: false,
    });
    expect(status.text).not.toContain(admin.token);

    // An agent's reply in Chatwoot reaches the bridge and is recorded for routing.
    const delivered = await sim.deliverWebhook(inboxes[0].id, sim.messageCreated(inboxes[0], { content: 'Olá!' }));
    expect(delivered.status).toBe(200);
    expect(delivered.body).toEqual({ status: 'recorded' });
    const recorded = await t.app.get(DataSource).query(`SELECT content FROM bridge_outbound_messages`);
    expect(recorded).toEqual([{ content: 'Olá!' }]);

    // Deactivation with deleteInbox removes the inbox in Chatwoot.
    const del = await t.req('DELETE', `/api/chatwoot/delete/${inst.name}?deleteInbox=true`, { token: account.token });
    expect(del.status).toBe(200);
    expect(del.body).toEqual(DEACTIVATED);
    expect(sim.inbox(inboxes[0].id)).toBeUndefined();
    const gone = await t.req('GET', `/api/chatwoot/list/${inst.name}`, { token: inst.token });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual(envelope('no chatwoot integration for this instance'));
  });

  it('reuses the API inbox on a second activation and keeps it on a plain deactivation', async () => {
    const inst = await createInstance(t, account);
    const name = `Reuse ${inst.name}`;
    const set = () => t.req('POST', `/api/chatwoot/set/${inst.name}`, { token: account.token, json: body(admin.token, { inboxName: name }) });

    const first = await set();
    expect(first.status).toBe(201);
    expect(first.body).toEqual(activated(inst.name));
    const [inbox] = sim.inboxes(ACCOUNT_ID).filter((i) => i.name === name);
    const del = await t.req('DELETE', `/api/chatwoot/delete/${inst.name}`, { token: account.token });
    expect(del.status).toBe(200);
    expect(del.body).toEqual(DEACTIVATED);
    expect(sim.inboxes(ACCOUNT_ID).filter((i) => i.name === name).map((i) => i.id)).toEqual([inbox.id]);

    const second = await set();
    expect(second.status).toBe(201);
    expect(second.body).toEqual(activated(inst.name));
    expect(sim.inboxes(ACCOUNT_ID).filter((i) => i.name === name).map((i) => i.id)).toEqual([inbox.id]);
    const status = await t.req('GET', `/api/chatwoot/list/${inst.name}`, { token: account.token });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ bridge_integration_id: second.body.bridge_integration_id, chatwoot_inbox_id: inbox.id });
  });

  it('reports Chatwoot’s answers with the documented messages', async () => {
    const inst = await createInstance(t, account);
    const set = (json: unknown) => t.req('POST', `/api/chatwoot/set/${inst.name}`, { token: account.token, json });
    const inboxesUrl = (accountId: number) => `${sim.url}/api/v1/accounts/${accountId}/inboxes`;

    const revoked = sim.addUser(ACCOUNT_ID, 'administrator');
    sim.revokeToken(revoked.token);
    const bad = await set(body(revoked.token));
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual(envelope(
      `Chatwoot rejected the API token — verify chatwootApiToken. Detail: ${inboxesUrl(ACCOUNT_ID)} HTTP 401: {"error":"Invalid Access Token"}`,
    ));

    const agent = sim.addUser(ACCOUNT_ID, 'agent');
    const denied = await set(body(agent.token));
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual(envelope(
      `Chatwoot denied the request — verify the API token has admin scope on account ${ACCOUNT_ID}. ` +
        `Detail: ${inboxesUrl(ACCOUNT_ID)} HTTP 401: {"error":"You are not authorized to do this action"}`,
    ));

    const unknownAccount = await set(body(admin.token, { chatwootAccountId: 999 }));
    expect(unknownAccount.status).toBe(400);
    expect(unknownAccount.body).toEqual(envelope(
      `Chatwoot account or endpoint not found — verify chatwootBaseUrl (${sim.url}) and chatwootAccountId (999). ` +
        `Detail: ${inboxesUrl(999)} HTTP 404: {"error":"Resource could not be found"}`,
    ));

    const port = await refusedPort();
    const unreachable = await set(body(admin.token, { chatwootBaseUrl: `http://127.0.0.1:${port}` }));
    expect(unreachable.status).toBe(502);
    expect(unreachable.body).toEqual(envelope(
      `Chatwoot is unreachable at http://127.0.0.1:${port} — verify chatwootBaseUrl and that the host is reachable from the server. ` +
        `Detail: Get "http://127.0.0.1:${port}/api/v1/accounts/${ACCOUNT_ID}/inboxes": dial tcp 127.0.0.1:${port}: connect: connection refused (ECONNREFUSED)`,
    ));

    // Nothing of the failed attempts was kept.
    const after = await t.req('GET', `/api/chatwoot/list/${inst.name}`, { token: account.token });
    expect(after.status).toBe(404);
    expect(after.body).toEqual(envelope('no chatwoot integration for this instance'));
    for (const secret of [revoked.token, agent.token, admin.token]) expect(t.logs.text()).not.toContain(secret);
  });
});
