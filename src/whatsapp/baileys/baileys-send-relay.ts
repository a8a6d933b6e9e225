import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { BufferJSON } from '@whiskeysockets/baileys';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { returnedRows } from '../../database/returned-rows.js';
import { NotificationListener } from '../../database/notification-listener.js';
import { LeasesService } from '../../leases/leases.service.js';
import { type OutgoingMessage, type SentMessage, WhatsAppError, type WhatsAppErrorCode } from '../whatsapp.port.js';

const ASK = 'whatsapp_relay';
const DONE = 'whatsapp_relay_done';
/** A send's own budget (Baileys answers within seconds) plus its "typing…" delay. */
const WAIT_MS = 30_000;
/** Read the row also without a notification: a lost one costs this much, not the send. */
const POLL_MS = 1_000;

interface Holder {
  holds(instanceId: string): boolean;
  send(instanceId: string, message: OutgoingMessage): Promise<SentMessage>;
}

/**
 * A Baileys send asked on an API replica that does not hold the instance's connection is done by
 * the replica that does (docs/scaling.md): the asking replica writes it to
 * `whatsapp_relayed_sends` and notifies; the holder claims it (once: `claimed_by`), sends it on
 * its socket, writes the result and notifies back. The row lives only while the asker waits.
 *
 * When no holder answers in time: a send nobody claimed is taken back and fails as not connected
 * (it was never sent); one that was claimed fails as unreachable (it may have been sent: the
 * caller's Idempotency-Key decides about a retry, as for any send whose answer was lost).
 */
@Injectable()
export class BaileysSendRelay implements OnApplicationShutdown {
  private readonly logger = new Logger('BaileysSendRelay');
  private readonly waiting = new Map<string, () => void>();
  private holder: Holder | null = null;
  private subscribed: Promise<void> | null = null;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly notifications: NotificationListener,
    private readonly leases: LeasesService,
  ) {}

  /** The holder's side: this process answers for the instances it holds. */
  serve(holder: Holder): Promise<void> {
    this.holder = holder;
    return this.listen();
  }

  onApplicationShutdown(): void {
    for (const u of this.unsubscribe) u();
    for (const wake of this.waiting.values()) wake();
  }

  /** True when another live process holds the connection: a send can be relayed to it. */
  async heldElsewhere(instanceId: string): Promise<boolean> {
    const rows: Array<{ holder: string }> = await this.dataSource.query(
      `SELECT "holder" FROM "leases" WHERE "resource" = $1 AND "expires_at" >= now()`,
      [`whatsapp:${instanceId}`],
    );
    return rows.length > 0 && rows[0].holder !== this.leases.holder;
  }

  /** The asker's side. */
  async send(instanceId: string, message: OutgoingMessage): Promise<SentMessage> {
    await this.listen();
    const id = randomUUID();
    const woken = new Promise<void>((resolve) => this.waiting.set(id, resolve));
    try {
      await this.dataSource.query(`INSERT INTO "whatsapp_relayed_sends" ("id", "instance_id", "request") VALUES ($1, $2, $3)`, [
        id,
        instanceId,
        JSON.stringify(message, BufferJSON.replacer),
      ]);
      await this.dataSource.query(`SELECT pg_notify($1, $2)`, [ASK, `${id} ${instanceId}`]);
      const deadline = Date.now() + WAIT_MS + (message.delaySeconds ?? 0) * 1_000;
      for (;;) {
        const row = await this.finished(id);
        if (row) return this.outcome(row);
        if (Date.now() >= deadline) break;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([woken, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(POLL_MS, deadline - Date.now()))))]);
        clearTimeout(timer);
      }
      const untaken = returnedRows(await this.dataSource.query(`DELETE FROM "whatsapp_relayed_sends" WHERE "id" = $1 AND "claimed_by" IS NULL RETURNING "id"`, [id]));
      if (untaken.length > 0) throw new WhatsAppError('NOT_CONNECTED', 'the server process holding the connection did not take the message');
      throw new WhatsAppError('UNREACHABLE', 'the server process holding the connection did not say whether it sent the message');
    } finally {
      this.waiting.delete(id);
      // Also when the holder has not answered: what it writes later, nobody reads.
      await this.dataSource.query(`DELETE FROM "whatsapp_relayed_sends" WHERE "id" = $1`, [id]).catch(() => undefined);
    }
  }

  private async finished(id: string): Promise<{ result: string | null; error: { code: string; detail: string; reason: string } | null } | null> {
    const rows: Array<{ result: string | null; error: { code: string; detail: string; reason: string } | null }> = await this.dataSource.query(
      `SELECT "result", "error" FROM "whatsapp_relayed_sends" WHERE "id" = $1 AND ("result" IS NOT NULL OR "error" IS NOT NULL)`,
      [id],
    );
    return rows[0] ?? null;
  }

  private outcome(row: { result: string | null; error: { code: string; detail: string; reason: string } | null }): SentMessage {
    if (row.error) throw new WhatsAppError(row.error.code as WhatsAppErrorCode, row.error.detail, row.error.reason);
    return JSON.parse(row.result!, BufferJSON.reviver) as SentMessage;
  }

  private listen(): Promise<void> {
    this.subscribed ??= (async () => {
      this.unsubscribe.push(
        await this.notifications.subscribe(DONE, {
          notified: (id) => this.waiting.get(id)?.(),
          // Missed while reconnecting: every waiter reads its row again.
          resumed: () => this.waiting.forEach((wake) => wake()),
        }),
        await this.notifications.subscribe(ASK, {
          notified: (payload) => {
            const [id, instanceId] = payload.split(' ');
            if (id && instanceId) void this.answer(id, instanceId);
          },
          resumed: () => undefined,
        }),
      );
    })();
    return this.subscribed;
  }

  /** The holder's side of one request. */
  private async answer(id: string, instanceId: string): Promise<void> {
    const holder = this.holder;
    if (!holder?.holds(instanceId)) return;
    try {
      const claimed: Array<{ request: string }> = returnedRows(
        await this.dataSource.query(
          `UPDATE "whatsapp_relayed_sends" SET "claimed_by" = $2 WHERE "id" = $1 AND "claimed_by" IS NULL RETURNING "request"`,
          [id, this.leases.holder],
        ),
      ) as Array<{ request: string }>;
      if (claimed.length === 0) return;
      const message = JSON.parse(claimed[0].request, BufferJSON.reviver) as OutgoingMessage;
      let result: string | null = null;
      let error: { code: string; detail: string; reason: string } | null = null;
      try {
        result = JSON.stringify(await holder.send(instanceId, message), BufferJSON.replacer);
      } catch (err) {
        error = err instanceof WhatsAppError ? { code: err.code, detail: err.detail, reason: err.reason } : { code: 'UNREACHABLE', detail: (err as Error).message, reason: '' };
      }
      await this.dataSource.query(`UPDATE "whatsapp_relayed_sends" SET "result" = $2, "error" = $3 WHERE "id" = $1`, [id, result, error]);
      await this.dataSource.query(`SELECT pg_notify($1, $2)`, [DONE, id]);
    } catch (err) {
      this.logger.warn(`relayed send ${id}: ${(err as Error).message}`);
    }
  }
}
