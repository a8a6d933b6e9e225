import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { returnedRows } from '../database/returned-rows.js';
import { DataSource } from 'typeorm';

/**
 * Time-limited ownership of a named resource, shared by every process on one database. A lease is
 * taken only when it is free or expired, renewed by its holder, and released on shutdown; a holder
 * that dies loses it when it expires. Used where exactly one process may act (a Baileys connection:
 * WhatsApp logs out a session used twice).
 */
@Injectable()
export class LeasesService {
  /** This process, as a holder: readable in the table, unique per start. */
  readonly holder = `${hostname().slice(0, 60)}:${process.pid}:${randomBytes(4).toString('hex')}`;

  constructor(private readonly dataSource: DataSource) {}

  /** Takes the lease if it is free, expired, or already ours (then it is renewed). */
  async acquire(resource: string, ttlMs: number): Promise<boolean> {
    const rows = returnedRows(
      await this.dataSource.query(
        `INSERT INTO "leases" ("resource", "holder", "expires_at") VALUES ($1, $2, now() + $3::int * interval '1 millisecond')
         ON CONFLICT ("resource") DO UPDATE SET "holder" = EXCLUDED."holder", "expires_at" = EXCLUDED."expires_at"
           WHERE "leases"."expires_at" < now() OR "leases"."holder" = EXCLUDED."holder"
         RETURNING "holder"`,
        [resource, this.holder, ttlMs],
      ),
    );
    return rows.length > 0;
  }

  /** acquire() for many resources in one statement; returns those taken (or renewed). */
  async acquireMany(resources: string[], ttlMs: number): Promise<string[]> {
    if (resources.length === 0) return [];
    const rows = returnedRows(
      await this.dataSource.query(
        `INSERT INTO "leases" ("resource", "holder", "expires_at")
           SELECT r, $2, now() + $3::int * interval '1 millisecond' FROM unnest($1::text[]) AS r
         ON CONFLICT ("resource") DO UPDATE SET "holder" = EXCLUDED."holder", "expires_at" = EXCLUDED."expires_at"
           WHERE "leases"."expires_at" < now() OR "leases"."holder" = EXCLUDED."holder"
         RETURNING "resource"`,
        [[...new Set(resources)], this.holder, ttlMs],
      ),
    ) as Array<{ resource: string }>;
    return rows.map((r) => r.resource);
  }

  /** Extends leases this process holds; returns the resources it no longer holds. */
  async renew(resources: string[], ttlMs: number): Promise<string[]> {
    if (resources.length === 0) return [];
    const rows = returnedRows(
      await this.dataSource.query(
        `UPDATE "leases" SET "expires_at" = now() + $3::int * interval '1 millisecond'
          WHERE "resource" = ANY($1::text[]) AND "holder" = $2 AND "expires_at" >= now()
        RETURNING "resource"`,
        [resources, this.holder, ttlMs],
      ),
    ) as Array<{ resource: string }>;
    const kept = new Set(rows.map((r) => r.resource));
    return resources.filter((r) => !kept.has(r));
  }

  async release(resource: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM "leases" WHERE "resource" = $1 AND "holder" = $2`, [resource, this.holder]);
  }

  /** Gives a lease this process holds to another holder (which then renews it as its own). */
  async transfer(resource: string, to: string): Promise<boolean> {
    const rows = returnedRows(
      await this.dataSource.query(
        `UPDATE "leases" SET "holder" = $3 WHERE "resource" = $1 AND "holder" = $2 AND "expires_at" >= now() RETURNING "resource"`,
        [resource, this.holder, to],
      ),
    );
    return rows.length > 0;
  }

  async releaseMany(resources: string[]): Promise<void> {
    if (resources.length === 0) return;
    await this.dataSource.query(`DELETE FROM "leases" WHERE "resource" = ANY($1::text[]) AND "holder" = $2`, [resources, this.holder]);
  }

  /** Of these resources, those whose lease is free or expired. */
  async free(resources: string[]): Promise<string[]> {
    if (resources.length === 0) return [];
    const rows: Array<{ resource: string }> = await this.dataSource.query(
      `SELECT "resource" FROM "leases" WHERE "resource" = ANY($1::text[]) AND "expires_at" >= now()`,
      [resources],
    );
    const held = new Set(rows.map((r) => r.resource));
    return resources.filter((r) => !held.has(r));
  }
}
