import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { BridgeGatewayError } from '../bridge-gateway/bridge-gateway.errors.js';
import { BridgeGateway } from '../bridge-gateway/bridge-gateway.service.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Fleet } from '../leases/fleet.js';
import { ActivationAttempts } from './activation-attempts.js';
import { ChatwootRepository } from './chatwoot.repository.js';
import { InstanceLock } from './instance-lock.js';

const MAX_BACKOFF_MS = 10 * 60_000;

/**
 * Keeps the database and the bridge in agreement, at start and periodically (on one replica of the
 * fleet at a time):
 * retries failed bridge deletions (SPEC §5 delete step 2), and deletes every bridge integration of
 * an unsettled activation that the row does not name (SPEC §5 reconciliation).
 */
@Injectable()
export class ChatwootWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ChatwootWorker');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly gateway: BridgeGateway,
    private readonly lock: InstanceLock,
    private readonly attempts: ActivationAttempts,
    private readonly repo: ChatwootRepository,
    private readonly fleet: Fleet,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.gateway.configured) return;
    this.timer = setInterval(() => void this.tick(), this.config.chatwootWorkerIntervalMs);
    this.timer.unref();
    void this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass; overlapping passes are skipped. */
  tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        if (!(await this.fleet.runsJob('chatwoot-worker'))) return;
        await this.retryDeletions();
        await this.reconcile();
      } catch (err) {
        this.logger.warn(`background pass failed: ${(err as Error).message}`);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  async retryDeletions(): Promise<void> {
    const rows = await this.repo.claimDueDeletions();
    for (const row of rows) {
      try {
        const outcome = await this.gateway.delete(row.bridgeIntegrationId, row.deleteInbox);
        await this.repo.deleteQueuedDeletion(row.id);
        this.logger.log(`bridge deletion of ${row.bridgeIntegrationId} confirmed (${outcome}) after ${row.attempts} attempts`);
      } catch (err) {
        const reason = err instanceof BridgeGatewayError ? `${err.failure.kind}: ${err.failure.detail}` : (err as Error).message;
        const backoff = Math.min(this.config.chatwootWorkerIntervalMs * 2 ** Math.min(row.attempts, 20), MAX_BACKOFF_MS);
        await this.repo.postponeDeletion(row.id, reason, new Date(Date.now() + backoff));
        this.logger.warn(`bridge deletion of ${row.bridgeIntegrationId} failed again (attempt ${row.attempts}): ${reason}`);
      }
    }
  }

  async reconcile(): Promise<void> {
    const { activationMs } = this.config.bridgeTimeouts;
    // Only attempts the bridge can no longer be working on: a create that timed out here may
    // still land there, so an empty look-up right after the timeout would prove nothing.
    const stale = await this.attempts.stale(2 * activationMs);
    for (const externalId of stale) {
      // The instance lock: never decide while an activation of this instance is running.
      await this.lock.run(externalId, { waitMs: activationMs, leaseMs: activationMs }, async () => {
        const row = await this.repo.findByInstance(externalId);
        const live = await this.gateway.findByExternalId(externalId);
        for (const integration of live) {
          if (integration.id === row?.bridgeIntegrationId) continue;
          try {
            await this.gateway.delete(integration.id, false);
          } catch {
            await this.repo.queueDeletion({
              bridgeIntegrationId: integration.id, deleteInbox: false, attempts: 0, lastError: 'reconciliation', nextAttemptAt: new Date(),
            });
          }
          this.logger.warn(`removed bridge integration ${integration.id}: no row names it (reconciliation)`);
        }
        await this.attempts.clear(externalId);
      }).catch((err: Error) => this.logger.warn(`reconciliation of ${externalId} postponed: ${err.message}`));
    }
  }
}
