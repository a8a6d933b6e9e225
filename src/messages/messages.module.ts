import { Module } from '@nestjs/common';
import { InstancesModule } from '../instances/instances.module.js';
import { LeasesModule } from '../leases/leases.module.js';
import { WhatsAppModule } from '../whatsapp/whatsapp.module.js';
import { IdempotencyKeys } from './idempotency.js';
import { MessageStoreModule } from './message-store.module.js';
import { MessagesController } from './messages.controller.js';
import { MessagesService } from './messages.service.js';

/** SPEC-MESSAGING §9: the send routes and the media of stored messages. */
@Module({
  imports: [InstancesModule, WhatsAppModule, MessageStoreModule, LeasesModule],
  controllers: [MessagesController],
  providers: [MessagesService, IdempotencyKeys],
})
export class MessagesModule {}
