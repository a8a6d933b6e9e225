import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Fleet } from '../leases/fleet.js';
import { LeasesService } from '../leases/leases.service.js';
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
/** How often a waiting repeat asks whether the first request's process is still alive. */
const LIVENESS_EVERY_MS = 1_000;
/**
 * The group whose membership says an API process is alive: every API process renews it every
 * 3 s (BaileysOwnership's sweep, which runs whatever the instances' providers) and leaves it 10 s
 * after it died.
 */
const API_GROUP = 'whatsapp';

/** What a keyed send tells its key while it runs. */
export interface KeyedSend {
  /** Just before the provider is called: from then on a lost request's outcome is unknown. */
  sending(): Promise<void>;
  /** The answer, in the transaction that stores the sent message: never one without the other. */
  complete(answer: Answer, m: EntityManager): Promise<void>;
}

/**
 * `Idempotency-Key` (SPEC-MESSAGING §9): the first request with a key on an instance runs and its
 * answer is kept; every repeat within 24 h gets that answer, whatever it was, without running
 * anything, also while the first is still running (it waits for it). The same key with another
 * request is a conflict. Any process may see the repeat: the key and its answer are in the database.
 *
 * A first request whose process died (SIGKILL, OOM) left its key `pending`. A repeat that finds
 * that process gone (no longer a member of the API fleet, 10 s after its death) runs the send
 * itself if it never reached the provider, and answers `outcome_unknown` at once if it did; the
 * answer of a send that did happen is stored with its message, so it is never lost with the
 * process. Keys of older versions (no holder) wait out FIRST_REQUEST_BUDGET_MS.
 */
@Injectable()
export class IdempotencyKeys {
  constructor(
    private readonly dataSource: DataSource,
    private readonly leases: LeasesService,
    private readonly fleet: Fleet,
  ) {}

  /** The fingerprint of a request: its route and its body. */
  static fingerprint(route: string, body: unknown): string {
    return createHash('sha256').update(route).update('\n').update(JSON.stringify(body)).digest('hex');
  }

  async run(instanceId: string, key: string, fingerprint: string, operation: (keyed: KeyedSend) => Promise<Answer>): Promise<Answer> {
    const claimed = returnedRows(
      await this.dataSource.query(
        `INSERT INTO "idempotency_keys" ("instance_id", "key", "fingerprint", "state", "holder") VALUES ($1, $2, $3, 'pending', $4)
         ON CONFLICT ("instance_id", "key") DO UPDATE SET "fingerprint" = EXCLUDED."fingerprint", "state" = 'pending',
           "status" = NULL, "body" = NULL, "created_at" = now(), "holder" = EXCLUDED."holder", "sending" = false
           WHERE "idempotency_keys"."created_at" < now() - interval '24 hours'
         RETURNING "key"`,
        [instanceId, key, fingerprint, this.leases.holder],
      ),
    );
    if (claimed.length === 0) return this.replay(instanceId, key, fingerprint, operation);
    return this.execute(instanceId, key, operation);
  }

  private async execute(instanceId: string, key: string, operation: (keyed: KeyedSend) => Promise<Answer>): Promise<Answer> {
    const holder = this.leases.holder;
    let completed = false;
    const answer = await operation({
      sending: async () => {
        await this.dataSource.query(`UPDATE "idempotency_keys" SET "sending" = true WHERE "instance_id" = $1 AND "key" = $2 AND "holder" = $3`, [instanceId, key, holder]);
      },
      complete: async (done, m) => {
        completed = true;
        await m.query(
          `UPDATE "idempotency_keys" SET "state" = 'done', "status" = $3, "body" = $4::jsonb WHERE "instance_id" = $1 AND "key" = $2 AND "holder" = $5`,
          [instanceId, key, done.status, JSON.stringify(done.body), holder],
        );
      },
    });
    // A failure's answer (or a success whose transaction rolled back) is stored here.
    if (completed && answer.status === 200) return answer;
    await this.dataSource.query(
      `UPDATE "idempotency_keys" SET "state" = 'done', "status" = $3, "body" = $4::jsonb WHERE "instance_id" = $1 AND "key" = $2 AND "holder" = $5`,
      [instanceId, key, answer.status, JSON.stringify(answer.body), holder],
    );
    return answer;
  }

  private async replay(instanceId: string, key: string, fingerprint: string, operation: (keyed: KeyedSend) => Promise<Answer>): Promise<Answer> {
    let livenessAt = 0;
    for (;;) {
      const rows: Array<{ fingerprint: string; state: string; status: number | null; body: object | null; age_ms: number; holder: string | null; sending: boolean }> =
        await this.dataSource.query(
          `SELECT "fingerprint", "state", "status", "body", "holder", "sending", (extract(epoch from now() - "created_at") * 1000)::float8 AS age_ms
             FROM "idempotency_keys" WHERE "instance_id" = $1 AND "key" = $2`,
          [instanceId, key],
        );
      const row = rows[0];
      if (!row) throw new IdempotencyConflict('outcome_unknown');
      if (row.fingerprint !== fingerprint) throw new IdempotencyConflict('different_request');
      if (row.state === 'done') return { status: row.status!, body: row.body! };
      if (row.holder && row.holder !== this.leases.holder && Date.now() - livenessAt >= LIVENESS_EVERY_MS) {
        livenessAt = Date.now();
        if (!(await this.fleet.isMember(API_GROUP, row.holder))) {
          // The first request's process is gone: whether it sent is unknown once it reached the provider.
          if (row.sending) throw new IdempotencyConflict('outcome_unknown');
          const taken = returnedRows(
            await this.dataSource.query(
              `UPDATE "idempotency_keys" SET "holder" = $4, "created_at" = now()
                WHERE "instance_id" = $1 AND "key" = $2 AND "state" = 'pending' AND "holder" = $3 AND NOT "sending" RETURNING "key"`,
              [instanceId, key, row.holder, this.leases.holder],
            ),
          );
          // It never reached the provider: this request is the send now.
          if (taken.length > 0) return this.execute(instanceId, key, operation);
          continue;
        }
      }
      // The first request never finished (its process died mid-send): whether it sent is unknown.
      if (row.age_ms > FIRST_REQUEST_BUDGET_MS) throw new IdempotencyConflict('outcome_unknown');
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
