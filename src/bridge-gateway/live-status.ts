import { Inject, Injectable, Logger } from '@nestjs/common';
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, wrap, type CircuitBreakerPolicy, type IPolicy } from 'cockatiel';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { AccountSlots } from './account-slots.js';
import { BridgeGatewayError } from './bridge-gateway.errors.js';
import { BridgeGateway } from './bridge-gateway.service.js';
import type { IntegrationObject } from './bridge-gateway.types.js';

/** SPEC §7: how long a status read waits for the bridge before it answers from stored data. */
export const ANSWER_DEADLINE_MS = 300;

/**
 * Live state for `GET /api/chatwoot/list` (SPEC §5 step 2), best effort: concurrent reads of one
 * integration share one bridge GET, and circuit breakers skip a failing bridge for a pause, after
 * one timeout (single flight makes a hanging bridge fail once per 10 s) or 5 other failures.
 * A caller waits at most 300 ms (SPEC §7); the read goes on in the background and hands a late
 * answer over to be stored.
 */
/**
 * Made once: a stack captured per read cost more than the rest of such a read (bench/ scenario 2),
 * and a status read only logs it at debug level.
 */
const CIRCUIT_OPEN = new BridgeGatewayError({ kind: 'unreachable', detail: 'bridge circuit open' });
const TRIAL_IN_FLIGHT = new BridgeGatewayError({ kind: 'unreachable', detail: 'bridge circuit half-open: trial read in flight' });
const ACCOUNT_BUSY = new BridgeGatewayError({ kind: 'unreachable', detail: 'this account has its bridge calls in flight' });

/** What a status call gets: the live state, `null` when the bridge does not know it, or `late` (stored data is the answer). */
export type LiveAnswer = { kind: 'live'; integration: IntegrationObject | null } | { kind: 'late' };

@Injectable()
export class LiveStatusReader {
  private readonly logger = new Logger('LiveStatus');
  private readonly inFlight = new Map<string, Promise<IntegrationObject | null>>();
  private readonly policy: IPolicy;
  private readonly breakers: CircuitBreakerPolicy[];
  /** Until when (performance.now()) a circuit stays open: reads skip cockatiel altogether. */
  private openUntil = 0;
  /** Reads pending past the answer deadline: while there is one, the bridge is known to be slow. */
  private readonly slow = new Set<Promise<unknown>>();

  constructor(
    private readonly gateway: BridgeGateway,
    private readonly slots: AccountSlots,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const pause = config.liveStatusBreakerPauseMs;
    const timeouts = circuitBreaker(
      handleWhen((err) => err instanceof BridgeGatewayError && err.failure.kind === 'timeout'),
      { halfOpenAfter: pause, breaker: new ConsecutiveBreaker(1) },
    );
    const failures = circuitBreaker(
      handleWhen((err) => err instanceof BridgeGatewayError),
      { halfOpenAfter: pause, breaker: new ConsecutiveBreaker(5) },
    );
    for (const [name, breaker] of [['timeout', timeouts], ['failure', failures]] as const) {
      breaker.onBreak(() => {
        this.openUntil = performance.now() + pause;
        this.logger.warn(`bridge ${name} circuit open: status reads use local data for ${pause} ms`);
      });
      breaker.onReset(() => this.logger.log(`bridge ${name} circuit closed: live status reads resumed`));
    }
    this.breakers = [timeouts, failures];
    this.policy = wrap(timeouts, failures);
  }

  /**
   * SPEC §7: the live state if it arrives within 300 ms; otherwise `late` at once, and the read goes
   * on (up to its 10 s), handing what it learns to `onLate`. While a read is known to be slow,
   * `late` without waiting and without starting another read. Throws when the bridge is unavailable.
   */
  async current(bridgeIntegrationId: string, accountId: string, onLate: (live: IntegrationObject) => void): Promise<LiveAnswer> {
    if (this.slow.size > 0) return { kind: 'late' };
    const read = this.read(bridgeIntegrationId, accountId);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), ANSWER_DEADLINE_MS);
    });
    try {
      const first = await Promise.race([read, deadline]);
      if (first !== 'late') return { kind: 'live', integration: first };
    } finally {
      clearTimeout(timer);
    }
    if (!this.slow.has(read)) {
      this.slow.add(read);
      void read.then(
        (live) => {
          this.slow.delete(read);
          if (live) onLate(live);
        },
        () => this.slow.delete(read),
      );
    }
    return { kind: 'late' };
  }

  /** The live integration, null when the bridge does not know it; throws when it is unavailable. */
  read(bridgeIntegrationId: string, accountId: string): Promise<IntegrationObject | null> {
    // A read in flight is joined only while the circuits are closed: otherwise it is the half-open
    // trial, which may hang for the whole timeout. Open: answer at once, without asking cockatiel.
    if (performance.now() < this.openUntil) return Promise.reject(CIRCUIT_OPEN);
    const pending = this.inFlight.get(bridgeIntegrationId);
    if (pending && this.breakers.every((b) => b.state === CircuitState.Closed)) return pending;
    // cockatiel makes callers wait for a half-open trial; a status read must not.
    if (this.breakers.some((b) => b.state === CircuitState.HalfOpen)) return Promise.reject(TRIAL_IN_FLIGHT);
    // A read in the background still holds a gateway connection: one account's are bounded too.
    const release = this.slots.tryTake(accountId);
    if (!release) return Promise.reject(ACCOUNT_BUSY);
    const read = this.policy
      .execute(() => this.gateway.get(bridgeIntegrationId))
      .catch((err: unknown) => {
        if (err instanceof BrokenCircuitError) throw CIRCUIT_OPEN;
        throw err;
      })
      .finally(() => {
        release();
        if (this.inFlight.get(bridgeIntegrationId) === read) this.inFlight.delete(bridgeIntegrationId);
      });
    if (!pending) this.inFlight.set(bridgeIntegrationId, read);
    return read;
  }
}
