import { DataSource } from 'typeorm';
import { RoutingService } from '../../src/bridge/routing/routing.service.js';
import { EventLog } from '../../src/events/event-log.js';
import { ChatwootSimulator, type SimUser } from '../fakes/chatwoot-simulator.js';
import { GraphApiDouble, inbound, statuses, webhookOf, type PhoneNumber } from '../fakes/graph-api.js';
import { eventually } from '../support/chatwoot.js';
import { cloudFields, createInstance, type TestAccount } from '../support/factories.js';
import { startRouting, type RoutingSetup } from '../support/routing.js';
import type { TestApp } from '../support/test-app.js';

const ACCOUNT_ID = 3;

/**
 * SPEC-MESSAGING §11 end to end in the embedded default: the Graph API double as WhatsApp, the
 * server's API and bridge in one process, the Chatwoot double as Chatwoot, all over loopback.
 */
describe('routing WhatsApp ↔ Chatwoot (SPEC-MESSAGING §11)', () => {
  let sim: ChatwootSimulator;
  let graph: GraphApiDouble;
  let t: TestApp;
  let account: TestAccount;
  let admin: SimUser;
  let setup: RoutingSetup;

  beforeAll(async () => {
    graph = await GraphApiDouble.start();
    setup = await startRouting(ACCOUNT_ID, { WHATSAPP_CLOUD_API_URL: graph.url });
    ({ t, sim, admin, account } = setup);
  });
  afterAll(async () => {
    await setup.close();
    await graph.stop();
  });

  /** A Cloud instance on a new phone number of the Graph double, connected unless said otherwise. */
  async function cloudInstance(o: { connect?: boolean } = {}) {
    const phone = graph.addPhoneNumber();
    const inst = await createInstance(t, account, {
      provider: 'cloud', ...cloudFields({ cloudPhoneNumberId: phone.id, cloudAccessToken: phone.token, cloudAppSecret: phone.appSecret }),
    });
    if (o.connect !== false) expect((await t.req('GET', `/api/instance/connect/${inst.name}`, { token: account.token })).status).toBe(200);
    return { inst, phone };
  }

  /** Activates the integration of `inst` in the inbox `WA <name>` (created, or reused by name). */
  async function activate(inst: { name: string }, settings: Record<string, unknown> = {}) {
    const set = await t.req('POST', `/api/chatwoot/set/${inst.name}`, {
      token: account.token,
      json: { chatwootBaseUrl: sim.url, chatwootAccountId: ACCOUNT_ID, chatwootApiToken: admin.token, inboxName: `WA ${inst.name}`, ...settings },
    });
    expect(set.status).toBe(201);
    return sim.inboxes(ACCOUNT_ID).find((i) => i.name === `WA ${inst.name}`)!;
  }

  /** A connected Cloud instance with an active integration in its own inbox. */
  async function routed(settings: Record<string, unknown> = {}) {
    const { inst, phone } = await cloudInstance();
    const inbox = await activate(inst, settings);
    return { inst, phone, inbox };
  }

  const integrationRow = async (inboxId: number) => {
    const [row] = await t.app.get(DataSource).query(
      `SELECT "id", "status", "last_error", "stream_seq"::int AS "stream_seq" FROM "bridge_integrations" WHERE "inbox_id" = $1`,
      [inboxId],
    );
    return row as { id: string; status: string; last_error: string; stream_seq: number };
  };

  const customer = (phone: PhoneNumber, text: string, o: { from?: string; id?: string; name?: string } = {}) =>
    graph.postWebhook(`${t.url}/webhooks/whatsapp-cloud`, webhookOf(phone, inbound.text(text, { from: o.from ?? '5511988887777', name: o.name ?? 'Maria', ...(o.id ? { id: o.id } : {}) })));
  const post = (phone: PhoneNumber, ...items: Parameters<typeof webhookOf>[1][]) =>
    graph.postWebhook(`${t.url}/webhooks/whatsapp-cloud`, webhookOf(phone, ...items));
  const conversationsOf = (inboxId: number) => sim.conversations(ACCOUNT_ID).filter((c) => c.inboxId === inboxId);
  const messagesOf = (inboxId: number) =>
    conversationsOf(inboxId).flatMap((c) => sim.messages(ACCOUNT_ID, c.id)).filter((m) => m.messageType !== 'activity');

  it("a customer's messages: one contact (identifier = the JID), one contact inbox (source_id = the JID), one conversation, each message once with source_id WAID:<id>, in order", async () => {
    const { phone, inbox } = await routed();
    for (const text of ['first', 'second', 'third']) expect((await customer(phone, text)).status).toBe(200);
    await eventually(() => expect(messagesOf(inbox.id).map((m) => m.content)).toEqual(['first', 'second', 'third']));

    const contacts = sim.contacts(ACCOUNT_ID).filter((c) => c.identifier === '5511988887777@s.whatsapp.net');
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ name: 'Maria', phoneNumber: '+5511988887777' });
    expect(sim.contactInboxes(ACCOUNT_ID).filter((ci) => ci.inboxId === inbox.id).map((ci) => ci.sourceId)).toEqual(['5511988887777@s.whatsapp.net']);
    expect(conversationsOf(inbox.id)).toHaveLength(1);
    expect(conversationsOf(inbox.id)[0].status).toBe('open');
    const msgs = messagesOf(inbox.id);
    expect(msgs.every((m) => m.messageType === 'incoming' && /^WAID:wamid\./.test(m.sourceId ?? ''))).toBe(true);
    expect(new Set(msgs.map((m) => m.sourceId)).size).toBe(3);
  });

  it('Meta redelivering a webhook, and the bridge restarting its routing, post nothing twice', async () => {
    const { phone, inbox } = await routed();
    const id = 'wamid.HBgNNTUxMTk4ODg4Nzc3NxUCABIYFDNBREVMSVZFUkVEVFdJQ0UA';
    await customer(phone, 'once', { id });
    await customer(phone, 'once', { id });
    await eventually(() => expect(messagesOf(inbox.id).map((m) => m.content)).toEqual(['once']));
    // A router that starts again from the first event (a lost cursor) finds every message linked.
    const ds = t.app.get(DataSource);
    const [{ id: integrationId }] = await ds.query(`SELECT "id" FROM "bridge_integrations" WHERE "inbox_id" = $1`, [inbox.id]);
    await ds.query(`UPDATE "bridge_integrations" SET "stream_seq" = 0 WHERE "id" = $1`, [integrationId]);
    t.app.get(RoutingService).restart(integrationId);
    await customer(phone, 'after');
    await eventually(async () => {
      const [{ done, last }] = await ds.query(
        `SELECT b."stream_seq"::int AS done, i."last_event_seq"::int AS last FROM "bridge_integrations" b JOIN "instances" i ON i."name" = b."instance" WHERE b."id" = $1`,
        [integrationId],
      );
      expect(done).toBe(last);
    });
    expect(messagesOf(inbox.id).map((m) => m.content)).toEqual(['once', 'after']);
  });

  it('a new integration routes what comes after its activation, not the kept history; deleted and activated again, it posts nothing twice', async () => {
    const { inst, phone } = await cloudInstance();
    const from = '5511944443333';
    expect((await customer(phone, 'before the integration', { from })).status).toBe(200);
    const inbox = await activate(inst);
    await customer(phone, 'after', { from });
    await eventually(() => expect(messagesOf(inbox.id).map((m) => m.content)).toEqual(['after']));

    expect((await t.req('DELETE', `/api/chatwoot/delete/${inst.name}`, { token: account.token })).status).toBe(200);
    await customer(phone, 'while deactivated', { from });
    expect((await activate(inst)).id).toBe(inbox.id); // the same inbox, found by its name
    await customer(phone, 'again', { from });
    await eventually(() => expect(messagesOf(inbox.id).map((m) => m.content)).toEqual(['after', 'again']));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(messagesOf(inbox.id)).toHaveLength(2);
  });

  it('an integration whose next events the API already pruned: resumes from the oldest kept one and says what was lost', async () => {
    const { inst, phone, inbox } = await routed();
    const from = '5511933332222';
    await customer(phone, 'routed', { from });
    await eventually(() => expect(messagesOf(inbox.id)).toHaveLength(1));
    // The bridge was away: its cursor is behind, and the API pruned what came after it.
    const { id } = await integrationRow(inbox.id);
    await t.app.get(RoutingService).stop(id);
    await customer(phone, 'lost while away', { from });
    const ds = t.app.get(DataSource);
    await ds.query(`UPDATE "bridge_integrations" SET "stream_seq" = 0 WHERE "id" = $1`, [id]);
    await t.app.get(EventLog).prune(new Date(Date.now() + 200 * 3_600_000));
    const [{ pruned }] = await ds.query(`SELECT "pruned_through_seq"::int AS pruned FROM "instances" WHERE "name" = $1`, [inst.name]);
    t.app.get(RoutingService).restart(id);
    await customer(phone, 'kept', { from });
    await eventually(() => expect(messagesOf(inbox.id).map((m) => m.content)).toEqual(['routed', 'kept']));
    // The position is stored once the event is done, just after the message is in Chatwoot.
    await eventually(async () => expect((await integrationRow(inbox.id)).stream_seq).toBeGreaterThan(pruned));
    const row = await integrationRow(inbox.id);
    expect(row.status).toBe('active');
    expect(row.last_error).toBe(`events 1–${pruned} of ${inst.name} were pruned by the API before they were routed`);
  });

  it('an integration activated on an instance that is not connected reports paused at once, and active once it connects', async () => {
    const { inst } = await cloudInstance({ connect: false });
    const inbox = await activate(inst);
    const status = async () => (await t.req('GET', `/api/chatwoot/list/${inst.name}`, { token: account.token })).body.status;
    await eventually(async () => expect(await status()).toBe('paused'));
    expect((await t.req('GET', `/api/instance/connect/${inst.name}`, { token: account.token })).status).toBe(200);
    await eventually(async () => expect(await status()).toBe('active'));
    expect((await integrationRow(inbox.id)).status).toBe('active');
  });

  it('a conversation resolved by an agent: reopened with reopenResolved, a new one without', async () => {
    const reopen = await routed({ reopenResolved: true });
    await customer(reopen.phone, 'hello', { from: '5511977776666' });
    await eventually(() => expect(messagesOf(reopen.inbox.id).map((m) => m.content)).toEqual(['hello']));
    sim.setConversationStatus(ACCOUNT_ID, conversationsOf(reopen.inbox.id)[0].id, 'resolved');
    await sim.webhooksSettled();
    await customer(reopen.phone, 'back again', { from: '5511977776666' });
    await eventually(() => expect(messagesOf(reopen.inbox.id).map((m) => m.content)).toEqual(['hello', 'back again']));
    expect(conversationsOf(reopen.inbox.id)).toHaveLength(1);
    expect(conversationsOf(reopen.inbox.id)[0].status).toBe('open');

    const fresh = await routed({ reopenResolved: false, startAsPending: true });
    await customer(fresh.phone, 'hello', { from: '5511966665555' });
    await eventually(() => expect(messagesOf(fresh.inbox.id).map((m) => m.content)).toEqual(['hello']));
    expect(conversationsOf(fresh.inbox.id)[0].status).toBe('pending');
    sim.setConversationStatus(ACCOUNT_ID, conversationsOf(fresh.inbox.id)[0].id, 'resolved');
    await sim.webhooksSettled();
    await customer(fresh.phone, 'new topic', { from: '5511966665555' });
    await eventually(() => expect(messagesOf(fresh.inbox.id).map((m) => m.content)).toEqual(['hello', 'new topic']));
    const [first, second] = conversationsOf(fresh.inbox.id).sort((a, b) => a.id - b.id);
    expect(first.status).toBe('resolved');
    expect(second.status).toBe('pending');
    expect(sim.messages(ACCOUNT_ID, second.id).map((m) => m.content)).toEqual(['new topic']);
    // Still one contact inbox: the conversation was created with its source_id.
    expect(sim.contactInboxes(ACCOUNT_ID).filter((ci) => ci.inboxId === fresh.inbox.id)).toHaveLength(1);
  });

  it("an agent's reply reaches WhatsApp once, signed and converted; its statuses come back to Chatwoot; the bridge's echo is not posted", async () => {
    const { phone, inbox } = await routed({ signMessages: true });
    await customer(phone, 'preciso de ajuda', { from: '5511955554444' });
    await eventually(() => expect(messagesOf(inbox.id)).toHaveLength(1));
    const conversation = conversationsOf(inbox.id)[0];

    const reply = sim.agentReply(ACCOUNT_ID, conversation.id, { content: 'Claro, **Maria**! Um _momento_.' });
    await eventually(() => expect(graph.sent.filter((s) => s.phoneNumberId === phone.id)).toHaveLength(1));
    const sent = graph.sent.find((s) => s.phoneNumberId === phone.id)!;
    expect(sent.to.replace(/^\+/, '')).toBe('5511955554444');
    expect(sent.body.text.body).toBe('*Ana:*\nClaro, *Maria*! Um _momento_.');

    // The send's own message.exchange event is not posted back; the Chatwoot message keeps its id.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(messagesOf(inbox.id).map((m) => [m.messageType, m.content])).toEqual([
      ['incoming', 'preciso de ajuda'],
      ['outgoing', 'Claro, **Maria**! Um _momento_.'],
    ]);

    await graph.postWebhook(`${t.url}/webhooks/whatsapp-cloud`, webhookOf(phone, statuses.delivered(sent.wamid, { recipient: '5511955554444' })));
    await eventually(() => expect(sim.message(reply.id)?.status).toBe('delivered'));
    await graph.postWebhook(`${t.url}/webhooks/whatsapp-cloud`, webhookOf(phone, statuses.read(sent.wamid, { recipient: '5511955554444' })));
    await eventually(() => expect(sim.message(reply.id)?.status).toBe('read'));

    // Webhooks delivered out of order: the replies still go in the agents' order.
    sim.webhookMode = 'shuffle';
    for (const content of ['um', 'dois', 'três', 'quatro']) sim.agentReply(ACCOUNT_ID, conversation.id, { content });
    await sim.webhooksSettled();
    sim.webhookMode = 'normal';
    await eventually(() => expect(graph.sent.filter((s) => s.phoneNumberId === phone.id)).toHaveLength(5));
    expect(graph.sent.filter((s) => s.phoneNumberId === phone.id).slice(1).map((s) => s.body.text.body)).toEqual(['*Ana:*\num', '*Ana:*\ndois', '*Ana:*\ntrês', '*Ana:*\nquatro']);

    // Chatwoot delivering the same event twice sends nothing twice.
    sim.webhookMode = 'duplicate';
    sim.agentReply(ACCOUNT_ID, conversation.id, { content: 'mais uma' });
    await sim.webhooksSettled();
    sim.webhookMode = 'normal';
    await eventually(() => expect(graph.sent.filter((s) => s.phoneNumberId === phone.id)).toHaveLength(6));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(graph.sent.filter((s) => s.phoneNumberId === phone.id)).toHaveLength(6);
  });

  it("a reply WhatsApp refuses: the Chatwoot message is failed with the reason, last_error says so, and the agent's Retry sends it", async () => {
    const { inst, phone, inbox } = await routed();
    await customer(phone, 'oi', { from: '5511944443333' });
    await eventually(() => expect(messagesOf(inbox.id)).toHaveLength(1));
    graph.behave('messages', { kind: 'error', error: { code: 131047 } }, 1);
    const reply = sim.agentReply(ACCOUNT_ID, conversationsOf(inbox.id)[0].id, { content: 'late answer' });
    await eventually(() => expect(sim.message(reply.id)?.status).toBe('failed'));
    const error = 'WhatsApp rejected the message — the 24-hour customer service window is closed (send a template).';
    expect(String(sim.message(reply.id)?.contentAttributes.external_error)).toContain(error);
    const status = await t.req('GET', `/api/chatwoot/list/${inst.name}`, { token: account.token });
    expect(status.body.last_error).toContain(error);
    expect(graph.sent.filter((s) => s.phoneNumberId === phone.id)).toHaveLength(0);

    // The agent presses Retry: sent once more, as a new attempt; a successful send clears last_error.
    sim.agentRetry(ACCOUNT_ID, conversationsOf(inbox.id)[0].id, reply.id);
    await eventually(() => expect(graph.sent.filter((s) => s.phoneNumberId === phone.id).map((s) => s.body.text.body)).toEqual(['late answer']));
    await eventually(async () => expect((await t.req('GET', `/api/chatwoot/list/${inst.name}`, { token: account.token })).body.last_error).toBe(''));

    // A Retry whose event does not show the message (the customer wrote since): Chatwoot is asked.
    graph.behave('messages', { kind: 'error', error: { code: 131047 } }, 1);
    const second = sim.agentReply(ACCOUNT_ID, conversationsOf(inbox.id)[0].id, { content: 'second late answer' });
    await eventually(() => expect(sim.message(second.id)?.status).toBe('failed'));
    await customer(phone, 'still there?', { from: '5511944443333' });
    await eventually(() => expect(messagesOf(inbox.id).at(-1)?.content).toBe('still there?'));
    sim.agentRetry(ACCOUNT_ID, conversationsOf(inbox.id)[0].id, second.id);
    await eventually(() => expect(graph.sent.filter((s) => s.phoneNumberId === phone.id).map((s) => s.body.text.body)).toEqual(['late answer', 'second late answer']));
  });

  it('an agent deleting a sent reply on a Cloud API instance: not revoked (Meta cannot), and last_error says so; a refused reply deleted needs nothing', async () => {
    const { inst, phone, inbox } = await routed();
    await customer(phone, 'oi', { from: '5511944442222' });
    await eventually(() => expect(messagesOf(inbox.id)).toHaveLength(1));
    const conversationId = conversationsOf(inbox.id)[0].id;
    const reply = sim.agentReply(ACCOUNT_ID, conversationId, { content: 'oops' });
    await eventually(() => expect(graph.sent.filter((s) => s.phoneNumberId === phone.id)).toHaveLength(1));
    sim.agentDelete(ACCOUNT_ID, conversationId, reply.id);
    const expected = `reply ${reply.id} deleted in Chatwoot but not revoked on WhatsApp: The WhatsApp Cloud API cannot revoke a sent message`;
    await eventually(async () => expect((await t.req('GET', `/api/chatwoot/list/${inst.name}`, { token: account.token })).body.last_error).toBe(expected));
    const ds = t.app.get(DataSource);
    expect(await ds.query(`SELECT "status", "revoke" FROM "bridge_outbound_messages" WHERE "chatwoot_message_id" = $1`, [reply.id])).toEqual([{ status: 'sent', revoke: 'failed' }]);
    expect(graph.sent.filter((s) => s.phoneNumberId === phone.id)).toHaveLength(1);

    graph.behave('messages', { kind: 'error', error: { code: 131047 } }, 1);
    const refused = sim.agentReply(ACCOUNT_ID, conversationId, { content: 'too late' });
    await eventually(() => expect(sim.message(refused.id)?.status).toBe('failed'));
    sim.agentDelete(ACCOUNT_ID, conversationId, refused.id);
    await sim.webhooksSettled();
    await eventually(async () => expect(await ds.query(`SELECT "status", "revoke" FROM "bridge_outbound_messages" WHERE "chatwoot_message_id" = $1`, [refused.id])).toEqual([{ status: 'failed', revoke: 'done' }]));
    expect(graph.sent.filter((s) => s.phoneNumberId === phone.id)).toHaveLength(1);
  });

  it("the agent's Retry of a reply the bridge never received (down when Chatwoot sent it): recorded then, and sent once", async () => {
    const { phone, inbox } = await routed();
    await customer(phone, 'oi', { from: '5511944441111' });
    await eventually(() => expect(messagesOf(inbox.id)).toHaveLength(1));
    const conversationId = conversationsOf(inbox.id)[0].id;
    // The bridge unreachable: Chatwoot's delivery fails, and Chatwoot marks the reply failed (CONTRACT §14).
    sim.routeWebhooks('http://bridge.test', 'http://127.0.0.1:9');
    const reply = sim.agentReply(ACCOUNT_ID, conversationId, { content: 'while you were away' });
    await sim.webhooksSettled();
    expect(sim.message(reply.id)?.status).toBe('failed');
    sim.routeWebhooks('http://bridge.test', t.url);
    sim.agentRetry(ACCOUNT_ID, conversationId, reply.id);
    await sim.webhooksSettled();
    await eventually(() => expect(graph.sent.filter((s) => s.phoneNumberId === phone.id).map((s) => s.body.text.body)).toEqual(['while you were away']));
    // Retried twice more: sent once all the same.
    sim.agentRetry(ACCOUNT_ID, conversationId, reply.id);
    await sim.webhooksSettled();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(graph.sent.filter((s) => s.phoneNumberId === phone.id)).toHaveLength(1);
  });

  it("a reply with two attachments: two media messages, the text as the first one's caption; a later part refused: the agent's Retry sends only what was not sent, and no part comes back as a message", async () => {
    const { phone, inbox } = await routed();
    await customer(phone, 'oi', { from: '5511944440000' });
    await eventually(() => expect(messagesOf(inbox.id)).toHaveLength(1));
    const conversationId = conversationsOf(inbox.id)[0].id;
    const sentMedia = () => graph.sent.filter((s) => s.phoneNumberId === phone.id).map((s) => [s.body.type, s.body[s.body.type]?.caption ?? null]);
    const files = [
      { fileName: 'photo.jpg', contentType: 'image/jpeg', data: Buffer.concat([Buffer.from('ffd8ffe000104a464946', 'hex'), Buffer.alloc(64, 7)]) },
      { fileName: 'terms.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 terms') },
    ];
    sim.agentReply(ACCOUNT_ID, conversationId, { content: 'here you are', attachments: files });
    await eventually(() => expect(sentMedia()).toEqual([['image', 'here you are'], ['document', null]]));

    // The second part refused (the 24-hour window): the reply is failed, the first part stays sent.
    graph.behave('messages', { kind: 'delay', ms: 0 }, 1); // the first part goes through
    graph.behave('messages', { kind: 'error', error: { code: 131047 } }, 1);
    const reply = sim.agentReply(ACCOUNT_ID, conversationId, { content: 'and these', attachments: files });
    await eventually(() => expect(sim.message(reply.id)?.status).toBe('failed'));
    expect(sentMedia()).toHaveLength(3);
    sim.agentRetry(ACCOUNT_ID, conversationId, reply.id);
    await eventually(() => expect(sentMedia()).toEqual([['image', 'here you are'], ['document', null], ['image', 'and these'], ['document', null]]));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sentMedia()).toHaveLength(4);
    // Nothing the bridge sent came back into Chatwoot as a message from the phone.
    expect(messagesOf(inbox.id).filter((m) => m.messageType === 'outgoing' && m.sourceId?.startsWith('WAID:'))).toEqual([]);
  });

  it('media as an attachment with its caption; a location as text; a reaction and an edit as replies; a revoke deletes', async () => {
    const { phone, inbox } = await routed();
    const jpeg = Buffer.concat([Buffer.from('ffd8ffe000104a464946', 'hex'), Buffer.alloc(64, 7)]);
    const media = graph.addMedia(phone.id, jpeg, 'image/jpeg');
    const from = '5511933332222';
    await post(phone, inbound.image({ mediaId: media.id, mimeType: 'image/jpeg', caption: 'the receipt', from, id: 'wamid.IMG1' }));
    await post(phone, inbound.location({ latitude: -23.55, longitude: -46.63, name: 'Loja' }, { from, id: 'wamid.LOC1' }));
    await post(phone, inbound.reaction('wamid.IMG1', '👍', { from, id: 'wamid.REACT1' }));
    await post(phone, inbound.text('typo', { from, id: 'wamid.TXT1' }));
    await post(phone, inbound.edit('wamid.TXT1', 'fixed', { from, id: 'wamid.EDIT1' }));
    await eventually(() => expect(messagesOf(inbox.id)).toHaveLength(5));
    const [image, location, reaction, text, edit] = messagesOf(inbox.id);
    expect(image.content).toBe('the receipt');
    expect(image.attachments.map((a) => [a.fileType, a.data.equals(jpeg)])).toEqual([['image', true]]);
    expect(location.content).toBe('📍 -23.55,-46.63 (Loja)\nhttps://www.google.com/maps?q=-23.55,-46.63');
    expect([reaction.content, reaction.contentAttributes.in_reply_to]).toEqual(['👍', image.id]);
    expect([edit.content, edit.contentAttributes.in_reply_to]).toEqual(['✏️ fixed', text.id]);

    await post(phone, inbound.revoke('wamid.TXT1', { from, id: 'wamid.REVOKE1' }));
    await eventually(() => expect(sim.message(text.id)?.contentAttributes).toEqual({ deleted: true }));
  });

  it('groups: one contact "<subject> (GROUP)" and a sender header; with ignoreGroups nothing reaches Chatwoot', async () => {
    const { phone, inbox } = await routed();
    await post(phone, inbound.text('bom dia', { from: '5511922221111', name: 'Carla', groupId: '120363025246125486' }));
    await eventually(() => expect(messagesOf(inbox.id).map((m) => m.content)).toEqual(['**Carla (+5511922221111):**\nbom dia']));
    const contact = sim.contacts(ACCOUNT_ID).find((c) => c.id === conversationsOf(inbox.id)[0].contactId)!;
    expect(contact.identifier).toMatch(/@g\.us$/);
    expect(contact.name).toMatch(/ \(GROUP\)$/);

    const ignoring = await routed({ ignoreGroups: true });
    await post(ignoring.phone, inbound.text('bom dia', { from: '5511922221111', name: 'Carla', groupId: '120363025246125487' }));
    await post(ignoring.phone, inbound.text('direct', { from: '5511922221111', name: 'Carla' }));
    await eventually(() => expect(messagesOf(ignoring.inbox.id).map((m) => m.content)).toEqual(['direct']));
  });

  it('Chatwoot failing (500s, then a post that succeeded but answered 500): messages wait, then arrive once each, in order', async () => {
    const { phone, inbox } = await routed();
    const from = '5511911110000';
    await customer(phone, 'm0', { from });
    await eventually(() => expect(messagesOf(inbox.id)).toHaveLength(1));
    sim.failNext({ status: 500, body: { status: 500, error: 'Internal Server Error' }, method: 'POST', path: /\/messages$/, times: 3 });
    for (const text of ['m1', 'm2', 'm3']) await customer(phone, text, { from });
    await eventually(() => expect(messagesOf(inbox.id).map((m) => m.content)).toEqual(['m0', 'm1', 'm2', 'm3']), 20_000);

    // Ambiguous: Chatwoot created the message, then the answer failed. The retry finds it.
    sim.failAfterCommit({ method: 'POST', path: /\/messages$/, reply: 'error500' });
    await customer(phone, 'm4', { from });
    await customer(phone, 'm5', { from });
    await eventually(() => expect(messagesOf(inbox.id).map((m) => m.content)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(messagesOf(inbox.id)).toHaveLength(6);
  });

  it("an event stream the API refuses (the callback token revoked): status error with the reason", async () => {
    const { inbox } = await routed();
    const ds = t.app.get(DataSource);
    const [{ id, external_id: instanceId }] = await ds.query(`SELECT "id", "external_id" FROM "bridge_integrations" WHERE "inbox_id" = $1`, [inbox.id]);
    // The API forgets the integration (and with it the callback token) behind the bridge's back.
    await ds.query(`DELETE FROM "chatwoot_integrations" WHERE "instance_id" = $1`, [instanceId]);
    t.app.get(RoutingService).restart(id);
    await eventually(async () => {
      const [row] = await ds.query(`SELECT "status", "last_error" FROM "bridge_integrations" WHERE "id" = $1`, [id]);
      expect(row).toEqual({ status: 'error', last_error: expect.stringMatching(/^the API refused the event stream of .+ \(HTTP 401\)$/) });
    }, 20_000); // three refusals in a row, 1 s and 2 s apart
  });

  it('a 404 from Chatwoot (the conversation deleted there): the chat is looked up again and the message arrives once', async () => {
    const { phone, inbox } = await routed();
    const from = '5511900009999';
    await customer(phone, 'first', { from });
    await eventually(() => expect(messagesOf(inbox.id)).toHaveLength(1));
    const lookups = () => sim.requestsMatching('POST', /\/contacts\/filter$/).length;
    const before = lookups();
    sim.failNext({ status: 404, body: { error: 'Resource could not be found' }, method: 'POST', path: /\/messages$/ });
    await customer(phone, 'second', { from });
    await eventually(() => expect(messagesOf(inbox.id).map((m) => m.content)).toEqual(['first', 'second']), 10_000);
    expect(lookups()).toBeGreaterThan(before);
    expect(sim.contactInboxes(ACCOUNT_ID).filter((ci) => ci.inboxId === inbox.id)).toHaveLength(1);
  });

  it('a post that failed with 404 in a conversation Chatwoot no longer has: not searched there forever; the message arrives once', async () => {
    const { phone, inbox } = await routed();
    const from = '5511900007777';
    await customer(phone, 'first', { from });
    await eventually(() => expect(messagesOf(inbox.id)).toHaveLength(1));
    const gone = conversationsOf(inbox.id)[0].id;
    // The post answers 404, and so does every later read of that conversation's messages.
    sim.failNext({ status: 404, body: { error: 'Resource could not be found' }, method: 'POST', path: /\/messages$/ });
    sim.failNext({ status: 404, body: { error: 'Resource could not be found' }, method: 'GET', path: new RegExp(`/conversations/${gone}/messages$`), times: Infinity });
    try {
      await customer(phone, 'second', { from });
      await eventually(() => expect(messagesOf(inbox.id).map((m) => m.content)).toEqual(['first', 'second']), 10_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(messagesOf(inbox.id)).toHaveLength(2);
    } finally {
      sim.clearFailures();
    }
  });

  it('a reply the API could not send (Meta answered 500): sent on the next try with a new Idempotency-Key, not the stored failure', async () => {
    const { phone, inbox } = await routed();
    await customer(phone, 'oi', { from: '5511900008888' });
    await eventually(() => expect(messagesOf(inbox.id)).toHaveLength(1));
    graph.behave('messages', { kind: 'respond', status: 500, body: '{"error":{"message":"Service temporarily unavailable","code":2}}' }, 1);
    sim.agentReply(ACCOUNT_ID, conversationsOf(inbox.id)[0].id, { content: 'second try' });
    await eventually(() => expect(graph.sent.filter((s) => s.phoneNumberId === phone.id).map((s) => s.body.text.body)).toEqual(['second try']), 10_000);
  });
});
