import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { LeasesService } from '../leases/leases.service.js';
import { BridgeError } from './bridge.errors.js';

/** Longer than any provisioning (a few Chatwoot calls of at most CHATWOOT_TIMEOUT_MS each). */
const WAIT_LIMIT_MS = 120_000;
/**
 * A holder that dies frees the external_id after this long; a live holder renews every third of it,
 * so that a provisioning longer than the lease (CHATWOOT_TIMEOUT_MS goes up to 120 s) keeps it.
 */
const LEASE_MS = 30_000;
const RENEW_MS = LEASE_MS / 3;

/**
 * Serialises the changes of one external_id, so that concurrent creates end with one integration
 * and one inbox: a promise chain per key in the process, and across processes a row of the `leases`
 * table. Taking, renewing and releasing it are single statements: no database connection is held
 * while Chatwoot answers (SPEC §5: one account's hanging Chatwoot must not empty the pool that every
 * tenant's webhooks and `/readyz` need).
 */
@Injectable()
export class ProvisioningLock {
  private readonly logger = new Logger('ProvisioningLock');
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(private readonly leases: LeasesService) {}

  async run<T>(externalId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(externalId) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(() => this.withLease(externalId, fn));
    this.tails.set(externalId, current);
    try {
      return await current;
    } finally {
      if (this.tails.get(externalId) === current) this.tails.delete(externalId);
    }
  }

  private async withLease<T>(externalId: string, fn: () => Promise<T>): Promise<T> {
    // external_id is up to 200 characters; the lease's resource column too.
    const resource = `bridge_provisioning:${createHash('sha256').update(externalId).digest('hex')}`;
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (let delay = 10; !(await this.leases.acquire(resource, LEASE_MS)); delay = Math.min(delay * 2, 250)) {
      if (Date.now() + delay > deadline) throw new BridgeError('internal', 'another change of this integration is still running; retry later');
      await sleep(delay);
    }
    const renewal = setInterval(() => {
      this.leases.renew([resource], LEASE_MS).then(
        (lost) => lost.length > 0 && this.logger.warn(`provisioning lease of ${resource} expired while held`),
        (err: Error) => this.logger.warn(`provisioning lease of ${resource} not renewed: ${err.message}`),
      );
    }, RENEW_MS);
    renewal.unref();
    try {
      return await fn();
    } finally {
      clearInterval(renewal);
      // Left behind, the row only delays the next change of this external_id until it expires.
      await this.leases.release(resource).catch((err: Error) => this.logger.warn(`provisioning lease of ${resource} not released: ${err.message}`));
    }
  }
}
