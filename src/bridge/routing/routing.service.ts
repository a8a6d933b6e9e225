import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SecretCipher } from '../../common/crypto/secret-cipher.js';
import type { AppConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { chatwootTargetOf } from '../chatwoot-client.js';
import { BridgeIntegration } from '../integration.entity.js';
import { IntegrationsRepository } from '../integrations.repository.js';
import { ChatwootConversations } from './chatwoot-conversations.js';
import { IntegrationRouter } from './integration-router.js';
import { RoutingRepository } from './routing.repository.js';

/**
 * Runs a router for every integration of this bridge (SPEC-MESSAGING §11), and keeps them in step
 * with creates, updates and deletes. One bridge process routes every integration (the manifests run
 * one bridge replica; sharing integrations between replicas is a later step).
 */
@Injectable()
export class RoutingService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Routing');
  private readonly routers = new Map<string, IntegrationRouter>();
  private readonly changes = new Map<string, Promise<void>>();
  private stopped = false;
  private routingStore: RoutingRepository | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: SecretCipher,
    private readonly chatwoot: ChatwootConversations,
    private readonly integrations: IntegrationsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Made once the database is open (it uses the driver's pool). */
  private get store(): RoutingRepository {
    return (this.routingStore ??= new RoutingRepository(this.dataSource));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.routingEnabled) return;
    const rows = await this.dataSource.getRepository(BridgeIntegration).find();
    for (const row of rows) this.start(row);
    if (rows.length > 0) this.logger.log(`routing ${rows.length} integration(s)`);
  }

  /** Before the HTTP server drains: the routers' own connections to the API must not hold it open. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.routers.values()].map((r) => r.stop()));
    this.routers.clear();
  }

  /**
   * After a create or an update: the router starts again on the new configuration, in the
   * background (a send in flight may take its 30 s). Changes of one integration apply in order.
   */
  restart(id: string): void {
    if (!this.config.routingEnabled || this.stopped) return;
    void this.serially(id, async () => {
      await this.stopNow(id);
      const row = await this.dataSource.getRepository(BridgeIntegration).findOneBy({ id });
      if (row && !this.stopped) this.start(row);
    }).catch((err: Error) => this.logger.warn(`integration ${id}: restarting its routing failed: ${err.message}`));
  }

  /** Before a delete: nothing of the integration runs any more once this resolves. */
  stop(id: string): Promise<void> {
    return this.serially(id, () => this.stopNow(id));
  }

  private serially(id: string, task: () => Promise<void>): Promise<void> {
    const run = (this.changes.get(id) ?? Promise.resolve()).then(task);
    const settled = run.catch(() => undefined);
    this.changes.set(id, settled);
    void settled.then(() => {
      if (this.changes.get(id) === settled) this.changes.delete(id);
    });
    return run;
  }

  private async stopNow(id: string): Promise<void> {
    const router = this.routers.get(id);
    this.routers.delete(id);
    await router?.stop();
  }

  /** A reply was recorded for the integration. */
  replyRecorded(id: string): void {
    this.routers.get(id)?.replyArrived();
  }

  /** A failed reply changed in Chatwoot without saying its status: the router asks Chatwoot. */
  replyChanged(id: string, chatwootMessageId: number): void {
    this.routers.get(id)?.checkRetry(chatwootMessageId).catch((err: Error) => this.logger.warn(`integration ${id}: checking reply ${chatwootMessageId}: ${err.message}`));
  }

  conversationChanged(id: string, conversationId: number): void {
    this.routers.get(id)?.forgetConversation(conversationId);
  }

  private start(row: BridgeIntegration): void {
    if (this.stopped || row.inboxId <= 0) return;
    let router: IntegrationRouter;
    try {
      router = new IntegrationRouter(
        {
          row,
          target: chatwootTargetOf(row, this.cipher),
          source: { apiUrl: row.sourceApiUrl.replace(/\/+$/, ''), instance: row.sourceInstance, token: this.cipher.decrypt(row.sourceTokenEncrypted) },
        },
        { store: this.store, integrations: this.integrations, chatwoot: this.chatwoot, logger: this.logger },
      );
    } catch (err) {
      this.logger.warn(`integration ${row.id}: not routed: ${(err as Error).message}`);
      return;
    }
    this.routers.set(row.id, router);
    router.start();
  }
}
