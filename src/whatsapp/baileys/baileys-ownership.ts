import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { Instance } from '../../instances/instance.entity.js';
import { Fleet } from '../../leases/fleet.js';
import { LeasesService } from '../../leases/leases.service.js';
import { type ConnectOutcome, type OutgoingMessage, type SentMessage, WhatsAppError } from '../whatsapp.port.js';
import { BaileysAdapter } from './baileys.adapter.js';
import { BaileysSendRelay } from './baileys-send-relay.js';

/** A held connection lives this long without a renewal. */
export const LEASE_TTL_MS = 20_000;
/** Renewals, and the search for connections nobody holds. */
export const SWEEP_EVERY_MS = 3_000;
/** A holder that could not renew for this long ends its socket itself, before anyone may take over. */
const SELF_FENCE_MS = LEASE_TTL_MS - 4_000;

/**
 * A linked instance whose lease expired this long ago and that nobody took (the members below
 * their share had a sweep to do it) is taken by any member up to its cap (see routing.service.ts).
 */
const ORPHANED_AFTER_MS = SWEEP_EVERY_MS;
const resource = (instanceId: string) => `whatsapp:${instanceId}`;
const GROUP = 'whatsapp';

/**
 * One Baileys connection per instance across every process (SPEC-MESSAGING §8 "Sessions and
 * ownership"): a process holds an instance's socket only while it holds its lease in the database.
 *
 * - Every 3 s each process renews its leases and looks for linked sessions that nobody holds (at
 *   boot: every instance that was connected; after a holder died: its instances once its 20 s
 *   lease expired), takes their leases and reconnects them, up to its share of the `whatsapp`
 *   group (Fleet.share): a process holding more than ⌈1.2 × total / N⌉ hands connections over
 *   down to ⌈total / N⌉, so that a new process gets its share. A takeover happens within 23 s of
 *   a holder's death; while members that died are still counted, the connections left free a
 *   sweep after their lease expired are taken up to the cap (within about 26 s).
 * - Never two holders: a lease is taken only when free or expired, and a holder that could not
 *   renew for 16 s ends its socket by itself (checked every second; its lease may be taken at
 *   20 s). A renewal that finds the lease gone ends the socket at once.
 * - The session row is the wish: while it exists (linked) the instance should be connected; when
 *   it is gone (a logout or a deletion, on any process) the holder logs the device out.
 */
@Injectable()
export class BaileysOwnership implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('BaileysOwnership');
  /** Instances whose lease this process holds, with when it was last renewed (monotonic ms). */
  private readonly held = new Map<string, { instance: Instance; renewedAt: number }>();
  private timer: NodeJS.Timeout | null = null;
  private fenceTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly adapter: BaileysAdapter,
    private readonly leases: LeasesService,
    private readonly fleet: Fleet,
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly relay: BaileysSendRelay,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.timer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
    this.fenceTimer = setInterval(() => void this.fence(), 1_000);
    this.fenceTimer.unref();
    void this.sweep();
    // Sends asked on other processes for the connections this one holds.
    if (this.config.roles.includes('api')) {
      await this.relay.serve({
        holds: (id) => this.held.has(id),
        send: (id, message) => {
          const h = this.held.get(id);
          return h ? this.adapter.send(h.instance, message) : Promise.reject(new WhatsAppError('NOT_CONNECTED', 'the connection moved to another server process'));
        },
      });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.fenceTimer) clearInterval(this.fenceTimer);
    await this.sweeping;
    if (this.config.roles.includes('api')) await this.fleet.leave(GROUP).catch(() => undefined);
    // Hand every connection over at once: the next holder need not wait for the lease to expire.
    await Promise.all([...this.held.values()].map(({ instance }) => this.handOver(instance)));
  }

  /** True when this process holds the instance's connection. */
  holds(instanceId: string): boolean {
    return this.held.has(instanceId);
  }

  /**
   * `/connect`: this process takes the connection when nobody holds it; when another process does,
   * the current pairing code it shares (or `connected`) is the answer.
   */
  async connect(instance: Instance, pairingPhone: string | undefined, shared: () => ConnectOutcome | null): Promise<ConnectOutcome> {
    if (!(await this.take(instance))) {
      const current = shared();
      if (current) return current;
      throw new WhatsAppError('UNREACHABLE', 'another server process holds this instance\'s connection and is not pairing it');
    }
    try {
      return await this.adapter.connect(instance, pairingPhone ? { pairingPhone } : {});
    } catch (err) {
      if (!this.adapter.active(instance.id)) await this.handOver(instance);
      throw err;
    }
  }

  async reconnect(instance: Instance): Promise<ConnectOutcome> {
    if (!(await this.take(instance))) return { status: 'connecting' };
    try {
      return await this.adapter.reconnect(instance);
    } catch (err) {
      if (!this.adapter.active(instance.id)) await this.handOver(instance);
      throw err;
    }
  }

  /**
   * Logs the device out. The holder does it at once; elsewhere the saved session is deleted and
   * the holder, seeing it gone, logs its socket out within one sweep.
   */
  async logout(instance: Instance): Promise<void> {
    if (this.held.has(instance.id) || (await this.take(instance))) {
      await this.adapter.logout(instance);
      await this.handOver(instance);
      return;
    }
    await this.dataSource.query(`DELETE FROM "whatsapp_sessions" WHERE "instance_id" = $1`, [instance.id]);
  }

  async send(instance: Instance, message: OutgoingMessage): Promise<SentMessage> {
    if (this.held.has(instance.id)) return this.adapter.send(instance, message);
    // Held by another process: it sends (docs/scaling.md); held by nobody: not connected.
    if (await this.relay.heldElsewhere(instance.id)) return this.relay.send(instance.id, message);
    throw new WhatsAppError('NOT_CONNECTED', 'no server process holds this instance\'s connection');
  }

  /** One pass: renew what is held, fence what could not be renewed, take what nobody holds. */
  sweep(): Promise<void> {
    this.sweeping ??= this.pass()
      .catch((err: Error) => this.logger.warn(`connection ownership pass failed: ${err.message}`))
      .finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async pass(): Promise<void> {
    if (this.stopped) return;
    const api = this.config.roles.includes('api');
    // Membership first: see Fleet.
    if (api) await this.fleet.join(GROUP);
    await this.renew();
    if (this.stopped || !api) return;
    const [{ total }]: Array<{ total: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS "total" FROM "instances" i JOIN "whatsapp_sessions" s ON s."instance_id" = i."id" WHERE i."provider" = 'baileys' AND s."linked"`,
    );
    const { target, cap } = await this.fleet.share(GROUP, total);
    // Shares count linked sessions only: a pairing in progress is never handed over.
    const linked: Array<{ instance_id: string }> = await this.dataSource.query(
      `SELECT "instance_id" FROM "whatsapp_sessions" WHERE "instance_id" = ANY($1::uuid[]) AND "linked"`,
      [[...this.held.keys()]],
    );
    const mine = linked.map((r) => r.instance_id).filter((id) => this.held.has(id));
    if (mine.length > cap) {
      const excess = mine.slice(-(mine.length - target));
      for (const id of excess) {
        const h = this.held.get(id);
        if (h) await this.handOver(h.instance);
      }
      this.logger.log(`handed ${excess.length} WhatsApp connection(s) over for the fleet's balance`);
      return;
    }
    let holding = mine.length;
    if (holding < target) holding += await this.takeFree(target - holding);
    // Members that died in a row stay counted for a while and keep the targets low: connections
    // still free a sweep after their lease expired are taken up to the cap (never above); those
    // handed over (no lease at all) are left to the members below their target.
    if (holding < cap) await this.takeFree(cap - holding, ORPHANED_AFTER_MS);
  }

  /** Takes up to `count` free linked instances (with `expiredForMs`, only those whose lease expired that long ago); how many it took. */
  private async takeFree(count: number, expiredForMs?: number): Promise<number> {
    const query = this.dataSource
      .getRepository(Instance)
      .createQueryBuilder('i')
      .innerJoin('whatsapp_sessions', 's', 's.instance_id = i.id')
      .where(`i.provider = 'baileys' AND s.linked`);
    if (expiredForMs === undefined) {
      query.andWhere(`NOT EXISTS (SELECT 1 FROM "leases" l WHERE l."resource" = 'whatsapp:' || i."id"::text AND l."expires_at" >= now())`);
    } else {
      query.andWhere(
        `EXISTS (SELECT 1 FROM "leases" l WHERE l."resource" = 'whatsapp:' || i."id"::text AND l."expires_at" < now() - CAST(:expiredForMs AS integer) * interval '1 millisecond')`,
        { expiredForMs },
      );
    }
    // Random order: processes sweeping at once mostly ask for different instances.
    const wanted = await query.orderBy('random()').limit(Math.min(100, count)).getMany();
    let taken = 0;
    for (const instance of wanted) {
      if (this.stopped) break;
      if (this.held.has(instance.id) || !(await this.take(instance))) continue;
      this.logger.log(`holding the WhatsApp connection of ${instance.name}`);
      if (await this.adapter.resume(instance)) taken += 1;
      else await this.handOver(instance);
    }
    return taken;
  }

  /** Ends the sockets whose lease could not be renewed for SELF_FENCE_MS: on its own timer, so that a hung database cannot hold it up. */
  private async fence(): Promise<void> {
    const now = performance.now();
    for (const [id, h] of this.held) {
      if (now - h.renewedAt > SELF_FENCE_MS) {
        this.logger.warn(`${h.instance.name}: lease not renewed for ${Math.round((now - h.renewedAt) / 1000)} s; ending the connection before another process may take it`);
        await this.release(id);
      }
    }
  }

  private async renew(): Promise<void> {
    if (this.held.size === 0) return;
    await this.fence();
    const ids = [...this.held.keys()];
    let lost: string[];
    try {
      lost = await this.leases.renew(ids.map(resource), LEASE_TTL_MS);
    } catch (err) {
      this.logger.warn(`renewing connection leases failed: ${(err as Error).message}`);
      return;
    }
    const renewedAt = performance.now();
    for (const id of ids) {
      const h = this.held.get(id);
      if (!h) continue;
      if (lost.includes(resource(id))) {
        this.logger.warn(`${h.instance.name}: lease lost; ending the connection`);
        await this.release(id);
      } else {
        h.renewedAt = renewedAt;
      }
    }
    // The session row is the wish: gone (a logout elsewhere, a deletion) means log the device out.
    // Asked before the read: a session whose first write commits meanwhile is not yet in it.
    const unsaved = new Set([...this.held.keys()].filter((id) => this.adapter.unsaved(id)));
    const present: Array<{ instance_id: string }> = await this.dataSource.query(
      `SELECT "instance_id" FROM "whatsapp_sessions" WHERE "instance_id" = ANY($1::uuid[])`,
      [[...this.held.keys()]],
    );
    const withSession = new Set(present.map((r) => r.instance_id));
    for (const [id, h] of this.held) {
      if (withSession.has(id) || unsaved.has(id)) continue;
      this.logger.log(`${h.instance.name}: its session was deleted; logging the device out`);
      await this.adapter.logout(h.instance).catch((err: Error) => this.logger.warn(`${h.instance.name}: logout failed: ${err.message}`));
      await this.handOver(h.instance);
    }
  }

  private async take(instance: Instance): Promise<boolean> {
    if (this.stopped) return false;
    if (!(await this.leases.acquire(resource(instance.id), LEASE_TTL_MS))) return false;
    this.held.set(instance.id, { instance, renewedAt: performance.now() });
    return true;
  }

  /** Ends the socket (keeping the session) and forgets the lease locally. */
  private async release(instanceId: string): Promise<void> {
    const h = this.held.get(instanceId);
    this.held.delete(instanceId);
    if (h) await this.adapter.release(h.instance).catch((err: Error) => this.logger.warn(`${h.instance.name}: release failed: ${err.message}`));
  }

  /** release(), and the lease given back so that another process may take it at once. */
  private async handOver(instance: Instance): Promise<void> {
    await this.release(instance.id);
    await this.leases.release(resource(instance.id)).catch(() => undefined);
  }
}
