import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { driverPool } from './driver-pool.js';
import { PGlitePool } from './pglite-pool.js';

export interface ChannelHandlers {
  notified(payload: string): void;
  /**
   * The channel was down and is listening again: whatever was notified meanwhile was missed, so a
   * subscriber re-reads what it relies on. Also called once the first LISTEN is in place.
   */
  resumed(): void;
}

const CONNECT_TIMEOUT_MS = 5_000;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

/**
 * PostgreSQL LISTEN for whoever needs to hear of other processes' writes, on one connection of
 * its own per process (LISTEN holds its session), reconnected with backoff. Notifications are
 * wake-up calls, never data: a subscriber reads the database for what changed, so a missed one
 * costs a delay, not a loss (see ChannelHandlers.resumed). With embedded PGlite (one process,
 * one session) a notification is delivered as its transaction commits.
 */
@Injectable()
export class NotificationListener implements OnApplicationShutdown {
  private readonly logger = new Logger('NotificationListener');
  private readonly channels = new Map<string, Set<ChannelHandlers>>();
  private client: pg.Client | null = null;
  /** The channels the current client listens on. */
  private listening = new Set<string>();
  private connecting: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;
  private failures = 0;
  private stopped = false;
  private readonly pgliteUnlisten = new Map<string, () => Promise<void>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
  ) {}

  /** Subscribes to a channel; resolves once it is listening (or retrying in the background). */
  async subscribe(channel: string, handlers: ChannelHandlers): Promise<() => void> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name: ${channel}`);
    let set = this.channels.get(channel);
    const first = !set;
    if (!set) {
      set = new Set();
      this.channels.set(channel, set);
    }
    set.add(handlers);
    const unsubscribe = () => void set.delete(handlers);
    const pool = driverPool(this.dataSource);
    if (pool instanceof PGlitePool) {
      if (first) this.pgliteUnlisten.set(channel, await pool.listen(channel, (payload) => this.deliver(channel, payload)));
      handlers.resumed();
      return unsubscribe;
    }
    if (!this.client || this.connecting) await (this.connecting ?? this.connect());
    const client = this.client;
    if (client && !this.listening.has(channel)) {
      this.listening.add(channel);
      await client.query(`LISTEN ${channel}`).catch((err: Error) => this.lost(client, err));
    }
    if (this.client) handlers.resumed(); // otherwise resumed() follows the reconnection
    return unsubscribe;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    for (const unlisten of this.pgliteUnlisten.values()) await unlisten().catch(() => undefined);
    const client = this.client;
    this.client = null;
    if (client) await close(client);
  }

  private deliver(channel: string, payload: string): void {
    for (const handlers of this.channels.get(channel) ?? []) {
      try {
        handlers.notified(payload);
      } catch (err) {
        this.logger.error(`a ${channel} subscriber failed: ${(err as Error).message}`);
      }
    }
  }

  private connect(): Promise<void> {
    this.retry = null;
    const attempt = (async () => {
      const client = new pg.Client({
        connectionString: this.config.databaseUrl!,
        application_name: 'ryze-notifications',
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        query_timeout: CONNECT_TIMEOUT_MS,
        keepAlive: true,
      });
      client.on('notification', (message) => {
        if (client === this.client && message.payload !== undefined) this.deliver(message.channel, message.payload);
      });
      client.on('error', (err) => this.lost(client, err));
      client.on('end', () => this.lost(client, new Error('connection closed')));
      this.client = client;
      this.listening = new Set(this.channels.keys());
      try {
        await client.connect();
        for (const channel of this.listening) await client.query(`LISTEN ${channel}`);
      } catch (err) {
        this.lost(client, err as Error);
        return;
      }
      if (client !== this.client) return;
      if (this.stopped) return void (await close(client));
      if (this.failures > 0) this.logger.log('listening for notifications again');
      this.failures = 0;
      for (const set of this.channels.values()) for (const handlers of set) handlers.resumed();
    })();
    this.connecting = attempt.finally(() => (this.connecting = null));
    return this.connecting;
  }

  private lost(client: pg.Client, err: Error): void {
    client.removeAllListeners();
    client.on('error', () => undefined);
    void close(client);
    if (client !== this.client) return;
    this.client = null;
    if (this.stopped) return;
    this.failures++;
    if (this.failures === 1) this.logger.warn(`notification channel unavailable (${err.message}); reconnecting`);
    const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(this.failures - 1, 10));
    this.retry = setTimeout(() => void this.connect(), delay);
    this.retry.unref();
  }
}

/** Ends a connection, without waiting more than a second for a peer that does not answer. */
async function close(client: pg.Client): Promise<void> {
  const ended = client.end().catch(() => undefined);
  const timer = setTimeout(() => (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy(), 1_000);
  await ended;
  clearTimeout(timer);
}
