import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { BridgeAuthGuard } from './bridge-auth.guard.js';
import { BridgeBodyPipe } from './bridge-body.pipe.js';
import { BridgeError } from './bridge.errors.js';
import { BridgeExceptionFilter } from './bridge-exception.filter.js';
import { IntegrationConfigDto } from './dto/integration-config.dto.js';
import { type IntegrationList, type IntegrationObject, toIntegrationObject } from './dto/integration.response.js';
import { IntegrationsService } from './integrations.service.js';

/** BRIDGE-API §2. */
@Controller('v1/integrations')
@UseGuards(BridgeAuthGuard)
@UseFilters(BridgeExceptionFilter)
export class IntegrationsController {
  constructor(private readonly integrations: IntegrationsService) {}

  /** 201 when new, 200 when the external_id existed (BRIDGE-API §2). */
  @Post()
  async createIntegration(
    @Body(new BridgeBodyPipe(IntegrationConfigDto)) body: IntegrationConfigDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<IntegrationObject> {
    const { integration, created } = await this.integrations.create(body);
    res.status(created ? 201 : 200);
    return toIntegrationObject(integration);
  }

  @Put(':id')
  async replaceIntegration(
    @Param('id') id: string,
    @Body(new BridgeBodyPipe(IntegrationConfigDto)) body: IntegrationConfigDto,
  ): Promise<IntegrationObject> {
    return toIntegrationObject(await this.integrations.replace(id, body));
  }

  @Get(':id')
  async getIntegration(@Param('id') id: string): Promise<IntegrationObject> {
    return toIntegrationObject(await this.integrations.get(id));
  }

  @Get()
  async findIntegrations(@Query('external_id') externalId: unknown): Promise<IntegrationList> {
    if (typeof externalId !== 'string' || externalId === '') {
      throw new BridgeError('invalid_request', 'the external_id query parameter is required');
    }
    return { integrations: (await this.integrations.findByExternalId(externalId)).map(toIntegrationObject) };
  }

  @Delete(':id')
  @HttpCode(204)
  async deleteIntegration(@Param('id') id: string, @Query('delete_inbox') deleteInbox: unknown): Promise<void> {
    await this.integrations.remove(id, parseDeleteInbox(deleteInbox));
  }
}

function parseDeleteInbox(value: unknown): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new BridgeError('invalid_request', 'delete_inbox must be true or false');
}
