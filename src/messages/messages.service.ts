import { Inject, Injectable, Logger } from '@nestjs/common';
import { AddressPolicy } from '../common/http/url-policy.js';
import type { AccountPrincipal } from '../common/auth/principal.js';
import { errorEnvelope } from '../common/errors/envelope.js';
import { HttpError, Messages } from '../common/errors/http-error.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { Instance } from '../instances/instance.entity.js';
import { InstancesService } from '../instances/instances.service.js';
import { MediaFetcher } from '../whatsapp/media-fetcher.js';
import { messageErrorAnswer, WhatsAppMessages } from '../whatsapp/whatsapp.filter.js';
import { type AcceptedSend, type OutgoingMedia, type OutgoingMessage, type SentMessage, WhatsAppError } from '../whatsapp/whatsapp.port.js';
import { WhatsAppService } from '../whatsapp/whatsapp.service.js';
import { MediaStore } from './media-store.js';
import { type RevokeMessageDto, type SendMediaDto, type SendTextDto } from './dto/send-message.dto.js';
import { type Answer, IdempotencyKeys, type KeyedSend } from './idempotency.js';
import { fetchMediaUrl, MediaFetchError, mimetypeOf } from './media-source.js';
import { MessageStore, type StoredMessage } from './message-store.js';

/** How long a `mediaUrl` may take to download. */
const MEDIA_URL_TIMEOUT_MS = 60_000;

export const MessageMessages = {
  sent: 'Message sent successfully',
  revoked: 'Message revoked',
  messageNotFound: 'Message not found',
  revokeUnsupported: 'The WhatsApp Cloud API cannot revoke a sent message',
  mediaNotFetched: (reason: string) => `Media could not be fetched — ${reason}`,
} as const;

/** A stored message's media, ready to stream. */
export interface MediaDownload {
  mimetype: string;
  size: number | null;
  fileName: string | null;
  chunks: AsyncIterable<Buffer>;
}

/**
 * Sending (SPEC-MESSAGING §9): checks, the optional `Idempotency-Key`, the provider's send, and
 * the sent message stored with its `message.exchange` event. Every answer from the moment a key
 * is claimed (success or failure) is the key's answer.
 */
@Injectable()
export class MessagesService {
  private readonly logger = new Logger('Messages');

  constructor(
    private readonly instances: InstancesService,
    private readonly whatsapp: WhatsAppService,
    private readonly store: MessageStore,
    private readonly media: MediaStore,
    private readonly fetcher: MediaFetcher,
    private readonly idempotency: IdempotencyKeys,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly policy: AddressPolicy,
  ) {}

  sendText(principal: AccountPrincipal, name: string, dto: SendTextDto, key: string | undefined): Promise<Answer> {
    return this.send(principal, name, 'text', dto, key, async (instance) => ({
      message: {
        to: toJid(dto.number),
        text: dto.message,
        linkPreview: dto.linkPreview ?? false,
        ...(dto.delay ? { delaySeconds: dto.delay } : {}),
        replyTo: await this.replyTarget(instance, dto.replyTo),
      },
    }));
  }

  sendMedia(principal: AccountPrincipal, name: string, dto: SendMediaDto, key: string | undefined): Promise<Answer> {
    return this.send(principal, name, 'media', dto, key, async (instance) => {
      const media = await this.mediaOf(dto);
      return { message: { to: toJid(dto.number), media, replyTo: await this.replyTarget(instance, dto.replyTo) }, media };
    });
  }

  /**
   * `POST /api/message/revoke/:instance`: deletes one of the instance's own messages for everyone
   * (Baileys; Meta's Cloud API has no such call). The revoke is stored and emitted like any sent
   * message (`message.exchange` of type `revoke`, `target` = the message).
   */
  async revoke(principal: AccountPrincipal, name: string, dto: RevokeMessageDto): Promise<Answer> {
    const instance = await this.instances.resolve(principal, name);
    if (instance.status !== 'connected') throw new HttpError(400, WhatsAppMessages.notConnected);
    const target = await this.store.findByProviderId(instance.id, dto.messageId);
    if (!target || target.direction !== 'outgoing') throw new HttpError(404, MessageMessages.messageNotFound);
    if (instance.provider === 'cloud') throw new HttpError(400, MessageMessages.revokeUnsupported);
    return this.answerOf(async () => {
      const sent = await this.whatsapp.send(instance, { to: target.chatJid, revoke: target.providerMessageId });
      await this.store.recordSent(instance, sent.message, null);
      const data = sent.message.data;
      return {
        status: 200,
        body: {
          success: true,
          message: MessageMessages.revoked,
          data: { messageId: target.providerMessageId, revokeId: data.id, timestamp: data.timestamp, chat: { jid: data.chat.jid, type: data.chat.type } },
        },
      };
    });
  }

  /** `GET /api/message/media/:instance/:messageId` (SPEC-MESSAGING §10): fetched on demand when not stored yet. */
  async downloadMedia(principal: AccountPrincipal, name: string, messageId: string): Promise<MediaDownload> {
    const instance = await this.instances.resolve(principal, name);
    let message = await this.store.findByProviderId(instance.id, messageId);
    if (!message?.data.media || message.mediaState === 'gone') throw new HttpError(404, WhatsAppMessages.mediaNotFound);
    if (message.mediaState === 'pending') {
      await this.fetcher.fetch(instance, message.id);
      message = await this.store.findByProviderId(instance.id, messageId);
      if (!message?.data.media || message.mediaState !== 'stored') throw new HttpError(404, WhatsAppMessages.mediaNotFound);
    }
    return { mimetype: message.data.media!.mimetype, size: message.data.media!.size, fileName: message.data.media!.fileName, chunks: this.media.chunks(message.id) };
  }

  private async send(
    principal: AccountPrincipal,
    name: string,
    route: 'text' | 'media',
    dto: SendTextDto | SendMediaDto,
    key: string | undefined,
    build: (instance: Instance) => Promise<{ message: OutgoingMessage; media?: OutgoingMedia }>,
  ): Promise<Answer> {
    const instance = await this.instances.resolve(principal, name);
    if (instance.status !== 'connected') throw new HttpError(400, WhatsAppMessages.notConnected);
    const operation = (keyed: KeyedSend | null) =>
      this.answerOf(async () => {
        if (keyed?.accepted) return this.settle(instance, dto, keyed.accepted, keyed, build);
        const { message, media } = await build(instance);
        const sent = await this.whatsapp.send(instance, keyed ? { ...message, ...(keyed.tag ? { tag: keyed.tag } : {}), sending: () => keyed.sending() } : message);
        const answer = sentAnswer(sent);
        await this.store.recordSent(instance, sent.message, media ? { bytes: media.bytes, mimetype: media.mimetype } : null, keyed ? (m) => keyed.complete(answer, m) : undefined);
        return answer;
      });
    if (!key) return operation(null);
    return this.idempotency.run(instance.id, key, IdempotencyKeys.fingerprint(`${route} ${instance.id}`, dto), this.whatsapp.reportsTags(instance), operation);
  }

  /**
   * A keyed send whose process died after Meta accepted it (idempotency.ts): stored as sent, with
   * the id Meta's status reported, and answered as the send would have been. What the request
   * named may be gone since (a media URL, a quoted message): then the message is stored as the
   * request describes it, without the media's bytes.
   */
  private async settle(
    instance: Instance,
    dto: SendTextDto | SendMediaDto,
    accepted: AcceptedSend,
    keyed: KeyedSend,
    build: (instance: Instance) => Promise<{ message: OutgoingMessage; media?: OutgoingMedia }>,
  ): Promise<Answer> {
    const { message, media } = await build(instance).catch((): { message: OutgoingMessage; media?: OutgoingMedia } => ({ message: describedMessage(dto) }));
    const sent = await this.whatsapp.accepted(instance, message, accepted);
    const answer = sentAnswer(sent);
    await this.store.recordSent(instance, sent.message, media ? { bytes: media.bytes, mimetype: media.mimetype } : null, (m) => keyed.complete(answer, m));
    // Meta's status came before the message was stored, when it applied to nothing. The answer is
    // stored already: a failure here only loses that status.
    await this.store
      .statuses(instance, [{ id: accepted.id, status: accepted.status, error: accepted.error, timestamp: accepted.timestamp }])
      .catch((err: Error) => this.logger.warn(`${instance.name}: the status of ${accepted.id} could not be stored: ${err.message}`));
    this.logger.log(`${instance.name}: a send whose process died while calling Meta was accepted (${accepted.id}, ${accepted.status}); stored as sent, not sent again`);
    return answer;
  }

  /** Every outcome as the answer it gets, so that an Idempotency-Key replays it (SPEC-MESSAGING §9). */
  private async answerOf(operation: () => Promise<Answer>): Promise<Answer> {
    try {
      return await operation();
    } catch (err) {
      if (err instanceof WhatsAppError) {
        const [status, message] = messageErrorAnswer(err);
        return { status, body: errorEnvelope(message) };
      }
      if (err instanceof HttpError) return { status: err.status, body: errorEnvelope(err.publicMessage) };
      this.logger.error(`send failed: ${(err as Error).stack ?? String(err)}`);
      return { status: 500, body: errorEnvelope(Messages.internal) };
    }
  }

  private async replyTarget(instance: Instance, replyTo: string | undefined): Promise<OutgoingMessage['replyTo']> {
    if (!replyTo) return null;
    const quoted: StoredMessage | null = await this.store.findByProviderId(instance.id, replyTo);
    if (!quoted) throw new HttpError(404, MessageMessages.messageNotFound);
    return { id: quoted.providerMessageId, chatJid: quoted.chatJid, raw: quoted.raw };
  }

  private async mediaOf(dto: SendMediaDto): Promise<OutgoingMedia> {
    let bytes: Buffer;
    let served: string | null = null;
    let urlName: string | null = null;
    if (dto.mediaUrl !== undefined) {
      try {
        const fetched = await fetchMediaUrl(dto.mediaUrl, {
          maxBytes: this.config.mediaMaxBytes,
          timeoutMs: MEDIA_URL_TIMEOUT_MS,
          policy: this.policy,
        });
        ({ bytes, contentType: served, fileName: urlName } = fetched);
      } catch (err) {
        if (err instanceof MediaFetchError) throw new HttpError(400, MessageMessages.mediaNotFetched(err.reason));
        throw err;
      }
    } else {
      bytes = Buffer.from(dto.mediaBase64!, 'base64');
      if (bytes.length > this.config.mediaMaxBytes) {
        throw new HttpError(400, `Invalid request body: mediaBase64 must be at most ${this.config.mediaMaxBytes} bytes once decoded`);
      }
    }
    if (bytes.length === 0) throw new HttpError(400, MessageMessages.mediaNotFetched('the file is empty'));
    return {
      type: dto.type,
      bytes,
      mimetype: await mimetypeOf(bytes, dto.mimetype, served),
      fileName: dto.fileName ?? (dto.type === 'document' ? (urlName ?? 'file') : null),
      caption: dto.caption ?? null,
      voice: dto.voice ?? false,
    };
  }
}

/** SPEC-MESSAGING §9's answer to a send. */
function sentAnswer(sent: SentMessage): Answer {
  const data = sent.message.data;
  return {
    status: 200,
    body: {
      success: true,
      message: MessageMessages.sent,
      status: 'sent',
      data: { messageId: data.id, direction: 'outgoing', timestamp: data.timestamp, chat: { jid: data.chat.jid, type: data.chat.type } },
    },
  };
}

/** A send request as a message, without fetching anything (no media bytes, the quoted message by id). */
function describedMessage(dto: SendTextDto | SendMediaDto): OutgoingMessage {
  const to = toJid(dto.number);
  const replyTo = dto.replyTo ? { id: dto.replyTo, chatJid: to, raw: null } : null;
  if (!('type' in dto)) return { to, text: dto.message, replyTo };
  return {
    to,
    replyTo,
    media: {
      type: dto.type,
      bytes: Buffer.alloc(0),
      mimetype: dto.mimetype ?? 'application/octet-stream',
      fileName: dto.fileName ?? (dto.type === 'document' ? 'file' : null),
      caption: dto.caption ?? null,
      voice: dto.voice ?? false,
    },
  };
}

/** A phone number (`+` optional) as its WhatsApp JID; a JID as it is. */
export function toJid(number: string): string {
  return number.includes('@') ? number : `${number.replace(/^\+/, '')}@s.whatsapp.net`;
}
