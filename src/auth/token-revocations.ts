import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { driverPool } from '../database/driver-pool.js';
import { PGlitePool } from '../database/pglite-pool.js';
import { PrincipalCache } from './principal-cache.js';

/** Notified by the triggers of migration 1764000000000-TokenRevocations: an old `token_hash`, or `*` for a TRUNCATE. */
const TOKEN_REVOKED_CHANNEL = 'ryze_token_revoked';

/** How the listening connection shows in `pg_stat_activity`. */
export const LISTENER_APPLICATION_NAME = 'ryze-token-revocations';

/** The triggers that must exist, enabled, for the cache to answer. */
const TRIGGERS = [
  'accounts_token_revoked', 'accounts_tokens_truncated', 'instances_token_revoked', 'instances_tokens_truncated',
  'chatwoot_integrations_token_revoked', 'chatwoot_integrations_tokens_truncated',
];

/** A probe every HEARTBEAT_MS; each that comes back lets the cache answer for LEASE_MS from its sending. */
const HEARTBEAT_MS = 2_000;
const LEASE_MS = 5_000;
/** A committed probe that has not come back by then means the channel is broken. */
const PROBE_TIMEOUT_MS = 3_000;
const CONNECT_TIMEOUT_MS = 5_000;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;
/** Probe payloads; token digests are 64 hex characters, so the two never meet. */
const PROBE_PREFIX = 'probe:';

type ProbeOutcome = 'delivered' | 'not sent' | 'triggers missing';

/**
 * Keeps {@link PrincipalCache} live: listens on {@link TOKEN_REVOKED_CHANNEL} (with PostgreSQL, on a
 * connection of its own: LISTEN holds its session) and revokes what it hears.
 *
 * Delivery is proven, not assumed: a probe notification sent through the application's pool, with
 * a check that the triggers are enabled, must come back; each that does lets the cache answer for
 * LEASE_MS. So a channel that dies silently, a pooler that drops notifications (PgBouncer in
 * transaction mode) or disabled triggers stop the cache within the lease. With embedded PGlite a
 * notification is delivered as its transaction commits.
 */
@Injectable()
export class TokenRevocations implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TokenRevocations');
  private current: pg.Client | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private probing = false;
  private retry: NodeJS.Timeout | null = null;
  private failures = 0;
  private triggersMissing = false;
  private stopped = false;
  private unlisten: (() => Promise<void>) | null = null;
  private readonly probes = new Map<string, () => void>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly cache: PrincipalCache,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.authCacheTtlSeconds === 0) return;
    const pool = driverPool(this.dataSource);
    if (pool instanceof PGlitePool) {
      this.unlisten = await pool.listen(TOKEN_REVOKED_CHANNEL, (payload) => this.heard(payload));
      this.cache.extend(Infinity);
      return;
    }
    // The first attempt is awaited, so that the cache works from the first request; a failure
    // only leaves it off (every request reads the database) and retries in the background.
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    const client = this.current;
    this.current = null; // a heartbeat in flight extends nothing now
    this.cache.lapse();
    if (this.retry) clearTimeout(this.retry);
    this.stopHeartbeat();
    await this.unlisten?.().catch(() => undefined);
    if (client) await close(client);
  }

  private heard(payload: string): void {
    if (payload === '*') this.cache.forgetAll();
    else this.cache.revoke(payload);
  }

  private async connect(): Promise<void> {
    this.retry = null;
    const client = new pg.Client({
      connectionString: this.config.databaseUrl!,
      application_name: LISTENER_APPLICATION_NAME,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: CONNECT_TIMEOUT_MS,
      keepAlive: true,
    });
    this.current = client;
    client.on('notification', (message) => {
      if (message.channel !== TOKEN_REVOKED_CHANNEL || !message.payload || client !== this.current) return;
      if (message.payload.startsWith(PROBE_PREFIX)) this.probes.get(message.payload)?.();
      else this.heard(message.payload);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection closed')));
    try {
      await client.connect();
      await client.query(`LISTEN ${TOKEN_REVOKED_CHANNEL}`);
    } catch (err) {
      this.lost(client, err as Error);
      return;
    }
    // Lost while connecting (an error in the same read as the answer), or shut down meanwhile.
    if (client !== this.current) return;
    if (this.stopped) {
      await close(client);
      return;
    }
    this.cache.lapse(); // whatever the lost channel missed; the first probe turns it on
    if (this.failures > 0) this.logger.log('listening for token revocations again');
    this.failures = 0;
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => void this.beat(client), HEARTBEAT_MS);
    this.heartbeat.unref();
    await this.beat(client);
  }

  private async beat(client: pg.Client): Promise<void> {
    if (this.probing || client !== this.current) return;
    this.probing = true;
    try {
      const sentAt = performance.now();
      const outcome = await this.probe();
      if (client !== this.current) return;
      if (outcome === 'delivered') this.cache.extend(sentAt + LEASE_MS);
      const missing = outcome === 'triggers missing';
      // Changes made while the triggers are off are not notified.
      if (missing) this.cache.lapse();
      if (missing !== this.triggersMissing) {
        this.triggersMissing = missing;
        if (missing) this.logger.warn(`the token revocation triggers are missing or disabled (${TRIGGERS.join(', ')}): token cache off until they are back`);
        else this.logger.log('the token revocation triggers are back: token cache on');
      }
    } catch (err) {
      this.lost(client, err as Error);
    } finally {
      this.probing = false;
    }
  }

  /**
   * Sends a notification as a revocation is sent, with the trigger check, and waits for it once
   * committed. Throws only when a committed probe does not come back: one the pool could not send
   * says nothing about the channel, and lets the lease run out by itself.
   */
  private async probe(): Promise<ProbeOutcome> {
    const id = `${PROBE_PREFIX}${randomUUID()}`;
    const arrived = new Promise<void>((resolve) => this.probes.set(id, resolve));
    let timer: NodeJS.Timeout | undefined;
    try {
      let rows: Array<{ triggers: number }>;
      try {
        rows = await this.dataSource.query(
          `SELECT pg_notify($1, $2), (
             SELECT count(*)::int FROM pg_trigger
              WHERE tgrelid IN ('accounts'::regclass, 'instances'::regclass, 'chatwoot_integrations'::regclass) AND tgname = ANY($3) AND tgenabled <> 'D'
           ) AS triggers`,
          [TOKEN_REVOKED_CHANNEL, id, TRIGGERS],
        );
      } catch {
        return 'not sent';
      }
      await Promise.race([
        arrived,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`a probe notification did not come back within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
        }),
      ]);
      return rows[0]?.triggers === TRIGGERS.length ? 'delivered' : 'triggers missing';
    } finally {
      clearTimeout(timer);
      this.probes.delete(id);
    }
  }

  /** The connection of the current attempt failed: forget everything, close it, try again later. */
  private lost(client: pg.Client, err: Error): void {
    client.removeAllListeners();
    client.on('error', () => undefined);
    void close(client);
    if (client !== this.current) return;
    const wasListening = this.heartbeat !== null;
    this.current = null;
    this.cache.lapse();
    this.stopHeartbeat();
    if (this.stopped) return;
    this.failures++;
    if (wasListening || this.failures === 1) {
      this.logger.warn(`token revocation channel unavailable (${err.message}): token cache off, every request reads its token from the database until it is back`);
    }
    const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(this.failures - 1, 10));
    this.retry = setTimeout(() => void this.connect(), delay);
    this.retry.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}

/** Ends a connection, without waiting more than a second for a peer that does not answer. */
async function close(client: pg.Client): Promise<void> {
  const ended = client.end().catch(() => undefined);
  const timer = setTimeout(() => (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy(), 1_000);
  await ended;
  clearTimeout(timer);
}
