import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every deletion of an account or an instance, and every change of its token, name or account,
 * notifies `ryze_token_revoked` with the old token digest, whichever process (a replica, the CLI,
 * an operator's psql) made it: each server's token cache drops that token at once
 * (src/auth/token-revocations.ts). A TRUNCATE notifies `*`: forget every token. A
 * notification is delivered when its transaction commits, and not at all when it rolls back.
 *
 * The triggers fire ALWAYS, also in sessions with `session_replication_role = replica` (a
 * logical replication apply, some restores). A server checks that they exist and are enabled
 * before its cache answers; disabled (`ALTER TABLE … DISABLE TRIGGER`), the cache stays off.
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
      CREATE FUNCTION "notify_tokens_truncated"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('ryze_token_revoked', '*');
        RETURN NULL;
      END
      $$`);
    for (const [table, columns] of [['accounts', '"token_hash"'], ['instances', '"token_hash", "name", "account_id"']]) {
      await q.query(`
        CREATE TRIGGER "${table}_token_revoked" AFTER DELETE OR UPDATE OF ${columns} ON "${table}"
          FOR EACH ROW EXECUTE FUNCTION "notify_token_revoked"()`);
      await q.query(`
        CREATE TRIGGER "${table}_tokens_truncated" AFTER TRUNCATE ON "${table}"
          FOR EACH STATEMENT EXECUTE FUNCTION "notify_tokens_truncated"()`);
      await q.query(`ALTER TABLE "${table}" ENABLE ALWAYS TRIGGER "${table}_token_revoked"`);
      await q.query(`ALTER TABLE "${table}" ENABLE ALWAYS TRIGGER "${table}_tokens_truncated"`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['instances', 'accounts']) {
      await q.query(`DROP TRIGGER "${table}_tokens_truncated" ON "${table}"`);
      await q.query(`DROP TRIGGER "${table}_token_revoked" ON "${table}"`);
    }
    await q.query(`DROP FUNCTION "notify_tokens_truncated"()`);
    await q.query(`DROP FUNCTION "notify_token_revoked"()`);
  }
}
