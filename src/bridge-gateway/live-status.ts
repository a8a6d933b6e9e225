import { Inject, Injectable, Logger } from '@nestjs/common';
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, wrap, type CircuitBreakerPolicy, type IPolicy } from 'cockatiel';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { BridgeGatewayError } from './bridge-gateway.errors.js';
import { BridgeGateway } from './bridge-gateway.service.js';
import type { IntegrationObject } from './bridge-gateway.types.js';

/**
 * Live state for `GET /api/chatwoot/list` (SPEC §5 step 2), best effort: concurrent reads of one
 * integration share one bridge GET, and circuit breakers skip a failing bridge for a pause, after
 * one timeout (single flight makes a hanging bridge fail once per 10 s) or 5 other failures.
 */
/**
 * Made once: a stack captured per read cost more than the rest of such a read (bench/ scenario 2),
 * and a status read only logs it at debug level.
 */
const CIRCUIT_OPEN = new BridgeGatewayError({ kind: 'unreachable', detail: 'bridge circuit open' });
const TRIAL_IN_FLIGHT = new BridgeGatewayError({ kind: 'unreachable', detail: 'bridge circuit half-open: trial read in flight' });

@Injectable()
export class LiveStatusReader {
  private readonly logger = new Logger('LiveStatus');
  private readonly inFlight = new Map<string, Promise<IntegrationObject | null>>();
  private readonly policy: IPolicy;
  private readonly breakers: CircuitBreakerPolicy[];
  /** Until when (performance.now()) a circuit stays open: reads skip cockatiel altogether. */
  private openUntil = 0;

  constructor(
    private readonly gateway: BridgeGateway,
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

  /** The live integration, null when the bridge does not know it; throws when it is unavailable. */
  read(bridgeIntegrationId: string): Promise<IntegrationObject | null> {
    // A read in flight is joined only while the circuits are closed: otherwise it is the half-open
    // trial, which may hang for the whole timeout. Open: answer at once, without asking cockatiel.
    if (performance.now() < this.openUntil) return Promise.reject(CIRCUIT_OPEN);
    const pending = this.inFlight.get(bridgeIntegrationId);
    if (pending && this.breakers.every((b) => b.state === CircuitState.Closed)) return pending;
    // cockatiel makes callers wait for a half-open trial; a status read must not.
    if (this.breakers.some((b) => b.state === CircuitState.HalfOpen)) return Promise.reject(TRIAL_IN_FLIGHT);
    const read = this.policy
      .execute(() => this.gateway.get(bridgeIntegrationId))
      .catch((err: unknown) => {
        if (err instanceof BrokenCircuitError) throw CIRCUIT_OPEN;
        throw err;
      })
      .finally(() => {
        if (this.inFlight.get(bridgeIntegrationId) === read) this.inFlight.delete(bridgeIntegrationId);
      });
    if (!pending) this.inFlight.set(bridgeIntegrationId, read);
    return read;
  }
}
