import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Dispatcher } from 'undici';
import { AccountSlots } from './account-slots.js';
import { BridgeGateway } from './bridge-gateway.service.js';
import { BRIDGE_DISPATCHER, createBridgeDispatcher } from './dispatcher.js';
import { LiveStatusReader } from './live-status.js';

@Module({
  providers: [
    { provide: BRIDGE_DISPATCHER, useFactory: createBridgeDispatcher },
    { provide: AccountSlots, useFactory: () => new AccountSlots() },
    BridgeGateway,
    LiveStatusReader,
  ],
  exports: [BridgeGateway, LiveStatusReader, AccountSlots],
})
export class BridgeGatewayModule implements OnApplicationShutdown {
  constructor(@Inject(BRIDGE_DISPATCHER) private readonly dispatcher: Dispatcher) {}

  /** In-flight calls have finished by now (the HTTP server drained first): drop the idle sockets. */
  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.destroy();
  }
}
