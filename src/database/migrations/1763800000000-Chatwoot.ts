import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The chatwoot module (SPEC §6): integrations, the durable queue of bridge deletions to retry
 * (SPEC §5 delete step 2), the per-instance lease that serialises activations across replicas,
 * and the record of activations in flight that reconciliation settles after a crash or a 504.
 */
export class Chatwoot1763800000000 implements MigrationInterface {
  name = 'Chatwoot1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "chatwoot_integrations" (
        "id" uuid PRIMARY KEY,
        "instance_id" uuid NOT NULL,
        "bridge_integration_id" varchar(200) NOT NULL,
        "chatwoot_base_url" varchar(2048) NOT NULL,
        "chatwoot_account_id" integer NOT NULL,
        "chatwoot_api_token" text NOT NULL,
        "chatwoot_inbox_id" integer NOT NULL DEFAULT 0,
        "chatwoot_inbox_name" varchar(100) NOT NULL,
        "sign_messages" boolean NOT NULL DEFAULT false,
        "ignore_groups" boolean NOT NULL DEFAULT false,
        "start_as_pending" boolean NOT NULL DEFAULT false,
        "reopen_resolved" boolean NOT NULL DEFAULT false,
        "status" varchar(10) NOT NULL,
        "last_error" text NOT NULL DEFAULT '',
        "callback_token_hash" char(64) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_chatwoot_integrations_instance" UNIQUE ("instance_id"),
        CONSTRAINT "FK_chatwoot_integrations_instance" FOREIGN KEY ("instance_id") REFERENCES "instances" ("id") ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE TABLE "chatwoot_bridge_deletions" (
        "id" uuid PRIMARY KEY,
        "bridge_integration_id" varchar(200) NOT NULL,
        "delete_inbox" boolean NOT NULL DEFAULT false,
        "attempts" integer NOT NULL DEFAULT 0,
        "next_attempt_at" timestamptz NOT NULL DEFAULT now(),
        "last_error" text NOT NULL DEFAULT '',
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "IDX_chatwoot_bridge_deletions_due" ON "chatwoot_bridge_deletions" ("next_attempt_at")`);
    await q.query(`
      CREATE TABLE "chatwoot_instance_locks" (
        "instance_id" uuid PRIMARY KEY,
        "holder" varchar(64) NOT NULL,
        "expires_at" timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE "chatwoot_activation_attempts" (
        "external_id" varchar(200) PRIMARY KEY,
        "started_at" timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "chatwoot_activation_attempts"`);
    await q.query(`DROP TABLE "chatwoot_instance_locks"`);
    await q.query(`DROP TABLE "chatwoot_bridge_deletions"`);
    await q.query(`DROP TABLE "chatwoot_integrations"`);
  }
}
