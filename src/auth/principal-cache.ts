import { Inject, Injectable } from '@nestjs/common';
import type { AccountPrincipal } from '../common/auth/principal.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { MetricsService } from '../metrics/metrics.service.js';

/** At most this many tokens are remembered; the oldest is forgotten first. */
export const PRINCIPAL_CACHE_MAX_ENTRIES = 10_000;

interface Entry {
  principal: AccountPrincipal;
  expiresAt: number;
}

/**
 * Who a token is, remembered for a short while so that most requests skip the token look-up (one
 * database round trip of two on a status read; README "Performance").
 *
 * Safe only while revocations are heard ({@link TokenRevocations}): the cache answers only while
 * leased, for a few seconds each time delivery is proven ({@link extend}), and forgets everything
 * when it may have missed one ({@link lapse}). Unknown tokens are never remembered (a token issued
 * later must work at once). A look-up that started before a revocation must not store what it
 * read: {@link remember} ignores a {@link ticket} older than the latest revocation.
 */
@Injectable()
export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private generation = 0;
  /** performance.now() until which delivery of revocations is proven; 0 until it first is. */
  private leaseUntil = 0;
  private reportedLive = false;

  constructor(
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'authCacheTtlSeconds'>,
    private readonly metrics: MetricsService,
  ) {
    this.ttlMs = config.authCacheTtlSeconds * 1000;
    this.metrics.setAuthCacheLive(false);
  }

  /** True when it answers: delivery of revocations was proven recently, and the TTL is not 0. */
  get enabled(): boolean {
    const enabled = this.ttlMs > 0 && performance.now() < this.leaseUntil;
    if (enabled !== this.reportedLive) {
      this.reportedLive = enabled;
      this.metrics.setAuthCacheLive(enabled);
    }
    return enabled;
  }

  get(tokenHash: string): AccountPrincipal | undefined {
    if (!this.enabled) return undefined;
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (entry.expiresAt <= performance.now()) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    return entry.principal;
  }

  /** Taken before a look-up, handed to {@link remember} with its result. */
  ticket(): number {
    return this.generation;
  }

  remember(tokenHash: string, principal: AccountPrincipal, ticket: number): void {
    if (!this.enabled || ticket !== this.generation) return;
    if (this.entries.size >= PRINCIPAL_CACHE_MAX_ENTRIES && !this.entries.has(tokenHash)) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(tokenHash, { principal, expiresAt: performance.now() + this.ttlMs });
  }

  /** A token was deleted or changed: forget it, and any look-up in flight. */
  revoke(tokenHash: string): void {
    this.generation++;
    this.entries.delete(tokenHash);
  }

  /** Delivery was proven: the cache may answer until `until` (performance.now() time). */
  extend(until: number): void {
    this.leaseUntil = Math.max(this.leaseUntil, until);
    void this.enabled;
  }

  /** Revocations may be or have been missed (channel lost, triggers off, a new channel): forget all until proven again. */
  lapse(): void {
    this.leaseUntil = 0;
    this.forgetAll();
    void this.enabled;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Every token may have been revoked (a TRUNCATE). */
  forgetAll(): void {
    this.generation++;
    this.entries.clear();
  }
}
