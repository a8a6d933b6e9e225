import { Injectable } from '@nestjs/common';
import { API_CHANNEL_TYPE, ChatwootClient, type ChatwootInbox, type ChatwootTarget } from './chatwoot-client.js';

/** The inbox an integration routes through. */
export interface ResolvedInbox {
  id: number;
  name: string;
  /** Chatwoot's webhook signing key, when Chatwoot showed it (4.13+, administrators). */
  signingSecret: string | null;
}

/**
 * The API-channel inbox named `name` to reuse, or null. Only `Channel::Api` inboxes qualify: an
 * inbox of another channel (a website widget, a WhatsApp Cloud number) has its own traffic and
 * cannot take the bridge's webhook. Among several, the one already pointing at this integration
 * wins, then the oldest, so that repeating a provisioning always lands on the same inbox.
 */
export function pickReusableInbox(inboxes: ChatwootInbox[], name: string, webhookUrl: string): ChatwootInbox | null {
  const candidates = inboxes.filter((i) => i.channelType === API_CHANNEL_TYPE && i.name === name);
  if (candidates.length === 0) return null;
  return candidates.find((i) => i.webhookUrl === webhookUrl) ?? candidates.reduce((a, b) => (b.id < a.id ? b : a));
}

@Injectable()
export class InboxResolver {
  constructor(private readonly chatwoot: ChatwootClient) {}

  /**
   * BRIDGE-API §2: verifies the token and the account by listing the account's inboxes, then
   * reuses the API inbox named `name` (pointing its webhook at this integration) or creates it.
   * Chatwoot errors propagate as ChatwootCallError.
   */
  async resolve(target: ChatwootTarget, name: string, webhookUrl: string): Promise<ResolvedInbox> {
    const inboxes = await this.chatwoot.listInboxes(target);
    const existing = pickReusableInbox(inboxes, name, webhookUrl);
    const inbox = !existing
      ? await this.chatwoot.createApiInbox(target, name, webhookUrl)
      : existing.webhookUrl !== webhookUrl
        ? await this.chatwoot.setInboxWebhookUrl(target, existing.id, webhookUrl)
        : existing;
    return { id: inbox.id, name: inbox.name, signingSecret: inbox.secret };
  }
}
