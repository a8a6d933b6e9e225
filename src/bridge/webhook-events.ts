/** An agent's reply that the bridge routes to WhatsApp. */
export interface OutgoingMessage {
  messageId: number;
  conversationId: number;
  content: string | null;
}

export type WebhookEventVerdict =
  | { kind: 'outgoing'; message: OutgoingMessage }
  | { kind: 'conversation'; conversationId: number }
  /** A reply changed; `status` when the payload tells it (CONTRACT §14: only via messages[0]). */
  | { kind: 'updated'; messageId: number; status: string | null; message: OutgoingMessage; createdAt: number | null }
  /** An agent deleted a reply (CONTRACT §14: `content_attributes` is exactly `{"deleted":true}`). */
  | { kind: 'deleted'; messageId: number }
  | { kind: 'ignored'; why: string };

/** What must reach WhatsApp: `message_created` of an `outgoing` or `template`, non-private message in the integration's inbox (CONTRACT §6). */
export function classifyWebhookEvent(payload: unknown, inboxId: number): WebhookEventVerdict {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return { kind: 'ignored', why: 'not an event' };
  const p = payload as Record<string, unknown>;
  if (p.event === 'conversation_status_changed') {
    // Where a chat's next message goes may have changed (SPEC-MESSAGING §11 "Conversation").
    const inboxOf = typeof p.inbox_id === 'number' ? p.inbox_id : null;
    return inboxOf === inboxId && isId(p.id) ? { kind: 'conversation', conversationId: p.id } : { kind: 'ignored', why: `conversation of inbox ${String(inboxOf)}` };
  }
  if (p.event !== 'message_created' && p.event !== 'message_updated') return { kind: 'ignored', why: `event ${String(p.event)}` };
  // At the top level of the event, message_type is a string (CONTRACT §6).
  // Agents' replies, and templates (greetings, surveys), go to WhatsApp (SPEC-MESSAGING §11).
  if (p.message_type !== 'outgoing' && p.message_type !== 'template') return { kind: 'ignored', why: `message_type ${String(p.message_type)}` };
  if (p.private !== false) return { kind: 'ignored', why: 'private note' };
  const conversation = (p.conversation ?? {}) as Record<string, unknown>;
  const inbox = (p.inbox ?? {}) as Record<string, unknown>;
  const eventInbox = typeof inbox.id === 'number' ? inbox.id : conversation.inbox_id;
  if (eventInbox !== inboxId) return { kind: 'ignored', why: `inbox ${String(eventInbox)}` };
  if (!isId(p.id) || !isId(conversation.id)) return { kind: 'ignored', why: 'no message or conversation id' };
  // The bridge's own post of a message sent from the phone (SPEC-MESSAGING §11: never sent back).
  if (typeof p.source_id === 'string' && p.source_id.startsWith('WAID:')) return { kind: 'ignored', why: 'posted by the bridge' };
  if (p.event === 'message_updated') {
    const attributes = p.content_attributes as Record<string, unknown> | null | undefined;
    if (attributes?.deleted === true) return { kind: 'deleted', messageId: p.id };
    // No top-level status: the conversation's messages[0] is this message only when the ids match.
    const first = Array.isArray(conversation.messages) ? (conversation.messages[0] as Record<string, unknown> | undefined) : undefined;
    const createdAt = typeof p.created_at === 'string' ? Date.parse(p.created_at) : NaN;
    return {
      kind: 'updated',
      messageId: p.id,
      status: first?.id === p.id && typeof first.status === 'string' ? first.status : null,
      message: { messageId: p.id, conversationId: conversation.id, content: typeof p.content === 'string' ? p.content : null },
      createdAt: Number.isFinite(createdAt) ? createdAt : null,
    };
  }
  return {
    kind: 'outgoing',
    message: { messageId: p.id, conversationId: conversation.id, content: typeof p.content === 'string' ? p.content : null },
  };
}

function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}
