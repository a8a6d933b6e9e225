import { Body, Controller, Header, Delete, Get, HttpCode, Param, Post, Query, UseFilters } from '@nestjs/common';
import { ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RequireToken } from '../common/auth/auth.guard.js';
import { CurrentPrincipal } from '../common/auth/current-principal.decorator.js';
import type { AccountPrincipal } from '../common/auth/principal.js';
import { JsonBodyPipe } from '../common/http/json-body.pipe.js';
import { ApiEndpoint } from '../openapi/api-endpoint.decorator.js';
import { CreateInstanceDto, isIgnoredInstanceField } from './dto/create-instance.dto.js';
import {
  type CreatedInstanceResponse, DELETED_INSTANCE_RESPONSE, type DeletedInstanceResponse, type InstanceListResponse,
  toCreatedInstanceResponse, toInstanceListResponse,
} from './dto/instance.response.js';
import { BODY_ERROR_PREFIX } from './instances.errors.js';
import { InstancesExceptionFilter } from './instances.filter.js';
import { CREATE_INSTANCE, DELETE_INSTANCE, LIST_INSTANCES } from './instances.openapi.js';
import { InstancesService } from './instances.service.js';

/** SPEC §4. */
@Controller('api/instance')
@ApiTags('instances')
@UseFilters(InstancesExceptionFilter)
export class InstancesController {
  constructor(private readonly instances: InstancesService) {}

  @Post('new')
  @HttpCode(201)
  // The answer holds a token shown only here (SPEC §7): no cache may keep it.
  @Header('Cache-Control', 'no-store')
  @RequireToken('account')
  @ApiEndpoint(CREATE_INSTANCE)
  async createInstance(
    @CurrentPrincipal() principal: AccountPrincipal,
    @Body(new JsonBodyPipe(CreateInstanceDto, BODY_ERROR_PREFIX, isIgnoredInstanceField)) body: CreateInstanceDto,
  ): Promise<CreatedInstanceResponse> {
    return toCreatedInstanceResponse(await this.instances.create(principal, body));
  }

  @Get('list')
  @RequireToken('any')
  @ApiEndpoint(LIST_INSTANCES)
  @ApiQuery({
    name: 'instanceName',
    required: false,
    type: String,
    description: 'Comma-separated instance names (TokenAccount only).',
    example: 'suporte,vendas',
  })
  async listInstances(
    @CurrentPrincipal() principal: AccountPrincipal,
    @Query('instanceName') instanceName?: string,
  ): Promise<InstanceListResponse> {
    return toInstanceListResponse(await this.instances.list(principal, typeof instanceName === 'string' ? instanceName : undefined));
  }

  @Delete('delete/:instance')
  @RequireToken('account')
  @ApiEndpoint(DELETE_INSTANCE)
  @ApiParam({ name: 'instance', type: String, description: 'The instance name.', example: 'suporte' })
  async deleteInstance(
    @CurrentPrincipal() principal: AccountPrincipal,
    @Param('instance') name: string,
  ): Promise<DeletedInstanceResponse> {
    await this.instances.delete(principal, name);
    return DELETED_INSTANCE_RESPONSE;
  }
}
