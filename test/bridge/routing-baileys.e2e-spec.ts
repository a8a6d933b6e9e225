import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ChatwootSimulator, type SimUser } from '../fakes/chatwoot-simulator.js';
import { fixture } from '../fixtures/baileys/messages.js';
import { factory } from '../fixtures/baileys/socket-module.js';
import { eventually } from '../support/chatwoot.js';
import { createInstance, type TestAccount } from '../support/factories.js';
import { startRouting, type RoutingSetup } from '../support/routing.js';
import type { TestApp } from '../support/test-app.js';

const ACCOUNT_ID = 4;

/**
 * SPEC-MESSAGING §11 with a Baileys instance (a fake connection at the adapter's port): what only
 * WhatsApp Web reports, messages sent from the phone itself, and the connection's state.
 */
describe('routing a Baileys instance (SPEC-MESSAGING §11)', () => {
  let sim: ChatwootSimulator;
  let t: TestApp;
  let account: TestAccount;
  let admin: SimUser;
  let setup: RoutingSetup;

  beforeAll(async () => {
    setup = await startRouting(ACCOUNT_ID, { BAILEYS_SOCKET_MODULE: join(process.cwd(), 'test/fixtures/baileys/socket-module.ts') });
    ({ t, sim, admin, account } = setup);
  });
  afterAll(() => setup.close());

  /** A new instance paired and connected (the QR scan, then the restart WhatsApp asks for), and its integration routing into `inboxName`. */
  async function routedBaileys(inboxName: string) {
    const inst = await createInstance(t, account);
    const before = factory.sockets.length;
    const connecting = t.req('GET', `/api/instance/connect/${inst.name}`, { token: account.token });
    await eventually(() => expect(factory.sockets.length).toBe(before + 1));
    factory.last.qr('2@ref');
    expect((await connecting).status).toBe(200);
    const first = factory.last;
    first.paired();
    await eventually(async () => {
      const [row] = await t.app.get(DataSource).query(`SELECT s.linked FROM whatsapp_sessions s JOIN instances i ON i.id = s.instance_id WHERE i.name = $1`, [inst.name]);
      expect(row?.linked).toBe(true);
    });
    first.close(515, 'Stream Errored (restart required)');
    await eventually(() => expect(factory.last).not.toBe(first));
    factory.last.open();
    const set = await t.req('POST', `/api/chatwoot/set/${inst.name}`, {
      token: account.token, json: { chatwootBaseUrl: sim.url, chatwootAccountId: ACCOUNT_ID, chatwootApiToken: admin.token, inboxName },
    });
    expect(set.status).toBe(201);
    return { inst, before, inbox: sim.inboxes(ACCOUNT_ID).find((i) => i.name === inboxName)! };
  }

  const status = async (name: string) => (await t.req('GET', `/api/chatwoot/list/${name}`, { token: account.token })).body as { status: string; last_error: string };

  it("a message sent from the phone is posted as outgoing and never sent back; the integration is paused while WhatsApp is not connected", async () => {
    const { inst, before, inbox } = await routedBaileys('WA baileys');
    const messages = () => sim.conversations(ACCOUNT_ID).filter((c) => c.inboxId === inbox.id).flatMap((c) => sim.messages(ACCOUNT_ID, c.id)).filter((m) => m.messageType !== 'activity');

    factory.last.ev.emit('messages.upsert', { messages: [fixture('text'), fixture('fromMe')], type: 'notify' });
    await eventually(() => expect(messages().map((m) => [m.messageType, m.content, m.sourceId])).toEqual([
      ['incoming', 'hello', 'WAID:3EB0TEXT0001'],
      ['outgoing', 'sent from my phone', 'WAID:3EB0MINE0001'],
    ]));
    // Its message_created webhook (outgoing, from the bridge) is not a reply to send.
    await sim.webhooksSettled();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(factory.last.sent).toEqual([]);

    // The connection drops: paused; back: active.
    factory.last.close(428, 'Connection Closed');
    await eventually(async () => expect((await status(inst.name)).status).toBe('paused'));
    await eventually(() => expect(factory.sockets.length).toBeGreaterThan(before + 2), 10_000);
    factory.last.open();
    await eventually(async () => expect((await status(inst.name)).status).toBe('active'));
  });

  it('an agent deleting a sent reply revokes it on WhatsApp, once; one deleted before it could be sent is never sent', async () => {
    const { inst, inbox } = await routedBaileys('WA revokes');
    factory.last.ev.emit('messages.upsert', { messages: [fixture('text')], type: 'notify' });
    await eventually(() => expect(sim.conversations(ACCOUNT_ID).filter((c) => c.inboxId === inbox.id)).toHaveLength(1));
    const conversation = sim.conversations(ACCOUNT_ID).find((c) => c.inboxId === inbox.id)!;
    const socket = factory.last;

    const reply = sim.agentReply(ACCOUNT_ID, conversation.id, { content: 'wrong answer' });
    await eventually(() => expect(socket.sent.map((x) => x.content)).toEqual([{ text: 'wrong answer', linkPreview: null }]));
    const [{ wa_message_id: waId }] = await t.app.get(DataSource).query(
      `SELECT "wa_message_id" FROM "bridge_outbound_messages" WHERE "chatwoot_message_id" = $1`, [reply.id],
    );
    sim.agentDelete(ACCOUNT_ID, conversation.id, reply.id);
    await eventually(() => expect(socket.sent.map((x) => x.content)).toEqual([
      { text: 'wrong answer', linkPreview: null },
      { delete: { remoteJid: '5511888888888@s.whatsapp.net', fromMe: true, id: waId } },
    ]));
    // WhatsApp's echo of the revoke deletes nothing more in Chatwoot, and no webhook revokes twice.
    await sim.webhooksSettled();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(socket.sent).toHaveLength(2);
    expect(sim.message(reply.id)?.contentAttributes).toEqual({ deleted: true });
    expect(sim.requestsMatching('DELETE', /\/messages\/\d+$/)).toEqual([]);

    // WhatsApp drops; the agent answers and deletes the answer before the connection is back.
    socket.close(428, 'Connection Closed');
    await eventually(async () => expect((await status(inst.name)).status).toBe('paused'));
    const unsent = sim.agentReply(ACCOUNT_ID, conversation.id, { content: 'never mind' });
    await sim.webhooksSettled();
    sim.agentDelete(ACCOUNT_ID, conversation.id, unsent.id);
    await sim.webhooksSettled();
    await eventually(async () => {
      const [row] = await t.app.get(DataSource).query(`SELECT "status", "revoke" FROM "bridge_outbound_messages" WHERE "chatwoot_message_id" = $1`, [unsent.id]);
      expect(row).toEqual({ status: 'deleted', revoke: 'done' });
    }, 15_000);
    await eventually(() => expect(factory.last).not.toBe(socket), 10_000);
    factory.last.open();
    await eventually(async () => expect((await status(inst.name)).status).toBe('active'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(factory.last.sent).toEqual([]);
  });
});
