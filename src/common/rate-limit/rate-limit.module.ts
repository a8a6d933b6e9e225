import { Module } from '@nestjs/common';
import { RateLimitMiddleware } from './rate-limit.middleware.js';
import { MemoryRateLimitStore, RATE_LIMIT_STORE } from './rate-limit.store.js';

@Module({
  providers: [{ provide: RATE_LIMIT_STORE, useFactory: () => new MemoryRateLimitStore() }, RateLimitMiddleware],
  exports: [RateLimitMiddleware],
})
export class RateLimitModule {}
