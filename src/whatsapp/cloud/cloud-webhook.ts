import { hmacSha256Matches } from '../../common/crypto/hmac.js';
import { rfc3339 } from '../../common/time.js';
import type {
  ChatRef, DeliveryStatus, MediaInfo, MessageContent, MessageData, MessageType, ProviderMessage, ProviderStatus, SenderRef,
} from '../whatsapp.port.js';

/**
 * Meta's webhooks for the Cloud API (SPEC-MESSAGING §8 "Cloud API webhooks", research notes §1–§3):
 * the signature check and the parser, pure functions. The controller reads the raw body, parses it,
 * looks up the instances of the phone number ids it names, verifies the signature with each one's
 * app secret, and only then hands the batches on.
 */

/**
 * `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed by the app secret>`, compared
 * in constant time. The raw bytes, never a re-serialisation: Meta escapes non-ASCII (`\u00e4`).
 */
export function verifyMetaSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!header || !appSecret) return false;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  return !!match && hmacSha256Matches(appSecret, [rawBody], match[1]);
}

/** What one phone number id of a body brings. */
export interface CloudWebhookBatch {
  /** `metadata.phone_number_id`: names the instance (SPEC-MESSAGING §8). */
  phoneNumberId: string;
  /** `message.exchange` material, in body order, once per wamid. */
  messages: ProviderMessage[];
  /** `message.status` material, in body order, once per (wamid, status). */
  statuses: ProviderStatus[];
  /** What was left out and why (`wamid.…: type "unsupported" is not relayed`), for a debug log; no content. */
  skipped: string[];
  /** Errors Meta reported about the number, app or account (`value.errors`), for a warning log. */
  errors: string[];
}

export type CloudWebhookParse =
  | { ok: true; batches: CloudWebhookBatch[] }
  /** Not Meta's body at all: nothing names an instance, so no signature can be checked. */
  | { ok: false; reason: 'not JSON' | 'not a WhatsApp Business Account webhook' };

type Json = Record<string, unknown>;

const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
type MediaKind = (typeof MEDIA_TYPES)[number];
const STATUSES: readonly DeliveryStatus[] = ['sent', 'delivered', 'read', 'played', 'failed'];

/**
 * Groups a webhook body per `metadata.phone_number_id` (several entries, changes, messages and
 * statuses may come in one body). Malformed parts are skipped, never thrown: Meta retries a non-200
 * for days, and one bad message must not hold up the others. Only a body that is not JSON, or not
 * `{"object": "whatsapp_business_account", "entry": [...]}`, is refused as a whole.
 *
 * Every change that names a phone number id yields a batch, even one with nothing relayed (another
 * `field`, only unsupported messages): the controller must still check the signature against it.
 */
export function parseCloudWebhook(rawBody: Buffer | string): CloudWebhookParse {
  let body: unknown;
  try {
    body = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!isObject(body) || body.object !== 'whatsapp_business_account' || !Array.isArray(body.entry)) {
    return { ok: false, reason: 'not a WhatsApp Business Account webhook' };
  }
  const batches = new Map<string, CloudWebhookBatch & { seenMessages: Set<string>; seenStatuses: Set<string> }>();
  for (const entry of body.entry) {
    if (!isObject(entry) || !Array.isArray(entry.changes)) continue;
    for (const change of entry.changes) {
      if (!isObject(change) || !isObject(change.value)) continue;
      const value = change.value;
      const phoneNumberId = isObject(value.metadata) ? str(value.metadata.phone_number_id) : null;
      if (!phoneNumberId) continue;
      let batch = batches.get(phoneNumberId);
      if (!batch) {
        batch = { phoneNumberId, messages: [], statuses: [], skipped: [], errors: [], seenMessages: new Set(), seenStatuses: new Set() };
        batches.set(phoneNumberId, batch);
      }
      // Other fields (`smb_message_echoes`, template and account updates) are not messages of a chat.
      if (change.field !== 'messages') {
        batch.skipped.push(`field "${String(change.field)}" is not relayed`);
        continue;
      }
      const contacts = Array.isArray(value.contacts) ? value.contacts.filter(isObject) : [];
      for (const raw of Array.isArray(value.messages) ? value.messages : []) {
        const parsed = parseMessage(raw, contacts);
        if ('skip' in parsed) batch.skipped.push(parsed.skip);
        else if (!batch.seenMessages.has(parsed.data.id)) {
          batch.seenMessages.add(parsed.data.id);
          batch.messages.push(parsed);
        }
      }
      for (const raw of Array.isArray(value.statuses) ? value.statuses : []) {
        const parsed = parseStatus(raw);
        if ('skip' in parsed) batch.skipped.push(parsed.skip);
        else if (!batch.seenStatuses.has(`${parsed.id}\n${parsed.status}`)) {
          batch.seenStatuses.add(`${parsed.id}\n${parsed.status}`);
          batch.statuses.push(parsed);
        }
      }
      for (const error of Array.isArray(value.errors) ? value.errors : []) {
        const text = errorText(error);
        if (text) batch.errors.push(text);
      }
    }
  }
  return {
    ok: true,
    batches: [...batches.values()].map(({ seenMessages: _m, seenStatuses: _s, ...batch }) => batch),
  };
}

// ---- messages ----------------------------------------------------------------------------------

type Parsed<T> = T | { skip: string };

/** Who wrote: the phone (`from`), else the business-scoped user id (BSUID, 2026) with the phone withheld. */
interface Author {
  jid: string;
  phone: string | null;
  name: string | null;
}

function parseMessage(raw: unknown, contacts: Json[]): Parsed<ProviderMessage> {
  if (!isObject(raw)) return { skip: 'a message that is not an object' };
  const id = str(raw.id);
  if (!id) return { skip: 'a message without an id' };
  const type = str(raw.type);
  const timestamp = unixSeconds(raw.timestamp);
  if (!timestamp) return { skip: `${id}: no valid timestamp` };
  const author = authorOf(raw, contacts);
  if (!author) return { skip: `${id}: neither from nor from_user_id` };

  const body = type === null ? null : mapContent(type, raw);
  if (body === null) return { skip: `${id}: type "${type}" is not relayed` };
  if ('skip' in body) return { skip: `${id}: ${body.skip}` };

  const groupId = str(raw.group_id);
  const chat: ChatRef = groupId
    ? { jid: `${groupId}@g.us`, phone: null, name: null, type: 'group' }
    : { jid: author.jid, phone: author.phone, name: author.name, type: 'private' };
  const sender: SenderRef = { jid: author.jid, phone: author.phone, name: author.name };
  const context = isObject(raw.context) ? raw.context : null;
  const data: MessageData = {
    id,
    direction: 'incoming',
    timestamp,
    fromMe: false,
    chat,
    sender,
    type: body.type,
    content: body.content,
    media: body.media,
    replyTo: (context && str(context.id)) || null,
    target: body.target,
  };
  return { data, mediaSource: body.mediaId ? { mediaId: body.mediaId } : null, raw: null };
}

/**
 * The author's chat. With a phone: `<wa_id>@s.whatsapp.net`, `+<wa_id>`. Without one (BSUID era,
 * phone withheld): `<BSUID>@lid` and phone null, so that the message is kept and a reply can be
 * addressed to the BSUID (the Cloud API accepts them as recipients since mid-2026). The name is
 * `contacts[].profile.name` of the contact with that wa_id (or user_id).
 */
function authorOf(raw: Json, contacts: Json[]): Author | null {
  const from = digits(raw.from);
  const userId = bsuid(raw.from_user_id);
  const contact =
    (from ? contacts.find((c) => digits(c.wa_id) === from) : undefined) ??
    (userId ? contacts.find((c) => bsuid(c.user_id) === userId) : undefined);
  const name = contact && isObject(contact.profile) ? str(contact.profile.name) : null;
  const waId = from ?? (contact ? digits(contact.wa_id) : null);
  if (waId) return { jid: `${waId}@s.whatsapp.net`, phone: `+${waId}`, name };
  if (userId) return { jid: `${userId}@lid`, phone: null, name };
  return null;
}

interface Content {
  type: MessageType;
  content: MessageContent;
  media: MediaInfo | null;
  mediaId: string | null;
  target: string | null;
}

/** The content of a type that is relayed; null for a type that is not (unsupported, system, unknown). */
function mapContent(type: string, raw: Json): Content | { skip: string } | null {
  const plain = (t: MessageType, content: MessageContent, target: string | null = null): Content => ({ type: t, content, media: null, mediaId: null, target });
  const payload = isObject(raw[type]) ? (raw[type] as Json) : null;
  switch (type) {
    case 'text': {
      const body = payload ? strOrEmpty(payload.body) : null;
      return body === null ? { skip: 'text without a body' } : plain('text', { text: body });
    }
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      return payload ? mediaContent(type, payload) : { skip: `${type} without its object` };
    case 'location': {
      if (!payload) return { skip: 'location without its object' };
      const latitude = coordinate(payload.latitude);
      const longitude = coordinate(payload.longitude);
      if (latitude === null || longitude === null) return { skip: 'location without coordinates' };
      const content: MessageContent = { latitude, longitude };
      const name = str(payload.name);
      const address = str(payload.address);
      if (name) content.name = name;
      if (address) content.address = address;
      return plain('location', content);
    }
    case 'contacts': {
      const cards = Array.isArray(raw.contacts) ? raw.contacts.filter(isObject) : [];
      if (cards.length === 0) return { skip: 'contacts without cards' };
      return plain('contacts', { contacts: cards.map(contactCard) });
    }
    case 'reaction': {
      const target = payload ? str(payload.message_id) : null;
      if (!target) return { skip: 'reaction without message_id' };
      // A removal: `emoji` omitted (current) or empty (older payloads) → ''.
      return plain('reaction', { emoji: payload && typeof payload.emoji === 'string' ? payload.emoji : '' }, target);
    }
    case 'interactive': {
      const kind = payload ? str(payload.type) : null;
      const reply = kind === 'button_reply' || kind === 'list_reply' ? payload![kind] : null;
      if (!isObject(reply)) return { skip: `interactive "${kind}" is not relayed` };
      const title = strOrEmpty(reply.title);
      const replyId = strOrEmpty(reply.id);
      if (title === null || replyId === null) return { skip: `${kind} without id or title` };
      return plain('text', { text: title, replyId });
    }
    case 'button': {
      const text = payload ? strOrEmpty(payload.text) : null;
      const replyId = payload ? strOrEmpty(payload.payload) : null;
      if (text === null) return { skip: 'button without text' };
      return plain('text', { text, replyId: replyId ?? text });
    }
    case 'edit': {
      // Coexistence numbers only: the new text, or a media's new caption.
      const target = payload ? str(payload.original_message_id) : null;
      const message = payload && isObject(payload.message) ? payload.message : null;
      const inner = message && str(message.type);
      const innerPayload = message && inner && isObject(message[inner]) ? (message[inner] as Json) : null;
      const text = innerPayload ? (inner === 'text' ? strOrEmpty(innerPayload.body) : strOrEmpty(innerPayload.caption)) : null;
      if (!target || text === null) return { skip: 'edit without original_message_id or text' };
      return plain('edit', { text }, target);
    }
    case 'revoke': {
      const target = payload ? str(payload.original_message_id) : null;
      return target ? plain('revoke', {}, target) : { skip: 'revoke without original_message_id' };
    }
    default:
      // unsupported / unknown (with a 131051 error), system (number changes), request_welcome,
      // order, and whatever Meta adds: nothing a chat shows.
      return null;
  }
}

function mediaContent(type: MediaKind, payload: Json): Content | { skip: string } {
  const mediaId = str(payload.id);
  if (!mediaId) return { skip: `${type} without a media id` };
  const content: MessageContent = {};
  const caption = type === 'audio' || type === 'sticker' ? null : str(payload.caption);
  if (caption) content.caption = caption;
  return {
    type,
    content,
    media: {
      mimetype: str(payload.mime_type) ?? 'application/octet-stream',
      fileName: type === 'document' ? str(payload.filename) : null,
      size: null,
    },
    mediaId,
    target: null,
  };
}

/**
 * A contact card as `{name, phones}`: the formatted name (else its parts, else the company); each
 * number as `+<wa_id>` when WhatsApp knows it, else as written without spaces and punctuation (as
 * the Baileys adapter does with a vCard's `waid`).
 */
function contactCard(card: Json): { name: string; phones: string[] } {
  const n = isObject(card.name) ? card.name : {};
  const parts = [n.prefix, n.first_name, n.middle_name, n.last_name, n.suffix].map(str).filter((p): p is string => !!p);
  const company = isObject(card.org) ? str(card.org.company) : null;
  const name = str(n.formatted_name) ?? (parts.length ? parts.join(' ') : null) ?? company ?? '';
  const phones = (Array.isArray(card.phones) ? card.phones.filter(isObject) : [])
    .map((p) => (digits(p.wa_id) ? `+${digits(p.wa_id)}` : (str(p.phone)?.replace(/[\s().-]/g, '') ?? null)))
    .filter((p): p is string => !!p);
  return { name, phones };
}

// ---- statuses ----------------------------------------------------------------------------------

function parseStatus(raw: unknown): Parsed<ProviderStatus> {
  if (!isObject(raw)) return { skip: 'a status that is not an object' };
  const id = str(raw.id);
  if (!id) return { skip: 'a status without an id' };
  const status = str(raw.status);
  // `deleted` (On-Premises heritage) and `warning` (commerce) are not delivery states of SPEC §10.
  if (!status || !STATUSES.includes(status as DeliveryStatus)) return { skip: `${id}: status "${status}" is not relayed` };
  const timestamp = unixSeconds(raw.timestamp);
  if (!timestamp) return { skip: `${id}: status without a valid timestamp` };
  const first = status === 'failed' && Array.isArray(raw.errors) ? raw.errors[0] : undefined;
  return {
    id,
    status: status as DeliveryStatus,
    error: first === undefined ? null : errorText(first),
    timestamp,
    // The send's `biz_opaque_callback_data`, repeated by Meta (at most 512 characters at the send).
    tag: typeof raw.biz_opaque_callback_data === 'string' && raw.biz_opaque_callback_data.length <= 512 ? raw.biz_opaque_callback_data : null,
    recipient: digits(raw.recipient_id),
  };
}

/** An `errors[]` item as SPEC-MESSAGING §8 words a detail: its message, then ` (<details>)`. */
function errorText(error: unknown): string | null {
  if (!isObject(error)) return null;
  const code = typeof error.code === 'number' ? error.code : null;
  const message = str(error.message) ?? str(error.title) ?? (code !== null ? `(#${code})` : null);
  if (!message) return null;
  const details = isObject(error.error_data) ? str(error.error_data.details) : null;
  return details ? `${message} (${details})` : message;
}

// ---- small readers ------------------------------------------------------------------------------

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-blank string, trimmed of nothing (ids and texts are kept as sent), or null. */
function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** Any string, the empty one included (a text body, a button title), or null. */
function strOrEmpty(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A phone number as Meta writes `from`/`wa_id`: digits only. */
function digits(value: unknown): string | null {
  return typeof value === 'string' && /^\d{1,20}$/.test(value) ? value : null;
}

/** A business-scoped user id: `US.13491208655302741918`, `US.ENT.…`. */
function bsuid(value: unknown): string | null {
  return typeof value === 'string' && /^[A-Z]{2}\.[A-Za-z0-9.]{1,140}$/.test(value) ? value : null;
}

/** Meta's unix seconds (a string, sometimes a number) as RFC 3339 UTC without milliseconds. */
function unixSeconds(value: unknown): string | null {
  const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,11}$/.test(text)) return null;
  return rfc3339(new Date(Number(text) * 1000));
}

function coordinate(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : null;
}
