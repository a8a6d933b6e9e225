import { createHmac } from 'node:crypto';
import {
  change, entry, inbound, serializeLikeMeta, signMeta, statuses, webhookBody, webhookOf, type PhoneRef,
} from '../../../test/fakes/graph-api.js';
import type { ProviderMessage } from '../whatsapp.port.js';
import { type CloudWebhookBatch, parseCloudWebhook, verifyMetaSignature } from './cloud-webhook.js';

const phone: PhoneRef = { id: '106540352242922', displayPhoneNumber: '15550783881' };
const other: PhoneRef = { id: '106540352242999', displayPhoneNumber: '15550789999' };
const SECRET = 'f2a0c4e5b6d7e8f9a0b1c2d3e4f5a6b7';
const TS = 1749416383;
const TS_TEXT = '2025-06-08T20:59:43Z';

/** The batches of a body, as the controller would get them from the raw bytes Meta sends. */
function batches(body: unknown): CloudWebhookBatch[] {
  const parsed = parseCloudWebhook(Buffer.from(serializeLikeMeta(body)));
  if (!parsed.ok) throw new Error(`not parsed: ${parsed.reason}`);
  return parsed.batches;
}

/** The only message of a one-message body. */
function only(item: Parameters<typeof webhookOf>[1]): ProviderMessage {
  const [batch] = batches(webhookOf(phone, item));
  expect(batch.skipped).toEqual([]);
  expect(batch.messages).toHaveLength(1);
  return batch.messages[0];
}

const sheena = { jid: '16505551234@s.whatsapp.net', phone: '+16505551234', name: 'Sheena Nelson' };

describe('verifyMetaSignature', () => {
  const raw = Buffer.from(serializeLikeMeta(webhookOf(phone, inbound.text('Grüße 👍', { timestamp: TS }))));

  it('accepts sha256=<hex HMAC-SHA256 of the raw body> with the app secret', () => {
    expect(verifyMetaSignature(raw, signMeta(raw, SECRET), SECRET)).toBe(true);
    expect(verifyMetaSignature(raw, signMeta(raw, SECRET).toUpperCase().replace('SHA256=', 'sha256='), SECRET)).toBe(true);
  });

  it('refuses another secret, a changed body, and a missing or malformed header', () => {
    const good = signMeta(raw, SECRET);
    expect(verifyMetaSignature(raw, signMeta(raw, 'another-secret'), SECRET)).toBe(false);
    expect(verifyMetaSignature(Buffer.concat([raw, Buffer.from(' ')]), good, SECRET)).toBe(false);
    expect(verifyMetaSignature(raw, undefined, SECRET)).toBe(false);
    expect(verifyMetaSignature(raw, '', SECRET)).toBe(false);
    expect(verifyMetaSignature(raw, good.slice('sha256='.length), SECRET)).toBe(false);
    expect(verifyMetaSignature(raw, good.slice(0, -2), SECRET)).toBe(false);
    expect(verifyMetaSignature(raw, `sha1=${createHmac('sha1', SECRET).update(raw).digest('hex')}`, SECRET)).toBe(false);
    expect(verifyMetaSignature(raw, `sha256=${'z'.repeat(64)}`, SECRET)).toBe(false);
    expect(verifyMetaSignature(raw, good, '')).toBe(false);
  });

  it('holds only for the bytes as sent: Meta escapes non-ASCII, a re-serialisation does not', () => {
    expect(raw.toString()).toContain('Gr\\u00fc\\u00dfe \\ud83d\\udc4d');
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString())));
    expect(verifyMetaSignature(reserialised, signMeta(raw, SECRET), SECRET)).toBe(false);
    expect(only(inbound.text('Grüße 👍')).data.content).toEqual({ text: 'Grüße 👍' });
  });
});

describe('parseCloudWebhook: messages', () => {
  it('maps a text to the message object of message.exchange', () => {
    const item = inbound.text('Does it come in another color?', { id: 'wamid.TEXT', timestamp: String(TS) });
    expect(only(item)).toEqual({
      data: {
        id: 'wamid.TEXT', direction: 'incoming', timestamp: TS_TEXT, fromMe: false,
        chat: { ...sheena, type: 'private' }, sender: sheena,
        type: 'text', content: { text: 'Does it come in another color?' }, media: null, replyTo: null, target: null,
      },
      mediaSource: null,
      raw: null,
    });
  });

  it('maps an image with its caption, mimetype and media id', () => {
    expect(only(inbound.image({ mediaId: '1003383421387256', caption: 'Taj Mahal', url: 'https://lookaside.fbsbx.com/x' }))).toMatchObject({
      data: { type: 'image', content: { caption: 'Taj Mahal' }, media: { mimetype: 'image/jpeg', fileName: null, size: null }, target: null },
      mediaSource: { mediaId: '1003383421387256' },
    });
    expect(only(inbound.image({ mediaId: '1' })).data.content).toEqual({});
  });

  it('maps audio, a voice note included', () => {
    for (const voice of [true, false]) {
      expect(only(inbound.audio({ mediaId: '1908647269898587', voice }))).toMatchObject({
        data: { type: 'audio', content: {}, media: { mimetype: voice ? 'audio/ogg; codecs=opus' : 'audio/mpeg', fileName: null, size: null } },
        mediaSource: { mediaId: '1908647269898587' },
      });
    }
  });

  it('maps a video and a sticker', () => {
    expect(only(inbound.video({ mediaId: '12', caption: 'clip' }))).toMatchObject({
      data: { type: 'video', content: { caption: 'clip' }, media: { mimetype: 'video/mp4', fileName: null, size: null } }, mediaSource: { mediaId: '12' },
    });
    expect(only(inbound.sticker({ mediaId: '13', animated: true }))).toMatchObject({
      data: { type: 'sticker', content: {}, media: { mimetype: 'image/webp', fileName: null, size: null } }, mediaSource: { mediaId: '13' },
    });
  });

  it('maps a document with its file name (null without one)', () => {
    expect(only(inbound.document({ mediaId: '622684793477189', filename: 'receipt.pdf', caption: 'my receipt' }))).toMatchObject({
      data: { type: 'document', content: { caption: 'my receipt' }, media: { mimetype: 'application/pdf', fileName: 'receipt.pdf', size: null } },
      mediaSource: { mediaId: '622684793477189' },
    });
    expect(only(inbound.document({ mediaId: '1', mimeType: 'application/zip' })).data.media).toEqual({ mimetype: 'application/zip', fileName: null, size: null });
  });

  it('maps a location with its name and address (both optional)', () => {
    expect(only(inbound.location({ latitude: 37.44221496582, longitude: -122.16165924072, name: 'Philz Coffee', address: '101 Forest Ave, Palo Alto, CA 94301' })).data).toMatchObject({
      type: 'location', media: null,
      content: { latitude: 37.44221496582, longitude: -122.16165924072, name: 'Philz Coffee', address: '101 Forest Ave, Palo Alto, CA 94301' },
    });
    expect(only(inbound.location({ latitude: 1.5, longitude: 2 })).data.content).toEqual({ latitude: 1.5, longitude: 2 });
  });

  it('maps contact cards to {name, phones}: +<wa_id> when WhatsApp knows the number, else the number as written, compacted', () => {
    const item = inbound.contacts([
      { name: { first_name: 'Barbara', last_name: 'Johnson', formatted_name: 'Barbara J. Johnson' }, org: { company: 'Social Tsunami' }, phones: [{ phone: '+1 (415) 555-0829', wa_id: '14125550829', type: 'MOBILE' }] },
      { name: { first_name: 'Ann', last_name: 'Lee' }, phones: [{ wa_id: '5511999999999' }, { phone: '+44 20 7946 0958' }] },
      { org: { company: 'Acme' } },
    ]);
    expect(only(item).data).toMatchObject({
      type: 'contacts',
      content: {
        contacts: [
          { name: 'Barbara J. Johnson', phones: ['+14125550829'] },
          { name: 'Ann Lee', phones: ['+5511999999999', '+442079460958'] },
          { name: 'Acme', phones: [] },
        ],
      },
    });
  });

  it('maps a reaction to its target, and a removal (emoji omitted, or empty in older bodies) to emoji ""', () => {
    expect(only(inbound.reaction('wamid.OURS', '👍')).data).toMatchObject({ type: 'reaction', content: { emoji: '👍' }, target: 'wamid.OURS', replyTo: null, media: null });
    expect(only(inbound.reaction('wamid.OURS', undefined)).data).toMatchObject({ type: 'reaction', content: { emoji: '' }, target: 'wamid.OURS' });
    expect(only(inbound.reaction('wamid.OURS', '')).data.content).toEqual({ emoji: '' });
  });

  it('maps button and list replies, and template buttons, to text with the chosen id', () => {
    expect(only(inbound.buttonReply('wamid.ASKED', { id: 'cancel-button', title: 'Cancel' })).data).toMatchObject({
      type: 'text', content: { text: 'Cancel', replyId: 'cancel-button' }, replyTo: 'wamid.ASKED',
    });
    expect(only(inbound.listReply('wamid.ASKED', { id: 'priority_express', title: 'Priority Mail Express', description: 'Next Day to 2 Days' })).data).toMatchObject({
      type: 'text', content: { text: 'Priority Mail Express', replyId: 'priority_express' }, replyTo: 'wamid.ASKED',
    });
    expect(only(inbound.button('wamid.TEMPLATE', { payload: 'unsubscribe-42', text: 'Unsubscribe' })).data).toMatchObject({
      type: 'text', content: { text: 'Unsubscribe', replyId: 'unsubscribe-42' }, replyTo: 'wamid.TEMPLATE',
    });
  });

  it('takes context.id as replyTo, and ignores a forwarded marker', () => {
    expect(only(inbound.text('yes, in blue', { context: { id: 'wamid.QUOTED' } })).data.replyTo).toBe('wamid.QUOTED');
    expect(only(inbound.image({ mediaId: '1', context: { id: 'wamid.QUOTED' } })).data.replyTo).toBe('wamid.QUOTED');
    expect(only(inbound.text('fwd', { context: { forwarded: true } })).data.replyTo).toBeNull();
  });

  it("maps Meta's edit (text or caption) and revoke of coexistence numbers", () => {
    expect(only(inbound.edit('wamid.ORIGINAL', 'fixed text')).data).toMatchObject({ type: 'edit', content: { text: 'fixed text' }, target: 'wamid.ORIGINAL', media: null });
    expect(only(inbound.edit('wamid.ORIGINAL', 'new caption', { mediaType: 'image' })).data).toMatchObject({ type: 'edit', content: { text: 'new caption' }, target: 'wamid.ORIGINAL' });
    expect(only(inbound.revoke('wamid.ORIGINAL')).data).toMatchObject({ type: 'revoke', content: {}, target: 'wamid.ORIGINAL', media: null });
  });

  it('skips unsupported, system, unknown and other interactive types, without an error', () => {
    const body = webhookOf(
      phone,
      inbound.unsupported('poll_creation', { id: 'wamid.U' }),
      inbound.other('unknown', undefined, { id: 'wamid.K' }),
      inbound.system('12195555358', { id: 'wamid.S' }),
      inbound.other('request_welcome', undefined, { id: 'wamid.W' }),
      inbound.other('order', { catalog_id: '1', product_items: [] }, { id: 'wamid.O' }),
      inbound.flowReply('wamid.ASKED', { flow_token: 't' }, { id: 'wamid.F' }),
      inbound.text('kept', { id: 'wamid.T' }),
    );
    const [batch] = batches(body);
    expect(batch.messages.map((m) => m.data.id)).toEqual(['wamid.T']);
    expect(batch.skipped).toEqual([
      'wamid.U: type "unsupported" is not relayed',
      'wamid.K: type "unknown" is not relayed',
      'wamid.S: type "system" is not relayed',
      'wamid.W: type "request_welcome" is not relayed',
      'wamid.O: type "order" is not relayed',
      'wamid.F: interactive "nfm_reply" is not relayed',
    ]);
  });

  it('names the sender by the contact with the same wa_id', () => {
    const body = webhookOf(phone, inbound.text('a', { from: '5511911111111', name: 'Ana' }), inbound.text('b', { from: '5511922222222', name: 'Bia' }), inbound.text('c', { from: '5511933333333', name: null }));
    expect(batches(body)[0].messages.map((m) => [m.data.chat.jid, m.data.chat.phone, m.data.sender.name])).toEqual([
      ['5511911111111@s.whatsapp.net', '+5511911111111', 'Ana'],
      ['5511922222222@s.whatsapp.net', '+5511922222222', 'Bia'],
      ['5511933333333@s.whatsapp.net', '+5511933333333', null],
    ]);
  });

  it('keeps a BSUID-era message whose phone is withheld, as a @lid chat without phone', () => {
    const item = inbound.text('hi', { from: null, userId: 'US.13491208655302741918', username: 'realsheenanelson' });
    expect(only(item).data).toMatchObject({
      chat: { jid: 'US.13491208655302741918@lid', phone: null, name: 'Sheena Nelson', type: 'private' },
      sender: { jid: 'US.13491208655302741918@lid', phone: null, name: 'Sheena Nelson' },
    });
    // Phone shown alongside the BSUID: the phone wins, as for every other message.
    expect(only(inbound.text('hi', { userId: 'US.13491208655302741918' })).data.chat.jid).toBe('16505551234@s.whatsapp.net');
  });

  it('takes a withheld from with a contact that has the wa_id as that phone', () => {
    const item = inbound.text('hi', { from: null, userId: 'US.1' });
    const contact = (item as { contact: Record<string, unknown> }).contact;
    contact.wa_id = '16505550000';
    expect(only(item).data.chat).toMatchObject({ jid: '16505550000@s.whatsapp.net', phone: '+16505550000' });
  });

  it('maps a group message to the group chat, with the user as sender', () => {
    expect(only(inbound.text('what does everyone think?', { groupId: 'Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD' })).data).toMatchObject({
      chat: { jid: 'Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD@g.us', phone: null, name: null, type: 'group' },
      sender: sheena,
    });
  });

  it('skips malformed messages and keeps the rest', () => {
    const body = webhookOf(phone, inbound.text('kept', { id: 'wamid.OK' }));
    const value = body.entry[0].changes[0].value as { messages: unknown[] };
    value.messages.unshift(
      'not an object',
      { from: '1', timestamp: '1', type: 'text', text: { body: 'no id' } },
      { from: '1', id: 'wamid.TS', timestamp: 'yesterday', type: 'text', text: { body: 'x' } },
      { id: 'wamid.NOFROM', timestamp: '1', type: 'text', text: { body: 'x' } },
      { from: '1', id: 'wamid.NOBODY', timestamp: '1', type: 'text', text: {} },
      { from: '1', id: 'wamid.NOMEDIA', timestamp: '1', type: 'image', image: { mime_type: 'image/jpeg' } },
      { from: '1', id: 'wamid.NOTYPE', timestamp: '1' },
      { from: '1', id: 'wamid.LOC', timestamp: '1', type: 'location', location: { latitude: 'north' } },
      { from: '1', id: 'wamid.REACT', timestamp: '1', type: 'reaction', reaction: { emoji: 'x' } },
    );
    const [batch] = batches(body);
    expect(batch.messages.map((m) => m.data.id)).toEqual(['wamid.OK']);
    expect(batch.skipped).toEqual([
      'a message that is not an object',
      'a message without an id',
      'wamid.TS: no valid timestamp',
      'wamid.NOFROM: neither from nor from_user_id',
      'wamid.NOBODY: text without a body',
      'wamid.NOMEDIA: image without a media id',
      'wamid.NOTYPE: type "null" is not relayed',
      'wamid.LOC: location without coordinates',
      'wamid.REACT: reaction without message_id',
    ]);
  });

  it('relays a message Meta delivers twice in one body once', () => {
    const item = inbound.text('once', { id: 'wamid.DUP' });
    expect(batches(webhookOf(phone, item, item))[0].messages).toHaveLength(1);
  });
});

describe('parseCloudWebhook: statuses', () => {
  it('maps sent, delivered, read and played', () => {
    const [batch] = batches(webhookOf(phone,
      statuses.sent('wamid.A', { timestamp: TS }), statuses.delivered('wamid.A', { timestamp: TS + 1 }),
      statuses.read('wamid.A', { timestamp: TS + 2 }), statuses.played('wamid.A', { timestamp: TS + 3 })));
    expect(batch.statuses).toEqual([
      { id: 'wamid.A', status: 'sent', error: null, timestamp: TS_TEXT, tag: null, recipient: '16505551234' },
      { id: 'wamid.A', status: 'delivered', error: null, timestamp: '2025-06-08T20:59:44Z', tag: null, recipient: '16505551234' },
      { id: 'wamid.A', status: 'read', error: null, timestamp: '2025-06-08T20:59:45Z', tag: null, recipient: '16505551234' },
      { id: 'wamid.A', status: 'played', error: null, timestamp: '2025-06-08T20:59:46Z', tag: null, recipient: '16505551234' },
    ]);
    expect(batch.messages).toEqual([]);
  });

  it('words a failure as its first error: message (details)', () => {
    const [batch] = batches(webhookOf(phone,
      statuses.failed('wamid.B', [131047, 131026], { timestamp: TS }),
      statuses.failed('wamid.C', [{ code: 131049, details: null }], { timestamp: TS }),
      statuses.failed('wamid.D', [], { timestamp: TS })));
    expect(batch.statuses).toEqual([
      { id: 'wamid.B', status: 'failed', timestamp: TS_TEXT, error: 'Re-engagement message (Message failed to send because more than 24 hours have passed since the customer last replied to this number.)', tag: null, recipient: '16505551234' },
      { id: 'wamid.C', status: 'failed', timestamp: TS_TEXT, error: 'This message was not delivered to maintain healthy ecosystem engagement.', tag: null, recipient: '16505551234' },
      { id: 'wamid.D', status: 'failed', timestamp: TS_TEXT, error: null, tag: null, recipient: '16505551234' },
    ]);
  });

  it("takes the send's biz_opaque_callback_data as its tag, and recipient_id as its recipient", () => {
    const [batch] = batches(webhookOf(phone,
      statuses.sent('wamid.T', { timestamp: TS, recipient: '5511988887777', callbackData: 'idempotency-key:k:1' }),
      statuses.delivered('wamid.T', { timestamp: TS, recipient: null, callbackData: 'x'.repeat(513) })));
    expect(batch.statuses).toEqual([
      { id: 'wamid.T', status: 'sent', error: null, timestamp: TS_TEXT, tag: 'idempotency-key:k:1', recipient: '5511988887777' },
      // Longer than Meta allows at the send: not a tag of ours.
      { id: 'wamid.T', status: 'delivered', error: null, timestamp: TS_TEXT, tag: null, recipient: null },
    ]);
  });

  it('takes an old failure with only code and title', () => {
    const body = webhookOf(phone, statuses.sent('wamid.E', { timestamp: TS }));
    (body.entry[0].changes[0].value as { statuses: Array<Record<string, unknown>> }).statuses[0] = {
      id: 'wamid.E', status: 'failed', timestamp: String(TS), recipient_id: '1', errors: [{ code: 470, title: 'Message failed to send because more than 24 hours have passed' }],
    };
    expect(batches(body)[0].statuses[0].error).toBe('Message failed to send because more than 24 hours have passed');
  });

  it('skips unknown statuses and malformed ones, and relays a duplicate once', () => {
    const body = webhookOf(phone,
      statuses.other('wamid.F', 'deleted'), statuses.other('wamid.F', 'warning'),
      statuses.read('wamid.G', { timestamp: TS }), statuses.read('wamid.G', { timestamp: TS }),
      statuses.delivered('wamid.H', { timestamp: 'soon' }), statuses.sent('wamid.I', { recipient: null, userId: 'US.1', timestamp: TS }));
    const [batch] = batches(body);
    expect(batch.statuses.map((s) => `${s.id} ${s.status}`)).toEqual(['wamid.G read', 'wamid.I sent']);
    expect(batch.skipped).toEqual(['wamid.F: status "deleted" is not relayed', 'wamid.F: status "warning" is not relayed', 'wamid.H: status without a valid timestamp']);
  });
});

describe('parseCloudWebhook: the body', () => {
  it('groups several entries, changes, messages and statuses per phone number id, in body order', () => {
    const body = webhookBody(
      entry('WABA1',
        change(phone, [inbound.text('one', { id: 'wamid.1' }), inbound.text('two', { id: 'wamid.2' }), statuses.sent('wamid.S1')]),
        change(other, [inbound.text('three', { id: 'wamid.3' })])),
      entry('WABA2', change(phone, [inbound.image({ id: 'wamid.4', mediaId: '9' }), statuses.read('wamid.S1')], { errors: [130429] })),
    );
    const result = batches(body);
    expect(result.map((b) => b.phoneNumberId)).toEqual([phone.id, other.id]);
    expect(result[0].messages.map((m) => m.data.id)).toEqual(['wamid.1', 'wamid.2', 'wamid.4']);
    expect(result[0].statuses.map((s) => s.status)).toEqual(['sent', 'read']);
    expect(result[0].errors).toEqual(['Rate limit hit (Cloud API message throughput has been reached.)']);
    expect(result[1].messages.map((m) => m.data.id)).toEqual(['wamid.3']);
    expect(result[1].statuses).toEqual([]);
  });

  it('lists a number whose change relays nothing (another field), so that its signature is still checked', () => {
    const body = webhookBody(entry('WABA1', change(other, [inbound.text('echo')], { field: 'smb_message_echoes' })));
    expect(batches(body)).toEqual([{ phoneNumberId: other.id, messages: [], statuses: [], skipped: ['field "smb_message_echoes" is not relayed'], errors: [] }]);
  });

  it('skips changes and entries without what they need', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        null,
        { id: 'W' },
        { id: 'W', changes: [null, { field: 'messages' }, { field: 'messages', value: { metadata: {} } }, { field: 'messages', value: { metadata: { phone_number_id: phone.id }, messages: 'nope', statuses: {} } }] },
      ],
    };
    expect(batches(body)).toEqual([{ phoneNumberId: phone.id, messages: [], statuses: [], skipped: [], errors: [] }]);
    expect(batches({ object: 'whatsapp_business_account', entry: [] })).toEqual([]);
  });

  it('refuses a body that is not JSON, or not a WhatsApp Business Account webhook', () => {
    expect(parseCloudWebhook(Buffer.from('<xml/>'))).toEqual({ ok: false, reason: 'not JSON' });
    expect(parseCloudWebhook(Buffer.alloc(0))).toEqual({ ok: false, reason: 'not JSON' });
    for (const body of [null, [], 'text', { object: 'page', entry: [] }, { object: 'whatsapp_business_account' }, { object: 'whatsapp_business_account', entry: {} }]) {
      expect(parseCloudWebhook(JSON.stringify(body))).toEqual({ ok: false, reason: 'not a WhatsApp Business Account webhook' });
    }
  });
});
