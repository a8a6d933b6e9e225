import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a send reached the provider (`sending_at`), the nonce of the key's current claim that its
 * tag carries (`tag_nonce`), and what the provider later said it accepted (`accepted`: the message
 * id, status, time and recipient of a Cloud API status webhook naming the tag): a repeat whose
 * first request's process died mid-send then knows whether the message went out. And when Meta's
 * webhooks last reached a Cloud API instance (`instances.cloud_webhook_at`): without that, no
 * status is no proof (SPEC-MESSAGING §9, docs/whatsapp.md "Idempotency-Key").
 */
export class IdempotencyAccepted1767400000000 implements MigrationInterface {
  name = 'IdempotencyAccepted1767400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "idempotency_keys" ADD "sending_at" timestamptz, ADD "tag_nonce" varchar(16), ADD "accepted" jsonb`);
    await q.query(`ALTER TABLE "instances" ADD "cloud_webhook_at" timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "instances" DROP COLUMN "cloud_webhook_at"`);
    await q.query(`ALTER TABLE "idempotency_keys" DROP COLUMN "accepted", DROP COLUMN "tag_nonce", DROP COLUMN "sending_at"`);
  }
}
