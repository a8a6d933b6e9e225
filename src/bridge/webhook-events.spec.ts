import { classifyWebhookEvent } from './webhook-events.js';

const event = (overrides: Record<string, unknown> = {}) => ({
  event: 'message_created',
  id: 345,
  message_type: 'outgoing',
  private: false,
  content: 'Olá',
  inbox: { id: 7, name: 'WhatsApp' },
  conversation: { id: 12, inbox_id: 7 },
  ...overrides,
});

describe('classifyWebhookEvent (CONTRACT §6)', () => {
  it('keeps an outgoing, non-private message_created of the inbox', () => {
    expect(classifyWebhookEvent(event(), 7)).toEqual({ kind: 'outgoing', message: { messageId: 345, conversationId: 12, content: 'Olá' } });
  });

  it('keeps an attachment-only reply with null content', () => {
    expect(classifyWebhookEvent(event({ content: null }), 7)).toEqual({ kind: 'outgoing', message: { messageId: 345, conversationId: 12, content: null } });
  });

  it('keeps a template (a greeting, a survey): SPEC-MESSAGING §11 routes it too', () => {
    expect(classifyWebhookEvent(event({ message_type: 'template', sender: null }), 7).kind).toBe('outgoing');
  });

  it("ignores the bridge's own post of a message sent from the phone (source_id WAID:…)", () => {
    expect(classifyWebhookEvent(event({ source_id: 'WAID:wamid.X' }), 7)).toEqual({ kind: 'ignored', why: 'posted by the bridge' });
  });

  it('names the conversation of a conversation_status_changed in the inbox, and ignores other inboxes', () => {
    expect(classifyWebhookEvent({ event: 'conversation_status_changed', id: 12, inbox_id: 7, status: 'resolved', changed_attributes: null }, 7))
      .toEqual({ kind: 'conversation', conversationId: 12 });
    expect(classifyWebhookEvent({ event: 'conversation_status_changed', id: 12, inbox_id: 8 }, 7).kind).toBe('ignored');
  });

  it("message_updated of a reply: its status from conversation.messages[0] only when that is the message (CONTRACT §14)", () => {
    expect(classifyWebhookEvent(event({ event: 'message_updated', conversation: { id: 12, inbox_id: 7, messages: [{ id: 345, status: 'sent' }] } }), 7))
      .toMatchObject({ kind: 'updated', messageId: 345, status: 'sent', message: { messageId: 345, conversationId: 12 } });
    expect(classifyWebhookEvent(event({ event: 'message_updated', conversation: { id: 12, inbox_id: 7, messages: [{ id: 346, status: 'sent' }] } }), 7))
      .toMatchObject({ kind: 'updated', messageId: 345, status: null });
  });

  it('message_updated of a deleted reply (content_attributes exactly {"deleted":true}, CONTRACT §14): deleted; of a deleted note or customer message: ignored', () => {
    const deleted = { event: 'message_updated', content: 'This message was deleted', content_attributes: { deleted: true } };
    expect(classifyWebhookEvent(event(deleted), 7)).toEqual({ kind: 'deleted', messageId: 345 });
    expect(classifyWebhookEvent(event({ ...deleted, private: true }), 7).kind).toBe('ignored');
    expect(classifyWebhookEvent(event({ ...deleted, message_type: 'incoming' }), 7).kind).toBe('ignored');
    expect(classifyWebhookEvent(event({ ...deleted, content_attributes: { deleted: 'true' } }), 7).kind).toBe('updated');
  });

  it('falls back to conversation.inbox_id when the event has no inbox', () => {
    expect(classifyWebhookEvent(event({ inbox: undefined }), 7).kind).toBe('outgoing');
    expect(classifyWebhookEvent(event({ inbox: undefined, conversation: { id: 12, inbox_id: 8 } }), 7).kind).toBe('ignored');
  });

  it.each<[string, unknown]>([
    ['another event', event({ event: 'conversation_typing_on' })],
    ['a conversation event', event({ event: 'conversation_created' })],
    ['an incoming message', event({ message_type: 'incoming' })],
    ['the integer message_type of the nested form', event({ message_type: 1 })],
    ['a private note', event({ private: true })],
    ['no private flag', event({ private: undefined })],
    ['another inbox', event({ inbox: { id: 8 } })],
    ['no message id', event({ id: undefined })],
    ['a string message id', event({ id: '345' })],
    ['no conversation', event({ conversation: undefined })],
    ['an array', []],
    ['null', null],
  ])('ignores %s', (_, payload) => {
    expect(classifyWebhookEvent(payload, 7).kind).toBe('ignored');
  });
});
