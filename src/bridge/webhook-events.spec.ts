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

  it('falls back to conversation.inbox_id when the event has no inbox', () => {
    expect(classifyWebhookEvent(event({ inbox: undefined }), 7).kind).toBe('outgoing');
    expect(classifyWebhookEvent(event({ inbox: undefined, conversation: { id: 12, inbox_id: 8 } }), 7).kind).toBe('ignored');
  });

  it.each<[string, unknown]>([
    ['another event', event({ event: 'message_updated' })],
    ['a conversation event', event({ event: 'conversation_created' })],
    ['an incoming message', event({ message_type: 'incoming' })],
    ['a template', event({ message_type: 'template' })],
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
