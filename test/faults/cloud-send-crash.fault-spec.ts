import { FakeBridge } from '../fakes/fake-bridge.js';
import { GraphApiDouble } from '../fakes/graph-api.js';
import { cloudFields } from '../support/factories.js';
import { createTenant, newEncryptionKey, startFaultServer, timed, within, type Tenant } from '../support/faults.js';
import { request } from '../support/http.js';
import { PrivatePostgres } from '../support/private-postgres.js';
import { buildServer, exitWithin, type ServerProcess } from '../support/server-process.js';

/**
 * SPEC-MESSAGING §9 Idempotency-Key across a crash: an API process is SIGKILLed while it calls
 * Meta for a keyed send, and the caller (the bridge, in production) repeats the request on
 * another process. Meta's status webhook, which carries the key (`biz_opaque_callback_data`),
 * settles it: the message Meta accepted is answered and stored without a second send; one Meta
 * never got is sent once, after CLOUD_SEND_SETTLE_SECONDS (3 here) without a status.
 */
describe('a keyed Cloud API send whose process dies while Meta is called (real server processes)', () => {
  const fake = new FakeBridge();
  const encryptionKey = newEncryptionKey();
  let build: string;
  let pgsql: PrivatePostgres;
  let graph: GraphApiDouble;
  let survivor: ServerProcess;
  const doomed: ServerProcess[] = [];
  let tenant: Tenant;
  let name: string;

  const env = () => ({ WHATSAPP_CLOUD_API_URL: graph.url, CLOUD_SEND_SETTLE_SECONDS: '3' });
  const send = (server: ServerProcess, text: string, key: string, boundMs = 60_000) =>
    timed(server.url, 'POST', `/api/message/text/${name}`, { token: tenant.token, json: { number: '16505551234', message: text }, headers: { 'idempotency-key': key }, boundMs });
  const sendsOf = (text: string) => graph.sent.filter((s) => s.body.text?.body === text);
  const keyRow = async (key: string) =>
    (await pgsql.query<{ state: string; sending: boolean; accepted: unknown }>(`SELECT state, sending, accepted FROM idempotency_keys WHERE key = $1`, [key]))[0];

  /** A process that takes the keyed send and is SIGKILLed while Meta is being called. */
  async function killedWhileCalling(text: string, key: string): Promise<void> {
    const victim = await startFaultServer({ build, pg: pgsql, fake, encryptionKey, env: env() });
    doomed.push(victim);
    const lost = send(victim, text, key).catch(() => undefined);
    await within(10_000, async () => expect((await keyRow(key))?.sending).toBe(true), 50);
    // The request is at Meta now (the double holds it open): the process dies there.
    await within(5_000, () => expect(graph.requestsTo('messages').filter((r) => (r.body as { text?: { body?: string } }).text?.body === text)).toHaveLength(1), 20);
    victim.process.kill('SIGKILL');
    await exitWithin(victim, 10_000);
    await lost;
  }

  beforeAll(async () => {
    [build, pgsql, graph] = await Promise.all([buildServer(), PrivatePostgres.create(), GraphApiDouble.start(), fake.start()]);
    survivor = await startFaultServer({ build, pg: pgsql, fake, encryptionKey, env: env() });
    tenant = await createTenant(survivor);
    const phone = graph.addPhoneNumber();
    name = `crash-${Date.now()}`;
    const created = await request(survivor.url, 'POST', '/api/instance/new', {
      token: tenant.token,
      json: { name, provider: 'cloud', ...cloudFields({ cloudPhoneNumberId: phone.id, cloudAccessToken: phone.token, cloudAppSecret: phone.appSecret }) },
    });
    expect(created.status).toBe(201);
    expect((await request(survivor.url, 'GET', `/api/instance/connect/${name}`, { token: tenant.token })).status).toBe(200);
    // Meta's statuses reach the process that lives.
    graph.reportStatusesTo(`${survivor.url}/webhooks/whatsapp-cloud`);
  }, 240_000);

  afterAll(async () => {
    await Promise.all([survivor, ...doomed].map((s) => s?.kill()));
    await fake.stop();
    await graph?.stop();
    await pgsql?.destroy();
  });

  it('Meta accepted it: the repeat on another process answers with the id Meta gave, stores the message, and sends nothing twice', async () => {
    graph.behave('messages', { kind: 'acceptThenHang' }, 1);
    await killedWhileCalling('accepted before the crash', 'k:accepted');
    const [first] = sendsOf('accepted before the crash');
    expect(first.body.biz_opaque_callback_data).toMatch(/^idempotency-key:[0-9a-f]{8}:k:accepted$/);
    // Meta's `sent` status, naming the key, reached the survivor while the key was pending.
    await within(10_000, async () => expect((await keyRow('k:accepted'))?.accepted).toMatchObject({ id: first.wamid, status: 'sent' }));

    const repeat = await send(survivor, 'accepted before the crash', 'k:accepted');
    expect([repeat.status, repeat.body.data.messageId]).toEqual([200, first.wamid]);
    // The dead process is noticed once its fleet membership lapses (10 s), not before.
    expect(repeat.elapsedMs).toBeLessThan(30_000);
    expect(sendsOf('accepted before the crash')).toHaveLength(1);
    const stored = await pgsql.query<{ direction: string; status: string }>(`SELECT direction, status FROM messages WHERE provider_message_id = $1`, [first.wamid]);
    expect(stored).toEqual([{ direction: 'outgoing', status: 'sent' }]);
    expect((await send(survivor, 'accepted before the crash', 'k:accepted')).body).toEqual(repeat.body);
  }, 120_000);

  it('Meta never got it: the repeat waits for a status, then sends it once', async () => {
    graph.behave('messages', { kind: 'hang' }, 1);
    await killedWhileCalling('lost in the crash', 'k:lost');
    expect(sendsOf('lost in the crash')).toHaveLength(0);

    const repeat = await send(survivor, 'lost in the crash', 'k:lost');
    expect(repeat.status).toBe(200);
    const sends = sendsOf('lost in the crash');
    expect(sends.map((s) => [s.wamid, s.body.biz_opaque_callback_data])).toEqual([[repeat.body.data.messageId, expect.stringMatching(/^idempotency-key:[0-9a-f]{8}:k:lost$/)]]);
    expect((await send(survivor, 'lost in the crash', 'k:lost')).body).toEqual(repeat.body);
    expect(sendsOf('lost in the crash')).toHaveLength(1);
  }, 120_000);
});
