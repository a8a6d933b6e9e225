import {
  BufferJSON, WAMessageStatus, WAMessageStubType, getContentType, isJidBroadcast, isJidGroup, isJidNewsletter,
  isJidStatusBroadcast, isLidUser, isPnUser, jidNormalizedUser, normalizeMessageContent, proto, toNumber,
  type BaileysEventMap, type WAMessage, type WAMessageKey, type WAMessageUpdate,
} from '@whiskeysockets/baileys';
import { rfc3339 } from '../../common/time.js';
import type {
  ChatRef, DeliveryStatus, MediaInfo, MessageContent, MessageData, MessageType, ProviderMessage, ProviderStatus, SenderRef,
} from '../whatsapp.port.js';

/**
 * Baileys' `WAMessage` → the port's ProviderMessage (SPEC-MESSAGING §10 `message.exchange`).
 *
 * `messages.upsert` (`notify` and `append`) is the single source (research notes §7.2): edits,
 * revokes and reactions are read from their own upserts, never from the `messages.update` /
 * `messages.reaction` that Baileys derives from them, because its event buffer merges those into a
 * buffered original (a revoke even overwrites the original's key), so that path would report some
 * twice and some never.
 */

export interface MappingContext {
  /** Our own JID (`creds.me.id`, with or without `:device`): the sender of `fromMe` messages. */
  meId?: string | null;
  /** A group's subject when known (SPEC §10: `name` = the group subject, else null). */
  groupSubject?: (groupJid: string) => string | null | undefined;
}

type Content = proto.IMessage;

/** The message, or null when it is nothing a client sees (see the cases below). */
export function toProviderMessage(m: WAMessage, ctx: MappingContext = {}): ProviderMessage | null {
  const key = m.key as WAMessageKey;
  const remoteJid = key.remoteJid;
  if (!key.id || !remoteJid) return null;
  // Stories, broadcast lists and channels are not chats of this API.
  if (isJidStatusBroadcast(remoteJid) || isJidBroadcast(remoteJid) || isJidNewsletter(remoteJid)) return null;
  // A decryption failure: the real message comes later with the same id (retry or placeholder resend).
  if (m.messageStubType === WAMessageStubType.CIPHERTEXT) return null;
  // Also the buffer-merge artefact of a revoke (message null, stub REVOKE): the revoke's own upsert says it.
  if (!m.message) return null;
  // Unwraps ephemeral, view-once, document-with-caption and edited (an edit merged into its original).
  const c = normalizeMessageContent(m.message);
  if (!c) return null;
  const kind = classify(c);
  if (!kind) return null;

  const fromMe = !!key.fromMe;
  const data: MessageData = {
    id: key.id,
    direction: fromMe ? 'outgoing' : 'incoming',
    timestamp: timestampOf(m.messageTimestamp),
    fromMe,
    chat: chatOf(key, fromMe ? null : (m.pushName ?? null), ctx),
    sender: senderOf(key, m.pushName ?? null, ctx),
    type: kind.type,
    content: kind.content,
    media: kind.media,
    replyTo: kind.replyTo,
    target: kind.target,
  };
  return { data, mediaSource: kind.media ? {} : null, raw: toRaw(m) };
}

/**
 * What the adapter needs later (quote the message, download its media): key and content, JSON
 * safe. The key is kept as Baileys gave it, with `remoteJidAlt`/`participantAlt`, which the
 * protobuf encoding would drop.
 */
export function toRaw(m: Pick<WAMessage, 'key' | 'message' | 'messageTimestamp'>): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify({ key: m.key, message: m.message, messageTimestamp: m.messageTimestamp == null ? null : toNumber(m.messageTimestamp) }, BufferJSON.replacer),
  ) as Record<string, unknown>;
}

/** A stored raw back into a WAMessage that Baileys can quote or download (bytes as Buffers). */
export function fromRaw(raw: Record<string, unknown>): WAMessage {
  const revived = JSON.parse(JSON.stringify(raw), BufferJSON.reviver) as { key: WAMessageKey; message?: unknown; messageTimestamp?: number | null };
  return {
    key: revived.key,
    // fromObject accepts either spelling of a proto object in JSON (base64 or Buffer bytes, enum names, Long strings).
    message: revived.message ? proto.Message.fromObject(revived.message as Record<string, unknown>) : null,
    ...(revived.messageTimestamp != null ? { messageTimestamp: revived.messageTimestamp } : {}),
  };
}

interface Kind {
  type: MessageType;
  content: MessageContent;
  media: MediaInfo | null;
  replyTo: string | null;
  target: string | null;
}

const PROTOCOL = proto.Message.ProtocolMessage.Type;

function classify(c: Content): Kind | null {
  const type = getContentType(c);
  if (!type) return null;
  const replyTo = contextOf(c, type)?.stanzaId || null;
  const kind = (t: MessageType, content: MessageContent, media: MediaInfo | null = null, target: string | null = null): Kind => ({
    type: t, content, media, replyTo: target ? null : replyTo, target,
  });
  switch (type) {
    case 'conversation':
      return kind('text', { text: c.conversation ?? '' });
    case 'extendedTextMessage':
      return kind('text', { text: c.extendedTextMessage?.text ?? '' });
    case 'imageMessage':
      return kind('image', caption(c.imageMessage?.caption), media(c.imageMessage, 'image/jpeg'));
    case 'videoMessage':
    case 'ptvMessage': {
      const v = c.videoMessage ?? c.ptvMessage;
      return kind('video', caption(v?.caption), media(v, 'video/mp4'));
    }
    case 'audioMessage':
      return kind('audio', c.audioMessage?.ptt ? { voice: true } : {}, media(c.audioMessage, 'audio/ogg; codecs=opus'));
    case 'documentMessage':
      return kind('document', caption(c.documentMessage?.caption), media(c.documentMessage, 'application/octet-stream', c.documentMessage?.fileName ?? c.documentMessage?.title ?? null));
    case 'stickerMessage':
      return kind('sticker', {}, media(c.stickerMessage, 'image/webp'));
    case 'locationMessage':
    case 'liveLocationMessage': {
      const l = c.locationMessage ?? c.liveLocationMessage;
      const content: MessageContent = { latitude: l?.degreesLatitude ?? 0, longitude: l?.degreesLongitude ?? 0 };
      const named = c.locationMessage;
      if (named?.name) content.name = named.name;
      if (named?.address) content.address = named.address;
      if (l && 'caption' in l && l.caption) content.caption = l.caption;
      return kind('location', content);
    }
    case 'contactMessage':
      return kind('contacts', { contacts: [contactOf(c.contactMessage)] });
    case 'contactsArrayMessage':
      return kind('contacts', { contacts: (c.contactsArrayMessage?.contacts ?? []).map(contactOf) });
    case 'reactionMessage': {
      const r = c.reactionMessage;
      return r?.key?.id ? kind('reaction', { emoji: r.text ?? '' }, null, r.key.id) : null;
    }
    case 'protocolMessage': {
      const p = c.protocolMessage;
      if (!p?.key?.id) return null;
      if (p.type === PROTOCOL.MESSAGE_EDIT) return kind('edit', { text: textOf(normalizeMessageContent(p.editedMessage)) }, null, p.key.id);
      if (p.type === PROTOCOL.REVOKE) return kind('revoke', {}, null, p.key.id);
      // History sync, app-state keys, ephemeral settings, LID migrations, …: nothing a client sees.
      return null;
    }
    case 'buttonsResponseMessage': {
      const b = c.buttonsResponseMessage;
      return kind('text', reply(b?.selectedDisplayText, b?.selectedButtonId));
    }
    case 'templateButtonReplyMessage': {
      const b = c.templateButtonReplyMessage;
      return kind('text', reply(b?.selectedDisplayText, b?.selectedId));
    }
    case 'listResponseMessage': {
      const l = c.listResponseMessage;
      return kind('text', reply(l?.title, l?.singleSelectReply?.selectedRowId));
    }
    default:
      // Polls, calls, payments, group invites, …: not message types of SPEC §10.
      return null;
  }
}

function caption(text: string | null | undefined): MessageContent {
  return text ? { caption: text } : {};
}

function reply(text: string | null | undefined, id: string | null | undefined): MessageContent {
  return { text: text ?? '', ...(id ? { replyId: id } : {}) };
}

interface MediaFields {
  mimetype?: string | null;
}

function media(m: MediaFields | null | undefined, fallback: string, fileName: string | null = null): MediaInfo {
  return { mimetype: m?.mimetype || fallback, fileName, size: null };
}

function textOf(c: Content | undefined): string {
  return c?.conversation ?? c?.extendedTextMessage?.text ?? c?.imageMessage?.caption ?? c?.videoMessage?.caption ?? c?.documentMessage?.caption ?? '';
}

function contextOf(c: Content, type: string): proto.IContextInfo | null | undefined {
  const inner = (c as Record<string, unknown>)[type];
  return inner && typeof inner === 'object' && 'contextInfo' in inner ? (inner as { contextInfo?: proto.IContextInfo | null }).contextInfo : undefined;
}

/** A vCard's name and numbers: `waid` (the WhatsApp number) when present, else the TEL value. */
export function contactOf(contact: proto.Message.IContactMessage | null | undefined): { name: string; phones: string[] } {
  const lines = (contact?.vcard ?? '').replace(/\r\n/g, '\n').replace(/\n[ \t]/g, '').split('\n');
  let fn = '';
  const phones: string[] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const params = line.slice(0, colon).split(';');
    const property = params[0].replace(/^item\d+\./i, '').toUpperCase();
    const value = line.slice(colon + 1).trim();
    if (property === 'FN' && !fn) fn = value;
    if (property !== 'TEL') continue;
    const waid = params.find((p) => /^waid=/i.test(p))?.slice(5);
    const phone = waid && /^\d+$/.test(waid) ? `+${waid}` : value.replace(/[\s().-]/g, '');
    if (phone && !phones.includes(phone)) phones.push(phone);
  }
  return { name: contact?.displayName || fn, phones };
}

/** The phone-number form of a user JID (`<digits>@s.whatsapp.net`), or null. */
function phoneJid(jid: string | null | undefined): string | null {
  return jid && isPnUser(jid) ? jidNormalizedUser(jid) : null;
}

function phoneOf(pnJid: string | null): string | null {
  return pnJid ? `+${pnJid.split('@')[0]}` : null;
}

/** A user as SPEC §10 names it: the phone-number JID when known, else the `@lid` JID. */
function userRef(jid: string, alt: string | null | undefined, name: string | null): SenderRef {
  const pn = phoneJid(jid) ?? (isLidUser(jid) ? phoneJid(alt) : null);
  return { jid: pn ?? jidNormalizedUser(jid), phone: phoneOf(pn), name };
}

function chatOf(key: WAMessageKey, profileName: string | null, ctx: MappingContext): ChatRef {
  const jid = key.remoteJid!;
  if (isJidGroup(jid)) return { jid, phone: null, name: ctx.groupSubject?.(jid) ?? null, type: 'group' };
  return { ...userRef(jid, key.remoteJidAlt, profileName), type: 'private' };
}

function senderOf(key: WAMessageKey, pushName: string | null, ctx: MappingContext): SenderRef {
  if (key.fromMe && ctx.meId) return { ...userRef(ctx.meId, null, null), name: pushName };
  if (isJidGroup(key.remoteJid!)) {
    if (key.participant) return userRef(key.participant, key.participantAlt, pushName);
    return { jid: key.remoteJid!, phone: null, name: pushName };
  }
  return userRef(key.remoteJid!, key.remoteJidAlt, key.fromMe ? null : pushName);
}

/** A Baileys timestamp (seconds, a number or a Long; absent or 0 means now) in RFC 3339. */
export function timestampOf(seconds: WAMessage['messageTimestamp'] | Date | null | undefined): string {
  const ms = seconds instanceof Date ? seconds.getTime() : seconds == null ? Date.now() : toNumber(seconds) * 1000;
  return rfc3339(new Date(ms || Date.now()));
}

const STATUSES: Partial<Record<number, DeliveryStatus>> = {
  [WAMessageStatus.ERROR]: 'failed',
  [WAMessageStatus.SERVER_ACK]: 'sent',
  [WAMessageStatus.DELIVERY_ACK]: 'delivered',
  [WAMessageStatus.READ]: 'read',
  [WAMessageStatus.PLAYED]: 'played',
};

/**
 * `messages.update` → `message.status`, only for the delivery status of our own sends; edits,
 * revokes and reactions in it are ignored (see the top of this file).
 */
export function toProviderStatus(u: WAMessageUpdate, now: Date = new Date()): ProviderStatus | null {
  const status = u.update.status;
  if (!u.key.fromMe || !u.key.id || status == null) return null;
  const mapped = STATUSES[status];
  if (!mapped) return null;
  const params = u.update.messageStubParameters ?? [];
  const error = mapped === 'failed' ? `WhatsApp refused the message${params[0] ? ` (code ${params[0]})` : ''}${params[1] ? `: ${params[1]}` : ''}` : null;
  return { id: u.key.id, status: mapped, error, timestamp: timestampOf(now) };
}

/** What one `ev.process` batch holds for the sink, in order: the upserted messages and our statuses. */
export function inboundOf(
  batch: Partial<BaileysEventMap>,
  ctx: MappingContext = {},
  now: Date = new Date(),
): { messages: ProviderMessage[]; statuses: ProviderStatus[] } {
  const messages: ProviderMessage[] = [];
  const seen = new Set<string>();
  for (const m of batch['messages.upsert']?.messages ?? []) {
    const mapped = toProviderMessage(m, ctx);
    // A merged batch may hold one id twice (a revoke overwrites its original's key): once is enough.
    if (mapped && !seen.has(mapped.data.id)) {
      seen.add(mapped.data.id);
      messages.push(mapped);
    }
  }
  const statuses = (batch['messages.update'] ?? []).map((u) => toProviderStatus(u, now)).filter((s): s is ProviderStatus => s !== null);
  return { messages, statuses };
}
