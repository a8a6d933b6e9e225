import { jest } from '@jest/globals';
import type { AccountPrincipal } from '../common/auth/principal.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { PRINCIPAL_CACHE_MAX_ENTRIES, PrincipalCache } from './principal-cache.js';

const alice: AccountPrincipal = { kind: 'account', accountId: 'acc-alice' };
const bob: AccountPrincipal = { kind: 'instance', accountId: 'acc-bob', instanceId: 'inst-1', instanceName: 'suporte' };

function liveCache(ttlSeconds = 60): { cache: PrincipalCache; metrics: MetricsService } {
  const metrics = new MetricsService();
  const cache = new PrincipalCache({ authCacheTtlSeconds: ttlSeconds }, metrics);
  cache.extend(Infinity);
  return { cache, metrics };
}

const liveGauge = async (metrics: MetricsService) => (await metrics.registry.getSingleMetric('auth_cache_live')!.get()).values[0]?.value;

describe('PrincipalCache', () => {
  afterEach(() => jest.useRealTimers());

  it('answers nothing until delivery of revocations is proven, and nothing after a lapse', async () => {
    const metrics = new MetricsService();
    const cache = new PrincipalCache({ authCacheTtlSeconds: 60 }, metrics);
    cache.remember('h-alice', alice, cache.ticket());
    expect(cache.get('h-alice')).toBeUndefined();
    expect(await liveGauge(metrics)).toBe(0);

    cache.extend(Infinity);
    expect(await liveGauge(metrics)).toBe(1);
    cache.remember('h-alice', alice, cache.ticket());
    expect(cache.get('h-alice')).toEqual(alice);

    cache.lapse();
    expect(await liveGauge(metrics)).toBe(0);
    expect(cache.get('h-alice')).toBeUndefined();
    cache.extend(Infinity);
    expect(cache.get('h-alice')).toBeUndefined(); // what was remembered before the lapse is gone
  });

  it('answers only while its lease runs: a channel that dies silently stops it when the lease ends', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick'] });
    const metrics = new MetricsService();
    const cache = new PrincipalCache({ authCacheTtlSeconds: 60 }, metrics);
    cache.extend(performance.now() + 5_000);
    cache.remember('h-alice', alice, cache.ticket());
    jest.advanceTimersByTime(4_999);
    expect(cache.get('h-alice')).toEqual(alice);
    jest.advanceTimersByTime(1);
    expect(cache.get('h-alice')).toBeUndefined();
    expect(await liveGauge(metrics)).toBe(0);
    cache.extend(performance.now() + 5_000); // delivery proven again
    expect(cache.get('h-alice')).toEqual(alice);
    expect(await liveGauge(metrics)).toBe(1);
  });

  it('forgets every token at once (a TRUNCATE)', () => {
    const { cache } = liveCache();
    cache.remember('h-alice', alice, cache.ticket());
    const ticket = cache.ticket();
    cache.forgetAll();
    cache.remember('h-bob', bob, ticket);
    expect(cache.size).toBe(0);
  });

  it('is off with a TTL of 0', () => {
    const { cache } = liveCache(0);
    expect(cache.enabled).toBe(false);
    cache.remember('h-alice', alice, cache.ticket());
    expect(cache.get('h-alice')).toBeUndefined();
  });

  it('forgets a revoked token at once', () => {
    const { cache } = liveCache();
    cache.remember('h-alice', alice, cache.ticket());
    cache.remember('h-bob', bob, cache.ticket());
    cache.revoke('h-bob');
    expect(cache.get('h-bob')).toBeUndefined();
    expect(cache.get('h-alice')).toEqual(alice);
  });

  it('does not store a look-up that started before a revocation (it may have read the revoked row)', () => {
    const { cache } = liveCache();
    const ticket = cache.ticket();
    cache.revoke('h-bob'); // heard while the look-up was in flight
    cache.remember('h-bob', bob, ticket);
    expect(cache.get('h-bob')).toBeUndefined();
    cache.remember('h-bob', bob, cache.ticket());
    expect(cache.get('h-bob')).toEqual(bob);
  });

  it('does not store a look-up that started before a lapse', () => {
    const { cache } = liveCache();
    const beforeLoss = cache.ticket();
    cache.lapse();
    cache.extend(Infinity);
    cache.remember('h-alice', alice, beforeLoss);
    expect(cache.get('h-alice')).toBeUndefined();
  });

  it('forgets an entry after the TTL', () => {
    jest.useFakeTimers({ doNotFake: ['nextTick'] });
    const { cache } = liveCache(2);
    cache.remember('h-alice', alice, cache.ticket());
    jest.advanceTimersByTime(1_999);
    expect(cache.get('h-alice')).toEqual(alice);
    jest.advanceTimersByTime(1);
    expect(cache.get('h-alice')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it(`keeps at most ${PRINCIPAL_CACHE_MAX_ENTRIES} tokens, forgetting the oldest first`, () => {
    const { cache } = liveCache();
    for (let i = 0; i <= PRINCIPAL_CACHE_MAX_ENTRIES; i++) cache.remember(`h-${i}`, alice, cache.ticket());
    expect(cache.size).toBe(PRINCIPAL_CACHE_MAX_ENTRIES);
    expect(cache.get('h-0')).toBeUndefined();
    expect(cache.get('h-1')).toEqual(alice);
    expect(cache.get(`h-${PRINCIPAL_CACHE_MAX_ENTRIES}`)).toEqual(alice);
  });
});
