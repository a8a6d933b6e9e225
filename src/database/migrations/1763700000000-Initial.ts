import { MigrationInterface, QueryRunner } from 'typeorm';

/** Accounts and instances (SPEC §3–§4). Tokens are stored only as SHA-256 hashes (SPEC §2). */
export class Initial1763700000000 implements MigrationInterface {
  name = 'Initial1763700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "accounts" (
        "id" uuid PRIMARY KEY,
        "name" varchar(200) NOT NULL,
        "token_hash" char(64) NOT NULL,
        "instance_quota" integer NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_accounts_token_hash" UNIQUE ("token_hash")
      )`);
    await q.query(`
      CREATE TABLE "instances" (
        "id" uuid PRIMARY KEY,
        "account_id" uuid NOT NULL,
        "name" varchar(64) NOT NULL,
        "token_hash" char(64) NOT NULL,
        "status" varchar(20) NOT NULL DEFAULT 'disconnected',
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_instances_account_name" UNIQUE ("account_id", "name"),
        CONSTRAINT "UQ_instances_token_hash" UNIQUE ("token_hash"),
        CONSTRAINT "FK_instances_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "instances"`);
    await q.query(`DROP TABLE "accounts"`);
  }
}
