import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { returnedRows } from '../database/returned-rows.js';

/** An HTTP answer as it was sent: replayed as is to every repeat of the request. */
export interface Answer {
  status: number;
  /** A JSON object: the success body or the error envelope. */
  body: object;
}

export class IdempotencyConflict extends Error {
  constructor(readonly kind: 'different_request' | 'outcome_unknown') {
    super(kind);
    this.name = 'IdempotencyConflict';
  }
}

/** How long a repeat waits for the first request to finish; past it, the first is presumed lost. */
const FIRST_REQUEST_BUDGET_MS = 5 * 60_000;
const POLL_MS = 100;

/**
 * `Idempotency-Key` (SPEC-MESSAGING §9): the first request with a key on an instance runs and its
 * answer is kept; every repeat within 24 h gets that answer, whatever it was, without running
 * anything, also while the first is still running (it waits for it). The same key with another
 * request is a conflict. Any process may see the repeat: the key and its answer are in the database.
 */
@Injectable()
export class IdempotencyKeys {
  constructor(private readonly dataSource: DataSource) {}

  /** The fingerprint of a request: its route and its body. */
  static fingerprint(route: string, body: unknown): string {
    return createHash('sha256').update(route).update('\n').update(JSON.stringify(body)).digest('hex');
  }

  async run(instanceId: string, key: string, fingerprint: string, operation: () => Promise<Answer>): Promise<Answer> {
    const claimed = returnedRows(
      await this.dataSource.query(
        `INSERT INTO "idempotency_keys" ("instance_id", "key", "fingerprint", "state") VALUES ($1, $2, $3, 'pending')
         ON CONFLICT ("instance_id", "key") DO UPDATE SET "fingerprint" = EXCLUDED."fingerprint", "state" = 'pending',
           "status" = NULL, "body" = NULL, "created_at" = now()
           WHERE "idempotency_keys"."created_at" < now() - interval '24 hours'
         RETURNING "key"`,
        [instanceId, key, fingerprint],
      ),
    );
    if (claimed.length === 0) return this.replay(instanceId, key, fingerprint);
    const answer = await operation();
    await this.dataSource.query(
      `UPDATE "idempotency_keys" SET "state" = 'done', "status" = $3, "body" = $4::jsonb WHERE "instance_id" = $1 AND "key" = $2`,
      [instanceId, key, answer.status, JSON.stringify(answer.body)],
    );
    return answer;
  }

  private async replay(instanceId: string, key: string, fingerprint: string): Promise<Answer> {
    for (;;) {
      const rows: Array<{ fingerprint: string; state: string; status: number | null; body: object | null; age_ms: number }> =
        await this.dataSource.query(
          `SELECT "fingerprint", "state", "status", "body", (extract(epoch from now() - "created_at") * 1000)::float8 AS age_ms
             FROM "idempotency_keys" WHERE "instance_id" = $1 AND "key" = $2`,
          [instanceId, key],
        );
      const row = rows[0];
      if (!row) throw new IdempotencyConflict('outcome_unknown');
      if (row.fingerprint !== fingerprint) throw new IdempotencyConflict('different_request');
      if (row.state === 'done') return { status: row.status!, body: row.body! };
      // The first request never finished (its process died mid-send): whether it sent is unknown.
      if (row.age_ms > FIRST_REQUEST_BUDGET_MS) throw new IdempotencyConflict('outcome_unknown');
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
