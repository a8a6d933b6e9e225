import { MigrationInterface, QueryRunner } from 'typeorm';

/** The bridge role's integrations and the agent replies received for routing (BRIDGE-API.md). */
export class BridgeInit1763900000000 implements MigrationInterface {
  name = 'BridgeInit1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "bridge_integrations" (
        "id" varchar(40) PRIMARY KEY,
        "external_id" varchar(200) NOT NULL,
        "instance" varchar(200) NOT NULL,
        "chatwoot_base_url" varchar(2048) NOT NULL,
        "chatwoot_account_id" integer NOT NULL,
        "chatwoot_api_token" text NOT NULL,
        "inbox_name" varchar(255) NOT NULL,
        "inbox_id" integer NOT NULL DEFAULT 0,
        "inbox_signing_secret" text NULL,
        "webhook_secret" text NOT NULL,
        "sign_messages" boolean NOT NULL DEFAULT false,
        "ignore_groups" boolean NOT NULL DEFAULT false,
        "start_as_pending" boolean NOT NULL DEFAULT false,
        "reopen_resolved" boolean NOT NULL DEFAULT false,
        "source_api_url" varchar(2048) NOT NULL,
        "source_instance" varchar(200) NOT NULL,
        "source_token" text NOT NULL,
        "status" varchar(20) NOT NULL DEFAULT 'active',
        "last_error" text NOT NULL DEFAULT '',
        "revision" integer NOT NULL DEFAULT 1,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_bridge_integrations_external_id" UNIQUE ("external_id")
      )`);
    await q.query(`
      CREATE TABLE "bridge_outbound_messages" (
        "id" uuid PRIMARY KEY,
        "integration_id" varchar(40) NOT NULL,
        "chatwoot_message_id" bigint NOT NULL,
        "chatwoot_conversation_id" integer NOT NULL,
        "content" text NULL,
        "payload" jsonb NOT NULL,
        "status" varchar(20) NOT NULL DEFAULT 'pending',
        "received_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_bridge_outbound_messages_message" UNIQUE ("integration_id", "chatwoot_message_id"),
        CONSTRAINT "FK_bridge_outbound_messages_integration" FOREIGN KEY ("integration_id")
          REFERENCES "bridge_integrations" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "IDX_bridge_outbound_messages_status" ON "bridge_outbound_messages" ("status", "received_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "bridge_outbound_messages"`);
    await q.query(`DROP TABLE "bridge_integrations"`);
  }
}
