import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { PGlitePool } from '../../database/pglite-pool.js';
import { PrincipalCache } from './principal-cache.js';

/**
 * The channel the `token_revoked` trigger notifies with the old `token_hash` whenever a row of
 * `accounts` or `instances` is deleted or its token, name or account changes (migration
 * 1763900000000-TokenRevocations), whichever process or person changed it.
 */
export const TOKEN_REVOKED_CHANNEL = 'ryze_token_revoked';

/** How the listening connection shows in `pg_stat_activity`. */
export const LISTENER_APPLICATION_NAME = 'ryze-token-revocations';

/** How often delivery is proven again (a probe notification, see {@link TokenRevocations}). */
const HEARTBEAT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 5_000;
/** A probe that has not come back by then means notifications are not being delivered. */
const PROBE_TIMEOUT_MS = 5_000;
/** Probe payloads; token digests are 64 hex characters, so the two never meet. */
const PROBE_PREFIX = 'probe:';
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

/**
 * Keeps {@link PrincipalCache} live: it listens on {@link TOKEN_REVOKED_CHANNEL} and revokes what
 * it hears. With PostgreSQL, on a connection of its own (LISTEN holds its session). Delivery is
 * proven, not assumed: the cache turns on only once a probe notification, sent through the
 * application's own pool like any change, has come back on that connection, and every 10 s a probe
 * must come back again. So a connection that is lost, hangs, or cannot receive notifications at all
 * (a pooler in transaction mode in front of PostgreSQL) turns the cache off; the connection is
 * reopened with backoff. With embedded PGlite there is one process and one session, and a
 * notification is delivered as its transaction commits.
 */
@Injectable()
export class TokenRevocations implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TokenRevocations');
  private client: pg.Client | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private failures = 0;
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
    const pool = (this.dataSource.driver as unknown as { master?: unknown }).master;
    if (pool instanceof PGlitePool) {
      this.unlisten = await pool.listen(TOKEN_REVOKED_CHANNEL, (tokenHash) => this.cache.revoke(tokenHash));
      this.cache.resume();
      return;
    }
    // The first attempt is awaited, so that the cache works from the first request; a failure
    // only leaves it off (every request reads the database) and retries in the background.
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.cache.suspend();
    if (this.retry) clearTimeout(this.retry);
    this.stopHeartbeat();
    await this.unlisten?.().catch(() => undefined);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
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
    client.on('notification', (message) => {
      if (message.channel !== TOKEN_REVOKED_CHANNEL || !message.payload) return;
      if (message.payload.startsWith(PROBE_PREFIX)) this.probes.get(message.payload)?.();
      else this.cache.revoke(message.payload);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection closed')));
    try {
      await client.connect();
      await client.query(`LISTEN ${TOKEN_REVOKED_CHANNEL}`);
      await this.probe();
    } catch (err) {
      this.lost(client, err as Error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.cache.resume();
    if (this.failures > 0) this.logger.log('listening for token revocations again: principal cache on');
    this.failures = 0;
    this.heartbeat = setInterval(() => void this.probe().catch((err: Error) => this.lost(client, err)), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /**
   * Sends a notification the way a revocation is sent, and waits for it to come back. The wait
   * starts once the notification is committed: a slow pool is not a lost channel.
   */
  private async probe(): Promise<void> {
    const id = `${PROBE_PREFIX}${randomUUID()}`;
    const arrived = new Promise<void>((resolve) => this.probes.set(id, resolve));
    let timer: NodeJS.Timeout | undefined;
    try {
      await this.dataSource.query('SELECT pg_notify($1, $2)', [TOKEN_REVOKED_CHANNEL, id]);
      await Promise.race([
        arrived,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`a probe notification did not come back within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      this.probes.delete(id);
    }
  }

  /** Called once or more (error, then end) per lost connection; acts on the current one only. */
  private lost(client: pg.Client, err: Error): void {
    if (this.client !== null && this.client !== client) return;
    const wasListening = this.client === client;
    this.client = null;
    this.cache.suspend();
    this.stopHeartbeat();
    client.removeAllListeners();
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.stopped || this.retry) return;
    this.failures++;
    if (wasListening || this.failures === 1) {
      this.logger.warn(`token revocation channel unavailable (${err.message}): principal cache off, every request reads its token from the database until it is back`);
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
