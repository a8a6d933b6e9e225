import type { ChatwootInbox } from './chatwoot-client.js';
import { pickReusableInbox } from './inbox-resolver.js';

const inbox = (id: number, name: string, channelType = 'Channel::Api', webhookUrl: string | null = null): ChatwootInbox => ({
  id, name, channelType, webhookUrl, secret: null,
});

describe('pickReusableInbox', () => {
  const ours = 'https://bridge.example.com/v1/webhooks/int_a/s';

  it('reuses only an API-channel inbox with exactly that name', () => {
    expect(pickReusableInbox([inbox(1, 'WhatsApp', 'Channel::WebWidget'), inbox(2, 'WhatsApp', 'Channel::Whatsapp')], 'WhatsApp', ours)).toBeNull();
    expect(pickReusableInbox([inbox(3, 'whatsapp'), inbox(4, 'WhatsApp ')], 'WhatsApp', ours)).toBeNull();
    expect(pickReusableInbox([inbox(1, 'WhatsApp', 'Channel::WebWidget'), inbox(5, 'WhatsApp')], 'WhatsApp', ours)?.id).toBe(5);
  });

  it('prefers the inbox already pointing at the integration, then the oldest', () => {
    expect(pickReusableInbox([inbox(9, 'W'), inbox(4, 'W'), inbox(6, 'W')], 'W', ours)?.id).toBe(4);
    expect(pickReusableInbox([inbox(9, 'W'), inbox(4, 'W'), inbox(6, 'W', 'Channel::Api', ours)], 'W', ours)?.id).toBe(6);
  });
});
