import { ChatwootSimulator, type SimUser } from '../fakes/chatwoot-simulator.js';
import { GraphApiDouble, inbound, webhookOf, type PhoneNumber } from '../fakes/graph-api.js';
import { eventually } from '../support/chatwoot.js';
import { newEncryptionKey } from '../support/faults.js';
import { request } from '../support/http.js';
import { PrivatePostgres } from '../support/private-postgres.js';
import { buildServer, freePort, startServer, type ServerProcess } from '../support/server-process.js';
import { TEST_ADMIN_TOKEN } from '../support/test-app.js';
import { LOOPBACK_DOUBLES_ENV } from '../support/tenants.js';

const BRIDGE_PUBLIC_URL = 'http://bridge.faults';
const ACCOUNT_ID = 1;

/**
 * SPEC-MESSAGING §11 "exactly once, in order, nothing lost" in the split layout: the API and the
 * bridge as separate production processes on one PostgreSQL, Meta's Graph API and Chatwoot as
 * doubles on loopback. Meta delivers every webhook twice; the bridge is SIGKILLed mid-burst and
 * restarted; then the API is. Afterwards every message is in Chatwoot once, in each chat's order,
 * and every agent reply reached WhatsApp once.
 */
describe('routing across crashes (split layout, real server processes)', () => {
  const encryptionKey = newEncryptionKey();
  const bridgeToken = 'bridge-token-for-the-routing-fault-suite-0123';
  let build: string;
  let pgsql: PrivatePostgres;
  let sim: ChatwootSimulator;
  let graph: GraphApiDouble;
  let admin: SimUser;
  let api: ServerProcess;
  let bridge: ServerProcess;
  let apiPort: number;
  let bridgePort: number;

  const startApi = () =>
    startServer(build, {
      ...LOOPBACK_DOUBLES_ENV, ROLES: 'api', DATABASE_URL: pgsql.url, ENCRYPTION_KEY: encryptionKey, ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      BRIDGE_URL: `http://127.0.0.1:${bridgePort}`, BRIDGE_TOKEN: bridgeToken, PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
      WHATSAPP_CLOUD_API_URL: graph.url, RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_CREATE_PER_MINUTE: '1000000', LOG_LEVEL: 'warn',
    }, 60_000, apiPort);
  const startBridge = () =>
    startServer(build, {
      ...LOOPBACK_DOUBLES_ENV, ROLES: 'bridge', DATABASE_URL: pgsql.url, ENCRYPTION_KEY: encryptionKey, BRIDGE_TOKEN: bridgeToken,
      BRIDGE_PUBLIC_URL, BRIDGE_HEALTH_INTERVAL_SECONDS: '0', CHATWOOT_TIMEOUT_MS: '3000', LOG_LEVEL: 'warn', MIGRATE_ON_START: 'false',
    }, 60_000, bridgePort);

  beforeAll(async () => {
    [build, pgsql, sim, graph] = await Promise.all([buildServer(), PrivatePostgres.create(), ChatwootSimulator.start(), GraphApiDouble.start()]);
    sim.addAccount(ACCOUNT_ID);
    admin = sim.addUser(ACCOUNT_ID, 'administrator', { name: 'Ana' });
    [apiPort, bridgePort] = [await freePort(), await freePort()];
    api = await startApi(); // migrates
    bridge = await startBridge();
    sim.routeWebhooks(BRIDGE_PUBLIC_URL, bridge.url);
  }, 240_000);

  afterAll(async () => {
    await Promise.all([api?.kill(), bridge?.kill()]);
    await Promise.all([sim?.close(), graph?.stop()]);
    await pgsql?.destroy();
  });

  /** A new account's connected Cloud instance `name`, its integration routing into the inbox `inboxName`. */
  async function routedInstance(name: string, inboxName: string): Promise<PhoneNumber> {
    const account = await request(api.url, 'POST', '/api/admin/account/new', { token: TEST_ADMIN_TOKEN, json: { name } });
    const token = account.body.account.token as string;
    const phone: PhoneNumber = graph.addPhoneNumber();
    const created = await request(api.url, 'POST', '/api/instance/new', {
      token,
      json: { name, provider: 'cloud', cloudPhoneNumberId: phone.id, cloudAccessToken: phone.token, cloudAppSecret: phone.appSecret, cloudVerifyToken: `verify-token-${name}` },
    });
    expect(created.status).toBe(201);
    expect((await request(api.url, 'GET', `/api/instance/connect/${name}`, { token })).status).toBe(200);
    const set = await request(api.url, 'POST', `/api/chatwoot/set/${name}`, {
      token, json: { chatwootBaseUrl: sim.url, chatwootAccountId: ACCOUNT_ID, chatwootApiToken: admin.token, inboxName },
    });
    expect(set.status).toBe(201);
    return phone;
  }

  it('a burst with the bridge SIGKILLed and restarted, then the API: every message once and in order, every reply once', async () => {
    const phone = await routedInstance('shop', 'WhatsApp');

    const customers = ['5511900000001', '5511900000002', '5511900000003'];
    let n = 0;
    /** One message from each customer, each webhook delivered twice (Meta retries). */
    const round = async () => {
      for (const from of customers) {
        const body = webhookOf(phone, inbound.text(`${from.slice(-1)}:${n}`, { from, id: `wamid.FAULT${from.slice(-1)}${String(n).padStart(3, '0')}` }));
        for (let copy = 0; copy < 2; copy += 1) {
          const res = await graph.postWebhook(`${api.url}/webhooks/whatsapp-cloud`, body);
          expect(res.status).toBe(200);
        }
      }
      n += 1;
    };
    const inChatwoot = () => sim.conversations(ACCOUNT_ID).flatMap((c) => sim.messages(ACCOUNT_ID, c.id)).filter((m) => m.messageType === 'incoming');

    await round();
    await eventually(() => expect(inChatwoot()).toHaveLength(customers.length), 30_000, 100);
    // Chatwoot stops answering: the bridge's next post hangs, and the rest of the burst waits.
    sim.hang(true);
    for (let i = 0; i < 4; i += 1) await round();
    await bridge.kill(); // SIGKILL, mid-burst, a post in flight
    sim.hang(false);
    expect(inChatwoot().length).toBeLessThan(5 * customers.length);
    for (let i = 0; i < 5; i += 1) await round();
    bridge = await startBridge();
    for (let i = 0; i < 5; i += 1) await round();
    await eventually(() => expect(inChatwoot()).toHaveLength(15 * customers.length), 60_000, 200);

    // Agent replies while the API restarts: recorded by the bridge, sent once the API is back.
    const conversationIds = sim.conversations(ACCOUNT_ID).map((c) => c.id);
    await api.kill();
    for (const id of conversationIds) sim.agentReply(ACCOUNT_ID, id, { content: `reply to ${id}` });
    await sim.webhooksSettled();
    api = await startApi();
    for (let i = 0; i < 5; i += 1) await round();
    await eventually(() => expect(inChatwoot()).toHaveLength(20 * customers.length), 60_000, 200);
    await eventually(() => expect(graph.sent.filter((s) => s.phoneNumberId === phone.id)).toHaveLength(conversationIds.length), 60_000, 200);

    // Exactly once, in each chat's order.
    const messages = inChatwoot();
    expect(new Set(messages.map((m) => m.sourceId)).size).toBe(messages.length);
    for (const from of customers) {
      const contents = messages.filter((m) => m.content?.startsWith(`${from.slice(-1)}:`)).map((m) => Number(m.content!.split(':')[1]));
      expect(contents).toEqual(Array.from({ length: 20 }, (_, i) => i));
    }
    expect(sim.conversations(ACCOUNT_ID)).toHaveLength(customers.length);
    expect(sim.contactInboxes(ACCOUNT_ID)).toHaveLength(customers.length);
    const replies = graph.sent.filter((s) => s.phoneNumberId === phone.id).map((s) => s.body.text.body).sort();
    expect(replies).toEqual(conversationIds.map((id) => `reply to ${id}`).sort());
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(graph.sent.filter((s) => s.phoneNumberId === phone.id)).toHaveLength(conversationIds.length);
    expect(inChatwoot()).toHaveLength(20 * customers.length);
  }, 180_000);

  it("Chatwoot answering 500 for 10 s in a burst, its webhooks delivered out of order and twice: every message once and in order, every reply once", async () => {
    const phone = await routedInstance('desk', 'WhatsApp desk');
    const inbox = sim.inboxes(ACCOUNT_ID).find((i) => i.name === 'WhatsApp desk')!;
    const conversations = () => sim.conversations(ACCOUNT_ID).filter((c) => c.inboxId === inbox.id);
    const incoming = () => conversations().flatMap((c) => sim.messages(ACCOUNT_ID, c.id)).filter((m) => m.messageType === 'incoming');
    const sent = () => graph.sent.filter((s) => s.phoneNumberId === phone.id).map((s) => s.body.text.body as string);

    const customers = ['5511910000001', '5511910000002', '5511910000003'];
    let n = 0;
    const round = async () => {
      for (const from of customers) {
        const body = webhookOf(phone, inbound.text(`${from.slice(-1)}:${n}`, { from, id: `wamid.DESK${from.slice(-1)}${String(n).padStart(3, '0')}` }));
        expect((await graph.postWebhook(`${api.url}/webhooks/whatsapp-cloud`, body)).status).toBe(200);
      }
      n += 1;
    };
    await round();
    await eventually(() => expect(incoming()).toHaveLength(customers.length), 30_000, 100);

    // Ten seconds of 500s from every Chatwoot route, while customers write and agents answer
    // (Chatwoot's webhooks shuffled): messages and statuses wait, replies go out.
    sim.webhookMode = 'shuffle';
    sim.failNext({ status: 500, body: { status: 500, error: 'Internal Server Error' }, times: Infinity });
    const failingUntil = Date.now() + 10_000;
    for (const c of conversations()) sim.agentReply(ACCOUNT_ID, c.id, { content: `first answer in ${c.id}` });
    while (Date.now() < failingUntil) {
      await round();
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    sim.clearFailures();
    // Then every webhook twice.
    sim.webhookMode = 'duplicate';
    for (const c of conversations()) sim.agentReply(ACCOUNT_ID, c.id, { content: `second answer in ${c.id}` });
    for (let i = 0; i < 3; i += 1) await round();
    await sim.webhooksSettled();

    await eventually(() => expect(incoming()).toHaveLength(n * customers.length), 60_000, 200);
    await eventually(() => expect(sent()).toHaveLength(2 * customers.length), 60_000, 200);
    const messages = incoming();
    expect(new Set(messages.map((m) => m.sourceId)).size).toBe(messages.length);
    for (const from of customers) {
      const contents = messages.filter((m) => m.content?.startsWith(`${from.slice(-1)}:`)).map((m) => Number(m.content!.split(':')[1]));
      expect(contents).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    expect(conversations()).toHaveLength(customers.length);
    expect(sent().sort()).toEqual(conversations().flatMap((c) => [`first answer in ${c.id}`, `second answer in ${c.id}`]).sort());
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sent()).toHaveLength(2 * customers.length);
    expect(incoming()).toHaveLength(n * customers.length);
    sim.webhookMode = 'normal';
  }, 180_000);
});
