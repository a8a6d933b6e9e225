import { Controller, Delete, Get, HttpCode, Param, Post, Query, UseFilters } from '@nestjs/common';
import { ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import QRCode from 'qrcode';
import { RequireToken } from '../common/auth/auth.guard.js';
import { CurrentPrincipal } from '../common/auth/current-principal.decorator.js';
import type { AccountPrincipal } from '../common/auth/principal.js';
import { HttpError } from '../common/errors/http-error.js';
import { InstancesExceptionFilter } from '../instances/instances.filter.js';
import { InstancesService } from '../instances/instances.service.js';
import { ApiEndpoint } from '../openapi/api-endpoint.decorator.js';
import { ConnectResponse, LogoutResponse, ReconnectResponse } from './dto/connection.response.js';
import { CONNECT_INSTANCE, LOGOUT_INSTANCE, RECONNECT_INSTANCE } from './whatsapp.openapi.js';
import { ConnectionExceptionFilter, WhatsAppMessages } from './whatsapp.filter.js';
import type { ConnectOutcome } from './whatsapp.port.js';
import { WhatsAppService } from './whatsapp.service.js';

const instanceParam = ApiParam({ name: 'instance', type: String, description: 'The instance name.', example: 'suporte' });

/** SPEC-MESSAGING §8: an instance's WhatsApp connection. */
@Controller('api/instance')
@ApiTags('instances')
@UseFilters(InstancesExceptionFilter, ConnectionExceptionFilter)
export class ConnectionController {
  constructor(
    private readonly instances: InstancesService,
    private readonly whatsapp: WhatsAppService,
  ) {}

  @Get('connect/:instance')
  @RequireToken('any')
  @ApiEndpoint(CONNECT_INSTANCE)
  @instanceParam
  @ApiQuery({ name: 'phone', required: false, type: String, description: 'Baileys: a pairing code for this phone number (digits) instead of a QR code.' })
  async connectInstance(
    @CurrentPrincipal() principal: AccountPrincipal,
    @Param('instance') name: string,
    @Query('phone') phone?: unknown,
  ): Promise<ConnectResponse> {
    const instance = await this.instances.resolve(principal, name);
    // A `+` in a query string arrives as a space unless encoded (%2B): both are accepted.
    const digits = phone === undefined ? undefined : typeof phone === 'string' ? phone.trim().replace(/^\+/, '') : null;
    if (digits === null || (digits !== undefined && !/^\d{8,15}$/.test(digits))) throw new HttpError(400, WhatsAppMessages.badPhoneQuery);
    return toConnectResponse(await this.whatsapp.connect(instance, digits));
  }

  @Post('reconnect/:instance')
  @HttpCode(200)
  @RequireToken('any')
  @ApiEndpoint(RECONNECT_INSTANCE)
  @instanceParam
  async reconnectInstance(@CurrentPrincipal() principal: AccountPrincipal, @Param('instance') name: string): Promise<ReconnectResponse> {
    const instance = await this.instances.resolve(principal, name);
    const outcome = await this.whatsapp.reconnect(instance);
    return outcome.status === 'connected'
      ? { success: true, message: 'Instance connected', status: 'connected' }
      : { success: true, message: 'Instance reconnecting', status: 'connecting' };
  }

  @Delete('logout/:instance')
  @RequireToken('any')
  @ApiEndpoint(LOGOUT_INSTANCE)
  @instanceParam
  async logoutInstance(@CurrentPrincipal() principal: AccountPrincipal, @Param('instance') name: string): Promise<LogoutResponse> {
    const instance = await this.instances.resolve(principal, name);
    await this.whatsapp.logout(instance);
    return { success: true, message: 'Instance logged out', instance: { name: instance.name, status: 'disconnected' } };
  }
}

async function toConnectResponse(outcome: ConnectOutcome): Promise<ConnectResponse> {
  switch (outcome.status) {
    case 'connected':
      return { success: true, message: outcome.already ? 'Instance already connected' : 'Instance connected', status: 'connected' };
    case 'qr_ready':
      return {
        success: true,
        message: 'Scan the QR code with WhatsApp',
        status: 'qr_ready',
        qrCode: outcome.qrCode,
        qrCodeBase64: await QRCode.toDataURL(outcome.qrCode, { type: 'image/png', errorCorrectionLevel: 'M', margin: 2, width: 320 }),
      };
    case 'pairing_code':
      return { success: true, message: 'Enter the pairing code in WhatsApp', status: 'pairing_code', pairingCode: outcome.pairingCode };
    case 'connecting':
      // A saved session that is reconnecting by itself: the phone is paired already.
      return { success: true, message: 'Instance reconnecting', status: 'connecting' };
  }
}
