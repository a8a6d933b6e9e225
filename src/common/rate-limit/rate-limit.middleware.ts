import { Inject, Injectable, type NestMiddleware, type OnApplicationShutdown } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { hashToken, presentedToken } from '../auth/tokens.js';
import { sendError } from '../errors/envelope.js';
import { Messages } from '../errors/http-error.js';
import { RATE_LIMIT_STORE, type RateLimitStore } from './rate-limit.store.js';

const WINDOW_MS = 60_000;

/**
 * Per-token rate limit of every `/api` route (SPEC §2): two budgets (instance creation, the rest),
 * one-minute fixed windows.
 * A middleware rather than a guard: SPEC §2 wants the headers on every `/api` response, unknown
 * routes and body errors included, and the check before authentication.
 */
@Injectable()
export class RateLimitMiddleware implements NestMiddleware, OnApplicationShutdown {
  constructor(
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const create = req.method === 'POST' && /^\/api\/instance\/new\/?$/.test(req.originalUrl.split('?')[0]);
    const [bucket, limit] = create
      ? ['create', this.config.rateLimitCreatePerMinute]
      : ['default', this.config.rateLimitPerMinute];
    const token = presentedToken(req);
    // Keys hold a hash of the token, never the token itself (they may live in Redis).
    const who = token ? `t:${hashToken(token)}` : `ip:${req.ip ?? 'unknown'}`;
    let hit;
    try {
      hit = await this.store.hit(`rl:${bucket}:${who}`, WINDOW_MS);
    } catch (err) {
      return next(err);
    }
    const resetSeconds = Math.ceil(hit.resetAtMs / 1000);
    res.setHeader('X-RateLimit-Limit', String(limit));
    res.setHeader('X-RateLimit-Remaining', String(Math.max(0, limit - hit.count)));
    res.setHeader('X-RateLimit-Reset', String(resetSeconds));
    if (hit.count > limit) {
      res.setHeader('Retry-After', String(Math.max(1, resetSeconds - Math.floor(Date.now() / 1000))));
      return sendError(res, 429, Messages.rateLimited);
    }
    next();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close?.();
  }
}
