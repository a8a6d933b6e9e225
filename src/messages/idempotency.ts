import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Fleet } from '../leases/fleet.js';
import { LeasesService } from '../leases/leases.service.js';
import { returnedRows } from '../database/returned-rows.js';
import { type AcceptedSend, type ProviderStatus, statusesBelow } from '../whatsapp/whatsapp.port.js';

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
 * The tag of a keyed send (`biz_opaque_callback_data` on the Cloud API), `idempotency-key:<nonce>:<key>`:
 * Meta repeats it in the message's status webhooks, which is how a status names the key it
 * settles. The nonce is the key's current claim's, so that a late status of an earlier send with
 * the same key (24 h before, or before a takeover) settles nothing.
 */
export const KEY_TAG_PREFIX = 'idempotency-key:';
const KEY_TAG = /^idempotency-key:([0-9a-f]{8}):(.+)$/s;

export function keyTag(nonce: string, key: string): string {
  return `${KEY_TAG_PREFIX}${nonce}:${key}`;
}

const newNonce = () => randomBytes(4).toString('hex');

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
 * then stores the message as sent instead of sending it again, with the furthest status reported
 * (a `failed` above all). A key already answered is left alone. Called in the transaction that
 * stores the statuses.
 */
export async function settleTaggedSends(m: EntityManager, instanceId: string, statuses: ProviderStatus[]): Promise<void> {
  for (const s of statuses) {
    const tag = s.tag ? KEY_TAG.exec(s.tag) : null;
    if (!tag) continue;
    const accepted: AcceptedSend = { id: s.id, status: s.status, error: s.error, timestamp: s.timestamp, recipient: s.recipient ?? null };
    await m.query(
      `UPDATE "idempotency_keys" SET "accepted" = $4::jsonb
        WHERE "instance_id" = $1 AND "key" = $2 AND "tag_nonce" = $3 AND "state" = 'pending' AND "sending"
          AND ("accepted" IS NULL OR "accepted"->>'status' = ANY($5::text[]))`,
      [instanceId, tag[2], tag[1], JSON.stringify(accepted), statusesBelow(s.status)],
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
  /** Meta's webhooks reached this instance within the last 24 h (instances.cloud_webhook_at). */
  webhooks_reach: boolean | null;
}

/** What a repeat does about a first request whose process died: run the send (settling it when accepted), give up, or wait. */
type Orphan = { run: AcceptedSend | null; tag: string | null } | 'unknown' | 'wait';

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
 *   came within CLOUD_SEND_SETTLE_SECONDS of the call (only if Meta's webhooks are known to reach
 *   this server: without them, no status proves nothing, and it answers `outcome_unknown`), and
 *   waits in between;
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
    const nonce = newNonce();
    const claimed = returnedRows(
      await this.dataSource.query(
        `INSERT INTO "idempotency_keys" ("instance_id", "key", "fingerprint", "state", "holder", "tag_nonce") VALUES ($1, $2, $3, 'pending', $4, $5)
         ON CONFLICT ("instance_id", "key") DO UPDATE SET "fingerprint" = EXCLUDED."fingerprint", "state" = 'pending',
           "status" = NULL, "body" = NULL, "created_at" = now(), "holder" = EXCLUDED."holder", "sending" = false,
           "sending_at" = NULL, "accepted" = NULL, "tag_nonce" = EXCLUDED."tag_nonce"
           WHERE "idempotency_keys"."created_at" < now() - interval '24 hours'
         RETURNING "key"`,
        [instanceId, key, fingerprint, this.leases.holder, nonce],
      ),
    );
    if (claimed.length === 0) return this.replay(instanceId, key, fingerprint, tags, operation);
    return this.execute(instanceId, key, tags ? keyTag(nonce, key) : null, null, operation);
  }

  private async execute(
    instanceId: string, key: string, tag: string | null, accepted: AcceptedSend | null, operation: (keyed: KeyedSend) => Promise<Answer>,
  ): Promise<Answer> {
    const holder = this.leases.holder;
    let completed = false;
    const answer = await operation({
      tag,
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
    // A failure's answer (or a success whose transaction rolled back) is stored here; never over
    // an answer stored with its message.
    if (completed && answer.status === 200) return answer;
    if (accepted) {
      // Storing a send the provider accepted failed (the database): not an answer to keep. The key
      // goes back to a holder no process is, so that the next repeat settles it again.
      await this.dataSource.query(
        `UPDATE "idempotency_keys" SET "holder" = $3 WHERE "instance_id" = $1 AND "key" = $2 AND "holder" = $4 AND "state" = 'pending'`,
        [instanceId, key, `unsettled:${holder}`.slice(0, 100), holder],
      );
      return answer;
    }
    await this.dataSource.query(
      `UPDATE "idempotency_keys" SET "state" = 'done', "status" = $3, "body" = $4::jsonb
        WHERE "instance_id" = $1 AND "key" = $2 AND "holder" = $5 AND "state" = 'pending'`,
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
        `SELECT k."fingerprint", k."state", k."status", k."body", k."holder", k."sending", k."accepted",
                (extract(epoch from now() - k."created_at") * 1000)::float8 AS age_ms,
                (extract(epoch from now() - k."sending_at") * 1000)::float8 AS sending_ms,
                i."cloud_webhook_at" >= now() - interval '24 hours' AS webhooks_reach
           FROM "idempotency_keys" k JOIN "instances" i ON i."id" = k."instance_id"
          WHERE k."instance_id" = $1 AND k."key" = $2`,
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
          if (next !== 'wait') return this.execute(instanceId, key, next.tag, next.run, operation);
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
    const take = async (condition: string, set: { resetSending?: boolean; nonce?: string }, ...extra: unknown[]): Promise<boolean> => {
      const params: unknown[] = [instanceId, key, row.holder, this.leases.holder, ...extra];
      let assignments = `"holder" = $4, "created_at" = now()`;
      if (set.resetSending) assignments += `, "sending" = false, "sending_at" = NULL`;
      if (set.nonce) {
        params.push(set.nonce);
        assignments += `, "tag_nonce" = $${params.length}`;
      }
      const rows = await this.dataSource.query(
        `UPDATE "idempotency_keys" SET ${assignments}
          WHERE "instance_id" = $1 AND "key" = $2 AND "state" = 'pending' AND "holder" = $3 AND ${condition} RETURNING "key"`,
        params,
      );
      return returnedRows(rows).length > 0;
    };
    const nonce = newNonce();
    const tag = tags ? keyTag(nonce, key) : null;
    // It never reached the provider: this request is the send now.
    if (!row.sending) return (await take(`NOT "sending"`, { nonce })) ? { run: null, tag } : 'wait';
    // It reached a provider that reports nothing of it later: nobody can tell whether it went out.
    if (!tags || row.sending_ms === null) return 'unknown';
    // The provider reported it accepted: stored as sent, with what the provider reported.
    if (row.accepted) return (await take(`"sending" AND "accepted" IS NOT NULL`, {})) ? { run: row.accepted, tag: null } : 'wait';
    // No status yet: one may still come (Meta reports an accepted send within seconds).
    if (row.sending_ms < this.settleMs) return 'wait';
    // None came, but none could have: Meta's webhooks are not known to reach this server.
    if (!row.webhooks_reach) return 'unknown';
    // None came in time: the provider did not accept it, and it is sent again.
    const resent = await take(`"sending" AND "accepted" IS NULL AND "sending_at" <= now() - $5::int * interval '1 millisecond'`, { resetSending: true, nonce }, this.settleMs);
    if (!resent) return 'wait';
    this.logger.log(`a send whose process died while calling the provider got no status within ${this.settleMs / 1000} s: sent again`);
    return { run: null, tag };
  }
}
