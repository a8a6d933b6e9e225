import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseFilters } from '@nestjs/common';
import { RequireToken } from '../common/auth/auth.guard.js';
import { CurrentPrincipal } from '../common/auth/current-principal.decorator.js';
import type { AccountPrincipal } from '../common/auth/principal.js';
import { JsonBodyPipe } from '../common/http/json-body.pipe.js';
import { CreateInstanceDto, isIgnoredInstanceField } from './dto/create-instance.dto.js';
import {
  CreatedInstanceResponse, DELETED_INSTANCE_RESPONSE, DeletedInstanceResponse, InstanceListResponse,
  toCreatedInstanceResponse, toInstanceListResponse,
} from './dto/instance.response.js';
import { InstancesExceptionFilter } from './instances.filter.js';
import { InstancesService } from './instances.service.js';

/** SPEC §4. */
@Controller('api/instance')
@UseFilters(InstancesExceptionFilter)
export class InstancesController {
  constructor(private readonly instances: InstancesService) {}

  @Post('new')
  @HttpCode(201)
  @RequireToken('account')
  async createInstance(
    @CurrentPrincipal() principal: AccountPrincipal,
    @Body(new JsonBodyPipe(CreateInstanceDto, 'Invalid request body', isIgnoredInstanceField)) body: CreateInstanceDto,
  ): Promise<CreatedInstanceResponse> {
    return toCreatedInstanceResponse(await this.instances.create(principal, body));
  }

  @Get('list')
  @RequireToken('any')
  async listInstances(
    @CurrentPrincipal() principal: AccountPrincipal,
    @Query('instanceName') instanceName?: string,
  ): Promise<InstanceListResponse> {
    return toInstanceListResponse(await this.instances.list(principal, typeof instanceName === 'string' ? instanceName : undefined));
  }

  @Delete('delete/:instance')
  @RequireToken('account')
  async deleteInstance(
    @CurrentPrincipal() principal: AccountPrincipal,
    @Param('instance') name: string,
  ): Promise<DeletedInstanceResponse> {
    await this.instances.delete(principal, name);
    return DELETED_INSTANCE_RESPONSE;
  }
}
