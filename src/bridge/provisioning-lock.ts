import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { BridgeError } from './bridge.errors.js';

/** Longer than any provisioning (two Chatwoot calls of at most CHATWOOT_TIMEOUT_MS each). */
const WAIT_LIMIT_MS = 120_000;
const POLL_MS = 100;

/**
 * Serialises the changes of one external_id, so that concurrent creates end with one integration
 * and one inbox. A promise chain per key, and across replicas a session advisory lock (outside any
 * transaction, as it is held while Chatwoot answers); PGlite skips it, as holding its only session
 * would stall every other query.
 */
@Injectable()
export class ProvisioningLock {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly shared: boolean;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.shared = config.databaseUrl !== null;
  }

  async run<T>(externalId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(externalId) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(() => (this.shared ? this.withAdvisoryLock(externalId, fn) : fn()));
    this.tails.set(externalId, current);
    try {
      return await current;
    } finally {
      if (this.tails.get(externalId) === current) this.tails.delete(externalId);
    }
  }

  private async withAdvisoryLock<T>(externalId: string, fn: () => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const key = `bridge_integration:${externalId}`;
    let broken: Error | undefined;
    try {
      // Polled rather than blocking, so that a wait never trips the pool's statement timeout.
      const deadline = Date.now() + WAIT_LIMIT_MS;
      for (;;) {
        const [row] = (await runner.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [key])) as { locked: boolean }[];
        if (row?.locked) break;
        if (Date.now() > deadline) throw new BridgeError('internal', 'another change of this integration is still running; retry later');
        await sleep(POLL_MS);
      }
      try {
        return await fn();
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch((err: Error) => {
          broken = err;
        });
      }
    } finally {
      // A session whose unlock failed may still hold the lock: the pool must close it, not reuse it.
      const pgRunner = runner as unknown as { releasePostgresConnection?: (err?: Error) => Promise<void> };
      if (broken && pgRunner.releasePostgresConnection) await pgRunner.releasePostgresConnection(broken);
      else await runner.release();
    }
  }
}
