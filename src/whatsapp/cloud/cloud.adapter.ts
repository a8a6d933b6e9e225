import { Injectable } from '@nestjs/common';
import { SecretCipher } from '../../common/crypto/secret-cipher.js';
import { rfc3339 } from '../../common/time.js';
import type { Instance } from '../../instances/instance.entity.js';
import {
  type AcceptedSend, type ChatRef, type ConnectOutcome, type MediaSource, type MessageContent, type MessageData, type OutgoingMessage,
  type SenderRef, type SentMessage, type WhatsAppAdapter, WhatsAppError,
} from '../whatsapp.port.js';
import { GraphClient, type GraphCredentials, isMediaTooLarge, redactError } from './graph-client.js';

/**
 * The Cloud API provider (SPEC-MESSAGING §8–§10): Meta holds the session, so connecting is checking
 * the credentials, and there is nothing to log out of. Inbound traffic arrives as webhooks
 * (cloud-webhook.ts, wired by the caller), not through this adapter.
 *
 * The access token is decrypted per call and handed only to the GraphClient, which sends it in the
 * Authorization header and scrubs it from every error; nothing here logs.
 */
@Injectable()
export class CloudAdapter implements WhatsAppAdapter {
  readonly provider = 'cloud' as const;
  /** The business number of each phone number id (the `sender` of outgoing messages), learnt once. */
  private readonly business = new Map<string, SenderRef>();

  constructor(
    private readonly graph: GraphClient,
    private readonly cipher: SecretCipher,
  ) {}

  /** SPEC §8: `GET /<cloudPhoneNumberId>` with the token; `already` is false, Meta has no session to reuse. */
  connect(instance: Instance, _options: { pairingPhone?: string } = {}): Promise<ConnectOutcome> {
    return this.guarded(instance, async () => {
      const creds = this.credentials(instance);
      const info = await this.graph.verifyPhoneNumber(creds);
      this.rememberBusiness(creds.phoneNumberId, info.displayPhoneNumber, info.verifiedName);
      return { status: 'connected', already: false };
    });
  }

  reconnect(instance: Instance): Promise<ConnectOutcome> {
    return this.connect(instance, {});
  }

  /** Nothing at Meta: the caller marks the instance disconnected and then ignores its webhooks. */
  async logout(_instance: Instance): Promise<void> {
    // Meta keeps no per-client session for the Cloud API.
  }

  /**
   * A text (`preview_url` from linkPreview), or media: uploaded first, then sent by id, with its
   * caption (images, videos, documents: audio has none at Meta), the file name of a document, an
   * audio as a voice note when asked. A reply quotes by `context.message_id`. Never retried: Meta
   * has no idempotency key, a second attempt could deliver twice (SPEC §9's Idempotency-Key is the
   * caller's).
   */
  send(instance: Instance, message: OutgoingMessage): Promise<SentMessage> {
    // Meta's Cloud API has no call that deletes a sent message (MessagesService answers 400 first).
    if (message.revoke) return Promise.reject(new WhatsAppError('REJECTED', 'no such call in the Cloud API', 'a sent message cannot be revoked'));
    return this.guarded(instance, () => this.sendAs(instance, message));
  }

  private async sendAs(instance: Instance, message: OutgoingMessage): Promise<SentMessage> {
    const creds = this.credentials(instance);
    const recipient = recipientOf(message.to);
    const sender = await this.businessOf(creds);

    const body: Record<string, unknown> = { messaging_product: 'whatsapp', ...recipient.fields };
    if (message.replyTo) body.context = { message_id: message.replyTo.id };
    if (message.tag) body.biz_opaque_callback_data = message.tag;
    let mediaId: string | null = null;
    const media = message.media;
    if (media) {
      mediaId = await this.graph.uploadMedia(creds, { bytes: media.bytes, mimetype: media.mimetype, fileName: media.fileName });
      const object: Record<string, unknown> = { id: mediaId };
      if (media.caption && media.type !== 'audio') object.caption = media.caption;
      if (media.type === 'document' && media.fileName) object.filename = media.fileName;
      if (media.type === 'audio' && media.voice) object.voice = true;
      body.type = media.type;
      body[media.type] = object;
    } else {
      body.type = 'text';
      body.text = { body: message.text ?? '', preview_url: message.linkPreview === true };
    }

    await message.sending?.();
    const sent = await this.graph.sendMessage(creds, body);
    return sentMessage(message, sender, { id: sent.wamid, timestamp: rfc3339(new Date()), chat: recipient.chat(sent.waId), mediaId });
  }

  /**
   * A send made by a process that died before it stored it, as Meta's status webhook reported it
   * accepted (SPEC-MESSAGING §9 Idempotency-Key): the message as the send would have stored it,
   * without calling Meta. The uploaded media's id died with that process; the bytes are the
   * caller's.
   */
  async accepted(instance: Instance, message: OutgoingMessage, accepted: AcceptedSend): Promise<SentMessage> {
    const creds = this.credentials(instance);
    // Meta already has the message: its business number is asked for if unknown, but Meta being
    // unreachable now must not turn a sent message into a failed answer.
    const sender = await this.businessOf(creds).catch(() => businessRef(creds.phoneNumberId, null, null));
    return sentMessage(message, sender, { id: accepted.id, timestamp: accepted.timestamp, chat: recipientOf(message.to).chat(accepted.recipient), mediaId: null });
  }

  /**
   * `{mediaId}` → `GET /<media-id>` → the bytes (at most MEDIA_MAX_BYTES). The URL lives 5 minutes
   * and Meta's advice for a 404 on it is to ask for a new one: once. Unknown or expired media →
   * MEDIA_GONE.
   */
  downloadMedia(instance: Instance, source: MediaSource, _raw: Record<string, unknown> | null = null): Promise<{ bytes: Buffer; mimetype: string }> {
    return this.guarded(instance, () => this.download(instance, source));
  }

  private async download(instance: Instance, source: MediaSource): Promise<{ bytes: Buffer; mimetype: string }> {
    const mediaId = typeof source.mediaId === 'string' && source.mediaId !== '' ? source.mediaId : null;
    if (!mediaId) throw new WhatsAppError('MEDIA_GONE', 'no Cloud API media id');
    const creds = this.credentials(instance);
    let info = await this.graph.getMediaUrl(creds, mediaId);
    let got: { bytes: Buffer; mimetype: string | null };
    try {
      got = await this.graph.downloadMedia(creds, info.url, info.fileSize);
    } catch (err) {
      if (!(err instanceof WhatsAppError) || err.code !== 'MEDIA_GONE' || isMediaTooLarge(err)) throw err;
      info = await this.graph.getMediaUrl(creds, mediaId);
      got = await this.graph.downloadMedia(creds, info.url, info.fileSize);
    }
    return { bytes: got.bytes, mimetype: info.mimeType ?? got.mimetype ?? 'application/octet-stream' };
  }

  /**
   * The GraphClient already scrubs the token from its errors; the app secret never leaves this
   * server, but an error must not be able to carry it either (decrypted only on that path).
   */
  private async guarded<T>(instance: Instance, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof WhatsAppError) || !instance.cloudAppSecret) throw err;
      let appSecret: string;
      try {
        appSecret = this.cipher.decrypt(instance.cloudAppSecret);
      } catch {
        throw err;
      }
      throw redactError(err, appSecret);
    }
  }

  private credentials(instance: Instance): GraphCredentials {
    if (!instance.cloudPhoneNumberId || !instance.cloudAccessToken) {
      throw new WhatsAppError('CREDENTIALS', 'the instance has no Cloud API credentials');
    }
    // A wrong ENCRYPTION_KEY throws SecretDecryptionError: a clear 500 (SPEC §6), not a Meta verdict.
    return { phoneNumberId: instance.cloudPhoneNumberId, accessToken: this.cipher.decrypt(instance.cloudAccessToken) };
  }

  /** The sender of outgoing messages: known after connect; after a restart, asked once, within the send. */
  private async businessOf(creds: GraphCredentials): Promise<SenderRef> {
    const known = this.business.get(creds.phoneNumberId);
    if (known) return known;
    const info = await this.graph.verifyPhoneNumber(creds, 'send');
    return this.rememberBusiness(creds.phoneNumberId, info.displayPhoneNumber, info.verifiedName);
  }

  private rememberBusiness(phoneNumberId: string, display: string | null, verifiedName: string | null): SenderRef {
    const ref = businessRef(phoneNumberId, display, verifiedName);
    this.business.set(phoneNumberId, ref);
    return ref;
  }
}

/** The business number as a sender; named by its phone number id when Meta did not tell its number. */
function businessRef(phoneNumberId: string, display: string | null, verifiedName: string | null): SenderRef {
  // Meta formats the node's number (`+1 555-078-3881`); webhooks and JIDs use digits.
  const digits = display?.replace(/\D/g, '') || null;
  return digits
    ? { jid: `${digits}@s.whatsapp.net`, phone: `+${digits}`, name: verifiedName }
    : { jid: `${phoneNumberId}@s.whatsapp.net`, phone: null, name: verifiedName };
}

/** The sent message as it is stored and emitted (`message.exchange`, direction `outgoing`). */
function sentMessage(message: OutgoingMessage, sender: SenderRef, sent: { id: string; timestamp: string; chat: ChatRef; mediaId: string | null }): SentMessage {
  const media = message.media;
  const content: MessageContent = {};
  if (media) {
    if (media.caption && media.type !== 'audio') content.caption = media.caption;
  } else {
    content.text = message.text ?? '';
  }
  const data: MessageData = {
    id: sent.id,
    direction: 'outgoing',
    timestamp: sent.timestamp,
    fromMe: true,
    chat: sent.chat,
    sender,
    type: media ? media.type : 'text',
    content,
    media: media ? { mimetype: media.mimetype, fileName: media.fileName, size: media.bytes.length || null } : null,
    replyTo: message.replyTo?.id ?? null,
    target: null,
  };
  return { message: { data, mediaSource: sent.mediaId ? { mediaId: sent.mediaId } : null, raw: null } };
}

interface Recipient {
  /** `to` / `recipient` / `recipient_type` of the send body. */
  fields: Record<string, string>;
  /** The chat of the sent message, given the `wa_id` Meta answered. */
  chat: (waId: string | null) => ChatRef;
}

/**
 * A validated JID (SPEC-MESSAGING §9 `number`) as Meta addresses it: a phone in E.164 with `+`
 * (without it Meta prepends the business number's country code); a `<BSUID>@lid` as `recipient`;
 * a `<group id>@g.us` with `recipient_type: group`. The chat of a phone is the `wa_id` Meta
 * answers, which can differ from the number sent (Brazil's ninth digit) and is what its webhooks
 * carry, so both directions land in one chat.
 */
function recipientOf(jid: string): Recipient {
  const at = jid.lastIndexOf('@');
  const id = at > 0 ? jid.slice(0, at) : '';
  const server = at > 0 ? jid.slice(at + 1) : '';
  if (server === 's.whatsapp.net' && /^\d{1,20}$/.test(id)) {
    return {
      fields: { recipient_type: 'individual', to: `+${id}` },
      chat: (waId) => ({ jid: `${waId ?? id}@s.whatsapp.net`, phone: `+${waId ?? id}`, name: null, type: 'private' }),
    };
  }
  if (server === 'lid' && id) {
    return { fields: { recipient_type: 'individual', recipient: id }, chat: () => ({ jid, phone: null, name: null, type: 'private' }) };
  }
  if (server === 'g.us' && id) {
    return { fields: { recipient_type: 'group', to: id }, chat: () => ({ jid, phone: null, name: null, type: 'group' }) };
  }
  throw new WhatsAppError('REJECTED', `the Cloud API cannot address ${jid}`, 'the number must be a phone number or a WhatsApp JID');
}
