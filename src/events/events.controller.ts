import { Controller, Get, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireToken } from '../common/auth/auth.guard.js';
import { CurrentPrincipal } from '../common/auth/current-principal.decorator.js';
import type { AccountPrincipal } from '../common/auth/principal.js';
import { HttpError } from '../common/errors/http-error.js';
import { InstancesExceptionFilter } from '../instances/instances.filter.js';
import { InstancesService } from '../instances/instances.service.js';
import { EventSocketServer } from './event-socket.js';
import { EventStream } from './event-stream.js';
import { pendingUpgrade } from './upgrade-routing.js';

export const EventsMessages = {
  badAfter: 'Invalid query: after must be a non-negative integer',
  upgradeRequired: 'WebSocket upgrade required',
} as const;

/**
 * `GET /ws/:instance[?after=<seq>]` (SPEC-MESSAGING §10): the instance's events over a WebSocket.
 * Rate limit, auth and ownership are checked before the upgrade, and refused with the envelope.
 */
@Controller('ws')
@ApiExcludeController()
@UseFilters(InstancesExceptionFilter)
export class EventsController {
  constructor(
    private readonly instances: InstancesService,
    private readonly stream: EventStream,
    private readonly sockets: EventSocketServer,
  ) {}

  @Get(':instance')
  @RequireToken('any')
  async streamEvents(
    @CurrentPrincipal() principal: AccountPrincipal,
    @Param('instance') name: string,
    @Query('after') after: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const instance = await this.instances.resolve(principal, name);
    const afterSeq = after === undefined ? 0 : typeof after === 'string' && /^\d{1,15}$/.test(after) ? Number(after) : null;
    if (afterSeq === null) throw new HttpError(400, EventsMessages.badAfter);
    const upgrade = pendingUpgrade(req);
    if (!upgrade) throw new HttpError(426, EventsMessages.upgradeRequired);
    const sink = await this.sockets.accept(req, res, upgrade);
    const subscription = await this.stream.open({ instanceId: instance.id, instanceName: instance.name }, afterSeq, sink);
    sink.onClose(() => subscription.close());
  }
}
