import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Fleet } from '../leases/fleet.js';
import { EventLog } from './event-log.js';

const EVERY_MS = 10 * 60_000;

/** Applies EVENT_RETENTION_HOURS (SPEC-MESSAGING §10) at start and every ten minutes, on one process of the fleet. */
@Injectable()
export class EventPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EventPruner');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly log: EventLog,
    private readonly fleet: Fleet,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.run(), EVERY_MS);
    this.timer.unref();
    void this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  run(): Promise<void> {
    this.running ??= this.fleet
      .runsJob('event-pruning')
      .then((mine) => (mine ? this.log.prune() : 0))
      .then((n) => void (n > 0 && this.logger.log(`pruned ${n} events older than the retention`)))
      .catch((err: Error) => this.logger.warn(`pruning failed: ${err.message}`))
      .finally(() => (this.running = null));
    return this.running;
  }
}
