import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Baileys sends passed from an API replica to the one holding the connection (docs/scaling.md). */
export class RelayedSends1767000000000 implements MigrationInterface {
  name = 'RelayedSends1767000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "whatsapp_relayed_sends" (
        "id" uuid PRIMARY KEY,
        "instance_id" uuid NOT NULL,
        "request" text NOT NULL,
        "claimed_by" varchar(100),
        "result" text,
        "error" jsonb,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "whatsapp_relayed_sends"`);
  }
}
