import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseFilters } from '@nestjs/common';
import { CurrentPrincipal } from '../common/auth/current-principal.decorator.js';
import type { AccountPrincipal } from '../common/auth/principal.js';
import { JsonBodyPipe } from '../common/http/json-body.pipe.js';
import { ChatwootRoute } from './chatwoot-enabled.guard.js';
import { withDefaults } from './chatwoot-settings.js';
import { ChatwootExceptionFilter } from './chatwoot.filter.js';
import { ChatwootService } from './chatwoot.service.js';
import {
  CHATWOOT_DEACTIVATED, type ChatwootActivatedResponse, type ChatwootStatusResponse, toChatwootActivated, toChatwootStatus,
} from './dto/chatwoot.response.js';
import { SetChatwootDto } from './dto/set-chatwoot.dto.js';

/** SPEC §5. TokenAccount or TokenInstance on every route. */
@Controller('api/chatwoot')
@ChatwootRoute()
@UseFilters(ChatwootExceptionFilter)
export class ChatwootController {
  constructor(private readonly chatwoot: ChatwootService) {}

  @Post('set/:instance')
  @HttpCode(201)
  async setChatwoot(
    @CurrentPrincipal() principal: AccountPrincipal,
    @Param('instance') instance: string,
    @Body(new JsonBodyPipe(SetChatwootDto, 'invalid body')) body: SetChatwootDto,
  ): Promise<ChatwootActivatedResponse> {
    const { instance: found, row } = await this.chatwoot.set(principal, instance, withDefaults(body));
    return toChatwootActivated(found.name, row);
  }

  @Get('list/:instance')
  async getChatwootStatus(@CurrentPrincipal() principal: AccountPrincipal, @Param('instance') instance: string): Promise<ChatwootStatusResponse> {
    const { instance: found, row, live } = await this.chatwoot.status(principal, instance);
    return toChatwootStatus(found.name, row, live);
  }

  @Delete('delete/:instance')
  async deleteChatwoot(
    @CurrentPrincipal() principal: AccountPrincipal,
    @Param('instance') instance: string,
    @Query('deleteInbox') deleteInbox?: string,
  ): Promise<typeof CHATWOOT_DEACTIVATED> {
    await this.chatwoot.deactivate(principal, instance, typeof deleteInbox === 'string' && /^(true|1)$/i.test(deleteInbox));
    return CHATWOOT_DEACTIVATED;
  }
}

