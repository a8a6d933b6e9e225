import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { driverPool } from '../database/driver-pool.js';
import { returnedRows } from '../database/returned-rows.js';
import { DataSource, type EntityManager } from 'typeorm';
import { SecretCipher } from '../common/crypto/secret-cipher.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { EventLog, type NewEvent } from '../events/event-log.js';
import type { Instance, InstanceStatus } from '../instances/instance.entity.js';
import {
  type DeliveryStatus, type InboundSink, type MediaSource, type MessageData, type Pairing, type ProviderMessage, type ProviderStatus, statusesBelow,
} from '../whatsapp/whatsapp.port.js';
import { settleTaggedSends } from './idempotency.js';
import { writeChunks } from './media-store.js';
import type { MediaState, MessageDirection } from './message.entity.js';

/** How often `instances.cloud_webhook_at` is written at most (the SQL says the same minute). */
const WEBHOOK_AT_EVERY_MS = 60_000;

/** A stored message, as the send and media routes need it. */
export interface StoredMessage {
  id: string;
  providerMessageId: string;
  chatJid: string;
  direction: MessageDirection;
  data: MessageData;
  mediaSource: MediaSource | null;
  mediaState: MediaState | null;
  raw: Record<string, unknown> | null;
}

/** Later statuses win; `failed` always applies (SPEC-MESSAGING §10 `message.status`). */

/**
 * Every message of every instance, stored once per provider id, each with its `message.exchange`
 * event in the same transaction (SPEC-MESSAGING §9–§10): a provider that delivers a message twice
 * (Meta retries for days) finds it stored and nothing happens. Also the instances' status changes
 * (`instance.state`) and delivery statuses (`message.status`). The adapters report here through
 * the {@link InboundSink} port; a promise that resolved is a durable write.
 */
@Injectable()
export class MessageStore implements InboundSink {
  /** Called after commit with the messages whose media waits for a download. */
  private mediaListener: (instance: Instance, ids: string[]) => void = () => undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: EventLog,
    private readonly cipher: SecretCipher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onMediaPending(listener: (instance: Instance, ids: string[]) => void): void {
    this.mediaListener = listener;
  }

  /**
   * Received messages: each new one stored with its event, in one statement (one round trip, its
   * own transaction), which is most of what a webhook costs the database (`npm run bench`).
   */
  async messages(instance: Instance, messages: ProviderMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const rows = messages.map((message) => {
      const data = message.data;
      const media = data.media ? { ...data.media, url: this.mediaUrl(instance.name, data.id) } : null;
      return {
        id: randomUUID(),
        message,
        event: JSON.stringify({ id: data.id, message: { ...data, media } }),
      };
    });
    const column = <T>(pick: (r: (typeof rows)[number]) => T) => rows.map(pick);
    const inserted: Array<{ id: string }> = await driverPool(this.dataSource)
      .query(INSERT_RECEIVED, [
        instance.id,
        column((r) => r.id),
        column((r) => r.message.data.id),
        column((r) => r.message.data.direction),
        column((r) => r.message.data.chat.jid),
        column((r) => r.message.data.type),
        column((r) => r.message.data.timestamp),
        column((r) => JSON.stringify(r.message.data)),
        column((r) => (r.message.mediaSource ? JSON.stringify(r.message.mediaSource) : null)),
        column((r) => (r.message.data.media !== null ? 'pending' : null)),
        column((r) => (r.message.raw ? JSON.stringify(r.message.raw) : null)),
        column((r) => (r.message.data.fromMe ? 'sent' : null)),
        column((r) => r.event),
      ])
      .then((result) => result.rows as Array<{ id: string }>);
    const fresh = new Set(inserted.map((r) => String(r.id)));
    const pendingMedia = rows.filter((r) => fresh.has(r.id) && r.message.data.media !== null).map((r) => r.id);
    if (pendingMedia.length > 0) this.mediaListener(instance, pendingMedia);
  }

  /** Stores a message this server sent, with its media bytes and its event, in one transaction. */
  /** A sent message; `alongside` runs in the same transaction (the send's Idempotency-Key answer). */
  async recordSent(
    instance: Instance,
    message: ProviderMessage,
    media: { bytes: Buffer; mimetype: string } | null,
    alongside?: (m: EntityManager) => Promise<void>,
  ): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const data = media && message.data.media ? { ...message.data, media: { ...message.data.media, size: media.bytes.length, mimetype: media.mimetype } } : message.data;
      await this.insert(m, instance, [{ ...message, data }], media ? 'stored' : 'pending', (id) => (media ? writeChunks(m, id, media.bytes) : undefined));
      await alongside?.(m);
    });
  }

  /**
   * Cloud API instances a signed webhook of Meta just named (`cloud_webhook_at`, kept to the
   * minute): the rows as read for the webhook tell which are due, so that most webhooks write nothing.
   */
  async webhookReached(instances: Instance[]): Promise<void> {
    const due = instances.filter((i) => !i.cloudWebhookAt || Date.now() - i.cloudWebhookAt.getTime() >= WEBHOOK_AT_EVERY_MS).map((i) => i.id);
    if (due.length === 0) return;
    await this.dataSource.query(
      `UPDATE "instances" SET "cloud_webhook_at" = now()
        WHERE "id" = ANY($1::uuid[]) AND ("cloud_webhook_at" IS NULL OR "cloud_webhook_at" < now() - interval '1 minute')`,
      [due],
    );
  }

  async statuses(instance: Instance, statuses: ProviderStatus[]): Promise<void> {
    if (statuses.length === 0) return;
    await this.dataSource.transaction(async (m) => {
      const events: NewEvent[] = [];
      for (const s of statuses) {
        // Only messages of this instance, and only forward (a repeated or late `delivered` after
        // `read` changes nothing and emits nothing); `failed` always applies.
        const lower = statusesBelow(s.status);
        const result: unknown = await m.query(
          `UPDATE "messages" SET "status" = $3
            WHERE "instance_id" = $1 AND "provider_message_id" = $2
              AND ("status" IS NULL OR "status" = ANY($4::text[]) OR ($3 = 'failed' AND "status" <> 'failed'))
          RETURNING "id"`,
          [instance.id, s.id, s.status, lower],
        );
        if (returnedRows(result).length > 0) events.push({ type: 'message.status', data: { id: s.id, status: s.status, error: s.error, timestamp: s.timestamp } });
      }
      await this.events.append(m, instance.id, events);
      await settleTaggedSends(m, instance.id, statuses);
    });
  }

  /**
   * The instance's status (SPEC-MESSAGING §8): stored, and an `instance.state` event when it
   * changed, or for every new QR code while waiting for a scan.
   */
  async state(instance: Instance, status: InstanceStatus, reason: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const result: unknown = await m.query(
        `UPDATE "instances" SET "status" = $2 WHERE "id" = $1 AND ("status" <> $2 OR $3) RETURNING "id"`,
        [instance.id, status, reason === 'qr_ready'],
      );
      if (returnedRows(result).length === 0) return;
      await this.events.append(m, instance.id, [{ type: 'instance.state', data: { status, reason } }]);
    });
    instance.status = status;
  }

  async pairing(instance: Instance, pairing: Pairing | null): Promise<void> {
    const stored = pairing ? this.cipher.encrypt(JSON.stringify(pairing)) : null;
    await this.dataSource.query(`UPDATE "instances" SET "pairing" = $2 WHERE "id" = $1`, [instance.id, stored]);
    instance.pairing = stored;
  }

  /** The pairing code another process keeps current (see {@link pairing}). */
  pairingOf(instance: Instance): Pairing | null {
    return instance.pairing ? (JSON.parse(this.cipher.decrypt(instance.pairing)) as Pairing) : null;
  }

  async findByProviderId(instanceId: string, providerMessageId: string): Promise<StoredMessage | null> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT "id", "provider_message_id", "chat_jid", "direction", "data", "media_source", "media_state", "raw"
         FROM "messages" WHERE "instance_id" = $1 AND "provider_message_id" = $2`,
      [instanceId, providerMessageId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id as string,
      providerMessageId: r.provider_message_id as string,
      chatJid: r.chat_jid as string,
      direction: r.direction as MessageDirection,
      data: r.data as MessageData,
      mediaSource: (r.media_source as MediaSource | null) ?? null,
      mediaState: (r.media_state as MediaState | null) ?? null,
      raw: (r.raw as Record<string, unknown> | null) ?? null,
    };
  }

  /** The URL of a message's media on this server (SPEC-MESSAGING §10: absolute, on PUBLIC_URL). */
  mediaUrl(instanceName: string, providerMessageId: string): string {
    return `${this.config.publicUrl}/api/message/media/${encodeURIComponent(instanceName)}/${encodeURIComponent(providerMessageId)}`;
  }

  private async insert(
    m: EntityManager,
    instance: Instance,
    messages: ProviderMessage[],
    mediaState: MediaState = 'pending',
    afterInsert: (id: string) => Promise<void> | undefined = () => undefined,
  ): Promise<string[]> {
    const events: NewEvent[] = [];
    const pendingMedia: string[] = [];
    for (const message of messages) {
      const data = message.data;
      const id = randomUUID();
      const hasMedia = data.media !== null;
      const result: unknown = await m.query(
        `INSERT INTO "messages" ("id", "instance_id", "provider_message_id", "direction", "chat_jid", "type", "sent_at", "data", "media_source", "media_state", "raw", "status")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11::jsonb, $12)
         ON CONFLICT ("instance_id", "provider_message_id") DO NOTHING
         RETURNING "id"`,
        [
          id, instance.id, data.id, data.direction, data.chat.jid, data.type, data.timestamp, JSON.stringify(data),
          message.mediaSource ? JSON.stringify(message.mediaSource) : null, hasMedia ? mediaState : null,
          message.raw ? JSON.stringify(message.raw) : null, data.fromMe ? 'sent' : null,
        ],
      );
      if (returnedRows(result).length === 0) continue; // delivered before: one event per message
      await afterInsert(id);
      if (hasMedia && mediaState === 'pending') pendingMedia.push(id);
      const media = data.media ? { ...data.media, url: this.mediaUrl(instance.name, data.id) } : null;
      events.push({ type: 'message.exchange', data: { id: data.id, message: { ...data, media } } });
    }
    await this.events.append(m, instance.id, events);
    return pendingMedia;
  }
}

/**
 * {@link MessageStore.messages} as one statement: the messages a provider delivered before are
 * skipped (the unique provider id), and the new ones get their `message.exchange` events with the
 * next `seq`s, in the order given. The UPDATE of `instances` takes the row lock that orders the
 * instance's events (see EventLog), held until this statement commits. Data-modifying CTEs all
 * run to completion whether or not the final SELECT reads them.
 */
const INSERT_RECEIVED = `
  WITH input AS (
    SELECT * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::text[],
                         $10::text[], $11::text[], $12::text[], $13::text[])
      WITH ORDINALITY AS t("id", "provider_message_id", "direction", "chat_jid", "type", "sent_at", "data", "media_source",
                           "media_state", "raw", "status", "event", "ord")
  ), inserted AS (
    INSERT INTO "messages" ("id", "instance_id", "provider_message_id", "direction", "chat_jid", "type", "sent_at", "data", "media_source", "media_state", "raw", "status")
    SELECT "id", $1, "provider_message_id", "direction", "chat_jid", "type", "sent_at", "data"::jsonb, "media_source"::jsonb, "media_state", "raw"::jsonb, "status"
      FROM input ORDER BY "ord"
    ON CONFLICT ("instance_id", "provider_message_id") DO NOTHING
    RETURNING "id"
  ), fresh AS (
    SELECT input."event", row_number() OVER (ORDER BY input."ord") AS "n", count(*) OVER () AS "total"
      FROM input JOIN inserted ON inserted."id" = input."id"
  ), bumped AS (
    UPDATE "instances" SET "last_event_seq" = "last_event_seq" + (SELECT count(*) FROM fresh)
     WHERE "id" = $1 AND EXISTS (SELECT 1 FROM fresh)
    RETURNING "last_event_seq"
  ), appended AS (
    INSERT INTO "instance_events" ("instance_id", "seq", "type", "data")
    SELECT $1, bumped."last_event_seq" - fresh."total" + fresh."n", 'message.exchange', fresh."event"::jsonb FROM fresh CROSS JOIN bumped
    RETURNING "seq"
  )
  SELECT "id" FROM inserted`;

/** TypeORM's postgres driver answers an INSERT/UPDATE … RETURNING with [rows, count]. */
