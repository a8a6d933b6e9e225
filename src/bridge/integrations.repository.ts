import { returnedRows } from '../database/returned-rows.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, type Repository } from 'typeorm';
import { driverPool } from '../database/driver-pool.js';
import { BridgeIntegration, type IntegrationStatus } from './integration.entity.js';
import { BridgeOutboundMessage } from './outbound-message.entity.js';

/** The configuration columns a create or a replace writes. */
export type IntegrationConfiguration = Pick<
  BridgeIntegration,
  | 'externalId' | 'instance' | 'chatwootBaseUrl' | 'chatwootAccountId' | 'chatwootApiTokenEncrypted' | 'inboxName'
  | 'inboxId' | 'inboxSigningSecretEncrypted' | 'signMessages' | 'ignoreGroups' | 'startAsPending' | 'reopenResolved'
  | 'sourceApiUrl' | 'sourceInstance' | 'sourceTokenEncrypted'
>;

export type WebhookTarget = Pick<BridgeIntegration, 'id' | 'webhookSecretEncrypted' | 'inboxSigningSecretEncrypted' | 'inboxId' | 'createdAt'>;

export interface HealthVerdict {
  status: IntegrationStatus;
  lastError: string;
  /** A new signing key seen in Chatwoot (ciphertext), or undefined to keep the stored one. */
  inboxSigningSecretEncrypted?: string;
}

export interface OutboundMessageRecord {
  integrationId: string;
  chatwootMessageId: number;
  chatwootConversationId: number;
  content: string | null;
  payload: Record<string, unknown>;
  /** Not sent before this (the reorder window, see IntegrationRouter). */
  notBefore: Date;
}

@Injectable()
export class IntegrationsRepository {
  private readonly integrations: Repository<BridgeIntegration>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.integrations = dataSource.getRepository(BridgeIntegration);
  }

  /** Null for an id no row can have: PostgreSQL text holds no NUL, and the query would fail (a 500). */
  async findById(id: string): Promise<BridgeIntegration | null> {
    return storable(id) ? this.integrations.findOneBy({ id }) : null;
  }

  /**
   * What a Chatwoot webhook is checked against, read on the driver's pool: Chatwoot posts one for
   * every message, the bridge's own included, and a whole entity through TypeORM cost as much CPU
   * as routing the message (`npm run bench`, routing).
   */
  async findWebhookTarget(id: string): Promise<WebhookTarget | null> {
    if (!storable(id)) return null;
    const { rows } = await driverPool(this.dataSource).query(
      `SELECT "id", "webhook_secret", "inbox_signing_secret", "inbox_id", "created_at" FROM "bridge_integrations" WHERE "id" = $1`,
      [id],
    );
    if (!rows.length) return null;
    const r = rows[0];
    return {
      id: String(r.id),
      webhookSecretEncrypted: String(r.webhook_secret),
      inboxSigningSecretEncrypted: r.inbox_signing_secret === null ? null : String(r.inbox_signing_secret),
      inboxId: Number(r.inbox_id),
      createdAt: new Date(r.created_at as string | Date),
    };
  }

  async findByExternalId(externalId: string): Promise<BridgeIntegration | null> {
    return storable(externalId) ? this.integrations.findOneBy({ externalId }) : null;
  }

  /** Whether an integration other than `id` routes through that inbox of that Chatwoot account. */
  async existsOtherWithInbox(id: string, chatwootBaseUrl: string, chatwootAccountId: number, inboxId: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM "bridge_integrations"
        WHERE "id" <> $1 AND "chatwoot_base_url" = $2 AND "chatwoot_account_id" = $3 AND "inbox_id" = $4 LIMIT 1`,
      [id, chatwootBaseUrl, chatwootAccountId, inboxId],
    );
    return rows.length > 0;
  }

  listAll(): Promise<BridgeIntegration[]> {
    return this.integrations.find({ order: { createdAt: 'ASC' } });
  }

  /** A freshly provisioned integration: active, nothing to report, routing the events after `streamSeq`. */
  async insertProvisioned(id: string, webhookSecretEncrypted: string, config: IntegrationConfiguration, streamSeq: number): Promise<BridgeIntegration> {
    await this.integrations.insert({ ...config, id, webhookSecretEncrypted, status: 'active', lastError: '', revision: 1, streamSeq });
    return this.integrations.findOneByOrFail({ id });
  }

  /** A replaced configuration, verified against Chatwoot just now: active again, a new revision. */
  async saveReconfigured(id: string, config: IntegrationConfiguration): Promise<BridgeIntegration> {
    await this.integrations
      .createQueryBuilder()
      .update()
      .set({
        ...config,
        status: 'active',
        lastError: '',
        revision: () => 'revision + 1',
        updatedAt: () => 'now()',
      })
      .where('id = :id', { id })
      .execute();
    return this.integrations.findOneByOrFail({ id });
  }

  /** A health check's verdict, unless the configuration changed since the check read the row; whether it applied. */
  async saveHealth(id: string, revision: number, verdict: HealthVerdict, statusChanged: boolean): Promise<boolean> {
    const result = await this.integrations
      .createQueryBuilder()
      .update()
      .set({
        status: verdict.status,
        lastError: verdict.lastError,
        ...(verdict.inboxSigningSecretEncrypted !== undefined ? { inboxSigningSecretEncrypted: verdict.inboxSigningSecretEncrypted } : {}),
        // updated_at tracks what a client sees; a rotated signing key alone is not that.
        ...(statusChanged ? { updatedAt: () => 'now()' } : {}),
      })
      .where('id = :id AND revision = :revision', { id, revision })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async deleteById(id: string): Promise<void> {
    await this.integrations.delete({ id });
  }

  // ---- routing (SPEC-MESSAGING §11) ----

  /** The last event of the stream that routing finished; never moves back. */
  async saveStreamSeq(id: string, seq: number): Promise<void> {
    await this.dataSource.query(`UPDATE "bridge_integrations" SET "stream_seq" = $2 WHERE "id" = $1 AND "stream_seq" < $2`, [id, seq]);
  }

  /** `paused` or `active` as the instance's connection goes; `error` is not this call's to clear. */
  async setConnectionStatus(id: string, status: 'active' | 'paused'): Promise<void> {
    await this.dataSource.query(
      `UPDATE "bridge_integrations" SET "status" = $2, "updated_at" = now() WHERE "id" = $1 AND "status" <> 'error' AND "status" <> $2`,
      [id, status],
    );
  }

  /** The latest reason in `last_error`; with `asStatus`, the integration is `error` too. */
  async reportRoutingError(id: string, reason: string, asStatus: boolean): Promise<void> {
    await this.dataSource.query(
      `UPDATE "bridge_integrations" SET "last_error" = $2, ${asStatus ? `"status" = 'error', ` : ''}"updated_at" = now() WHERE "id" = $1`,
      [id, reason.slice(0, 1_000)],
    );
  }

  /** Back to `active` after routing's own `error` (Chatwoot answers, the stream opens). */
  async recoverFromError(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE "bridge_integrations" SET "status" = 'active', "last_error" = '', "updated_at" = now() WHERE "id" = $1 AND "status" = 'error'`,
      [id],
    );
  }

  /** A successful delivery clears the reason of an earlier failed one (not an `error` status's). */
  async clearLastError(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE "bridge_integrations" SET "last_error" = '', "updated_at" = now() WHERE "id" = $1 AND "last_error" <> '' AND "status" <> 'error'`,
      [id],
    );
  }

  /** A failed reply goes again, as a new attempt (a new Idempotency-Key); false when none was failed. */
  async retryFailedReply(integrationId: string, chatwootMessageId: number): Promise<boolean> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(BridgeOutboundMessage)
      .set({ status: 'pending', attempt: () => 'attempt + 1', nextAttemptAt: () => 'now()', lastError: null })
      .where('integration_id = :integrationId AND chatwoot_message_id = :id AND status = :failed', { integrationId, id: String(chatwootMessageId), failed: 'failed' })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * An agent deleted a reply: true when the router has something to do (revoke it, or not send it).
   * A reply WhatsApp refused was never sent: nothing to revoke. Once per reply: Chatwoot sends the
   * deletion again whenever the message changes.
   */
  async requestRevoke(integrationId: string, chatwootMessageId: number): Promise<boolean> {
    const rows = returnedRows(
      await this.dataSource.query(
        `UPDATE "bridge_outbound_messages" SET "revoke" = CASE WHEN "status" IN ('pending', 'sent') THEN 'pending' ELSE 'done' END
          WHERE "integration_id" = $1 AND "chatwoot_message_id" = $2 AND "revoke" IS NULL RETURNING "revoke"`,
        [integrationId, String(chatwootMessageId)],
      ),
    ) as Array<{ revoke: string }>;
    return rows[0]?.revoke === 'pending';
  }

  /** Records a message once per (integration, Chatwoot message id); false when already there. */
  async recordOutboundMessage(record: OutboundMessageRecord): Promise<boolean> {
    const result = await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(BridgeOutboundMessage)
      .values({
        id: randomUUID(),
        integrationId: record.integrationId,
        chatwootMessageId: String(record.chatwootMessageId),
        chatwootConversationId: record.chatwootConversationId,
        content: record.content,
        // TypeORM's deep-partial typing does not accept an open JSON object for a jsonb column.
        payload: record.payload as never,
        status: 'pending',
        nextAttemptAt: record.notBefore,
      })
      .orIgnore()
      .returning(['id'])
      .execute();
    return Array.isArray(result.raw) && result.raw.length > 0;
  }
}

function storable(text: string): boolean {
  return !text.includes('\u0000');
}
