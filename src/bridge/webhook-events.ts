/** An agent's reply that the bridge routes to WhatsApp. */
export interface OutgoingMessage {
  messageId: number;
  conversationId: number;
  content: string | null;
}

export type WebhookEventVerdict =
  | { kind: 'outgoing'; message: OutgoingMessage }
  | { kind: 'ignored'; why: string };

/** What must reach WhatsApp: `message_created` of an `outgoing`, non-private message in the integration's inbox (CONTRACT §6). */
export function classifyWebhookEvent(payload: unknown, inboxId: number): WebhookEventVerdict {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return { kind: 'ignored', why: 'not an event' };
  const p = payload as Record<string, unknown>;
  if (p.event !== 'message_created') return { kind: 'ignored', why: `event ${String(p.event)}` };
  // At the top level of the event, message_type is a string (CONTRACT §6).
  if (p.message_type !== 'outgoing') return { kind: 'ignored', why: `message_type ${String(p.message_type)}` };
  if (p.private !== false) return { kind: 'ignored', why: 'private note' };
  const conversation = (p.conversation ?? {}) as Record<string, unknown>;
  const inbox = (p.inbox ?? {}) as Record<string, unknown>;
  const eventInbox = typeof inbox.id === 'number' ? inbox.id : conversation.inbox_id;
  if (eventInbox !== inboxId) return { kind: 'ignored', why: `inbox ${String(eventInbox)}` };
  if (!isId(p.id) || !isId(conversation.id)) return { kind: 'ignored', why: 'no message or conversation id' };
  return {
    kind: 'outgoing',
    message: { messageId: p.id, conversationId: conversation.id, content: typeof p.content === 'string' ? p.content : null },
  };
}

function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}
