import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a send reached the provider (`sending_at`) and what the provider later said it accepted
 * (`accepted`: the message id, status, time and recipient of a Cloud API status webhook that
 * carried the key): a repeat whose first request's process died mid-send then knows whether the
 * message went out (SPEC-MESSAGING §9, docs/whatsapp.md "Idempotency-Key").
 */
export class IdempotencyAccepted1767400000000 implements MigrationInterface {
  name = 'IdempotencyAccepted1767400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "idempotency_keys" ADD "sending_at" timestamptz, ADD "accepted" jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "idempotency_keys" DROP COLUMN "accepted", DROP COLUMN "sending_at"`);
  }
}
