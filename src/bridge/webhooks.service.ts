import { Injectable, Logger } from '@nestjs/common';
import { SecretCipher } from '../common/crypto/secret-cipher.js';
import { constantTimeEquals } from '../common/auth/tokens.js';
import { BridgeError } from './bridge.errors.js';
import { IntegrationsRepository } from './integrations.repository.js';
import { REPLY_REORDER_MS } from './routing/integration-router.js';
import { RoutingService } from './routing/routing.service.js';
import { classifyWebhookEvent, type OutgoingMessage } from './webhook-events.js';
import { checkChatwootSignature } from './webhook-signature.js';

export interface WebhookDelivery {
  integrationId: string;
  /** The last segment of the webhook URL. */
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
}

/** What happened to a delivery; the body of the 200 (Chatwoot does not read it). */
export type WebhookOutcome = 'recorded' | 'duplicate' | 'ignored';

/** The answer to a webhook URL that names no integration, or not with its secret. */
export const UNKNOWN_WEBHOOK = 'no webhook at this URL';

/** Compared against when the integration is unknown; the length of a real secret (32 bytes, base64url). */
const UNKNOWN_SECRET = 'x'.repeat(43);

/** Authentication, filtering and one insert, nothing more: Chatwoot waits 5 s at most and never retries (CONTRACT §6). */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger('BridgeWebhook');
  /**
   * Decrypted webhook secrets by ciphertext: Chatwoot posts an event back for every message the
   * bridge creates, and two AES-GCM decryptions per delivery were as much CPU as routing the
   * message (`npm run bench`, routing). A changed secret is a new ciphertext, so never stale.
   */
  private readonly secrets = new Map<string, string>();

  constructor(
    private readonly repo: IntegrationsRepository,
    private readonly cipher: SecretCipher,
    private readonly routing: RoutingService,
  ) {}

  async receive(delivery: WebhookDelivery): Promise<WebhookOutcome> {
    const row = await this.repo.findWebhookTarget(delivery.integrationId);
    // One answer for an unknown integration and a wrong secret, after the same comparison, so that
    // the route does not tell which integration ids exist.
    const known = constantTimeEquals(delivery.secret, row ? this.decrypt(row.webhookSecretEncrypted) : UNKNOWN_SECRET);
    if (!row || !known) throw new BridgeError('not_found', UNKNOWN_WEBHOOK);
    // Chatwoot before 4.13, or a token that may not read the inbox's secret: the URL secret alone.
    if (row.inboxSigningSecretEncrypted) {
      const check = checkChatwootSignature(
        this.decrypt(row.inboxSigningSecretEncrypted),
        delivery.timestamp,
        delivery.signature,
        delivery.rawBody,
        Math.floor(Date.now() / 1000),
      );
      if (check !== 'valid') {
        this.logger.warn(`integration ${row.id}: webhook refused, signature ${check}`);
        throw new BridgeError('unauthorized', `invalid webhook signature (${check})`);
      }
    }
    let payload: unknown;
    try {
      payload = JSON.parse(delivery.rawBody.toString('utf8'));
    } catch {
      throw new BridgeError('invalid_request', 'malformed JSON');
    }
    const verdict = classifyWebhookEvent(payload, row.inboxId);
    if (verdict.kind === 'updated') {
      // The agent's Retry (CONTRACT §14): a reply recorded as failed is `sent` again.
      if (verdict.status === 'sent' && (await this.repo.retryFailedReply(row.id, verdict.messageId))) {
        this.logger.log(`integration ${row.id}: message ${verdict.messageId} retried by an agent`);
        this.routing.replyRecorded(row.id);
        return 'recorded';
      }
      // The agent's Retry of a reply the bridge never recorded: it was down when Chatwoot sent the
      // reply, and Chatwoot marked it failed (CONTRACT §14). Only replies written since the
      // integration exists: an old message Chatwoot updates for another reason is not sent.
      if (verdict.status === 'sent' && verdict.createdAt !== null && verdict.createdAt >= row.createdAt.getTime()) {
        if (await this.record(row.id, verdict.message, payload)) {
          this.logger.log(`integration ${row.id}: message ${verdict.messageId} retried by an agent; it was never received, recorded now`);
          this.routing.replyRecorded(row.id);
          return 'recorded';
        }
      }
      // Without a status in the event, the router asks Chatwoot (after this answer).
      if (verdict.status === null) this.routing.replyChanged(row.id, verdict.messageId);
      return 'ignored';
    }
    if (verdict.kind === 'deleted') {
      // SPEC-MESSAGING §11: revoked on WhatsApp by the router, in order with the replies.
      if (await this.repo.requestRevoke(row.id, verdict.messageId)) {
        this.logger.log(`integration ${row.id}: message ${verdict.messageId} deleted by an agent; revoking it`);
        this.routing.replyRecorded(row.id);
        return 'recorded';
      }
      return 'ignored';
    }
    if (verdict.kind === 'conversation') {
      this.routing.conversationChanged(row.id, verdict.conversationId);
      return 'ignored';
    }
    if (verdict.kind === 'ignored') {
      this.logger.debug(`integration ${row.id}: webhook ignored (${verdict.why})`);
      return 'ignored';
    }
    const recorded = await this.record(row.id, verdict.message, payload);
    this.logger.log(`integration ${row.id}: message ${verdict.message.messageId} ${recorded ? 'recorded' : 'already recorded'}`);
    if (recorded) this.routing.replyRecorded(row.id);
    return recorded ? 'recorded' : 'duplicate';
  }

  /** A reply stored for routing, once per Chatwoot message; false when it already was. */
  private record(integrationId: string, message: OutgoingMessage, payload: unknown): Promise<boolean> {
    return this.repo.recordOutboundMessage({
      integrationId,
      chatwootMessageId: message.messageId,
      chatwootConversationId: message.conversationId,
      content: message.content,
      payload: payload as Record<string, unknown>,
      notBefore: new Date(Date.now() + REPLY_REORDER_MS),
    });
  }

  private decrypt(ciphertext: string): string {
    let plain = this.secrets.get(ciphertext);
    if (plain === undefined) {
      plain = this.cipher.decrypt(ciphertext);
      if (this.secrets.size >= 10_000) this.secrets.clear();
      this.secrets.set(ciphertext, plain);
    }
    return plain;
  }
}
