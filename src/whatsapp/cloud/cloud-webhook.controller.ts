import { Controller, Get, HttpCode, Logger, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { errorEnvelope } from '../../common/errors/envelope.js';
import { ErrorEnvelope } from '../../openapi/error-envelope.dto.js';
import type { Request, Response } from 'express';
import { DataSource, In } from 'typeorm';
import { hashToken } from '../../common/auth/tokens.js';
import { SecretCipher } from '../../common/crypto/secret-cipher.js';
import { HttpError, Messages } from '../../common/errors/http-error.js';
import { rawBodyOf } from '../../common/http/raw-body.js';
import { Instance } from '../../instances/instance.entity.js';
import { MessageStore } from '../../messages/message-store.js';
import { parseCloudWebhook, verifyMetaSignature } from './cloud-webhook.js';

export const CLOUD_WEBHOOK_PATH = '/webhooks/whatsapp-cloud';
/** Meta batches up to 1,000 updates in one POST. */
export const CLOUD_WEBHOOK_BODY_LIMIT = 4 * 1024 * 1024;

/**
 * Meta's webhooks for Cloud API instances (SPEC-MESSAGING §8): no token, no rate limit. A POST is
 * answered 200 only once its messages and statuses are durably stored with their events, and
 * never after anything slower (Chatwoot, media downloads) was done: Meta retries whatever is not
 * acknowledged, for days, and its retries meet the stored wamids and change nothing.
 */
@Controller(CLOUD_WEBHOOK_PATH.slice(1))
@ApiTags('webhooks')
export class CloudWebhookController {
  private readonly logger = new Logger('CloudWebhook');

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: SecretCipher,
    private readonly store: MessageStore,
  ) {}

  /** The subscription handshake: `hub.challenge` back when `hub.verify_token` is a Cloud instance's. */
  @Get()
  @ApiOperation({
    summary: "Meta's webhook subscription handshake",
    description: 'Answers `hub.challenge` when `hub.verify_token` is the `cloudVerifyToken` of a Cloud API instance. No token, no rate limit.',
  })
  @ApiQuery({ name: 'hub.mode', required: true, type: String, example: 'subscribe' })
  @ApiQuery({ name: 'hub.verify_token', required: true, type: String })
  @ApiQuery({ name: 'hub.challenge', required: true, type: String })
  @ApiProduces('text/plain')
  @ApiResponse({ status: 200, description: 'The challenge, as text/plain', schema: { type: 'string' } })
  @ApiResponse({ status: 403, type: ErrorEnvelope, description: '`Forbidden` — not a subscribe request, or no instance has that verify token', example: errorEnvelope('Forbidden') })
  async verifyCloudWebhook(@Query() query: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const token = query['hub.verify_token'];
    const challenge = query['hub.challenge'];
    if (query['hub.mode'] !== 'subscribe' || typeof token !== 'string' || typeof challenge !== 'string' || token === '') {
      throw new HttpError(403, 'Forbidden');
    }
    const known = await this.dataSource.getRepository(Instance).existsBy({ provider: 'cloud', cloudVerifyTokenHash: hashToken(token) });
    if (!known) throw new HttpError(403, 'Forbidden');
    res.status(200).type('text/plain').send(challenge);
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: "Meta's webhook: messages and statuses of Cloud API instances",
    description:
      "Meta's `{\"object\": \"whatsapp_business_account\", \"entry\": [...]}`, signed with `X-Hub-Signature-256` " +
      "(`sha256=<hex HMAC-SHA256 of the raw body>`) by the app secret of every instance it names. Answered `200` once the " +
      'messages and statuses of connected instances are stored with their events; unknown phone number ids and ' +
      'logged-out instances are ignored, and a body that names no known instance gets `200` with nothing processed. ' +
      'A `wamid` already stored changes nothing. No token, no rate limit.',
  })
  @ApiResponse({ status: 200, description: 'Stored (or nothing to store)', schema: { type: 'object', properties: { success: { type: 'boolean', enum: [true] } }, required: ['success'] } })
  @ApiResponse({ status: 401, type: ErrorEnvelope, description: '`Invalid signature` — the signature does not verify with the app secret of an instance the body names; nothing is processed', example: errorEnvelope('Invalid signature') })
  @ApiResponse({ status: 413, type: ErrorEnvelope, description: '`Request body too large` — over 4 MiB', example: errorEnvelope('Request body too large') })
  async receiveCloudWebhook(@Req() req: Request): Promise<{ success: true }> {
    const raw = rawBodyOf(req);
    if (raw === 'too_large') throw new HttpError(413, Messages.tooLarge);
    if (raw === 'unreadable' || raw === undefined) throw new HttpError(400, 'Bad request');
    const parsed = parseCloudWebhook(raw);
    if (!parsed.ok) {
      // Names no instance: nothing to verify, nothing to store; a 4xx would only make Meta retry.
      this.logger.debug(`webhook ignored: ${parsed.reason}`);
      return { success: true };
    }
    const ids = [...new Set(parsed.batches.map((b) => b.phoneNumberId))];
    const instances = ids.length
      ? await this.dataSource.getRepository(Instance).findBy({ provider: 'cloud', cloudPhoneNumberId: In(ids) })
      : [];
    const signature = typeof req.headers['x-hub-signature-256'] === 'string' ? req.headers['x-hub-signature-256'] : undefined;
    // Every instance the body names must have signed it, or nothing of it is processed.
    for (const instance of instances) {
      if (!instance.cloudAppSecret || !verifyMetaSignature(raw, signature, this.cipher.decrypt(instance.cloudAppSecret))) {
        throw new HttpError(401, 'Invalid signature');
      }
    }
    const byNumber = new Map(instances.map((i) => [i.cloudPhoneNumberId!, i]));
    // Meta's webhooks reach this server for these numbers: what lets a send in flight at a crash be
    // sent again for want of a status (idempotency.ts).
    await this.store.webhookReached(instances);
    for (const batch of parsed.batches) {
      const instance = byNumber.get(batch.phoneNumberId);
      for (const error of batch.errors) this.logger.warn(`phone number ${batch.phoneNumberId}: Meta reports ${error}`);
      // Unknown numbers, and instances logged out (not connected), are ignored.
      if (!instance || instance.status !== 'connected') continue;
      await this.store.messages(instance, batch.messages);
      await this.store.statuses(instance, batch.statuses);
      if (batch.skipped.length) this.logger.debug(`${instance.name}: ${batch.skipped.join('; ')}`);
    }
    return { success: true };
  }
}
