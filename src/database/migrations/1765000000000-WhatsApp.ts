import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The WhatsApp side (SPEC-MESSAGING §8–§10): each instance's provider and Cloud API credentials,
 * its event log, its messages and their media, idempotency keys of sends, Baileys sessions, and
 * the leases that give one process each Baileys connection.
 *
 * Every inserted event notifies `ryze_events` with `<instance id>:<seq>`, delivered when its
 * transaction commits: each process's streams then read the log, which stays the truth.
 */
export class WhatsApp1765000000000 implements MigrationInterface {
  name = 'WhatsApp1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE "instances"
        ADD "provider" varchar(10) NOT NULL DEFAULT 'baileys',
        ADD "cloud_phone_number_id" varchar(32) NULL,
        ADD "cloud_access_token" text NULL,
        ADD "cloud_app_secret" text NULL,
        ADD "cloud_verify_token_hash" char(64) NULL,
        ADD "pairing" text NULL,
        ADD "last_event_seq" bigint NOT NULL DEFAULT 0,
        ADD "pruned_through_seq" bigint NOT NULL DEFAULT 0,
        ADD CONSTRAINT "UQ_instances_cloud_phone_number_id" UNIQUE ("cloud_phone_number_id")`);
    await q.query(`CREATE INDEX "IDX_instances_cloud_verify_token_hash" ON "instances" ("cloud_verify_token_hash")`);

    await q.query(`
      CREATE TABLE "instance_events" (
        "instance_id" uuid NOT NULL,
        "seq" bigint NOT NULL,
        "type" varchar(40) NOT NULL,
        "data" jsonb NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("instance_id", "seq"),
        CONSTRAINT "FK_instance_events_instance" FOREIGN KEY ("instance_id") REFERENCES "instances" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "IDX_instance_events_created_at" ON "instance_events" ("created_at")`);
    await q.query(`
      CREATE FUNCTION "notify_instance_event"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('ryze_events', NEW."instance_id"::text || ':' || NEW."seq"::text);
        RETURN NULL;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER "instance_events_notify" AFTER INSERT ON "instance_events"
        FOR EACH ROW EXECUTE FUNCTION "notify_instance_event"()`);
    await q.query(`ALTER TABLE "instance_events" ENABLE ALWAYS TRIGGER "instance_events_notify"`);

    await q.query(`
      CREATE TABLE "messages" (
        "id" uuid PRIMARY KEY,
        "instance_id" uuid NOT NULL,
        "provider_message_id" varchar(255) NOT NULL,
        "direction" varchar(10) NOT NULL,
        "chat_jid" varchar(255) NOT NULL,
        "type" varchar(20) NOT NULL,
        "sent_at" timestamptz NOT NULL,
        "data" jsonb NOT NULL,
        "media_source" jsonb NULL,
        "media_state" varchar(10) NULL,
        "raw" jsonb NULL,
        "status" varchar(10) NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_messages_provider_id" UNIQUE ("instance_id", "provider_message_id"),
        CONSTRAINT "FK_messages_instance" FOREIGN KEY ("instance_id") REFERENCES "instances" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "IDX_messages_created_at" ON "messages" ("created_at")`);
    await q.query(`CREATE INDEX "IDX_messages_media_state" ON "messages" ("media_state")`);
    await q.query(`
      CREATE TABLE "message_media_chunks" (
        "message_id" uuid NOT NULL,
        "seq" integer NOT NULL,
        "bytes" bytea NOT NULL,
        PRIMARY KEY ("message_id", "seq"),
        CONSTRAINT "FK_message_media_chunks_message" FOREIGN KEY ("message_id") REFERENCES "messages" ("id") ON DELETE CASCADE
      )`);

    await q.query(`
      CREATE TABLE "idempotency_keys" (
        "instance_id" uuid NOT NULL,
        "key" varchar(128) NOT NULL,
        "fingerprint" char(64) NOT NULL,
        "state" varchar(10) NOT NULL,
        "status" integer NULL,
        "body" jsonb NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("instance_id", "key"),
        CONSTRAINT "FK_idempotency_keys_instance" FOREIGN KEY ("instance_id") REFERENCES "instances" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "IDX_idempotency_keys_created_at" ON "idempotency_keys" ("created_at")`);

    await q.query(`
      CREATE TABLE "whatsapp_sessions" (
        "instance_id" uuid PRIMARY KEY,
        "creds" text NOT NULL,
        "linked" boolean NOT NULL DEFAULT false,
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "FK_whatsapp_sessions_instance" FOREIGN KEY ("instance_id") REFERENCES "instances" ("id") ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE TABLE "whatsapp_session_keys" (
        "instance_id" uuid NOT NULL,
        "category" varchar(40) NOT NULL,
        "key_id" varchar(255) NOT NULL,
        "value" text NOT NULL,
        PRIMARY KEY ("instance_id", "category", "key_id"),
        CONSTRAINT "FK_whatsapp_session_keys_instance" FOREIGN KEY ("instance_id") REFERENCES "instances" ("id") ON DELETE CASCADE
      )`);

    // The integration's callback token is a token of the API (SPEC-MESSAGING §11): looked up by its
    // hash, and revoked from every token cache like the others when it changes or goes.
    await q.query(`CREATE INDEX "IDX_chatwoot_integrations_callback_token_hash" ON "chatwoot_integrations" ("callback_token_hash")`);
    await q.query(`
      CREATE FUNCTION "notify_callback_token_revoked"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('ryze_token_revoked', OLD."callback_token_hash");
        RETURN NULL;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER "chatwoot_integrations_token_revoked" AFTER DELETE OR UPDATE OF "callback_token_hash", "instance_id"
        ON "chatwoot_integrations" FOR EACH ROW EXECUTE FUNCTION "notify_callback_token_revoked"()`);
    await q.query(`
      CREATE TRIGGER "chatwoot_integrations_tokens_truncated" AFTER TRUNCATE ON "chatwoot_integrations"
        FOR EACH STATEMENT EXECUTE FUNCTION "notify_tokens_truncated"()`);
    await q.query(`ALTER TABLE "chatwoot_integrations" ENABLE ALWAYS TRIGGER "chatwoot_integrations_token_revoked"`);
    await q.query(`ALTER TABLE "chatwoot_integrations" ENABLE ALWAYS TRIGGER "chatwoot_integrations_tokens_truncated"`);

    await q.query(`
      CREATE TABLE "leases" (
        "resource" varchar(200) PRIMARY KEY,
        "holder" varchar(100) NOT NULL,
        "expires_at" timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "leases"`);
    await q.query(`DROP TRIGGER "chatwoot_integrations_tokens_truncated" ON "chatwoot_integrations"`);
    await q.query(`DROP TRIGGER "chatwoot_integrations_token_revoked" ON "chatwoot_integrations"`);
    await q.query(`DROP FUNCTION "notify_callback_token_revoked"()`);
    await q.query(`DROP INDEX "IDX_chatwoot_integrations_callback_token_hash"`);
    await q.query(`DROP TABLE "whatsapp_session_keys"`);
    await q.query(`DROP TABLE "whatsapp_sessions"`);
    await q.query(`DROP TABLE "idempotency_keys"`);
    await q.query(`DROP TABLE "message_media_chunks"`);
    await q.query(`DROP TABLE "messages"`);
    await q.query(`DROP TABLE "instance_events"`);
    await q.query(`DROP FUNCTION "notify_instance_event"()`);
    await q.query(`DROP INDEX "IDX_instances_cloud_verify_token_hash"`);
    await q.query(`
      ALTER TABLE "instances"
        DROP CONSTRAINT "UQ_instances_cloud_phone_number_id",
        DROP COLUMN "pruned_through_seq",
        DROP COLUMN "last_event_seq",
        DROP COLUMN "pairing",
        DROP COLUMN "cloud_verify_token_hash",
        DROP COLUMN "cloud_app_secret",
        DROP COLUMN "cloud_access_token",
        DROP COLUMN "cloud_phone_number_id",
        DROP COLUMN "provider"`);
  }
}
