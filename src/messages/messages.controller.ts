import { Body, Controller, Get, Headers, Param, Post, Res, UseFilters } from '@nestjs/common';
import { ApiHeader, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireToken } from '../common/auth/auth.guard.js';
import { CurrentPrincipal } from '../common/auth/current-principal.decorator.js';
import type { AccountPrincipal } from '../common/auth/principal.js';
import { HttpError } from '../common/errors/http-error.js';
import { JsonBodyPipe } from '../common/http/json-body.pipe.js';
import { InstancesExceptionFilter } from '../instances/instances.filter.js';
import { BODY_ERROR_PREFIX } from '../instances/instances.errors.js';
import { ApiEndpoint } from '../openapi/api-endpoint.decorator.js';
import { MessageExceptionFilter } from '../whatsapp/whatsapp.filter.js';
import {
  IDEMPOTENCY_KEY, IDEMPOTENCY_KEY_MESSAGE, ONE_SOURCE_MESSAGE, RevokeMessageDto, SendMediaDto, SendTextDto,
} from './dto/send-message.dto.js';
import { IdempotencyConflict, type Answer } from './idempotency.js';
import { GET_MEDIA, REVOKE_MESSAGE, SEND_MEDIA, SEND_TEXT } from './messages.openapi.js';
import { MessagesService } from './messages.service.js';

export const IdempotencyMessages = {
  differentRequest: 'Idempotency-Key already used for a different request',
  outcomeUnknown: 'Idempotency-Key already used by a request whose outcome is unknown',
} as const;

const instanceParam = ApiParam({ name: 'instance', type: String, description: 'The instance name.', example: 'suporte' });
const idempotencyHeader = ApiHeader({
  name: 'Idempotency-Key',
  required: false,
  description:
    'A repeat with the same key within 24 h sends nothing and gets the first answer (waiting for it if needed). ' +
    'If the first request\'s process died while WhatsApp was being called: on the Cloud API the key travels to Meta as ' +
    '`biz_opaque_callback_data` (`idempotency-key:<nonce>:<key>`), and the repeat answers 200 with the id Meta reported in its status ' +
    'webhook, or sends the message once CLOUD_SEND_SETTLE_SECONDS passed without one (409 when no webhook of Meta reached the server ' +
    'for that number in 24 h); on Baileys it answers 409.',
  schema: { type: 'string', pattern: IDEMPOTENCY_KEY.source },
});

/** SPEC-MESSAGING §9: sending, and the media of stored messages. */
@Controller('api/message')
@ApiTags('messages')
@UseFilters(InstancesExceptionFilter, MessageExceptionFilter)
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Post('text/:instance')
  @RequireToken('messaging')
  @ApiEndpoint(SEND_TEXT)
  @instanceParam
  @idempotencyHeader
  async sendText(
    @CurrentPrincipal() principal: AccountPrincipal,
    @Param('instance') name: string,
    @Body(new JsonBodyPipe(SendTextDto, BODY_ERROR_PREFIX)) body: SendTextDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    checkKey(key);
    reply(res, await this.idempotent(() => this.messages.sendText(principal, name, body, key)));
  }

  @Post('media/:instance')
  @RequireToken('messaging')
  @ApiEndpoint(SEND_MEDIA)
  @instanceParam
  @idempotencyHeader
  async sendMedia(
    @CurrentPrincipal() principal: AccountPrincipal,
    @Param('instance') name: string,
    @Body(new JsonBodyPipe(SendMediaDto, BODY_ERROR_PREFIX)) body: SendMediaDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    if ((body.mediaUrl === undefined) === (body.mediaBase64 === undefined)) throw new HttpError(400, `${BODY_ERROR_PREFIX}: ${ONE_SOURCE_MESSAGE}`);
    checkKey(key);
    reply(res, await this.idempotent(() => this.messages.sendMedia(principal, name, body, key)));
  }

  @Post('revoke/:instance')
  @RequireToken('messaging')
  @ApiEndpoint(REVOKE_MESSAGE)
  @instanceParam
  async revokeMessage(
    @CurrentPrincipal() principal: AccountPrincipal,
    @Param('instance') name: string,
    @Body(new JsonBodyPipe(RevokeMessageDto, BODY_ERROR_PREFIX)) body: RevokeMessageDto,
    @Res() res: Response,
  ): Promise<void> {
    reply(res, await this.messages.revoke(principal, name, body));
  }

  @Get('media/:instance/:messageId')
  @RequireToken('messaging')
  @ApiEndpoint(GET_MEDIA)
  @instanceParam
  @ApiParam({ name: 'messageId', type: String, description: "The provider's message id, as in the event." })
  async getMedia(
    @CurrentPrincipal() principal: AccountPrincipal,
    @Param('instance') name: string,
    @Param('messageId') messageId: string,
    @Res() res: Response,
  ): Promise<void> {
    const media = await this.messages.downloadMedia(principal, name, messageId);
    res.status(200).type(media.mimetype);
    if (media.size !== null) res.setHeader('Content-Length', String(media.size));
    if (media.fileName) res.setHeader('Content-Disposition', `inline; filename*=UTF-8''${encodeURIComponent(media.fileName)}`);
    res.setHeader('Cache-Control', 'private, max-age=86400');
    for await (const chunk of media.chunks) {
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  }

  private async idempotent(send: () => Promise<Answer>): Promise<Answer> {
    try {
      return await send();
    } catch (err) {
      if (!(err instanceof IdempotencyConflict)) throw err;
      throw new HttpError(409, err.kind === 'different_request' ? IdempotencyMessages.differentRequest : IdempotencyMessages.outcomeUnknown);
    }
  }
}

function checkKey(key: string | undefined): void {
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) throw new HttpError(400, `${BODY_ERROR_PREFIX}: ${IDEMPOTENCY_KEY_MESSAGE}`);
}

function reply(res: Response, answer: Answer): void {
  res.status(answer.status).json(answer.body);
}
