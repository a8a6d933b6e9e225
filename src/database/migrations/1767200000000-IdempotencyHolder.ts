import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who runs a send's first request (`holder`, the process's lease holder) and whether it has
 * reached the provider (`sending`): a repeat whose first request's process died can then tell a
 * send that never started (it runs it) from one whose outcome is unknown (SPEC-MESSAGING §9).
 */
export class IdempotencyHolder1767200000000 implements MigrationInterface {
  name = 'IdempotencyHolder1767200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "idempotency_keys" ADD "holder" varchar(100), ADD "sending" boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "idempotency_keys" DROP COLUMN "sending", DROP COLUMN "holder"`);
  }
}
