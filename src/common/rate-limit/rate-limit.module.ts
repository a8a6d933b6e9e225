import { Module } from '@nestjs/common';
import type { AppConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { RateLimitMiddleware } from './rate-limit.middleware.js';
import { MemoryRateLimitStore, RATE_LIMIT_STORE, type RateLimitStore } from './rate-limit.store.js';
import { RedisRateLimitStore } from './redis-rate-limit.store.js';

/** How long boot waits for Redis before serving with per-process counters. */
const REDIS_BOOT_WAIT_MS = 3_000;

/**
 * Counters in Redis when REDIS_URL is set, so that every replica shares one budget per token
 * (SPEC §1); in process memory otherwise. The middleware closes the store at shutdown.
 */
@Module({
  providers: [
    {
      provide: RATE_LIMIT_STORE,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig): Promise<RateLimitStore> => {
        if (!config.redisUrl) return new MemoryRateLimitStore();
        const store = new RedisRateLimitStore(config.redisUrl, config.redisKeyPrefix);
        await store.connected(REDIS_BOOT_WAIT_MS);
        return store;
      },
    },
    RateLimitMiddleware,
  ],
  exports: [RateLimitMiddleware],
})
export class RateLimitModule {}
