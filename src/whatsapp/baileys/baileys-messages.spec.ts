import { cleanMessage, makeEventBuffer, proto, type WAMessage, type AuthenticationCreds, type BaileysEventMap } from '@whiskeysockets/baileys';
import processMessage from '@whiskeysockets/baileys/lib/Utils/process-message.js';
import pino from 'pino';
import { fixture, GROUP, LID, ME, PEER, type FixtureName } from '../../../test/fixtures/baileys/messages.js';
import type { MessageData, ProviderMessage } from '../whatsapp.port.js';
import { contactOf, fromRaw, inboundOf, timestampOf, toProviderMessage, toProviderStatus, type MappingContext } from './baileys-messages.js';

const logger = pino({ level: 'silent' });
const ctx: MappingContext = { meId: ME.id, groupSubject: (jid) => (jid === GROUP ? 'Team' : null) };

/**
 * Feeds messages through Baileys' own event buffer the way its socket does (`cleanMessage`, the
 * `messages.upsert`, then `processMessage`'s derived events), and collects what the adapter's
 * mapping hands the sink.
 */
async function deliver(messages: WAMessage[], { buffered = false, type = 'notify' as 'notify' | 'append' } = {}) {
  const ev = makeEventBuffer(logger);
  const out: ProviderMessage[] = [];
  const batches: Array<Partial<BaileysEventMap>> = [];
  ev.process((batch) => {
    batches.push(batch);
    out.push(...inboundOf(batch, ctx).messages);
  });
  const creds = { me: ME, accountSettings: { unarchiveChats: false } } as unknown as AuthenticationCreds;
  if (buffered) ev.buffer();
  for (const m of messages) {
    cleanMessage(m, ME.id, ME.lid);
    ev.emit('messages.upsert', { messages: [m], type });
    await processMessage(m, {
      shouldProcessHistoryMsg: false, ev, creds, logger, options: {}, getMessage: async () => undefined,
      signalRepository: {} as never, keyStore: {} as never,
    });
  }
  if (buffered) ev.flush();
  ev.destroy();
  return { out, batches };
}

const one = async (name: FixtureName): Promise<MessageData | null> => {
  const { out } = await deliver([fixture(name)]);
  expect(out.length).toBeLessThanOrEqual(1);
  return out[0]?.data ?? null;
};

const bob = { jid: PEER, phone: '+5511888888888', name: 'Bob' };
const privateChat = { ...bob, type: 'private' };
const base = (id: string, seconds: number) => ({
  id, direction: 'incoming', timestamp: timestampOf(seconds), fromMe: false, chat: privateChat, sender: bob, media: null, replyTo: null, target: null,
});

describe('Baileys messages → message.exchange (SPEC-MESSAGING §10)', () => {
  it('text, and RFC 3339 UTC timestamps without milliseconds', async () => {
    expect(await one('text')).toEqual({ ...base('3EB0TEXT0001', 1700000000), timestamp: '2023-11-14T22:13:20Z', type: 'text', content: { text: 'hello' } });
  });

  it('a reply names the quoted message', async () => {
    expect(await one('reply')).toEqual({ ...base('3EB0REPLY001', 1700000001), type: 'text', content: { text: 'answer' }, replyTo: '3EB0TEXT0001' });
  });

  it.each([
    ['image', 'image', { caption: 'pic' }, { mimetype: 'image/jpeg', fileName: null, size: null }],
    ['ptt', 'audio', { voice: true }, { mimetype: 'audio/ogg; codecs=opus', fileName: null, size: null }],
    ['video', 'video', { caption: 'vid' }, { mimetype: 'video/mp4', fileName: null, size: null }],
    ['document', 'document', {}, { mimetype: 'application/pdf', fileName: 'report.pdf', size: null }],
    ['docWithCaption', 'document', { caption: 'see attached' }, { mimetype: 'application/pdf', fileName: 'r.pdf', size: null }],
    ['sticker', 'sticker', {}, { mimetype: 'image/webp', fileName: null, size: null }],
  ] as const)('media: %s → %s', async (name, type, content, media) => {
    const { out } = await deliver([fixture(name)]);
    expect(out).toHaveLength(1);
    expect(out[0].data).toMatchObject({ type, content, media, replyTo: null, target: null });
    expect(out[0].data.content).toEqual(content);
    expect(out[0].mediaSource).toEqual({});
  });

  it('an ephemeral image is unwrapped, with its reply', async () => {
    expect(await one('ephemeralImage')).toMatchObject({ type: 'image', content: { caption: 'vanishing' }, media: { mimetype: 'image/png' }, replyTo: '3EB0TEXT0001' });
  });

  it('location and contacts (vCard TEL/waid)', async () => {
    expect(await one('location')).toMatchObject({ type: 'location', content: { latitude: -23.55, longitude: -46.63, name: 'Paulista', address: 'Av. Paulista' }, media: null });
    expect(await one('contact')).toMatchObject({ type: 'contacts', content: { contacts: [{ name: 'Alice', phones: ['+5511777777777'] }] } });
    expect(await one('contacts')).toMatchObject({
      type: 'contacts',
      content: { contacts: [{ name: 'Alice', phones: ['+5511777777777'] }, { name: 'Bob B', phones: ['+5521666666666', '+15550100200'] }] },
    });
    expect(contactOf({ vcard: 'BEGIN:VCARD\nFN:Only Name\nEND:VCARD' })).toEqual({ name: 'Only Name', phones: [] });
  });

  it('reactions, edits and revokes name their target', async () => {
    expect(await one('reaction')).toEqual({ ...base('3EB0RCT00001', 1700000009), type: 'reaction', content: { emoji: '❤️' }, target: '3EB0MINE0001' });
    expect(await one('unreaction')).toMatchObject({ type: 'reaction', content: { emoji: '' }, target: '3EB0MINE0001' });
    expect(await one('edit')).toEqual({ ...base('3EB0EDT00001', 1700000010), type: 'edit', content: { text: 'hello (edited)' }, target: '3EB0TEXT0001' });
    expect(await one('revoke')).toEqual({ ...base('3EB0REV00001', 1700000011), type: 'revoke', content: {}, target: '3EB0TEXT0001' });
  });

  it('groups: the chat is the group (subject when known), the sender the participant', async () => {
    expect(await one('group')).toMatchObject({
      chat: { jid: GROUP, phone: null, name: 'Team', type: 'group' },
      sender: { jid: '5511666666666@s.whatsapp.net', phone: '+5511666666666', name: 'Carol' },
    });
    expect(await one('lidGroup')).toMatchObject({
      chat: { jid: GROUP, type: 'group' },
      sender: { jid: '5511555555555@s.whatsapp.net', phone: '+5511555555555', name: 'Eve' },
    });
    const unknownGroup = fixture('group');
    unknownGroup.key.remoteJid = '120363999999999999@g.us';
    expect(toProviderMessage(unknownGroup, ctx)?.data.chat.name).toBeNull();
  });

  it('@lid chats: the phone-number JID from remoteJidAlt, else the @lid JID with phone null', async () => {
    const viaAlt = await one('lidChat');
    expect(viaAlt?.chat).toEqual({ jid: PEER, phone: '+5511888888888', name: 'Dan', type: 'private' });
    expect(viaAlt?.sender).toEqual({ jid: PEER, phone: '+5511888888888', name: 'Dan' });
    expect((await one('lidOnly'))?.chat).toEqual({ jid: '555555555555555@lid', phone: null, name: 'Fay', type: 'private' });
    expect(LID).toMatch(/@lid$/);
  });

  it('fromMe (sent from the phone) is outgoing, from us, to the chat', async () => {
    expect(await one('fromMe')).toEqual({
      ...base('3EB0MINE0001', 1700000015), direction: 'outgoing', fromMe: true,
      chat: { jid: PEER, phone: '+5511888888888', name: null, type: 'private' },
      sender: { jid: '5511999999999@s.whatsapp.net', phone: '+5511999999999', name: 'Me' },
      type: 'text', content: { text: 'sent from my phone' },
    });
  });

  it('skips decryption stubs, history-sync and other protocol messages, and stories', async () => {
    for (const name of ['ciphertext', 'historySync', 'statusStory'] as const) expect(await one(name)).toBeNull();
  });

  it('append (offline backlog) upserts are handled like notify', async () => {
    const { out } = await deliver([fixture('text'), fixture('image')], { type: 'append' });
    expect(out.map((m) => m.data.id)).toEqual(['3EB0TEXT0001', '3EB0IMG00001']);
  });

  it('each message once, unbuffered: the derived messages.update / messages.reaction add nothing', async () => {
    const { out, batches } = await deliver([fixture('text'), fixture('edit'), fixture('revoke'), fixture('reaction')]);
    // Baileys did derive them: the test would be vacuous otherwise.
    expect(batches.some((b) => b['messages.update'])).toBe(true);
    expect(batches.some((b) => b['messages.reaction'])).toBe(true);
    expect(out.map((m) => `${m.data.id}:${m.data.type}:${m.data.target}`)).toEqual([
      '3EB0TEXT0001:text:null', '3EB0EDT00001:edit:3EB0TEXT0001', '3EB0REV00001:revoke:3EB0TEXT0001', '3EB0RCT00001:reaction:3EB0MINE0001',
    ]);
  });

  it('each message once in one buffered window where an edit, a revoke and a reaction are merged', async () => {
    const reacted = fixture('reaction');
    reacted.message!.reactionMessage!.key!.id = '3EB0IMG00001';
    const editOfImage = fixture('edit');
    editOfImage.message!.editedMessage!.message!.protocolMessage!.key!.id = '3EB0IMG00001';
    editOfImage.message!.editedMessage!.message!.protocolMessage!.editedMessage = { conversation: 'new caption' };
    const { out, batches } = await deliver([fixture('text'), fixture('image'), editOfImage, fixture('revoke'), reacted], { buffered: true });
    expect(batches).toHaveLength(1);
    const upserted = batches[0]['messages.upsert']!.messages;
    // The merge Baileys does: the revoked original became a keyless tombstone under the revoke's id …
    expect(upserted.filter((m) => m.key.id === '3EB0REV00001')).toHaveLength(2);
    // … and the edit and the reaction were folded into the image, with no event of their own.
    expect(batches[0]['messages.update']).toBeUndefined();
    expect(batches[0]['messages.reaction']).toBeUndefined();
    expect(out.map((m) => `${m.data.id}:${m.data.type}:${m.data.target}`)).toEqual([
      // The image with the edit's content (Baileys replaced the message, the media is gone from this
      // batch: the decrypt-time store of baileys-receive.ts is what keeps the image), the edit
      // itself, the revoke (its revoked original was dropped from the batch) and the reaction: once each.
      '3EB0IMG00001:text:null', '3EB0EDT00001:edit:3EB0IMG00001', '3EB0REV00001:revoke:3EB0TEXT0001', '3EB0RCT00001:reaction:3EB0IMG00001',
    ]);
  });

  it('raw keeps the Alt JIDs, is JSON-safe, and revives into a WAMessage with Buffers', async () => {
    const { out } = await deliver([fixture('lidChat'), fixture('image')]);
    const [lid, image] = out;
    expect(JSON.parse(JSON.stringify(lid.raw))).toEqual(lid.raw);
    expect(lid.raw).toMatchObject({ key: { remoteJid: LID, remoteJidAlt: PEER, id: '3EB0LID00001' }, message: { conversation: 'from lid' } });
    const revived = fromRaw(JSON.parse(JSON.stringify(image.raw)));
    expect(revived.message).toBeInstanceOf(proto.Message);
    expect(Buffer.isBuffer(revived.message!.imageMessage!.mediaKey)).toBe(true);
    expect(revived.message!.imageMessage!.mediaKey).toEqual(Buffer.alloc(32, 1));
    // A proto instance (what the socket decodes) stores the same way.
    const decoded = { ...fixture('image'), message: proto.Message.decode(proto.Message.encode(proto.Message.fromObject(fixture('image').message!)).finish()) };
    const fromProto = fromRaw(JSON.parse(JSON.stringify(toProviderMessage(decoded, ctx)!.raw)));
    expect(fromProto.message!.imageMessage!.mediaKey).toEqual(Buffer.alloc(32, 1));
    expect(Number(fromProto.message!.imageMessage!.fileLength)).toBe(12345);
  });

  it('statuses: only the delivery status of our own sends', () => {
    const now = new Date('2026-04-20T10:15:30.123Z');
    const mine = { remoteJid: PEER, fromMe: true, id: 'MINE' };
    expect(toProviderStatus({ key: mine, update: { status: 3 } }, now)).toEqual({ id: 'MINE', status: 'delivered', error: null, timestamp: '2026-04-20T10:15:30Z' });
    expect(toProviderStatus({ key: mine, update: { status: 4 } }, now)?.status).toBe('read');
    expect(toProviderStatus({ key: mine, update: { status: 5 } }, now)?.status).toBe('played');
    expect(toProviderStatus({ key: mine, update: { status: 2 } }, now)?.status).toBe('sent');
    expect(toProviderStatus({ key: mine, update: { status: 0, messageStubParameters: ['463'] } }, now)).toMatchObject({
      status: 'failed', error: 'WhatsApp refused the message (code 463)',
    });
    expect(toProviderStatus({ key: mine, update: { status: 1 } }, now)).toBeNull();
    expect(toProviderStatus({ key: { ...mine, fromMe: false }, update: { status: 4 } }, now)).toBeNull();
    expect(toProviderStatus({ key: mine, update: { message: null, messageStubType: 1 } }, now)).toBeNull();
  });
});
