import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, In, type Repository } from 'typeorm';
import type { IntegrationObject } from '../bridge-gateway/bridge-gateway.types.js';
import { driverPool } from '../database/driver-pool.js';
import type { Instance } from '../instances/instance.entity.js';
import type { InstanceKey } from '../instances/instance-key.js';
import { BridgeDeletion } from './bridge-deletion.entity.js';
import { ChatwootIntegration } from './chatwoot-integration.entity.js';
import { CHATWOOT_FLAGS, type ChatwootFlag, FLAG_KEYS } from './chatwoot-settings.js';

/** What an activation writes: the configuration the bridge accepted and what it answered. */
export type ActivatedIntegration = Omit<ChatwootIntegration, 'id' | 'instanceId' | 'instance' | 'createdAt' | 'updatedAt'>;

/** The columns of an integration that a status read shows (SPEC §5 list). */
export type StatusRow = Pick<
  ChatwootIntegration,
  | 'id' | 'bridgeIntegrationId' | 'chatwootBaseUrl' | 'chatwootAccountId' | 'chatwootInboxId' | 'chatwootInboxName' | 'status'
  | 'lastError' | 'createdAt' | 'updatedAt' | ChatwootFlag
>;

export interface StatusRead {
  instance: Pick<Instance, 'id' | 'name'>;
  row: StatusRow | null;
}

/** A bridge deletion to retry (SPEC §5 delete step 2). */
export interface QueuedDeletion {
  bridgeIntegrationId: string;
  deleteInbox: boolean;
  attempts: number;
  lastError: string;
  nextAttemptAt: Date;
}

export interface ClaimedDeletion {
  id: string;
  bridgeIntegrationId: string;
  deleteInbox: boolean;
  attempts: number;
}

const STATUS_READ_SELECT = `SELECT i."id" AS "instanceId", i."name" AS "instanceName",
       c."id", c."bridge_integration_id" AS "bridgeIntegrationId", c."chatwoot_base_url" AS "chatwootBaseUrl",
       c."chatwoot_account_id" AS "chatwootAccountId", c."chatwoot_inbox_id" AS "chatwootInboxId",
       c."chatwoot_inbox_name" AS "chatwootInboxName", c."status", c."last_error" AS "lastError",
       c."created_at" AS "createdAt", c."updated_at" AS "updatedAt",
       ${FLAG_KEYS.map((flag) => `c."${CHATWOOT_FLAGS[flag]}" AS "${flag}"`).join(', ')}
  FROM "instances" i LEFT JOIN "chatwoot_integrations" c ON c."instance_id" = i."id"`;
const STATUS_READ_BY_ID = `${STATUS_READ_SELECT} WHERE i."id" = $1`;
const STATUS_READ_BY_NAME = `${STATUS_READ_SELECT} WHERE i."account_id" = $1 AND i."name" = $2`;

/** The chatwoot module's tables: `chatwoot_integrations` (SPEC §6) and the queue of bridge deletions. */
@Injectable()
export class ChatwootRepository {
  private readonly integrations: Repository<ChatwootIntegration>;
  private readonly deletions: Repository<BridgeDeletion>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.integrations = dataSource.getRepository(ChatwootIntegration);
    this.deletions = dataSource.getRepository(BridgeDeletion);
  }

  findByInstance(instanceId: string): Promise<ChatwootIntegration | null> {
    return this.integrations.findOneBy({ instanceId });
  }

  /**
   * The hot read of `GET /api/chatwoot/list`: the instance a path names and the shown columns of its
   * integration in one round trip, straight to the driver's pool (`npm run bench`: pg parses every
   * column it is sent, and a TypeORM query runner costs more); null when there is no such instance.
   */
  /** The instance's last event `seq` now: where an integration activated from now on starts routing. */
  async lastEventSeq(instanceId: string): Promise<number> {
    const rows: Array<{ last_event_seq: string | number }> = await this.dataSource.query(
      `SELECT "last_event_seq" FROM "instances" WHERE "id" = $1`,
      [instanceId],
    );
    return rows.length ? Number(rows[0].last_event_seq) : 0;
  }

  async findStatus(key: InstanceKey): Promise<StatusRead | null> {
    const { rows: [raw] } =
      'id' in key
        ? await driverPool(this.dataSource).query(STATUS_READ_BY_ID, [key.id])
        : await driverPool(this.dataSource).query(STATUS_READ_BY_NAME, [key.accountId, key.name]);
    if (!raw) return null;
    const { instanceId, instanceName, ...row } = raw as { instanceId: string; instanceName: string } & StatusRow;
    return { instance: { id: instanceId, name: instanceName }, row: row.id === null ? null : row };
  }

  /** The status of each of these instances' integrations (those that have one). */
  async statusesOf(instanceIds: string[]): Promise<Map<string, ChatwootIntegration['status']>> {
    if (instanceIds.length === 0) return new Map();
    const rows = await this.integrations.find({ select: { instanceId: true, status: true }, where: { instanceId: In(instanceIds) } });
    return new Map(rows.map((r) => [r.instanceId, r.status]));
  }

  /** Writes an activation: over `existing` (left untouched, as the compensation needs it), or as a new row. */
  saveActivated(instanceId: string, existing: ChatwootIntegration | null, values: ActivatedIntegration): Promise<ChatwootIntegration> {
    const row = existing
      ? this.integrations.merge(this.integrations.create({ ...existing }), values)
      : this.integrations.create({ id: randomUUID(), instanceId, ...values });
    return this.integrations.save(row);
  }

  /** What a status read learnt from the bridge; not a configuration change, so `updated_at` stays. */
  async recordLiveState(row: Pick<StatusRow, 'id' | 'bridgeIntegrationId'>, live: IntegrationObject): Promise<void> {
    await this.dataSource.query(
      `UPDATE "chatwoot_integrations"
          SET "status" = $3, "last_error" = $4,
              "chatwoot_inbox_id" = CASE WHEN "chatwoot_inbox_id" = 0 THEN $5 ELSE "chatwoot_inbox_id" END
        WHERE "id" = $1 AND "bridge_integration_id" = $2`,
      [row.id, row.bridgeIntegrationId, live.status, live.last_error, live.inbox_id],
    );
  }

  /** Deletes an integration, and in the same transaction queues the retry of its bridge deletion, if any. */
  async deleteIntegration(id: string, retry: QueuedDeletion | null): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.delete(ChatwootIntegration, { id });
      if (retry) await m.insert(BridgeDeletion, { id: randomUUID(), ...retry });
    });
  }

  async queueDeletion(deletion: QueuedDeletion): Promise<void> {
    await this.deletions.insert({ id: randomUUID(), ...deletion });
  }

  /** Claims the due deletions by pushing them 5 minutes on, so that replicas do not retry the same one. */
  async claimDueDeletions(limit = 20): Promise<ClaimedDeletion[]> {
    const result: unknown[] = await this.dataSource.query(
      `UPDATE "chatwoot_bridge_deletions" SET "next_attempt_at" = now() + interval '5 minutes', "attempts" = "attempts" + 1
        WHERE "id" IN (SELECT "id" FROM "chatwoot_bridge_deletions" WHERE "next_attempt_at" <= now()
                        ORDER BY "next_attempt_at" LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING "id", "bridge_integration_id" AS "bridgeIntegrationId", "delete_inbox" AS "deleteInbox", "attempts"`,
      [limit],
    );
    // TypeORM answers an UPDATE … RETURNING on PostgreSQL with [rows, affected count].
    return (Array.isArray(result[0]) ? result[0] : result) as ClaimedDeletion[];
  }

  async deleteQueuedDeletion(id: string): Promise<void> {
    await this.deletions.delete({ id });
  }

  async postponeDeletion(id: string, lastError: string, nextAttemptAt: Date): Promise<void> {
    await this.deletions.update({ id }, { lastError, nextAttemptAt });
  }
}
