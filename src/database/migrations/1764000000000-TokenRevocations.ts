import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every deletion of an account or an instance, and every change of its token, name or account,
 * notifies `ryze_token_revoked` with the old token digest, whichever process (a replica, the CLI,
 * an operator's psql) made it: each server's principal cache drops that token at once
 * (src/common/auth/token-revocations.ts). A notification is delivered when its transaction commits,
 * and not at all when it rolls back.
 */
export class TokenRevocations1764000000000 implements MigrationInterface {
  name = 'TokenRevocations1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION "notify_token_revoked"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('ryze_token_revoked', OLD."token_hash");
        RETURN NULL;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER "accounts_token_revoked" AFTER DELETE OR UPDATE OF "token_hash" ON "accounts"
        FOR EACH ROW EXECUTE FUNCTION "notify_token_revoked"()`);
    await q.query(`
      CREATE TRIGGER "instances_token_revoked" AFTER DELETE OR UPDATE OF "token_hash", "name", "account_id" ON "instances"
        FOR EACH ROW EXECUTE FUNCTION "notify_token_revoked"()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "instances_token_revoked" ON "instances"`);
    await q.query(`DROP TRIGGER "accounts_token_revoked" ON "accounts"`);
    await q.query(`DROP FUNCTION "notify_token_revoked"()`);
  }
}
