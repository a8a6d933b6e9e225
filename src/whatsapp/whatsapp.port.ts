import type { Instance, InstanceStatus } from '../instances/instance.entity.js';

/**
 * The port between the server and its WhatsApp providers (SPEC-MESSAGING §8–§10). Everything
 * outside `src/whatsapp/baileys` and `src/whatsapp/cloud` speaks these types only: nothing else
 * knows which provider an instance has.
 */

export type MessageType =
  | 'text' | 'image' | 'audio' | 'video' | 'document' | 'sticker' | 'location' | 'contacts' | 'reaction' | 'edit' | 'revoke';
export type ChatType = 'private' | 'group';
export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'played' | 'failed';
/** How far a message got: a status only ever moves up (`failed` above all). */
export const STATUS_RANK: Record<DeliveryStatus, number> = { sent: 1, delivered: 2, read: 3, played: 4, failed: 5 };
/** The statuses a new one replaces. */
export const statusesBelow = (status: DeliveryStatus): string[] =>
  Object.entries(STATUS_RANK).filter(([, rank]) => rank < STATUS_RANK[status]).map(([name]) => name);
export type MediaType = 'image' | 'video' | 'audio' | 'document';

export interface ChatRef {
  /** `<digits>@s.whatsapp.net` when the phone number is known, else `<id>@lid`; `<id>@g.us` for groups. */
  jid: string;
  /** `+<digits>`, or null (a group, or a `@lid` chat whose number is unknown). */
  phone: string | null;
  /** The profile name, or the group's subject. */
  name: string | null;
  type: ChatType;
}

export interface SenderRef {
  jid: string;
  phone: string | null;
  name: string | null;
}

/** `content` of `message.exchange`: only the fields that apply to the type are present. */
export interface MessageContent {
  text?: string;
  caption?: string;
  emoji?: string;
  latitude?: number;
  longitude?: number;
  /** A location's name and address. */
  name?: string;
  address?: string;
  contacts?: Array<{ name: string; phones: string[] }>;
  /** Audio recorded as a voice note (Baileys `ptt`, Cloud API `voice`); absent otherwise. */
  voice?: boolean;
  /** An interactive or button reply: the chosen option's id (its title is `text`). */
  replyId?: string;
}

export interface MediaInfo {
  mimetype: string;
  fileName: string | null;
  /** Bytes, once stored; null until the background download has fetched them. */
  size: number | null;
}

/** The `message` object of `message.exchange` (SPEC-MESSAGING §10), without the media URL. */
export interface MessageData {
  id: string;
  direction: 'incoming' | 'outgoing';
  /** RFC 3339, UTC. */
  timestamp: string;
  fromMe: boolean;
  chat: ChatRef;
  sender: SenderRef;
  type: MessageType;
  content: MessageContent;
  media: MediaInfo | null;
  replyTo: string | null;
  /** The message a reaction, an edit or a revoke is about. */
  target: string | null;
}

/**
 * Where a provider keeps a message's media bytes: opaque to everything but that provider's
 * adapter (a Cloud API media id; for Baileys, the stored message itself suffices).
 */
export type MediaSource = Record<string, unknown>;

/** A message as a provider reports it: the event data, and what its adapter needs later. */
export interface ProviderMessage {
  data: MessageData;
  mediaSource: MediaSource | null;
  /** What the adapter needs to quote the message or fetch its media later (Baileys: key and content). */
  raw: Record<string, unknown> | null;
}

/** `message.status` data (SPEC-MESSAGING §10). */
export interface ProviderStatus {
  id: string;
  status: DeliveryStatus;
  error: string | null;
  /** RFC 3339, UTC. */
  timestamp: string;
  /** The tag the send carried (OutgoingMessage.tag), when the provider reports it back (Cloud API). */
  tag?: string | null;
  /** The recipient's `wa_id` as the provider reports it (Cloud API `recipient_id`). */
  recipient?: string | null;
}

/**
 * A send the provider accepted, as its first status naming the send's tag reported it: what a
 * repeat of a request whose process died mid-send records instead of sending again.
 */
export interface AcceptedSend {
  id: string;
  status: DeliveryStatus;
  /** A `failed` status's reason. */
  error: string | null;
  /** RFC 3339, UTC. */
  timestamp: string;
  recipient: string | null;
}

/** What the adapters hand the server: stored durably (with their events) before the promise resolves. */
export interface InboundSink {
  messages(instance: Instance, messages: ProviderMessage[]): Promise<void>;
  statuses(instance: Instance, statuses: ProviderStatus[]): Promise<void>;
  /** The instance's status changed (an `instance.state` event). */
  state(instance: Instance, status: InstanceStatus, reason: string): Promise<void>;
  /**
   * The code a phone pairs with changed (a new QR code every ~20 s, a pairing code), or pairing
   * ended (null): kept so that any process answers `/connect` with the current one.
   */
  pairing(instance: Instance, pairing: Pairing | null): Promise<void>;
}

export type Pairing = { qrCode: string } | { pairingCode: string };
export const INBOUND_SINK = Symbol('INBOUND_SINK');

/** What `GET /api/instance/connect` reports; `connecting` is Baileys' answer to a reconnect (§8: it does not wait). */
export type ConnectOutcome =
  | { status: 'connected'; already: boolean }
  | { status: 'qr_ready'; qrCode: string }
  | { status: 'pairing_code'; pairingCode: string }
  | { status: 'connecting' };

export interface OutgoingMedia {
  type: MediaType;
  bytes: Buffer;
  mimetype: string;
  fileName: string | null;
  caption: string | null;
  /** Audio as a voice note. */
  voice: boolean;
}

/** A message to send, validated: `to` is a JID (`<digits>@s.whatsapp.net`, `@lid` or `@g.us`). */
export interface OutgoingMessage {
  to: string;
  text?: string;
  linkPreview?: boolean;
  /** Seconds of "typing…" first (Baileys only). */
  delaySeconds?: number;
  media?: OutgoingMedia;
  /** The message replied to, as stored. */
  replyTo?: { id: string; chatJid: string; raw: Record<string, unknown> | null } | null;
  /** Baileys only: the id of one of this instance's own messages in `to`, deleted for everyone. */
  revoke?: string;
  /**
   * Cloud API only: an opaque tag Meta repeats in the message's status webhooks
   * (`biz_opaque_callback_data`, at most 512 characters), so that a status can name the send.
   */
  tag?: string;
  /**
   * Called once just before the provider is asked to deliver the message (after any upload):
   * from then on whether it went out is the provider's to say (SPEC-MESSAGING §9 Idempotency-Key).
   */
  sending?: () => Promise<void>;
}

/** What a send reports: the provider's id, and the message as it will be stored and emitted. */
export interface SentMessage {
  message: ProviderMessage;
}

export type WhatsAppErrorCode =
  /** The provider refused this message (SPEC §9 502 `WhatsApp rejected the message — <reason>`). */
  | 'REJECTED'
  /** Cloud API credentials refused (401 or code 190). */
  | 'CREDENTIALS'
  /** Cloud API: the phone number id is unknown or not permitted (another 4xx at connect). */
  | 'PHONE_NUMBER'
  /** The provider cannot be reached, answered 5xx, or no QR code came in time. */
  | 'UNREACHABLE'
  /** The instance has no live connection here. */
  | 'NOT_CONNECTED'
  /** Baileys: reconnect without a saved session. */
  | 'NO_SESSION'
  /** Media cannot be fetched from the provider any more. */
  | 'MEDIA_GONE';

/** A provider failure, already in the words of SPEC §8–§9 (`reason`, `detail`). */
export class WhatsAppError extends Error {
  constructor(
    readonly code: WhatsAppErrorCode,
    /** The provider's text, shown after `Detail:`; never holds a credential. */
    readonly detail: string = '',
    /** REJECTED: the reason of SPEC §9 (`the number is not on WhatsApp`, Meta's `error.message`, …). */
    readonly reason: string = '',
  ) {
    super(`${code}${reason ? ` (${reason})` : ''}${detail ? `: ${detail}` : ''}`);
    this.name = 'WhatsAppError';
  }
}

/** One provider's side of every instance that uses it. */
export interface WhatsAppAdapter {
  readonly provider: Instance['provider'];
  connect(instance: Instance, options: { pairingPhone?: string }): Promise<ConnectOutcome>;
  /** Baileys: reconnect a saved session (NO_SESSION without one). Cloud: the same as connect. */
  reconnect(instance: Instance): Promise<ConnectOutcome>;
  /** Ends the session (Baileys: logs the device out and forgets the session). */
  logout(instance: Instance): Promise<void>;
  send(instance: Instance, message: OutgoingMessage): Promise<SentMessage>;
  /** The bytes of a stored message's media; MEDIA_GONE when the provider no longer has them. */
  downloadMedia(instance: Instance, source: MediaSource, raw: Record<string, unknown> | null): Promise<{ bytes: Buffer; mimetype: string }>;
}
export const WHATSAPP_ADAPTERS = Symbol('WHATSAPP_ADAPTERS');
