import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { BridgeGateway } from './bridge-gateway.service.js';
import { keepAliveAgents } from './connect-timeout-agent.js';
import { LiveStatusReader } from './live-status.js';

const CONNECT_TIMEOUT_MS = 5_000;

@Module({
  imports: [
    // Keep-alive: every status read does a bridge GET; a new TCP connection each time would
    // dominate its latency.
    HttpModule.register({ ...keepAliveAgents(CONNECT_TIMEOUT_MS), proxy: false }),
  ],
  providers: [BridgeGateway, LiveStatusReader],
  exports: [BridgeGateway, LiveStatusReader],
})
export class BridgeGatewayModule {}
