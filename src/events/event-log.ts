import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { returnedRows } from '../database/returned-rows.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';

/** The events of SPEC-MESSAGING §10. */
export type EventType = 'message.exchange' | 'message.status' | 'instance.state';

export interface NewEvent {
  type: EventType;
  data: Record<string, unknown>;
}

export interface StoredEvent {
  seq: number;
  type: EventType;
  /** The event's `data`, as JSON text (PostgreSQL's rendering of the jsonb). */
  data: string;
}

/** The channel the trigger of migration 1765000000000-WhatsApp notifies with `<instance id>:<seq>`. */
export const EVENTS_CHANNEL = 'ryze_events';

/**
 * Each instance's durable, ordered event log (SPEC-MESSAGING §10).
 *
 * `seq` comes from `instances.last_event_seq`, incremented in the appending transaction: the row
 * lock that takes is held until commit, so the events of one instance commit in `seq` order, and
 * a reader that has seen `seq` n will never later find an n-1 appearing behind it.
 */
export interface LogPosition {
  lastSeq: number;
  prunedThrough: number;
  /** The instance's status (SPEC §3), null when the instance is gone. */
  status: string | null;
}

@Injectable()
export class EventLog {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Appends events inside the caller's transaction (so that they are stored with what they
   * describe, or not at all). Returns their sequence numbers.
   */
  async append(manager: EntityManager, instanceId: string, events: NewEvent[]): Promise<number[]> {
    if (events.length === 0) return [];
    const result: unknown = await manager.query(
      `UPDATE "instances" SET "last_event_seq" = "last_event_seq" + $2 WHERE "id" = $1 RETURNING "last_event_seq"`,
      [instanceId, events.length],
    );
    const rows = returnedRows<{ last_event_seq: string | number }>(result);
    if (rows.length === 0) throw new Error(`instance ${instanceId} does not exist`);
    const last = Number(rows[0].last_event_seq);
    const first = last - events.length + 1;
    const values: unknown[] = [instanceId];
    const tuples = events.map((event, i) => {
      values.push(first + i, event.type, JSON.stringify(event.data));
      const n = values.length;
      return `($1, $${n - 2}, $${n - 1}, $${n}::jsonb)`;
    });
    await manager.query(`INSERT INTO "instance_events" ("instance_id", "seq", "type", "data") VALUES ${tuples.join(', ')}`, values);
    return events.map((_, i) => first + i);
  }

  /** Appends in a transaction of its own. */
  appendNow(instanceId: string, events: NewEvent[]): Promise<number[]> {
    return this.dataSource.transaction((m) => this.append(m, instanceId, events));
  }

  /** The stored events after `afterSeq`, in order, at most `limit`. */
  async read(instanceId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    // The data as text: a stream writes it into frames as it is, never parsing it.
    const rows: Array<{ seq: string | number; type: EventType; data: string }> = await this.dataSource.query(
      `SELECT "seq", "type", "data"::text AS "data" FROM "instance_events" WHERE "instance_id" = $1 AND "seq" > $2 ORDER BY "seq" LIMIT $3`,
      [instanceId, afterSeq, limit],
    );
    return rows.map((r) => ({ seq: Number(r.seq), type: r.type, data: r.data }));
  }

  /**
   * Where the instance's log stands: its last `seq`, the `seq` up to which every event was pruned
   * (0 while none was), and the instance's status, read together.
   */
  async position(instanceId: string): Promise<LogPosition> {
    const rows: Array<{ last_event_seq: string | number; pruned_through_seq: string | number; status: string }> = await this.dataSource.query(
      `SELECT "last_event_seq", "pruned_through_seq", "status" FROM "instances" WHERE "id" = $1`,
      [instanceId],
    );
    if (!rows.length) return { lastSeq: 0, prunedThrough: 0, status: null };
    return { lastSeq: Number(rows[0].last_event_seq), prunedThrough: Number(rows[0].pruned_through_seq), status: rows[0].status };
  }

  /**
   * Retention (EVENT_RETENTION_HOURS): deletes older events, messages (with their media) and
   * idempotency keys older than a day, in bounded batches. Returns how many events went.
   */
  async prune(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.eventRetentionHours * 3_600_000);
    let deleted = 0;
    for (;;) {
      const batch = await this.dataSource.transaction(async (m) => {
        const result: unknown = await m.query(
          `WITH gone AS (
             DELETE FROM "instance_events" WHERE ("instance_id", "seq") IN (
               SELECT "instance_id", "seq" FROM "instance_events" WHERE "created_at" < $1 LIMIT 5000)
             RETURNING "instance_id", "seq")
           UPDATE "instances" i SET "pruned_through_seq" = GREATEST(i."pruned_through_seq", g.max_seq)
             FROM (SELECT "instance_id", max("seq") AS max_seq, count(*) AS n FROM gone GROUP BY "instance_id") g
            WHERE i."id" = g."instance_id"
           RETURNING g.n`,
          [cutoff],
        );
        return returnedRows<{ n: string | number }>(result).reduce((sum, r) => sum + Number(r.n), 0);
      });
      deleted += batch;
      if (batch < 5000) break;
    }
    await this.dataSource.query(`DELETE FROM "messages" WHERE "created_at" < $1`, [cutoff]);
    await this.dataSource.query(`DELETE FROM "idempotency_keys" WHERE "created_at" < $1`, [new Date(now.getTime() - 86_400_000)]);
    return deleted;
  }
}
