import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An agent deleting a reply in Chatwoot (SPEC-MESSAGING §11: revoked on WhatsApp when the provider
 * allows it): `revoke` is null until then, `pending` until the router revoked it (`done`) or the
 * API refused (`failed`, with `last_error`). A reply deleted before it was sent becomes `deleted`.
 */
export class BridgeRevoke1767100000000 implements MigrationInterface {
  name = 'BridgeRevoke1767100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "bridge_outbound_messages" ADD "revoke" varchar(20)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "bridge_outbound_messages" DROP COLUMN "revoke"`);
  }
}
