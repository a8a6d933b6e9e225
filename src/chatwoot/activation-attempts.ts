import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/**
 * Activations sent to the bridge and not yet settled locally: recorded before the call, cleared
 * once the row names the integration; reconciliation settles what remains (SPEC §5 after a 504).
 */
@Injectable()
export class ActivationAttempts {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(externalId: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO "chatwoot_activation_attempts" ("external_id", "started_at") VALUES ($1, now())
       ON CONFLICT ("external_id") DO UPDATE SET "started_at" = now()`,
      [externalId],
    );
  }

  async clear(externalId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM "chatwoot_activation_attempts" WHERE "external_id" = $1`, [externalId]);
  }

  /** Attempts older than `minAgeMs`: none of them can be an activation still running. */
  async stale(minAgeMs: number, limit = 50): Promise<string[]> {
    const rows: Array<{ external_id: string }> = await this.dataSource.query(
      `SELECT "external_id" FROM "chatwoot_activation_attempts"
       WHERE "started_at" <= now() - $1::int * interval '1 millisecond' ORDER BY "started_at" LIMIT $2`,
      [minAgeMs, limit],
    );
    return rows.map((r) => r.external_id);
  }
}
