import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { MemoryRateLimitStore, type RateLimitHit, type RateLimitStore } from './rate-limit.store.js';

/**
 * One fixed window, atomically: INCR, and the expiry set by the hit that opened the window (or
 * repaired), so that replicas can never leave a counter without expiry or restart each other's window.
 */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

/** Redis answers in well under a millisecond on a healthy network; more than this is an outage. */
const COMMAND_TIMEOUT_MS = 500;
/** After a command timed out, how long requests skip Redis before trying it again. */
const PAUSE_AFTER_FAILURE_MS = 5_000;

type ScriptedRedis = Redis & { rateLimitHit(key: string, windowMs: number): Promise<[number, number]> };

/**
 * Rate-limit counters in Redis (REDIS_URL), shared by every replica (SPEC §1, §2). Keys are
 * `<REDIS_KEY_PREFIX>rl:<bucket>:t:<sha256 of the token>` (or `ip:<address>`): never a token.
 *
 * Fails open: when Redis is unreachable or slow, requests are counted in this process (per-replica
 * budgets) and a warning is logged, since a Redis outage must not become an API outage. Nothing
 * waits on Redis: no queueing while disconnected, a short timeout per command, and a pause after a
 * failure while the client reconnects.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly logger = new Logger('RateLimit');
  private readonly client: ScriptedRedis;
  private readonly local = new MemoryRateLimitStore();
  private skipUntil = 0;
  private degraded = false;

  constructor(url: string, private readonly prefix: string) {
    this.client = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 250, 5_000),
    }) as ScriptedRedis;
    this.client.defineCommand('rateLimitHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    // Connection errors surface through failed hits (one warning per outage); without a listener
    // ioredis would print every reconnection attempt.
    this.client.on('error', () => undefined);
  }

  /** At boot: waits for the first connection attempt, so that the first requests count in Redis; a failure ends the wait. */
  async connected(timeoutMs: number): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const events = ['ready', 'error', 'close'] as const;
      const done = () => {
        clearTimeout(timer);
        for (const event of events) this.client.off(event, done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      for (const event of events) this.client.once(event, done);
    });
  }

  async hit(key: string, windowMs: number): Promise<RateLimitHit> {
    if (this.client.status !== 'ready') return this.fallback(key, windowMs, `connection ${this.client.status}`);
    if (Date.now() < this.skipUntil) return this.local.hit(key, windowMs);
    try {
      const [count, ttlMs] = await this.client.rateLimitHit(this.prefix + key, windowMs);
      if (this.degraded) {
        this.degraded = false;
        this.logger.log('Redis is reachable again: rate limits are shared across replicas again');
      }
      return { count: Number(count), resetAtMs: Date.now() + Number(ttlMs) };
    } catch (err) {
      // A hung Redis keeps the connection "ready": without a pause every request would wait the
      // command timeout. A dropped connection needs none (the status tells, and recovers with it).
      if ((err as Error).message === 'Command timed out') this.skipUntil = Date.now() + PAUSE_AFTER_FAILURE_MS;
      return this.fallback(key, windowMs, (err as Error).message);
    }
  }

  private fallback(key: string, windowMs: number, reason: string): Promise<RateLimitHit> {
    if (!this.degraded) {
      this.degraded = true;
      this.logger.warn(`Redis unavailable (${reason}): rate limits are counted per process until it is back`);
    }
    return this.local.hit(key, windowMs);
  }

  async close(): Promise<void> {
    await this.local.close();
    if (this.client.status === 'end') return;
    // QUIT lets Redis answer what is in flight; a dead connection is just dropped.
    const quit = this.client.quit().then(() => undefined, () => undefined);
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 1_000).unref());
    await Promise.race([quit, timeout]);
    this.client.disconnect();
  }
}
