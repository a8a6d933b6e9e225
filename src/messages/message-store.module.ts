import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.js';
import { MediaStore } from './media-store.js';
import { MessageStore } from './message-store.js';

/** Where every message and its media are kept (SPEC-MESSAGING §9–§10), below both the WhatsApp side and the API. */
@Module({
  imports: [EventsModule],
  providers: [MessageStore, MediaStore],
  exports: [MessageStore, MediaStore],
})
export class MessageStoreModule {}
