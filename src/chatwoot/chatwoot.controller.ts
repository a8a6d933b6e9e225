import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseFilters } from '@nestjs/common';
import { ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../common/auth/current-principal.decorator.js';
import type { AccountPrincipal } from '../common/auth/principal.js';
import { JsonBodyPipe } from '../common/http/json-body.pipe.js';
import { ApiEndpoint } from '../openapi/api-endpoint.decorator.js';
import { ChatwootRoute } from './chatwoot-enabled.guard.js';
import { settingsOfSetBody } from './chatwoot-settings.js';
import { BODY_ERROR_PREFIX } from './chatwoot.errors.js';
import { ChatwootExceptionFilter } from './chatwoot.filter.js';
import { CHATWOOT_STATUS, DELETE_CHATWOOT, SET_CHATWOOT } from './chatwoot.openapi.js';
import { ChatwootService } from './chatwoot.service.js';
import {
  CHATWOOT_DEACTIVATED, type ChatwootActivatedResponse, type ChatwootDeactivatedResponse, type ChatwootStatusResponse,
  toChatwootActivated, toChatwootStatus,
} from './dto/chatwoot.response.js';
import { SetChatwootDto } from './dto/set-chatwoot.dto.js';

/** SPEC §5. TokenAccount or TokenInstance on every route. */
@Controller('api/chatwoot')
@ApiTags('chatwoot')
@ApiParam({ name: 'instance', type: String, description: 'The instance name (inside the caller\'s account).', example: 'suporte' })
@ChatwootRoute()
@UseFilters(ChatwootExceptionFilter)
export class ChatwootController {
  constructor(private readonly chatwoot: ChatwootService) {}

  @Post('set/:instance')
  @HttpCode(201)
  @ApiEndpoint(SET_CHATWOOT)
  async setChatwoot(
    @CurrentPrincipal() principal: AccountPrincipal,
    @Param('instance') instance: string,
    @Body(new JsonBodyPipe(SetChatwootDto, BODY_ERROR_PREFIX)) body: SetChatwootDto,
  ): Promise<ChatwootActivatedResponse> {
    const { instance: found, row } = await this.chatwoot.set(principal, instance, settingsOfSetBody(body));
    return toChatwootActivated(found.name, row);
  }

  @Get('list/:instance')
  @ApiEndpoint(CHATWOOT_STATUS)
  async getChatwootStatus(@CurrentPrincipal() principal: AccountPrincipal, @Param('instance') instance: string): Promise<ChatwootStatusResponse> {
    const { instance: found, row, live } = await this.chatwoot.status(principal, instance);
    return toChatwootStatus(found.name, row, live);
  }

  @Delete('delete/:instance')
  @ApiEndpoint(DELETE_CHATWOOT)
  @ApiQuery({
    name: 'deleteInbox',
    required: false,
    type: Boolean,
    description: '`true` (or `1`) asks the bridge to delete the Chatwoot inbox too.',
  })
  async deleteChatwoot(
    @CurrentPrincipal() principal: AccountPrincipal,
    @Param('instance') instance: string,
    @Query('deleteInbox') deleteInbox?: string,
  ): Promise<ChatwootDeactivatedResponse> {
    await this.chatwoot.deactivate(principal, instance, typeof deleteInbox === 'string' && /^(true|1)$/i.test(deleteInbox));
    return CHATWOOT_DEACTIVATED;
  }
}

