import { Inject, Injectable, type NestMiddleware, type OnApplicationShutdown } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { PrincipalLookup } from '../auth/principal-lookup.js';
import { markKnownToken, resolveRequestToken } from '../auth/resolved-token.js';
import { constantTimeEquals, hashToken, presentedToken } from '../auth/tokens.js';
import { sendError } from '../errors/envelope.js';
import { Messages } from '../errors/http-error.js';
import { RATE_LIMIT_STORE, type RateLimitStore } from './rate-limit.store.js';

const WINDOW_MS = 60_000;
/** `POST /api/instance/new`, matched as the router matches it: case-insensitively, trailing `/` or not. */
const CREATE_ROUTE = /^\/api\/instance\/new\/?$/i;

interface Budget {
  limit: number;
  count: number;
  resetAtMs: number;
}

/**
 * Per-token rate limit of every `/api` route (SPEC §2): two budgets (instance creation, the rest),
 * one-minute fixed windows; and a per-address budget that every request with a missing or unknown
 * token spends as well, so that tokens (the admin token included) cannot be guessed at speed.
 * A middleware rather than a guard: SPEC §2 wants the headers on every `/api` response, unknown
 * routes and body errors included, and the check before authentication.
 */
@Injectable()
export class RateLimitMiddleware implements NestMiddleware, OnApplicationShutdown {
  constructor(
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly principals: PrincipalLookup,
  ) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const create = req.method === 'POST' && CREATE_ROUTE.test(req.originalUrl.split('?')[0]);
    const [bucket, limit] = create
      ? ['create', this.config.rateLimitCreatePerMinute]
      : ['default', this.config.rateLimitPerMinute];
    const token = presentedToken(req);
    // req.ip honours TRUST_PROXY (SPEC §1): the client's address, not the last proxy's.
    const address = `ip:${req.ip ?? 'unknown'}`;
    // Keys hold a hash of the token, never the token itself (they may live in Redis).
    const who = token ? `t:${hashToken(token)}` : address;
    let budgets: Budget[];
    try {
      const known = token !== null && (await this.isKnown(req, token));
      if (known) markKnownToken(req);
      budgets = [{ limit, ...(await this.store.hit(`rl:${bucket}:${who}`, WINDOW_MS)) }];
      if (!known) {
        const guesses = await this.store.hit(`rl:unknown:${address}`, WINDOW_MS);
        budgets.push({ limit: this.config.rateLimitUnknownTokenPerMinute, ...guesses });
      }
    } catch (err) {
      return next(err);
    }
    // The headers show the budget that is spent (past its limit), or else the one with least left.
    const shown =
      budgets.find((b) => b.count > b.limit) ?? budgets.reduce((a, b) => (b.limit - b.count < a.limit - a.count ? b : a));
    const resetSeconds = Math.ceil(shown.resetAtMs / 1000);
    res.setHeader('X-RateLimit-Limit', String(shown.limit));
    res.setHeader('X-RateLimit-Remaining', String(Math.max(0, shown.limit - shown.count)));
    res.setHeader('X-RateLimit-Reset', String(resetSeconds));
    if (shown.count > shown.limit) {
      res.setHeader('Retry-After', String(Math.max(1, resetSeconds - Math.floor(Date.now() / 1000))));
      return sendError(res, 429, Messages.rateLimited);
    }
    next();
  }

  /** A token this server issued (looked up once for the guard too), or the admin token. */
  private async isKnown(req: Request, token: string): Promise<boolean> {
    if (this.config.adminToken && constantTimeEquals(token, this.config.adminToken)) return true;
    return (await resolveRequestToken(req, this.principals, token)) !== null;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close?.();
  }
}
