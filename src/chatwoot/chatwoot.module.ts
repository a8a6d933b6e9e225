import { Module } from '@nestjs/common';
import { BridgeGatewayModule } from '../bridge-gateway/bridge-gateway.module.js';
import { InstancesModule } from '../instances/instances.module.js';
import { LeasesModule } from '../leases/leases.module.js';
import { ActivationAttempts } from './activation-attempts.js';
import { ChatwootEnabledGuard } from './chatwoot-enabled.guard.js';
import { ChatwootWorker } from './chatwoot-worker.js';
import { ChatwootController } from './chatwoot.controller.js';
import { ChatwootRepository } from './chatwoot.repository.js';
import { ChatwootService } from './chatwoot.service.js';
import { InstanceLock } from './instance-lock.js';

@Module({
  imports: [InstancesModule, BridgeGatewayModule, LeasesModule],
  controllers: [ChatwootController],
  providers: [ChatwootService, ChatwootRepository, ChatwootWorker, ChatwootEnabledGuard, InstanceLock, ActivationAttempts],
})
export class ChatwootModule {}
