import { Injectable } from '@nestjs/common';
import { ChatwootClient, type ChatwootTarget, MultipartBody } from '../chatwoot-client.js';
import { ChatwootHttpError, unexpectedJson } from '../chatwoot-errors.js';

export type ConversationStatus = 'open' | 'resolved' | 'pending' | 'snoozed';

export interface ChatwootConversation {
  /** The display id: what every conversation path takes. */
  id: number;
  inboxId: number;
  status: ConversationStatus;
  lastActivityAt: number;
}

export interface ChatwootMessage {
  id: number;
  sourceId: string | null;
  status: string | null;
}

export interface NewMessage {
  content: string;
  messageType: 'incoming' | 'outgoing';
  sourceId: string;
  inReplyTo?: number;
  attachments?: Array<{ fileName: string; contentType: string; data: Buffer }>;
}

/** The contact fields a chat gives (SPEC-MESSAGING §11 "Contact"). */
export interface ContactFields {
  identifier: string;
  phoneNumber: string | null;
  name: string;
}

/**
 * The Application API calls of routing (CONTRACT §3–§5, §10–§13), each a named method over the
 * bridge's Chatwoot client (its deadline, address policy and error classification).
 */
@Injectable()
export class ChatwootConversations {
  constructor(private readonly client: ChatwootClient) {}

  /** The account's contact whose `field` equals `value` exactly, or null. */
  async findContact(t: ChatwootTarget, field: 'identifier' | 'phone_number', value: string): Promise<number | null> {
    const body = (await this.client.request(t, 'POST', '/contacts/filter', {
      payload: [{ attribute_key: field, filter_operator: 'equal_to', values: [value], query_operator: null }],
    })) as { payload?: Array<{ id?: unknown; identifier?: unknown; phone_number?: unknown }> } | null;
    const match = (body?.payload ?? []).find((c) => (field === 'identifier' ? c.identifier : c.phone_number) === value);
    return typeof match?.id === 'number' ? match.id : null;
  }

  /** A new contact with its contact inbox of `sourceId` in the inbox: one call, one row (CONTRACT §11). */
  async createContact(t: ChatwootTarget, inboxId: number, sourceId: string, fields: ContactFields): Promise<number> {
    const body = (await this.client.request(t, 'POST', '/contacts', {
      inbox_id: inboxId,
      source_id: sourceId,
      identifier: fields.identifier,
      name: fields.name,
      ...(fields.phoneNumber ? { phone_number: fields.phoneNumber } : {}),
    })) as { payload?: { contact?: { id?: unknown } } } | null;
    const id = body?.payload?.contact?.id;
    if (typeof id !== 'number') throw unexpectedJson('POST', `${t.baseUrl}/contacts`, 'JSON that is not a contact');
    return id;
  }

  /** Sets a found contact's identifier (it was found by its phone number). */
  async setIdentifier(t: ChatwootTarget, contactId: number, identifier: string): Promise<void> {
    await this.client.request(t, 'PUT', `/contacts/${contactId}`, { identifier });
  }

  /** The contact inbox of `sourceId`: reused when it exists, created otherwise (idempotent, CONTRACT §3). */
  async ensureContactInbox(t: ChatwootTarget, contactId: number, inboxId: number, sourceId: string): Promise<void> {
    await this.client.request(t, 'POST', `/contacts/${contactId}/contact_inboxes`, { inbox_id: inboxId, source_id: sourceId });
  }

  /** The contact's conversations, every status, most recent activity first (at most 20). */
  async contactConversations(t: ChatwootTarget, contactId: number): Promise<ChatwootConversation[]> {
    const body = (await this.client.request(t, 'GET', `/contacts/${contactId}/conversations`)) as { payload?: unknown[] } | null;
    return (body?.payload ?? []).map(toConversation).filter((c): c is ChatwootConversation => c !== null);
  }

  async getConversation(t: ChatwootTarget, conversationId: number): Promise<ChatwootConversation | null> {
    try {
      return toConversation(await this.client.request(t, 'GET', `/conversations/${conversationId}`));
    } catch (err) {
      if (err instanceof ChatwootHttpError && err.status === 404) return null;
      throw err;
    }
  }

  /** With the contact inbox's `source_id`: no orphan contact inbox (CONTRACT §11). */
  async createConversation(t: ChatwootTarget, inboxId: number, contactId: number, sourceId: string, status: 'open' | 'pending'): Promise<ChatwootConversation> {
    const body = await this.client.request(t, 'POST', '/conversations', { inbox_id: inboxId, contact_id: contactId, source_id: sourceId, status });
    const conversation = toConversation(body);
    if (!conversation) throw unexpectedJson('POST', `${t.baseUrl}/conversations`, 'JSON that is not a conversation');
    return conversation;
  }

  async setStatus(t: ChatwootTarget, conversationId: number, status: ConversationStatus): Promise<void> {
    await this.client.request(t, 'POST', `/conversations/${conversationId}/toggle_status`, { status });
  }

  async createMessage(t: ChatwootTarget, conversationId: number, m: NewMessage): Promise<ChatwootMessage> {
    const path = `/conversations/${conversationId}/messages`;
    const attributes = m.inReplyTo ? { in_reply_to: m.inReplyTo } : {};
    const body = m.attachments?.length
      ? new MultipartBody(
          { content: m.content, message_type: m.messageType, private: 'false', source_id: m.sourceId, content_attributes: JSON.stringify(attributes) },
          m.attachments.map((a) => ({ field: 'attachments[]', ...a })),
        )
      : { content: m.content, message_type: m.messageType, private: false, source_id: m.sourceId, content_attributes: attributes };
    const created = toMessage(await this.client.request(t, 'POST', path, body));
    if (!created) throw unexpectedJson('POST', `${t.baseUrl}${path}`, 'JSON that is not a message');
    return created;
  }

  /** The conversation's latest messages (20, oldest first): where an ambiguous post is looked for. */
  async latestMessages(t: ChatwootTarget, conversationId: number): Promise<ChatwootMessage[]> {
    const body = (await this.client.request(t, 'GET', `/conversations/${conversationId}/messages`)) as { payload?: unknown[] } | null;
    return (body?.payload ?? []).map(toMessage).filter((m): m is ChatwootMessage => m !== null);
  }

  /** CONTRACT §13: `external_error` is kept only with `failed`. */
  async setMessageStatus(t: ChatwootTarget, conversationId: number, messageId: number, status: 'delivered' | 'read' | 'failed', error?: string): Promise<void> {
    await this.client.request(t, 'PATCH', `/conversations/${conversationId}/messages/${messageId}`, {
      status,
      ...(status === 'failed' && error ? { external_error: error } : {}),
    });
  }

  async deleteMessage(t: ChatwootTarget, conversationId: number, messageId: number): Promise<void> {
    try {
      await this.client.request(t, 'DELETE', `/conversations/${conversationId}/messages/${messageId}`);
    } catch (err) {
      if (!(err instanceof ChatwootHttpError && err.status === 404)) throw err;
    }
  }
}

function toConversation(value: unknown): ChatwootConversation | null {
  const v = value as Record<string, unknown> | null;
  if (!v || typeof v.id !== 'number' || typeof v.status !== 'string') return null;
  return {
    id: v.id,
    inboxId: typeof v.inbox_id === 'number' ? v.inbox_id : 0,
    status: v.status as ConversationStatus,
    lastActivityAt: typeof v.last_activity_at === 'number' ? v.last_activity_at : 0,
  };
}

function toMessage(value: unknown): ChatwootMessage | null {
  const v = value as Record<string, unknown> | null;
  if (!v || typeof v.id !== 'number') return null;
  return { id: v.id, sourceId: typeof v.source_id === 'string' ? v.source_id : null, status: typeof v.status === 'string' ? v.status : null };
}
