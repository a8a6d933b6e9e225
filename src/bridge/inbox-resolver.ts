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
 * The `Channel::Api` inbox named `name` to reuse, or null (another channel's inbox has its own
 * traffic). Among several, the one pointing at this integration wins, then the oldest, so that a
 * repeated provisioning lands on the same inbox.
 */
export function pickReusableInbox(inboxes: ChatwootInbox[], name: string, webhookUrl: string): ChatwootInbox | null {
  const candidates = inboxes.filter((i) => i.channelType === API_CHANNEL_TYPE && i.name === name);
  if (candidates.length === 0) return null;
  return candidates.find((i) => i.webhookUrl === webhookUrl) ?? candidates.reduce((a, b) => (b.id < a.id ? b : a));
}

@Injectable()
export class InboxResolver {
  constructor(private readonly chatwoot: ChatwootClient) {}

  /** BRIDGE-API §2: lists the inboxes (which verifies token and account), then reuses or creates the API inbox. */
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
