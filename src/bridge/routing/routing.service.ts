import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SecretCipher } from '../../common/crypto/secret-cipher.js';
import type { AppConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { NotificationListener } from '../../database/notification-listener.js';
import { Fleet } from '../../leases/fleet.js';
import { LeasesService } from '../../leases/leases.service.js';
import { chatwootTargetOf } from '../chatwoot-client.js';
import { BridgeIntegration } from '../integration.entity.js';
import { IntegrationsRepository } from '../integrations.repository.js';
import { ChatwootConversations } from './chatwoot-conversations.js';
import { IntegrationRouter } from './integration-router.js';
import { RoutingRepository } from './routing.repository.js';

/** An integration's router lives this long without a renewal of its lease. */
export const ROUTING_LEASE_TTL_MS = 23_000;
/** Renewals, rebalancing, and the search for integrations nobody routes. */
export const ROUTING_SWEEP_EVERY_MS = 3_000;
/**
 * A holder that could not renew for this long stops its routers by itself: 16 s before another
 * process may take them, more than a Chatwoot call in flight may still take (CHATWOOT_TIMEOUT_MS,
 * 15 s by default), so that two routers never post for one integration.
 */
const SELF_FENCE_MS = 7_000;
/**
 * An integration whose lease expired this long ago and that nobody took (the members below their
 * share had a sweep to do it) is taken by any member up to its cap, not only up to its target.
 */
const ORPHANED_AFTER_MS = ROUTING_SWEEP_EVERY_MS;
/** How long a delete waits for another process to stop the integration's router. */
const STOP_ELSEWHERE_MS = 10_000;
const GROUP = 'routing';
const CHANNEL = 'bridge_routing';

const resource = (id: string) => `routing:${id}`;

interface Held {
  revision: number;
  renewedAt: number;
}

/**
 * Routes every integration on exactly one bridge process (SPEC-MESSAGING §11; issue "running on
 * many machines"): a process runs an integration's router only while it holds the lease
 * `routing:<id>` in the database.
 *
 * - Every 3 s each process renews its membership of the `routing` group and its leases, stops
 *   routers whose lease it lost or whose integration was deleted or reconfigured (a new
 *   `revision`: started again on the new row), and takes free integrations up to its share
 *   (Fleet.share): a new process gets its share because the others give back what they hold above
 *   ⌈1.2 × total / N⌉, down to ⌈total / N⌉. A dead holder's integrations are free 23 s after its
 *   last renewal and taken at the next sweep: within 26 s of its death. While the count still
 *   includes members that died, those left free a sweep later are taken up to the cap (about 29 s).
 * - Never two routers for one integration: a lease is taken only when free or expired, and a
 *   holder that could not renew for 7 s stops its routers by itself (see SELF_FENCE_MS).
 * - The other processes tell the holder what concerns its routers (a reply recorded, a
 *   conversation changed, a reconfiguration, a delete) through NOTIFY on `bridge_routing`; the
 *   notifications are wake-up calls: a router reads what it needs, and a missed one costs a delay
 *   (after the listener reconnects every router is woken; a reconfiguration is also seen by the
 *   sweep).
 * - On shutdown the process leaves the group, stops its routers and gives the leases back at once,
 *   and tells the others to sweep now.
 */
@Injectable()
export class RoutingService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Routing');
  private readonly routers = new Map<string, IntegrationRouter>();
  private readonly held = new Map<string, Held>();
  private readonly changes = new Map<string, Promise<void>>();
  private stopped = false;
  private routingStore: RoutingRepository | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private fenceTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private sweepAgain = false;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: SecretCipher,
    private readonly chatwoot: ChatwootConversations,
    private readonly integrations: IntegrationsRepository,
    private readonly leases: LeasesService,
    private readonly fleet: Fleet,
    private readonly notifications: NotificationListener,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Made once the database is open (it uses the driver's pool). */
  private get store(): RoutingRepository {
    return (this.routingStore ??= new RoutingRepository(this.dataSource));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.routingEnabled) return;
    this.unsubscribe = await this.notifications.subscribe(CHANNEL, {
      notified: (payload) => this.notified(payload),
      resumed: () => {
        // Whatever was notified while the listener was down: every router looks for due replies.
        for (const router of this.routers.values()) router.kickOutbound();
        void this.sweep();
      },
    });
    this.sweepTimer = setInterval(() => void this.sweep(), ROUTING_SWEEP_EVERY_MS);
    this.sweepTimer.unref();
    this.fenceTimer = setInterval(() => this.fence(), 1_000);
    this.fenceTimer.unref();
    await this.sweep();
    if (this.held.size > 0) this.logger.log(`routing ${this.held.size} integration(s)`);
  }

  /** Before the HTTP server drains: the routers' own connections to the API must not hold it open. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.fenceTimer) clearInterval(this.fenceTimer);
    this.unsubscribe?.();
    await this.sweeping;
    if (!this.config.routingEnabled) return;
    await this.fleet.leave(GROUP).catch(() => undefined);
    const ids = [...this.held.keys()];
    await Promise.all(ids.map((id) => this.serially(id, () => this.stopNow(id, 'shutting down'))));
    this.held.clear();
    // Handed over at once: the others need not wait for the leases to expire.
    try {
      await this.leases.releaseMany(ids.map(resource));
      if (ids.length > 0) await this.notify('sweep');
    } catch (err) {
      this.logger.warn(`handing ${ids.length} integration(s) over failed (they are taken over once their leases expire): ${(err as Error).message}`);
    }
  }

  /** True when this process routes the integration. */
  routes(id: string): boolean {
    return this.held.has(id);
  }

  /**
   * After a create or an update: its holder starts the router again on the new configuration, in
   * the background (a send in flight may take its 30 s).
   */
  restart(id: string): void {
    if (!this.config.routingEnabled || this.stopped) return;
    if (this.held.has(id)) {
      this.restartHere(id);
      return;
    }
    void this.takeOrTell(id).catch((err: Error) => this.logger.warn(`integration ${id}: starting its routing failed: ${err.message}`));
  }

  /** A new (or stopped) integration is taken here at once; one held elsewhere is restarted by its holder. The sweep evens the shares out. */
  private async takeOrTell(id: string): Promise<void> {
    if (!(await this.leases.acquire(resource(id), ROUTING_LEASE_TTL_MS))) {
      await this.notify('restart', id);
      return;
    }
    const row = await this.dataSource.getRepository(BridgeIntegration).findOneBy({ id });
    if (!row || row.inboxId <= 0 || this.stopped) {
      await this.leases.release(resource(id));
      return;
    }
    if (this.held.has(id)) {
      this.restartHere(id);
      return;
    }
    this.held.set(id, { revision: row.revision, renewedAt: performance.now() });
    void this.serially(id, async () => {
      if (this.held.get(id)?.revision === row.revision && !this.routers.has(id)) this.start(row);
    });
  }

  /**
   * Before a delete: nothing of the integration runs any more once this resolves, on any process.
   * This process ends up holding the lease, so that no sweep starts the integration again before
   * its row is gone (the lease then expires unused).
   */
  async stop(id: string): Promise<void> {
    if (!this.config.routingEnabled) return;
    if (this.held.has(id)) {
      await this.serially(id, () => this.stopNow(id, 'deleted'));
      this.held.delete(id);
      return;
    }
    if (await this.leases.acquire(resource(id), ROUTING_LEASE_TTL_MS)) return;
    await this.notify('stop', id, this.leases.holder);
    const deadline = Date.now() + STOP_ELSEWHERE_MS;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (await this.leases.acquire(resource(id), ROUTING_LEASE_TTL_MS)) return;
    }
    // Its holder's sweep stops the router once the row is gone.
    this.logger.warn(`integration ${id}: its router on another process did not stop within ${STOP_ELSEWHERE_MS / 1000} s`);
  }

  /** A reply was recorded for the integration. */
  replyRecorded(id: string): void {
    const router = this.routers.get(id);
    if (router) router.replyArrived();
    else this.tell('reply', id);
  }

  /** A failed reply changed in Chatwoot without saying its status: the router asks Chatwoot. */
  replyChanged(id: string, chatwootMessageId: number): void {
    const router = this.routers.get(id);
    if (router) router.checkRetry(chatwootMessageId).catch((err: Error) => this.logger.warn(`integration ${id}: checking reply ${chatwootMessageId}: ${err.message}`));
    else this.tell('changed', id, String(chatwootMessageId));
  }

  conversationChanged(id: string, conversationId: number): void {
    const router = this.routers.get(id);
    if (router) router.forgetConversation(conversationId);
    else this.tell('conversation', id, String(conversationId));
  }

  /** One pass: renew, fence, follow changes, rebalance. Overlapping calls run one more pass after. */
  sweep(): Promise<void> {
    if (this.sweeping) {
      this.sweepAgain = true;
      return this.sweeping;
    }
    this.sweeping = this.pass()
      .catch((err: Error) => this.logger.warn(`routing sweep failed: ${err.message}`))
      .finally(() => {
        this.sweeping = null;
        if (this.sweepAgain && !this.stopped) {
          this.sweepAgain = false;
          void this.sweep();
        }
      });
    return this.sweeping;
  }

  private async pass(): Promise<void> {
    if (this.stopped) return;
    // Membership first: see Fleet.
    await this.fleet.join(GROUP);
    await this.renew();
    const rows: Array<{ id: string; revision: number }> = await this.dataSource.query(
      `SELECT "id", "revision" FROM "bridge_integrations" WHERE "inbox_id" > 0`,
    );
    if (this.stopped) return;
    const current = new Map(rows.map((r) => [r.id, Number(r.revision)]));
    for (const [id, h] of this.held) {
      const revision = current.get(id);
      if (revision === undefined) {
        this.held.delete(id);
        void this.serially(id, () => this.stopNow(id, 'deleted'));
        void this.leases.release(resource(id)).catch(() => undefined);
      } else if (revision !== h.revision) {
        this.restartHere(id);
      }
    }
    const { target, cap } = await this.fleet.share(GROUP, rows.length);
    if (this.held.size > cap) {
      await this.giveBack(this.held.size - target);
      return;
    }
    if (this.held.size < target) await this.take(target - this.held.size);
    // A dead member is counted for up to MEMBER_TTL_MS, and processes killed in a row are counted
    // together: the targets stay low and a dead holder's integrations could lie free until the
    // count settles. Those still free a sweep after their lease expired are taken up to the cap
    // (never above, so no rebalance follows); integrations given back (no lease at all) are left
    // to the members below their target, so that a new member gets its share.
    if (this.held.size < cap) await this.take(cap - this.held.size, ORPHANED_AFTER_MS);
  }

  private async renew(): Promise<void> {
    if (this.held.size === 0) return;
    const ids = [...this.held.keys()];
    const lost = new Set(await this.leases.renew(ids.map(resource), ROUTING_LEASE_TTL_MS));
    const renewedAt = performance.now();
    for (const id of ids) {
      const h = this.held.get(id);
      if (!h) continue;
      if (lost.has(resource(id))) {
        this.held.delete(id);
        void this.serially(id, () => this.stopNow(id, 'its lease was lost'));
      } else {
        h.renewedAt = renewedAt;
      }
    }
  }

  /** Stops the routers whose lease could not be renewed for SELF_FENCE_MS, before anyone may take them. */
  private fence(): void {
    const now = performance.now();
    for (const [id, h] of this.held) {
      if (now - h.renewedAt <= SELF_FENCE_MS) continue;
      this.held.delete(id);
      void this.serially(id, () => this.stopNow(id, `its lease was not renewed for ${Math.round((now - h.renewedAt) / 1000)} s`));
    }
  }

  /** Takes up to `count` free integrations; with `expiredForMs`, only those whose lease expired at least that long ago. */
  private async take(count: number, expiredForMs?: number): Promise<void> {
    // Random order: processes sweeping at once mostly ask for different integrations.
    const free: Array<{ id: string }> = expiredForMs === undefined
      ? await this.dataSource.query(
        `SELECT i."id" FROM "bridge_integrations" i
          WHERE i."inbox_id" > 0
            AND NOT EXISTS (SELECT 1 FROM "leases" l WHERE l."resource" = 'routing:' || i."id" AND l."expires_at" >= now())
          ORDER BY random() LIMIT $1`,
        [count],
      )
      : await this.dataSource.query(
        `SELECT i."id" FROM "bridge_integrations" i
           JOIN "leases" l ON l."resource" = 'routing:' || i."id"
          WHERE i."inbox_id" > 0 AND l."expires_at" < now() - $2::int * interval '1 millisecond'
          ORDER BY random() LIMIT $1`,
        [count, expiredForMs],
      );
    if (free.length === 0 || this.stopped) return;
    const taken = (await this.leases.acquireMany(free.map((r) => resource(r.id)), ROUTING_LEASE_TTL_MS)).map((r) => r.slice('routing:'.length));
    if (taken.length === 0) return;
    const rows = await this.dataSource.getRepository(BridgeIntegration).createQueryBuilder('i').where('i.id IN (:...ids)', { ids: taken }).getMany();
    const renewedAt = performance.now();
    for (const row of rows) {
      if (this.stopped) break;
      this.held.set(row.id, { revision: row.revision, renewedAt });
      void this.serially(row.id, async () => {
        if (this.held.has(row.id)) this.start(row);
      });
    }
    // Taken but gone meanwhile: given back.
    const gone = taken.filter((id) => !rows.some((r) => r.id === id));
    if (gone.length > 0) await this.leases.releaseMany(gone.map(resource));
  }

  /** Gives integrations back for the others to take (a new process joined, or this one holds too many). */
  private async giveBack(count: number): Promise<void> {
    const ids = [...this.held.keys()].slice(-count);
    for (const id of ids) this.held.delete(id);
    await Promise.all(ids.map((id) => this.serially(id, () => this.stopNow(id, 'handed over to another process'))));
    await this.leases.releaseMany(ids.map(resource));
    this.logger.log(`handed ${ids.length} integration(s) over for the fleet's balance`);
    await this.notify('sweep');
  }

  private restartHere(id: string): void {
    void this.serially(id, async () => {
      await this.stopNow(id, 'reconfigured');
      const row = await this.dataSource.getRepository(BridgeIntegration).findOneBy({ id });
      const h = this.held.get(id);
      if (!row || !h || this.stopped) return;
      h.revision = row.revision;
      this.start(row);
    }).catch((err: Error) => this.logger.warn(`integration ${id}: restarting its routing failed: ${err.message}`));
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

  private async stopNow(id: string, why: string): Promise<void> {
    const router = this.routers.get(id);
    if (!router) return;
    this.routers.delete(id);
    await router.stop();
    this.logger.log(`stopped routing integration ${id} (${why})`);
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
      // The lease stays held: no other process would do better with this row until it changes.
      this.logger.warn(`integration ${row.id}: not routed: ${(err as Error).message}`);
      return;
    }
    this.routers.set(row.id, router);
    router.start();
    this.logger.log(`routing integration ${row.id}`);
  }

  /** What another process says about an integration this one may hold. */
  private notified(payload: string): void {
    const [kind, id, arg] = payload.split(' ');
    if (kind === 'sweep') {
      void this.sweep();
      return;
    }
    if (!id || !this.held.has(id)) return;
    switch (kind) {
      case 'reply':
        this.routers.get(id)?.replyArrived();
        break;
      case 'changed':
        this.routers.get(id)?.checkRetry(Number(arg)).catch((err: Error) => this.logger.warn(`integration ${id}: checking reply ${arg}: ${err.message}`));
        break;
      case 'conversation':
        this.routers.get(id)?.forgetConversation(Number(arg));
        break;
      case 'restart':
        this.restartHere(id);
        break;
      case 'stop':
        // A delete on another process: the router stops and the lease goes to the deleting process.
        this.held.delete(id);
        void this.serially(id, () => this.stopNow(id, 'deleted'))
          .then(async () => {
            if (arg) await this.leases.transfer(resource(id), arg);
            else await this.leases.release(resource(id));
          })
          .catch((err: Error) => this.logger.warn(`integration ${id}: handing it to its deletion failed: ${err.message}`));
        break;
    }
  }

  private tell(kind: string, id: string, arg?: string): void {
    if (!this.config.routingEnabled) return;
    void this.notify(kind, id, arg).catch((err: Error) => this.logger.warn(`integration ${id}: telling its router (${kind}) failed: ${err.message}`));
  }

  private async notify(kind: string, id?: string, arg?: string): Promise<void> {
    const payload = [kind, id, arg].filter((p) => p !== undefined).join(' ');
    await this.dataSource.query(`SELECT pg_notify($1, $2)`, [CHANNEL, payload]);
  }
}
