import { Controller, Get } from '@nestjs/common';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { HttpError } from '../common/errors/http-error.js';
import { ShutdownState } from './shutdown-state.js';

/** Liveness and readiness (SPEC §7): no auth, no rate limit, not under /api. */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly shutdown: ShutdownState,
  ) {}

  @Get('healthz')
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readiness(): Promise<{ status: 'ok'; checks: { database: 'up' } }> {
    if (this.shutdown.isShuttingDown) throw new HttpError(503, 'Not ready: shutting down');
    try {
      await this.health.check([() => this.db.pingCheck('database').withTimeout(2_000)]);
    } catch {
      throw new HttpError(503, 'Not ready: database unavailable');
    }
    return { status: 'ok', checks: { database: 'up' } };
  }
}
