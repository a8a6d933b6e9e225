import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';

/** Flips when shutdown begins, so that readiness fails before the server stops (SPEC §7). */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  private shuttingDown = false;

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }
}
