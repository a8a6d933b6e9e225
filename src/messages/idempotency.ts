import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Fleet } from '../leases/fleet.js';
import { LeasesService } from '../leases/leases.service.js';
import { returnedRows } from '../database/returned-rows.js';
import type { AcceptedSend, ProviderStatus } from '../whatsapp/whatsapp.port.js';

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
/** How often a repeat waiting for a dead request's provider status looks again. */
const SETTLE_POLL_MS = 500;
/** How often a waiting repeat asks whether the first request's process is still alive. */
const LIVENESS_EVERY_MS = 1_000;
/**
 * The group whose membership says an API process is alive: every API process renews it every
 * 3 s (BaileysOwnership's sweep, which runs whatever the instances' providers) and leaves it 10 s
 * after it died.
 */
const API_GROUP = 'whatsapp';

/**
 * The tag of a keyed send (`biz_opaque_callback_data` on the Cloud API): Meta repeats it in the
 * message's status webhooks, which is how a status names the key it settles.
 */
export const KEY_TAG_PREFIX = 'idempotency-key:';

/** What a keyed send is told, and tells its key, while it runs. */
export interface KeyedSend {
  /** The tag to send with the message when its provider reports tags back; null otherwise. */
  readonly tag: string | null;
  /**
   * Set when this request settles a first request whose process died after the provider had
   * accepted the message: record it as sent, do not send it again.
   */
  readonly accepted: AcceptedSend | null;
  /** Just before the provider is called: from then on a lost request's outcome is unknown until the provider reports it. */
  sending(): Promise<void>;
  /** The answer, in the transaction that stores the sent message: never one without the other. */
  complete(answer: Answer, m: EntityManager): Promise<void>;
}

/**
 * Status updates that name a keyed send (its tag) record on the key that the provider accepted
 * it, while its first request is still pending: a repeat that finds that request's process dead
 * then stores the message as sent instead of sending it again. The first such status wins; a key
 * already answered is left alone. Called in the transaction that stores the statuses.
 */
export async function settleTaggedSends(m: EntityManager, instanceId: string, statuses: ProviderStatus[]): Promise<void> {
  for (const s of statuses) {
    if (!s.tag?.startsWith(KEY_TAG_PREFIX)) continue;
    const accepted: AcceptedSend = { id: s.id, status: s.status, error: s.error, timestamp: s.timestamp, recipient: s.recipient ?? null };
    await m.query(
      `UPDATE "idempotency_keys" SET "accepted" = $3::jsonb
        WHERE "instance_id" = $1 AND "key" = $2 AND "state" = 'pending' AND "sending" AND "accepted" IS NULL`,
      [instanceId, s.tag.slice(KEY_TAG_PREFIX.length), JSON.stringify(accepted)],
    );
  }
}

interface KeyRow {
  fingerprint: string;
  state: string;
  status: number | null;
  body: object | null;
  age_ms: number;
  holder: string | null;
  sending: boolean;
  /** Since `sending` was set; null when it is not, and for keys of older versions. */
  sending_ms: number | null;
  accepted: AcceptedSend | null;
}

/** What a repeat does about a first request whose process died: run the send (settling it when accepted), give up, or wait. */
type Orphan = { run: AcceptedSend | null } | 'unknown' | 'wait';

/**
 * `Idempotency-Key` (SPEC-MESSAGING §9): the first request with a key on an instance runs and its
 * answer is kept; every repeat within 24 h gets that answer, whatever it was, without running
 * anything, also while the first is still running (it waits for it). The same key with another
 * request is a conflict. Any process may see the repeat: the key and its answer are in the database.
 *
 * A first request whose process died (SIGKILL, OOM) left its key `pending`. A repeat that finds
 * that process gone (no longer a member of the API fleet, 10 s after its death):
 * - runs the send itself if the first never reached the provider;
 * - if it did and the provider reports a send's tag in its status updates (the Cloud API): stores
 *   the message as sent once a status says the provider accepted it, sends it again when no status
 *   came within CLOUD_SEND_SETTLE_SECONDS of the call, and waits in between;
 * - otherwise (Baileys) answers `outcome_unknown` at once.
 * The answer of a send that did happen is stored with its message, so it is never lost with the
 * process. Keys of older versions (no holder) wait out FIRST_REQUEST_BUDGET_MS.
 */
@Injectable()
export class IdempotencyKeys {
  private readonly logger = new Logger('Messages');
  private readonly settleMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly leases: LeasesService,
    private readonly fleet: Fleet,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.settleMs = config.cloudSendSettleSeconds * 1000;
  }

  /** The fingerprint of a request: its route and its body. */
  static fingerprint(route: string, body: unknown): string {
    return createHash('sha256').update(route).update('\n').update(JSON.stringify(body)).digest('hex');
  }

  /** `tags`: the instance's provider reports a send's tag in its status updates (WhatsAppService.reportsTags). */
  async run(instanceId: string, key: string, fingerprint: string, tags: boolean, operation: (keyed: KeyedSend) => Promise<Answer>): Promise<Answer> {
    const claimed = returnedRows(
      await this.dataSource.query(
        `INSERT INTO "idempotency_keys" ("instance_id", "key", "fingerprint", "state", "holder") VALUES ($1, $2, $3, 'pending', $4)
         ON CONFLICT ("instance_id", "key") DO UPDATE SET "fingerprint" = EXCLUDED."fingerprint", "state" = 'pending',
           "status" = NULL, "body" = NULL, "created_at" = now(), "holder" = EXCLUDED."holder", "sending" = false,
           "sending_at" = NULL, "accepted" = NULL
           WHERE "idempotency_keys"."created_at" < now() - interval '24 hours'
         RETURNING "key"`,
        [instanceId, key, fingerprint, this.leases.holder],
      ),
    );
    if (claimed.length === 0) return this.replay(instanceId, key, fingerprint, tags, operation);
    return this.execute(instanceId, key, tags, null, operation);
  }

  private async execute(
    instanceId: string, key: string, tags: boolean, accepted: AcceptedSend | null, operation: (keyed: KeyedSend) => Promise<Answer>,
  ): Promise<Answer> {
    const holder = this.leases.holder;
    let completed = false;
    const answer = await operation({
      tag: tags ? `${KEY_TAG_PREFIX}${key}` : null,
      accepted,
      sending: async () => {
        await this.dataSource.query(
          `UPDATE "idempotency_keys" SET "sending" = true, "sending_at" = now() WHERE "instance_id" = $1 AND "key" = $2 AND "holder" = $3`,
          [instanceId, key, holder],
        );
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

  private async replay(
    instanceId: string, key: string, fingerprint: string, tags: boolean, operation: (keyed: KeyedSend) => Promise<Answer>,
  ): Promise<Answer> {
    let livenessAt = 0;
    /** The first request's process is dead and its provider's status is being waited for. */
    let settling = false;
    for (;;) {
      const rows: KeyRow[] = await this.dataSource.query(
        `SELECT "fingerprint", "state", "status", "body", "holder", "sending", "accepted",
                (extract(epoch from now() - "created_at") * 1000)::float8 AS age_ms,
                (extract(epoch from now() - "sending_at") * 1000)::float8 AS sending_ms
           FROM "idempotency_keys" WHERE "instance_id" = $1 AND "key" = $2`,
        [instanceId, key],
      );
      const row = rows[0];
      if (!row) throw new IdempotencyConflict('outcome_unknown');
      if (row.fingerprint !== fingerprint) throw new IdempotencyConflict('different_request');
      if (row.state === 'done') return { status: row.status!, body: row.body! };
      if (row.holder && row.holder !== this.leases.holder && Date.now() - livenessAt >= LIVENESS_EVERY_MS) {
        livenessAt = Date.now();
        settling = false;
        if (!(await this.fleet.isMember(API_GROUP, row.holder))) {
          const next = await this.orphaned(instanceId, key, row, tags);
          if (next === 'unknown') throw new IdempotencyConflict('outcome_unknown');
          if (next !== 'wait') return this.execute(instanceId, key, tags, next.run, operation);
          settling = row.sending;
        }
      }
      // A live first request that never finished: whether it sent is unknown. (A dead one's
      // provider status is waited for instead, CLOUD_SEND_SETTLE_SECONDS at most, less than this.)
      if (!settling && row.age_ms > FIRST_REQUEST_BUDGET_MS) throw new IdempotencyConflict('outcome_unknown');
      await new Promise((resolve) => setTimeout(resolve, settling ? SETTLE_POLL_MS : POLL_MS));
    }
  }

  /**
   * A first request whose process died. Taking its key over (this process becomes the holder) is a
   * compare-and-set on what was read: of several repeats one runs, the others wait for its answer.
   */
  private async orphaned(instanceId: string, key: string, row: KeyRow, tags: boolean): Promise<Orphan> {
    const take = async (condition: string, resetSending: boolean, ...extra: unknown[]): Promise<boolean> =>
      returnedRows(
        await this.dataSource.query(
          `UPDATE "idempotency_keys" SET "holder" = $4, "created_at" = now()${resetSending ? `, "sending" = false, "sending_at" = NULL` : ''}
            WHERE "instance_id" = $1 AND "key" = $2 AND "state" = 'pending' AND "holder" = $3 AND ${condition} RETURNING "key"`,
          [instanceId, key, row.holder, this.leases.holder, ...extra],
        ),
      ).length > 0;
    // It never reached the provider: this request is the send now.
    if (!row.sending) return (await take(`NOT "sending"`, false)) ? { run: null } : 'wait';
    // It reached a provider that reports nothing of it later: nobody can tell whether it went out.
    if (!tags || row.sending_ms === null) return 'unknown';
    // The provider reported it accepted: stored as sent, with what the provider reported.
    if (row.accepted) return (await take(`"sending" AND "accepted" IS NOT NULL`, false)) ? { run: row.accepted } : 'wait';
    // No status yet: one may still come (Meta reports an accepted send within seconds).
    if (row.sending_ms < this.settleMs) return 'wait';
    // None came in time: the provider did not accept it, and it is sent again.
    if (!(await take(`"sending" AND "accepted" IS NULL AND "sending_at" <= now() - $5::int * interval '1 millisecond'`, true, this.settleMs))) return 'wait';
    this.logger.log(`a send whose process died while calling the provider got no status within ${this.settleMs / 1000} s: sent again`);
    return { run: null };
  }
}
