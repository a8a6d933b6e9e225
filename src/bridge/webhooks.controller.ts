import { Controller, HttpCode, Param, Post, Req, UseFilters } from '@nestjs/common';
import type { Request } from 'express';
import { BridgeError } from './bridge.errors.js';
import { BridgeExceptionFilter } from './bridge-exception.filter.js';
import { rawBodyOf } from '../common/http/raw-body.js';
import { type WebhookOutcome, WebhooksService } from './webhooks.service.js';

/** The inbox's webhook_url, called by Chatwoot: authenticated by the secret in the URL and the signature, not BRIDGE_TOKEN. */
@Controller('v1/webhooks')
@UseFilters(BridgeExceptionFilter)
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post(':integrationId/:secret')
  @HttpCode(200)
  async receiveChatwootWebhook(
    @Param('integrationId') integrationId: string,
    @Param('secret') secret: string,
    @Req() req: Request,
  ): Promise<{ status: WebhookOutcome }> {
    const raw = rawBodyOf(req);
    if (raw === 'too_large') throw new BridgeError('invalid_request', 'request body too large');
    if (raw === 'unreadable') throw new BridgeError('invalid_request', 'request body could not be read');
    // The capture the module registers did not run: a wiring bug, logged as such.
    if (raw === undefined) throw new Error('webhook raw body capture is not installed');
    const status = await this.webhooks.receive({
      integrationId,
      secret,
      timestamp: header(req, 'x-chatwoot-timestamp'),
      signature: header(req, 'x-chatwoot-signature'),
      rawBody: raw,
    });
    return { status };
  }
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}
