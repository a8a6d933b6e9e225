import { Controller, Get, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiEndpoint } from '../openapi/api-endpoint.decorator.js';
import { STREAM_EVENTS } from './events.openapi.js';
import type { Request, Response } from 'express';
import { RequireToken } from '../common/auth/auth.guard.js';
import { CurrentPrincipal } from '../common/auth/current-principal.decorator.js';
import type { AccountPrincipal } from '../common/auth/principal.js';
import { HttpError } from '../common/errors/http-error.js';
import { InstancesExceptionFilter } from '../instances/instances.filter.js';
import { InstancesService } from '../instances/instances.service.js';
import { EventSocketServer } from './event-socket.js';
import { EventStream } from './event-stream.js';
import type { LogPosition } from './event-log.js';
import { pendingUpgrade } from './upgrade-routing.js';
import { EventsMessages } from './events.messages.js';


/**
 * `GET /ws/:instance[?after=<seq>]` (SPEC-MESSAGING §10): the instance's events over a WebSocket.
 * Rate limit, auth and ownership are checked before the upgrade, and refused with the envelope.
 */
@Controller('ws')
@ApiTags('events')
@UseFilters(InstancesExceptionFilter)
export class EventsController {
  constructor(
    private readonly instances: InstancesService,
    private readonly stream: EventStream,
    private readonly sockets: EventSocketServer,
  ) {}

  @Get(':instance')
  @RequireToken('messaging')
  @ApiEndpoint(STREAM_EVENTS)
  @ApiParam({ name: 'instance', type: String, description: 'The instance name.', example: 'suporte' })
  @ApiQuery({ name: 'after', required: false, type: 'integer', description: 'Replay the stored events with a greater `seq` first.' })
  @ApiQuery({ name: 'token', required: false, type: String, description: 'The token, for browsers (which cannot set headers on a WebSocket).' })
  async streamEvents(
    @CurrentPrincipal() principal: AccountPrincipal,
    @Param('instance') name: string,
    @Query('after') after: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const instance = await this.instances.resolve(principal, name);
    // Without `after`, only what happens from now on (SPEC-MESSAGING §10 replays only with `after`).
    const afterSeq = after === undefined ? null : typeof after === 'string' && /^\d{1,15}$/.test(after) ? Number(after) : undefined;
    if (afterSeq === undefined) throw new HttpError(400, EventsMessages.badAfter);
    const upgrade = pendingUpgrade(req);
    if (!upgrade) throw new HttpError(426, EventsMessages.upgradeRequired);
    const position = await this.stream.position(instance.id);
    const sink = await this.sockets.accept(req, res, upgrade, streamHeaders(position));
    if (!sink) return;
    const subscription = this.stream.open({ instanceId: instance.id, instanceName: instance.name }, afterSeq, sink, position);
    sink.onClose(() => subscription.close());
  }
}

/**
 * Told on the `101` (this project's addition to SPEC-MESSAGING §10): how far the log goes, how far
 * it was pruned (an `after` below it gets `4410`, so a reader resumes from it), and the instance's
 * status when the stream opened (the bridge's `paused`, without waiting for a state change).
 */
function streamHeaders(p: LogPosition): Record<string, string> {
  return {
    'X-Events-Last-Seq': String(p.lastSeq),
    'X-Events-Pruned-Through': String(p.prunedThrough),
    ...(p.status ? { 'X-Instance-Status': p.status } : {}),
  };
}
