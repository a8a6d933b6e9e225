import { Module } from '@nestjs/common';
import { InstancesModule } from '../instances/instances.module.js';
import { LeasesModule } from '../leases/leases.module.js';
import { EventLog } from './event-log.js';
import { EventPruner } from './event-pruner.js';
import { EventSocketServer } from './event-socket.js';
import { EventStream } from './event-stream.js';
import { EventsController } from './events.controller.js';
import { UpgradeRouting } from './upgrade-routing.js';

/** Each instance's event log and its WebSocket stream (SPEC-MESSAGING §10). */
@Module({
  imports: [InstancesModule, LeasesModule],
  controllers: [EventsController],
  providers: [EventLog, EventStream, EventSocketServer, UpgradeRouting, EventPruner],
  exports: [EventLog],
})
export class EventsModule {}
