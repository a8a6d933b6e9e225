import { Inject, Injectable, Logger } from '@nestjs/common';
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, wrap, type CircuitBreakerPolicy, type IPolicy } from 'cockatiel';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { BridgeGatewayError } from './bridge-gateway.errors.js';
import { BridgeGateway } from './bridge-gateway.service.js';
import type { IntegrationObject } from './bridge-gateway.types.js';

/**
 * Live state for `GET /api/chatwoot/list` (SPEC §5 step 2), which is best effort: local data is
 * always a valid answer. So that a failing bridge cannot make every status read wait for the
 * 10 s timeout:
 * - concurrent reads of one integration share a single bridge GET (single flight);
 * - circuit breakers skip the bridge for a while once it fails: at once after a timeout (with
 *   single flight a hanging bridge produces only one failure per 10 s, so counting several would
 *   keep readers waiting for minutes), after 5 consecutive failures of any other kind. After the
 *   pause one trial read goes through; the others keep answering from local data meanwhile.
 */
/**
 * What every read answers while a circuit is open or its trial is in flight: one error made once.
 * A status read only logs it at debug level, and capturing a stack per read cost more than the
 * rest of such a read (two errors per read, cockatiel's and ours: bench/ scenario 2).
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
    // Join a read in flight only while the circuits are closed: a read in flight otherwise is the
    // half-open trial, which may hang for the whole timeout; the others answer from local data.
    // Open: answer at once, as cockatiel would, without asking it. Once the pause is over, the
    // next read goes through cockatiel, which lets it through as the half-open trial.
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
