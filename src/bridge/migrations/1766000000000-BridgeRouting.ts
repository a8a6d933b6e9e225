import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Routing state of the bridge (SPEC-MESSAGING §11): how far each integration has read the event
 * stream, the Chatwoot contact and conversation of each WhatsApp chat, and the map between
 * WhatsApp and Chatwoot message ids that makes every delivery exactly-once.
 */
export class BridgeRouting1766000000000 implements MigrationInterface {
  name = 'BridgeRouting1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "bridge_integrations" ADD "stream_seq" bigint NOT NULL DEFAULT 0`);
    await q.query(`
      CREATE TABLE "bridge_chats" (
        "integration_id" varchar(40) NOT NULL,
        "chat_jid" varchar(200) NOT NULL,
        "contact_id" integer NOT NULL,
        "conversation_id" integer NULL,
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_bridge_chats" PRIMARY KEY ("integration_id", "chat_jid"),
        CONSTRAINT "FK_bridge_chats_integration" FOREIGN KEY ("integration_id") REFERENCES "bridge_integrations" ("id") ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE TABLE "bridge_message_links" (
        "integration_id" varchar(40) NOT NULL,
        "wa_message_id" varchar(200) NOT NULL,
        "chatwoot_message_id" bigint NULL,
        "chatwoot_conversation_id" integer NULL,
        "origin" varchar(20) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_bridge_message_links" PRIMARY KEY ("integration_id", "wa_message_id"),
        CONSTRAINT "FK_bridge_message_links_integration" FOREIGN KEY ("integration_id") REFERENCES "bridge_integrations" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "IDX_bridge_message_links_chatwoot" ON "bridge_message_links" ("integration_id", "chatwoot_message_id")`);
    await q.query(`ALTER TABLE "bridge_outbound_messages" ADD "attempt" integer NOT NULL DEFAULT 1`);
    await q.query(`ALTER TABLE "bridge_outbound_messages" ADD "next_attempt_at" timestamptz NOT NULL DEFAULT now()`);
    await q.query(`ALTER TABLE "bridge_outbound_messages" ADD "wa_message_id" varchar(200) NULL`);
    await q.query(`ALTER TABLE "bridge_outbound_messages" ADD "last_error" text NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const column of ['last_error', 'wa_message_id', 'next_attempt_at', 'attempt']) {
      await q.query(`ALTER TABLE "bridge_outbound_messages" DROP COLUMN "${column}"`);
    }
    await q.query(`DROP TABLE "bridge_message_links"`);
    await q.query(`DROP TABLE "bridge_chats"`);
    await q.query(`ALTER TABLE "bridge_integrations" DROP COLUMN "stream_seq"`);
  }
}
