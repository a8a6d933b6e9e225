import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

export class LockTimeoutError extends Error {
  constructor() {
    super('timed out waiting for the instance lock');
    this.name = 'LockTimeoutError';
  }
}

/**
 * Serialises the changes of one instance's integration (SPEC §5 concurrent activations): a FIFO per
 * instance in the process, and a lease row shared by every replica. Not an advisory lock, which would
 * hold a connection for up to 60 s (on PGlite, its only session); a lease expires if its holder dies.
 */
@Injectable()
export class InstanceLock {
  private readonly queues = new Map<string, Promise<void>>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async run<T>(instanceId: string, opts: { waitMs: number; leaseMs: number }, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(instanceId) ?? Promise.resolve();
    let release!: () => void;
    const mine = previous.then(() => new Promise<void>((resolve) => (release = resolve)));
    this.queues.set(instanceId, mine);
    const waitUntil = Date.now() + opts.waitMs;
    try {
      await Promise.race([
        previous,
        new Promise((_, reject) => setTimeout(() => reject(new LockTimeoutError()), opts.waitMs).unref()),
      ]);
      const holder = await this.acquire(instanceId, opts.leaseMs, waitUntil);
      const expiresAt = Date.now() + opts.leaseMs;
      try {
        return await fn();
      } finally {
        if (!(await this.release(instanceId, holder))) this.releaseLater(instanceId, holder, expiresAt);
      }
    } finally {
      // Wake the next waiter once `previous` has settled, whatever happened to this one.
      void previous.finally(() => release?.());
      void mine.finally(() => {
        if (this.queues.get(instanceId) === mine) this.queues.delete(instanceId);
      });
    }
  }

  private release(instanceId: string, holder: string): Promise<boolean> {
    return this.dataSource
      .query(`DELETE FROM "chatwoot_instance_locks" WHERE "instance_id" = $1 AND "holder" = $2`, [instanceId, holder])
      .then(() => true, () => false);
  }

  /**
   * The database went away before the release: left alone, the lease would hold the instance for
   * its budget + 30 s, every set answering 504 although nothing runs. So the release is retried
   * until it succeeds or the lease expires; only this holder's row is deleted, never a newer lease.
   */
  private releaseLater(instanceId: string, holder: string, expiresAt: number, delayMs = 250): void {
    if (Date.now() >= expiresAt || !this.dataSource.isInitialized) return;
    setTimeout(() => {
      void this.release(instanceId, holder).then((released) => {
        if (!released) this.releaseLater(instanceId, holder, expiresAt, Math.min(delayMs * 2, 2_000));
      });
    }, delayMs).unref();
  }

  private async acquire(instanceId: string, leaseMs: number, waitUntil: number): Promise<string> {
    const holder = randomUUID();
    for (let delay = 10; ; delay = Math.min(delay * 2, 250)) {
      const rows: unknown[] = await this.dataSource.query(
        `INSERT INTO "chatwoot_instance_locks" ("instance_id", "holder", "expires_at")
         VALUES ($1, $2, now() + $3::int * interval '1 millisecond')
         ON CONFLICT ("instance_id") DO UPDATE SET "holder" = EXCLUDED."holder", "expires_at" = EXCLUDED."expires_at"
           WHERE "chatwoot_instance_locks"."expires_at" < now()
         RETURNING "holder"`,
        [instanceId, holder, leaseMs],
      );
      if (rows.length > 0) return holder;
      if (Date.now() + delay > waitUntil) throw new LockTimeoutError();
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
