import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChatwootSimulator, type SimInbox, type SimUser } from './chatwoot-simulator.js';

/**
 * The Chatwoot double answers as Chatwoot v4.13 does (CONTRACT §1–§6, §10–§16), traps included, so
 * that a bridge passing against it means something. Real HTTP on loopback; a small receiver stands in
 * for the bridge's webhook endpoint.
 */

interface Received {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: any;
}

/** The bridge's webhook endpoint: records every delivery, answers with `respond`. */
class Receiver {
  readonly received: Received[] = [];
  respond: (body: any) => { status: number; delayMs?: number } = () => ({ status: 200 });
  private constructor(private readonly server: http.Server, readonly url: string) {}

  static async start(): Promise<Receiver> {
    let receiver!: Receiver;
    const server = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(raw);
      receiver.received.push({ headers: req.headers, raw, body });
      const { status, delayMs } = receiver.respond(body);
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver = new Receiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/chatwoot/webhook`);
    return receiver;
  }

  events(event?: string): any[] {
    return this.received.map((r) => r.body).filter((b) => !event || b.event === event);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let sim: ChatwootSimulator;
let receiver: Receiver;
let accountId: number;
let admin: SimUser;
let inbox: SimInbox;
let nextAccount = 100;

async function call(method: string, path: string, opts: { token?: string | null; json?: unknown; form?: FormData } = {}) {
  const headers: Record<string, string> = {};
  const token = opts.token === undefined ? admin.token : opts.token;
  if (token !== null) headers.api_access_token = token;
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${sim.url}/api/v1/accounts/${accountId}${path}`, {
    method, headers, body: opts.form ?? (opts.json === undefined ? undefined : JSON.stringify(opts.json)),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body };
}

/** A contact with the chat's JID as identifier and source_id, and a conversation on that row. */
async function chat(jid = '5511988887777@s.whatsapp.net', phone = '+5511988887777') {
  const contact = (await call('POST', '/contacts', { json: { inbox_id: inbox.id, name: 'Maria', identifier: jid, phone_number: phone, source_id: jid } })).body.payload.contact;
  const conversation = (await call('POST', '/conversations', { json: { inbox_id: inbox.id, contact_id: contact.id, source_id: jid } })).body;
  return { contact, conversation };
}

const post = (conversationId: number, json: Record<string, unknown>) => call('POST', `/conversations/${conversationId}/messages`, { json });

beforeAll(async () => {
  sim = await ChatwootSimulator.start();
  receiver = await Receiver.start();
});
afterAll(async () => {
  await sim.close();
  await receiver.stop();
});
beforeEach(async () => {
  await sim.webhooksSettled();
  sim.webhookMode = 'normal';
  sim.webhookTimeoutMs = 5_000;
  sim.now = () => Date.now();
  sim.clearFailures();
  receiver.received.length = 0;
  receiver.respond = () => ({ status: 200 });
  accountId = sim.addAccount(nextAccount++);
  admin = sim.addUser(accountId, 'administrator', { name: 'Ana', email: 'ana@acme.com' });
  inbox = sim.addInbox(accountId, { name: 'WhatsApp +5511999990000', webhookUrl: receiver.url });
});

describe('ChatwootSimulator: auth on the new routes (CONTRACT §1)', () => {
  it('answers the callback chain with its exact bodies, and unknown routes before auth', async () => {
    expect(await call('GET', '/contacts/1', { token: null })).toEqual({ status: 401, body: { errors: ['You need to sign in or sign up before continuing.'] } });
    expect(await call('GET', '/contacts/1', { token: 'nope' })).toEqual({ status: 401, body: { error: 'Invalid Access Token' } });
    const stranger = sim.addUser(sim.addAccount(nextAccount++));
    expect(await call('POST', '/conversations', { token: stranger.token, json: {} })).toEqual({ status: 401, body: { error: 'You are not authorized to access this account' } });
    expect(await call('GET', '/contacts/999999')).toEqual({ status: 404, body: { error: 'Resource could not be found' } });
    expect(await call('GET', '/nothing-here', { token: null })).toEqual({ status: 404, body: { status: 404, error: 'Not Found' } });
  });

  it('lets an agent read only conversations of inboxes it is a member of (401, not 403)', async () => {
    const { conversation } = await chat();
    const agent = sim.addUser(accountId, 'agent');
    expect(await call('GET', `/conversations/${conversation.id}`, { token: agent.token })).toEqual({ status: 401, body: { error: 'You are not authorized to do this action' } });
    inbox.members.add(agent.id);
    expect((await call('GET', `/conversations/${conversation.id}`, { token: agent.token })).status).toBe(200);
  });
});

describe('ChatwootSimulator: contacts and contact inboxes (CONTRACT §3, §11)', () => {
  it('creates a contact with its contact inbox, in §3 shape', async () => {
    const res = await call('POST', '/contacts', { json: { inbox_id: inbox.id, name: 'Maria', phone_number: '+5511988887777', identifier: '5511988887777@s.whatsapp.net', source_id: 'jid-1' } });
    expect(res.status).toBe(200);
    const { contact, contact_inbox } = res.body.payload;
    expect(contact).toEqual({
      additional_attributes: {}, availability_status: 'offline', email: null, id: expect.any(Number), name: 'Maria',
      phone_number: '+5511988887777', blocked: false, identifier: '5511988887777@s.whatsapp.net', thumbnail: '',
      custom_attributes: {}, created_at: expect.any(Number),
      contact_inboxes: [{ source_id: 'jid-1', inbox: { id: inbox.id, avatar_url: '', channel_id: expect.any(Number), name: inbox.name, channel_type: 'Channel::Api', provider: null } }],
    });
    expect(contact).not.toHaveProperty('last_activity_at');
    expect(contact_inbox).toMatchObject({ source_id: 'jid-1', inbox: { id: inbox.id, account_id: accountId, channel_type: 'Channel::Api' } });

    const bare = await call('POST', '/contacts', { json: { name: 'Sem inbox' } });
    expect(bare.body.payload.contact_inbox).toEqual({ inbox: null, source_id: null });
    const uuid = await call('POST', '/contacts', { json: { name: 'Uuid', inbox_id: inbox.id } });
    expect(uuid.body.payload.contact_inbox.source_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('enforces per-account uniqueness: identifier case-sensitive, email case-insensitive, phone exact', async () => {
    await call('POST', '/contacts', { json: { identifier: 'Jid@s', email: 'Maria@Acme.com', phone_number: '+5511988887777' } });
    expect(await call('POST', '/contacts', { json: { identifier: 'Jid@s' } })).toEqual({ status: 422, body: { message: 'Identifier has already been taken', attributes: ['identifier'] } });
    expect((await call('POST', '/contacts', { json: { identifier: 'jid@s' } })).status).toBe(200);
    expect(await call('POST', '/contacts', { json: { email: 'maria@acme.COM' } })).toEqual({ status: 422, body: { message: 'Email has already been taken', attributes: ['email'] } });
    expect(await call('POST', '/contacts', { json: { phone_number: '+5511988887777', identifier: 'Jid@s' } })).toEqual({
      status: 422, body: { message: 'Identifier has already been taken, Phone number has already been taken', attributes: ['identifier', 'phone_number'] },
    });
    expect(await call('POST', '/contacts', { json: { phone_number: '5511988880000' } })).toEqual({ status: 422, body: { message: 'Phone number should be in e164 format', attributes: ['phone_number'] } });
    // Another account is another namespace.
    accountId = sim.addAccount(nextAccount++);
    admin = sim.addUser(accountId);
    expect((await call('POST', '/contacts', { json: { identifier: 'Jid@s', phone_number: '+5511988887777' } })).status).toBe(200);
  });

  it('rolls the contact back on an inbox of another account (404) or a source_id of another contact (500)', async () => {
    const other = sim.addInbox(sim.addAccount(nextAccount++), { name: 'elsewhere' });
    expect(await call('POST', '/contacts', { json: { identifier: 'a', inbox_id: other.id } })).toEqual({ status: 404, body: { error: 'Resource could not be found' } });
    await call('POST', '/contacts', { json: { identifier: 'first', inbox_id: inbox.id, source_id: 'shared' } });
    expect(await call('POST', '/contacts', { json: { identifier: 'second', inbox_id: inbox.id, source_id: 'shared' } })).toEqual({ status: 500, body: { status: 500, error: 'Internal Server Error' } });
    expect(sim.contacts(accountId).map((c) => c.identifier)).toEqual(['first']);
    expect(sim.contactInboxes(accountId).map((ci) => ci.sourceId)).toEqual(['shared']);
  });

  it('filters with equal_to: a phone with or without "+", text lowercased on both sides', async () => {
    const { contact } = await chat('JID@s.whatsapp.net');
    const filter = (attribute_key: string, value: string) => call('POST', '/contacts/filter', {
      json: { payload: [{ attribute_key, filter_operator: 'equal_to', values: [value], query_operator: null }] },
    });
    for (const [key, value] of [['phone_number', '+5511988887777'], ['phone_number', '5511988887777'], ['identifier', 'jid@s.whatsapp.net']]) {
      const res = await filter(key, value);
      expect(res.status).toBe(200);
      expect(res.body.meta.count).toBe(1);
      expect(res.body.payload[0]).toMatchObject({ id: contact.id, contact_inboxes: [{ source_id: 'JID@s.whatsapp.net' }] });
    }
    expect((await filter('identifier', 'other')).body).toEqual({ meta: { count: 0, current_page: 1 }, payload: [] });
  });

  it('shows a contact; another account\'s id is a 404', async () => {
    const { contact } = await chat();
    expect((await call('GET', `/contacts/${contact.id}`)).body.payload).toMatchObject({ id: contact.id, contact_inboxes: [{ source_id: '5511988887777@s.whatsapp.net' }] });
    const stranger = sim.addAccount(nextAccount++);
    const user = sim.addUser(stranger);
    const res = await fetch(`${sim.url}/api/v1/accounts/${stranger}/contacts/${contact.id}`, { headers: { api_access_token: user.token } });
    expect(res.status).toBe(404);
  });

  it('contact_inboxes: first_or_create on the source_id; none means a new uuid row every call; another contact\'s pair is a 500', async () => {
    const a = (await call('POST', '/contacts', { json: { identifier: 'a' } })).body.payload.contact;
    const b = (await call('POST', '/contacts', { json: { identifier: 'b' } })).body.payload.contact;
    const add = (contactId: number, json: object) => call('POST', `/contacts/${contactId}/contact_inboxes`, { json: { inbox_id: inbox.id, ...json } });
    expect(await add(a.id, { source_id: 'jid-a' })).toEqual({ status: 200, body: { source_id: 'jid-a', inbox: expect.objectContaining({ id: inbox.id, channel_type: 'Channel::Api' }) } });
    await add(a.id, { source_id: 'jid-a' });
    await add(a.id, {});
    await add(a.id, {});
    expect(sim.contactInboxes(accountId).filter((ci) => ci.contactId === a.id)).toHaveLength(3);
    expect(await add(b.id, { source_id: 'jid-a' })).toEqual({ status: 500, body: { status: 500, error: 'Internal Server Error' } });
    expect((await add(b.id, { inbox_id: 999999 })).status).toBe(404);
  });
});

describe('ChatwootSimulator: conversations (CONTRACT §4, §11, §12)', () => {
  it('creates with the §4 shape and emits conversation_created; the same source_id reuses the row', async () => {
    const { contact, conversation } = await chat();
    expect(conversation).toMatchObject({
      id: 1, inbox_id: inbox.id, status: 'open', account_id: accountId, messages: [], last_activity_at: expect.any(Number), created_at: expect.any(Number),
      meta: { sender: { id: contact.id, identifier: '5511988887777@s.whatsapp.net', phone_number: '+5511988887777' }, channel: 'Channel::Api' },
    });
    expect(conversation.meta.sender).not.toHaveProperty('contact_inboxes');
    const second = (await call('POST', '/conversations', { json: { inbox_id: inbox.id, contact_id: contact.id, source_id: '5511988887777@s.whatsapp.net', status: 'pending' } })).body;
    expect(second).toMatchObject({ id: 2, status: 'pending' });
    expect(sim.contactInboxes(accountId)).toHaveLength(1);
    expect(sim.conversations(accountId).map((c) => c.contactInboxId)).toEqual([sim.contactInboxes(accountId)[0].id, sim.contactInboxes(accountId)[0].id]);
    await sim.webhooksSettled();
    const created = receiver.events('conversation_created');
    expect(created).toHaveLength(2);
    expect(created[0]).toMatchObject({ id: 1, inbox_id: inbox.id, status: 'open', contact_inbox: { source_id: '5511988887777@s.whatsapp.net' }, meta: { sender: { id: contact.id } } });
  });

  it('makes an orphan uuid contact inbox for a conversation without source_id (the Evolution trap)', async () => {
    const { contact } = await chat();
    const res = await call('POST', '/conversations', { json: { inbox_id: inbox.id, contact_id: contact.id } });
    expect(res.status).toBe(200);
    const rows = sim.contactInboxes(accountId);
    expect(rows).toHaveLength(2);
    expect(rows[1].sourceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sim.conversations(accountId)[1].contactInboxId).toBe(rows[1].id);
  });

  it('answers an invalid status with a 500 after writing the contact inbox, and another contact\'s pair with 422', async () => {
    const { contact } = await chat();
    expect(await call('POST', '/conversations', { json: { inbox_id: inbox.id, contact_id: contact.id, status: 'closed' } })).toEqual({ status: 500, body: { status: 500, error: 'Internal Server Error' } });
    expect(sim.contactInboxes(accountId)).toHaveLength(2);
    expect(sim.conversations(accountId)).toHaveLength(1);
    const other = (await call('POST', '/contacts', { json: { identifier: 'other' } })).body.payload.contact;
    expect(await call('POST', '/conversations', { json: { inbox_id: inbox.id, contact_id: other.id, source_id: '5511988887777@s.whatsapp.net' } })).toEqual({ status: 422, body: { error: 'source_id should be unique' } });
  });

  it('lists a contact\'s conversations in every status, last activity first', async () => {
    const { contact, conversation } = await chat();
    const second = (await call('POST', '/conversations', { json: { inbox_id: inbox.id, contact_id: contact.id, source_id: '5511988887777@s.whatsapp.net' } })).body;
    sim.setConversationStatus(accountId, second.id, 'resolved');
    let t = Date.now() + 5_000;
    sim.now = () => t;
    await post(conversation.id, { content: 'newest' });
    t += 1_000;
    const list = (await call('GET', `/contacts/${contact.id}/conversations`)).body.payload;
    expect(list.map((c: any) => [c.id, c.status])).toEqual([[conversation.id, 'open'], [second.id, 'resolved']]);
  });

  it('toggles status: the response, toggling without status, 500 on an invalid one, and the webhook', async () => {
    const { conversation } = await chat();
    const toggle = (json: object) => call('POST', `/conversations/${conversation.id}/toggle_status`, { json });
    expect(await toggle({ status: 'resolved' })).toEqual({ status: 200, body: { meta: {}, payload: { success: true, conversation_id: conversation.id, current_status: 'resolved', snoozed_until: null } } });
    expect((await toggle({})).body.payload.current_status).toBe('open');
    expect((await toggle({})).body.payload.current_status).toBe('resolved');
    expect(await toggle({ status: 'closed' })).toEqual({ status: 500, body: { status: 500, error: 'Internal Server Error' } });
    expect((await toggle({ status: 'snoozed', snoozed_until: 'tomorrow' })).status).toBe(500);
    expect((await toggle({ status: 'snoozed', snoozed_until: 1_900_000_000 })).body.payload).toMatchObject({ current_status: 'snoozed', snoozed_until: '2030-03-17T17:46:40.000Z' });
    await sim.webhooksSettled();
    const changed = receiver.events('conversation_status_changed');
    expect(changed.map((e) => e.status)).toEqual(['resolved', 'open', 'resolved', 'snoozed']);
    expect(changed[0]).toMatchObject({ id: conversation.id, changed_attributes: null });
    expect(receiver.events('conversation_updated')[0].changed_attributes).toEqual([{ status: { previous_value: 'open', current_value: 'resolved' } }]);
    expect(sim.messages(accountId, conversation.id).map((m) => [m.messageType, m.content])).toEqual([
      ['activity', 'Conversation was marked resolved by Ana'],
      ['activity', 'Conversation was reopened by Ana'],
      ['activity', 'Conversation was marked resolved by Ana'],
      ['activity', 'Conversation was snoozed by Ana'],
    ]);
  });
});

describe('ChatwootSimulator: message create (CONTRACT §5, §10)', () => {
  it('answers the §5 shape with an integer message_type and echo_id; the contact is an incoming message\'s sender', async () => {
    const { contact, conversation } = await chat();
    const res = await post(conversation.id, { content: 'Oi', message_type: 'incoming', source_id: 'wamid.1', echo_id: 'tmp-1' });
    expect(res).toEqual({
      status: 200,
      body: {
        id: expect.any(Number), content: 'Oi', inbox_id: inbox.id, echo_id: 'tmp-1', conversation_id: conversation.id, message_type: 0,
        content_type: 'text', status: 'sent', content_attributes: {}, created_at: expect.any(Number), private: false, source_id: 'wamid.1',
        sender: {
          additional_attributes: {}, custom_attributes: {}, email: null, id: contact.id, identifier: '5511988887777@s.whatsapp.net', name: 'Maria',
          phone_number: '+5511988887777', thumbnail: '', blocked: false, type: 'contact',
        },
      },
    });
    const out = await post(conversation.id, { content: 'Olá' });
    expect(out.body).toMatchObject({ message_type: 1, sender: { id: admin.id, name: 'Ana', type: 'user' } });
    expect(out.body).not.toHaveProperty('echo_id');
    expect((await post(conversation.id, { content: 'tpl', message_type: 'template' })).body.message_type).toBe(3);
  });

  it('accepts the same source_id twice: two messages, two message_created (no dedupe)', async () => {
    const { conversation } = await chat();
    const first = await post(conversation.id, { content: 'Oi', message_type: 'incoming', source_id: 'wamid.DUP' });
    const second = await post(conversation.id, { content: 'Oi', message_type: 'incoming', source_id: 'wamid.DUP' });
    expect(second.status).toBe(200);
    expect(second.body.id).not.toBe(first.body.id);
    expect(sim.messages(accountId, conversation.id).map((m) => m.sourceId)).toEqual(['wamid.DUP', 'wamid.DUP']);
    await sim.webhooksSettled();
    expect(receiver.events('message_created').map((e) => e.id)).toEqual([first.body.id, second.body.id]);
  });

  it('refuses a bad message_type, and incoming outside API inboxes, with the 422 texts', async () => {
    const { conversation } = await chat();
    expect(await post(conversation.id, { content: 'x', message_type: 'foo' })).toEqual({ status: 422, body: { error: "'foo' is not a valid message_type" } });
    const whatsapp = sim.addInbox(accountId, { name: 'Cloud', channelType: 'Channel::Whatsapp' });
    const contact = (await call('POST', '/contacts', { json: { identifier: 'cloud', phone_number: '+5511977776666', inbox_id: whatsapp.id } })).body.payload;
    expect(contact.contact_inbox.source_id).toBe('5511977776666');
    const other = (await call('POST', '/conversations', { json: { inbox_id: whatsapp.id, contact_id: contact.contact.id } })).body;
    expect(await post(other.id, { content: 'x', message_type: 'incoming' })).toEqual({ status: 422, body: { error: 'Incoming messages are only allowed in Api inboxes' } });
  });

  it('resolves in_reply_to and in_reply_to_external_id within the conversation only; no match nulls both', async () => {
    const { conversation } = await chat();
    const original = (await post(conversation.id, { content: 'Oi', message_type: 'incoming', source_id: 'wamid.ORIG' })).body;
    const byId = await post(conversation.id, { content: 'a', content_attributes: { in_reply_to: original.id } });
    expect(byId.body.content_attributes).toEqual({ in_reply_to: original.id, in_reply_to_external_id: 'wamid.ORIG' });
    const byExternal = await post(conversation.id, { content: 'b', content_attributes: { in_reply_to_external_id: 'wamid.ORIG' } });
    expect(byExternal.body.content_attributes).toEqual({ in_reply_to: original.id, in_reply_to_external_id: 'wamid.ORIG' });
    const lost = await post(conversation.id, { content: 'c', content_attributes: { in_reply_to_external_id: 'wamid.UNKNOWN', keep: 1 } });
    expect(lost.body.content_attributes).toEqual({ in_reply_to: null, in_reply_to_external_id: null, keep: 1 });

    const other = (await call('POST', '/conversations', { json: { inbox_id: inbox.id, contact_id: original.sender.id, source_id: '5511988887777@s.whatsapp.net' } })).body;
    const foreign = await post(other.id, { content: 'd', content_attributes: { in_reply_to: original.id } });
    expect(foreign.body.content_attributes).toEqual({ in_reply_to: null, in_reply_to_external_id: null });
  });

  it('the 201st message of a conversation within a minute is a 422; activity and agent messages count', async () => {
    sim.webhookMode = 'off';
    const { conversation } = await chat();
    let t = Date.now();
    sim.now = () => t;
    sim.setConversationStatus(accountId, conversation.id, 'resolved');
    for (let i = 0; i < 199; i++) sim.agentReply(accountId, conversation.id, { content: `m${i}` });
    expect(await post(conversation.id, { content: 'x' })).toEqual({ status: 422, body: { error: 'Validation failed: Too many messages' } });
    expect(() => sim.agentReply(accountId, conversation.id, { content: 'y' })).toThrow('Validation failed: Too many messages');
    t += 60_001;
    expect((await post(conversation.id, { content: 'a minute later' })).status).toBe(200);
  });

  it('keeps multipart attachments: file_type from the declared type, data_url → 302 → the bytes, without auth', async () => {
    const { conversation } = await chat();
    const form = new FormData();
    form.append('content', 'fotos');
    form.append('message_type', 'incoming');
    form.append('private', 'false');
    form.append('source_id', 'wamid.MEDIA');
    form.append('content_attributes', '{"in_reply_to_external_id":"nothing"}');
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    form.append('attachments[]', new Blob([jpeg], { type: 'image/jpeg' }), 'photo.jpg');
    form.append('attachments[]', new Blob([Buffer.from('heic')], { type: 'image/heic' }), 'photo.heic');
    form.append('attachments[]', new Blob([Buffer.from('ogg')], { type: 'audio/ogg' }), 'voice.ogg');
    const res = await call('POST', `/conversations/${conversation.id}/messages`, { form });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ message_type: 0, private: false, source_id: 'wamid.MEDIA', content_attributes: { in_reply_to: null, in_reply_to_external_id: null } });
    expect(res.body.attachments.map((a: any) => [a.file_type, a.content_type, a.extension, a.file_size])).toEqual([
      ['image', 'image/jpeg', 'jpg', 7], ['file', 'image/heic', 'heic', 4], ['audio', 'audio/ogg', 'ogg', 3],
    ]);
    const dataUrl: string = res.body.attachments[0].data_url;
    expect(dataUrl).toMatch(new RegExp(`^${sim.url}/rails/active_storage/blobs/redirect/[^/]+--[0-9a-f]+/photo\\.jpg$`));
    const redirect = await fetch(dataUrl, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toMatch(/\/rails\/active_storage\/disk\/[^/]+\/photo\.jpg\?/);
    const file = await fetch(dataUrl);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await file.arrayBuffer())).toEqual(jpeg);
    expect((await fetch(`${sim.url}/rails/active_storage/blobs/redirect/forged--00/photo.jpg`)).status).toBe(404);

    await sim.webhooksSettled();
    const [event] = receiver.events('message_created');
    expect(event.attachments).toHaveLength(3);
    expect(event.attachments[0]).toMatchObject({ file_type: 'image', data_url: dataUrl, width: null, height: null });
  });
});

describe('ChatwootSimulator: how messages change conversation status (CONTRACT §12)', () => {
  it('an incoming message reopens resolved (with the system activity) and snoozed; pending stays; outgoing never reopens', async () => {
    const { conversation } = await chat();
    const status = () => sim.conversation(accountId, conversation.id)!.status;
    sim.setConversationStatus(accountId, conversation.id, 'resolved');
    await post(conversation.id, { content: 'agent', message_type: 'outgoing' });
    expect(status()).toBe('resolved');
    await post(conversation.id, { content: 'note', message_type: 'incoming', private: true });
    expect(status()).toBe('open');
    const log = sim.messages(accountId, conversation.id).map((m) => [m.messageType, m.content]);
    expect(log.at(-2)).toEqual(['incoming', 'note']);
    expect(log.at(-1)).toEqual(['activity', 'System reopened the conversation due to a new incoming message.']);

    sim.setConversationStatus(accountId, conversation.id, 'snoozed');
    const before = sim.messages(accountId, conversation.id).length;
    await post(conversation.id, { content: 'oi', message_type: 'incoming' });
    expect(status()).toBe('open');
    expect(sim.messages(accountId, conversation.id)).toHaveLength(before + 1);

    sim.setConversationStatus(accountId, conversation.id, 'pending');
    await post(conversation.id, { content: 'oi', message_type: 'incoming' });
    expect(status()).toBe('pending');

    await sim.webhooksSettled();
    const reopened = receiver.events('conversation_status_changed').filter((e) => e.status === 'open');
    expect(reopened).toHaveLength(2);
  });
});

describe('ChatwootSimulator: webhooks to the inbox (CONTRACT §6, §14)', () => {
  it('sends message_created with the §6 payload for the bridge\'s own incoming message, signed with the inbox secret', async () => {
    const { contact, conversation } = await chat();
    const created = (await post(conversation.id, { content: 'linha\\\ndois', message_type: 'incoming', source_id: 'wamid.A' })).body;
    await sim.webhooksSettled();
    const delivery = receiver.received.find((r) => r.body.event === 'message_created')!;
    const ts = String(delivery.headers['x-chatwoot-timestamp']);
    expect(delivery.headers['x-chatwoot-signature']).toBe(`sha256=${createHmac('sha256', inbox.secret!).update(`${ts}.${delivery.raw}`).digest('hex')}`);
    expect(delivery.headers['x-chatwoot-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    const event = delivery.body;
    expect(event).toMatchObject({
      event: 'message_created', id: created.id, message_type: 'incoming', content_type: 'text', content: 'linha\ndois', private: false,
      source_id: 'wamid.A', content_attributes: {}, inbox: { id: inbox.id, name: inbox.name }, account: { id: accountId },
      sender: { id: contact.id, identifier: '5511988887777@s.whatsapp.net', phone_number: '+5511988887777', name: 'Maria' },
      conversation: {
        id: conversation.id, inbox_id: inbox.id, status: 'open', contact_inbox: { source_id: '5511988887777@s.whatsapp.net' },
        messages: [{ id: created.id, message_type: 0, status: 'sent', source_id: 'wamid.A' }],
        meta: { sender: { id: contact.id, identifier: '5511988887777@s.whatsapp.net', phone_number: '+5511988887777', type: 'contact' } },
      },
    });
    expect(new Date(event.created_at).toISOString()).toBe(event.created_at);
    expect(event.sender).not.toHaveProperty('type');
    expect(event).not.toHaveProperty('attachments');
  });

  it('sends an agent reply with a user sender, and a private note with messages[0] still the last public message', async () => {
    const { conversation } = await chat();
    const incoming = (await post(conversation.id, { content: 'Oi', message_type: 'incoming' })).body;
    const reply = sim.agentReply(accountId, conversation.id, { content: 'Olá Maria', inReplyTo: incoming.id });
    sim.agentReply(accountId, conversation.id, { content: 'nota', private: true });
    await sim.webhooksSettled();
    const [, agent, note] = receiver.events('message_created');
    expect(agent).toMatchObject({
      id: reply.id, message_type: 'outgoing', sender: { id: admin.id, name: 'Ana', email: 'ana@acme.com', type: 'user' },
      content_attributes: { in_reply_to: incoming.id, in_reply_to_external_id: null },
    });
    expect(note).toMatchObject({ private: true, conversation: { messages: [{ id: reply.id }] } });
  });

  it('a failed delivery (non-2xx, timeout, refused) marks the message failed and fires message_updated, once', async () => {
    const { conversation } = await chat();
    receiver.respond = (body) => ({ status: body.event === 'message_created' ? 500 : 200 });
    const message = (await post(conversation.id, { content: 'Oi', message_type: 'incoming' })).body;
    await sim.webhooksSettled();
    expect(sim.message(message.id)).toMatchObject({ status: 'failed', contentAttributes: { external_error: '500 Internal Server Error' } });
    const updated = receiver.events('message_updated');
    expect(updated).toHaveLength(1);
    expect(updated[0]).toMatchObject({ id: message.id, content_attributes: { external_error: '500 Internal Server Error' }, conversation: { messages: [{ id: message.id, status: 'failed' }] } });
    expect(updated[0]).not.toHaveProperty('status');

    sim.webhookTimeoutMs = 200;
    receiver.respond = () => ({ status: 200, delayMs: 500 });
    const slow = sim.agentReply(accountId, conversation.id, { content: 'slow' });
    await sim.webhooksSettled();
    expect(slow.contentAttributes.external_error).toBe('Timed out reading data from server');

    const dead = await Receiver.start();
    await dead.stop();
    inbox.webhookUrl = dead.url;
    const refused = sim.agentReply(accountId, conversation.id, { content: 'refused' });
    await sim.webhooksSettled();
    expect(refused.status).toBe('failed');
    expect(refused.contentAttributes.external_error).toMatch(/^Failed to open TCP connection to 127\.0\.0\.1:\d+ \(Connection refused/);
    expect(sim.webhookLog.filter((d) => d.messageId === refused.id).map((d) => [d.event, d.state])).toEqual([['message_created', 'failed'], ['message_updated', 'failed']]);
  });

  it('webhookMode: duplicate delivers each twice, shuffle all in some order, off none', async () => {
    const { conversation } = await chat();
    await sim.webhooksSettled();
    receiver.received.length = 0;
    sim.webhookMode = 'duplicate';
    const m = sim.agentReply(accountId, conversation.id, { content: 'twice' });
    await sim.webhooksSettled();
    expect(receiver.received.map((r) => r.body.id)).toEqual([m.id, m.id]);
    expect(new Set(receiver.received.map((r) => r.headers['x-chatwoot-delivery'])).size).toBe(2);

    receiver.received.length = 0;
    sim.webhookMode = 'shuffle';
    const ids = Array.from({ length: 8 }, (_, i) => sim.agentReply(accountId, conversation.id, { content: `s${i}` }).id);
    await sim.webhooksSettled();
    expect(receiver.received.map((r) => r.body.id).sort()).toEqual([...ids].sort());

    receiver.received.length = 0;
    sim.webhookMode = 'off';
    const off = sim.agentReply(accountId, conversation.id, { content: 'silent' });
    await sim.webhooksSettled();
    expect(receiver.received).toHaveLength(0);
    expect(sim.webhookLog.find((d) => d.messageId === off.id)).toMatchObject({ event: 'message_created', state: 'off' });
    expect(off.status).toBe('sent');
  });
});

describe('ChatwootSimulator: message status, retry and delete (CONTRACT §13, §14)', () => {
  it('PATCH applies §13: read→delivered and unknown statuses ignored with 200, external_error only with failed', async () => {
    const { conversation } = await chat();
    const m = sim.agentReply(accountId, conversation.id, { content: 'Olá' });
    await sim.webhooksSettled();
    receiver.received.length = 0;
    const patch = (json: object, id = m.id) => call('PATCH', `/conversations/${conversation.id}/messages/${id}`, { json });

    expect((await patch({ status: 'failed', external_error: 'boom' })).body).toMatchObject({ id: m.id, status: 'failed', content_attributes: { external_error: 'boom' } });
    expect((await patch({ status: 'delivered', external_error: 'ignored' })).body).toMatchObject({ status: 'delivered', content_attributes: { external_error: null } });
    expect((await call('PUT', `/conversations/${conversation.id}/messages/${m.id}`, { json: { status: 'read' } })).body.status).toBe('read');
    expect(await patch({ status: 'delivered' })).toMatchObject({ status: 200, body: { status: 'read' } });
    expect(await patch({ status: 'seen' })).toMatchObject({ status: 200, body: { status: 'read' } });
    expect((await patch({ status: 'sent' })).body.status).toBe('sent');
    await sim.webhooksSettled();
    // A real change each (failed, delivered, read, sent); none for the two ignored.
    expect(receiver.events('message_updated').map((e) => e.conversation.messages[0].status)).toEqual(['failed', 'delivered', 'read', 'sent']);

    const other = (await call('POST', '/conversations', { json: { inbox_id: inbox.id, contact_id: sim.conversation(accountId, conversation.id)!.contactId, source_id: '5511988887777@s.whatsapp.net' } })).body;
    expect((await call('PATCH', `/conversations/${other.id}/messages/${m.id}`, { json: { status: 'read' } })).status).toBe(404);
  });

  it('PATCH is a 403 in a non-API inbox, before the message is even looked up', async () => {
    const sms = sim.addInbox(accountId, { name: 'SMS', channelType: 'Channel::Sms' });
    const contact = (await call('POST', '/contacts', { json: { identifier: 'sms', phone_number: '+5511900001111', inbox_id: sms.id } })).body.payload.contact;
    const conversation = (await call('POST', '/conversations', { json: { inbox_id: sms.id, contact_id: contact.id } })).body;
    expect(await call('PATCH', `/conversations/${conversation.id}/messages/424242`, { json: { status: 'read' } })).toEqual({
      status: 403, body: { error: 'Message status update is only allowed for API inboxes' },
    });
  });

  it('retry (v4.13) sets sent, then content_attributes {}: two message_updated, in_reply_to lost', async () => {
    const { conversation } = await chat();
    const original = (await post(conversation.id, { content: 'Oi', message_type: 'incoming', source_id: 'wamid.R' })).body;
    receiver.respond = (body) => ({ status: body.event === 'message_created' && body.message_type === 'outgoing' ? 502 : 200 });
    const reply = sim.agentReply(accountId, conversation.id, { content: 'Olá', inReplyTo: original.id });
    await sim.webhooksSettled();
    expect(reply.status).toBe('failed');
    receiver.received.length = 0;
    receiver.respond = () => ({ status: 200 });

    const res = await call('POST', `/conversations/${conversation.id}/messages/${reply.id}/retry`);
    expect(res.body).toMatchObject({ id: reply.id, status: 'sent', content_attributes: {} });
    await sim.webhooksSettled();
    expect(receiver.events('message_updated').map((e) => e.content_attributes)).toEqual([
      { in_reply_to: original.id, in_reply_to_external_id: 'wamid.R', external_error: null },
      {},
    ]);
    expect((await call('POST', `/conversations/${conversation.id}/messages/999999/retry`)).status).toBe(422);
  });

  it('DELETE leaves the §14 deleted shape, drops the attachments (and their download), keeps source_id', async () => {
    const { conversation } = await chat();
    const m = sim.agentReply(accountId, conversation.id, {
      content: 'foto', inReplyTo: 1, attachments: [{ fileName: 'a.png', contentType: 'image/png', data: Buffer.from('png') }],
    });
    m.sourceId = 'wamid.SENT';
    await sim.webhooksSettled();
    const dataUrl = (await call('GET', `/conversations/${conversation.id}/messages`)).body.payload[0].attachments[0].data_url;
    expect((await fetch(dataUrl)).status).toBe(200);
    receiver.received.length = 0;

    const res = await call('DELETE', `/conversations/${conversation.id}/messages/${m.id}`);
    expect(res.body).toMatchObject({ id: m.id, content: 'This message was deleted', content_type: 'text', content_attributes: { deleted: true }, source_id: 'wamid.SENT' });
    expect(res.body).not.toHaveProperty('attachments');
    await sim.webhooksSettled();
    const [event] = receiver.events('message_updated');
    expect(event).toMatchObject({ content: 'This message was deleted', content_attributes: { deleted: true }, source_id: 'wamid.SENT' });
    expect(event).not.toHaveProperty('attachments');
    expect((await fetch(dataUrl)).status).toBe(404);
  });
});

describe('ChatwootSimulator: message list and failure switches', () => {
  it('lists the last 20 oldest first, and pages with before/after', async () => {
    sim.webhookMode = 'off';
    const { conversation } = await chat();
    const ids = Array.from({ length: 25 }, (_, i) => sim.agentReply(accountId, conversation.id, { content: `m${i}` }).id);
    const list = await call('GET', `/conversations/${conversation.id}/messages`);
    expect(list.body.payload.map((m: any) => m.id)).toEqual(ids.slice(5));
    expect(list.body.meta).toMatchObject({ labels: [], contact: { identifier: '5511988887777@s.whatsapp.net' } });
    expect((await call('GET', `/conversations/${conversation.id}/messages?before=${ids[5]}`)).body.payload.map((m: any) => m.id)).toEqual(ids.slice(0, 5));
    expect((await call('GET', `/conversations/${conversation.id}/messages?after=${ids[22]}`)).body.payload.map((m: any) => m.id)).toEqual(ids.slice(23));
  });

  it('failNext and hang apply to the new routes', async () => {
    const { conversation } = await chat();
    sim.failNext({ status: 503, body: 'Service Unavailable', method: 'POST', path: /\/messages$/ });
    expect(await post(conversation.id, { content: 'x' })).toEqual({ status: 503, body: 'Service Unavailable' });
    expect(sim.messages(accountId, conversation.id)).toHaveLength(0);
    sim.hang();
    const hung = post(conversation.id, { content: 'y' });
    hung.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    sim.hang(false);
    await expect(hung).rejects.toThrow('fetch failed');
    expect(sim.messages(accountId, conversation.id)).toHaveLength(0);
  });

  it('failAfterCommit: the message exists and its webhook fires, but the answer is a 500 or a dead socket', async () => {
    const { conversation } = await chat();
    sim.failAfterCommit({ method: 'POST', path: /\/messages$/ });
    expect(await post(conversation.id, { content: 'Oi', message_type: 'incoming', source_id: 'wamid.AMB' })).toEqual({ status: 500, body: { status: 500, error: 'Internal Server Error' } });
    sim.failAfterCommit({ method: 'POST', path: /\/messages$/, reply: 'destroy' });
    await expect(post(conversation.id, { content: 'Oi', message_type: 'incoming', source_id: 'wamid.AMB2' })).rejects.toThrow();
    await sim.webhooksSettled();
    expect(sim.messages(accountId, conversation.id).map((m) => m.sourceId)).toEqual(['wamid.AMB', 'wamid.AMB2']);
    expect(receiver.events('message_created').map((e) => e.source_id)).toEqual(['wamid.AMB', 'wamid.AMB2']);
    // Only a success is turned into the ambiguous failure; the switch is then spent.
    expect((await post(conversation.id, { content: 'ok' })).status).toBe(200);
  });
});
