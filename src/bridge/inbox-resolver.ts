import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { BridgeError } from './bridge.errors.js';
import { API_CHANNEL_TYPE, ChatwootClient, type ChatwootInbox, type ChatwootTarget } from './chatwoot-client.js';
import { IntegrationsRepository } from './integrations.repository.js';

/** The inbox an integration routes through. */
export interface ResolvedInbox {
  id: number;
  name: string;
  /** Chatwoot's webhook signing key, when Chatwoot showed it (4.13+, administrators). */
  signingSecret: string | null;
}

/**
 * The `Channel::Api` inboxes named `name`, in the order they are tried: the one pointing at this
 * integration first, then the oldest, so that a repeated provisioning lands on the same inbox.
 * Another channel's inbox has its own traffic and is never reused.
 */
export function reusableInboxes(inboxes: ChatwootInbox[], name: string, webhookUrl: string): ChatwootInbox[] {
  return inboxes
    .filter((i) => i.channelType === API_CHANNEL_TYPE && i.name === name)
    .sort((a, b) => Number(b.webhookUrl === webhookUrl) - Number(a.webhookUrl === webhookUrl) || a.id - b.id);
}

@Injectable()
export class InboxResolver {
  constructor(
    private readonly chatwoot: ChatwootClient,
    private readonly repo: IntegrationsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * BRIDGE-API §2: lists the inboxes (which verifies token and account), then reuses or creates the
   * API inbox. An inbox that routes for another live integration is never re-pointed (BRIDGE-API §4
   * `inbox_in_use`): its webhook would silently move to this one.
   */
  async resolve(target: ChatwootTarget, name: string, integrationId: string, webhookUrl: string): Promise<ResolvedInbox> {
    const candidates = reusableInboxes(await this.chatwoot.listInboxes(target), name, webhookUrl);
    let existing: ChatwootInbox | null = null;
    for (const candidate of candidates) {
      if (!(await this.ownedByAnother(target, candidate, integrationId))) {
        existing = candidate;
        break;
      }
    }
    if (!existing && candidates.length > 0) {
      throw new BridgeError(
        'inbox_in_use',
        `the API inbox "${name}" (${candidates[0].id}) of Chatwoot account ${target.accountId} routes for another integration`,
      );
    }
    const inbox = !existing
      ? await this.chatwoot.createApiInbox(target, name, webhookUrl)
      : existing.webhookUrl !== webhookUrl
        ? await this.chatwoot.setInboxWebhookUrl(target, existing.id, webhookUrl)
        : existing;
    return { id: inbox.id, name: inbox.name, signingSecret: inbox.secret };
  }

  /**
   * Whether another integration of this bridge routes through the inbox: one whose row names it,
   * or whose webhook URL it calls. A deleted integration has neither, so its inbox is free again.
   */
  private async ownedByAnother(target: ChatwootTarget, inbox: ChatwootInbox, integrationId: string): Promise<boolean> {
    if (await this.repo.existsOtherWithInbox(integrationId, target.baseUrl, target.accountId, inbox.id)) return true;
    const prefix = `${this.config.bridgePublicUrl}/v1/webhooks/`;
    if (!inbox.webhookUrl?.startsWith(prefix)) return false;
    const owner = inbox.webhookUrl.slice(prefix.length).split('/')[0];
    return owner !== integrationId && (await this.repo.findById(owner)) !== null;
  }
}
