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
 * database round trip of two on a status read; see README "Performance").
 *
 * Safe only while revocations are heard: every deletion or token change of an account or an
 * instance, by any process, makes PostgreSQL notify every server (a trigger, see
 * {@link TokenRevocations}), which drops the entry at once. So the cache answers only while it is
 * leased: for a few seconds each time delivery is proven again ({@link extend}). A channel that
 * dies silently therefore stops the cache within the lease; one known to be lost, or known not to
 * carry every change, stops it at once and forgets everything ({@link lapse}). Unknown
 * tokens are never remembered (a token issued later must work at once).
 * AUTH_CACHE_TTL_SECONDS bounds the life of an entry anyway; 0 turns the cache off.
 *
 * A look-up that started before a revocation must not store what it read: {@link ticket} is taken
 * before the look-up and {@link remember} ignores a result whose ticket is older than the latest
 * revocation.
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

  /** The principal of a token digest, if remembered and still valid. */
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

  /**
   * Revocations may be missed from now on (the channel is lost, the triggers are off, shutdown), or
   * may have been missed before (a new channel): forget everything and answer nothing until
   * delivery is proven again.
   */
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
