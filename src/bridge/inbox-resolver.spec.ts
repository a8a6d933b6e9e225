import type { ChatwootInbox } from './chatwoot-client.js';
import { reusableInboxes } from './inbox-resolver.js';

const inbox = (id: number, name: string, channelType = 'Channel::Api', webhookUrl: string | null = null): ChatwootInbox => ({
  id, name, channelType, webhookUrl, secret: null,
});

describe('reusableInboxes', () => {
  const ours = 'https://bridge.example.com/v1/webhooks/int_a/s';
  const ids = (list: ChatwootInbox[]) => list.map((i) => i.id);

  it('reuses only an API-channel inbox with exactly that name', () => {
    expect(reusableInboxes([inbox(1, 'WhatsApp', 'Channel::WebWidget'), inbox(2, 'WhatsApp', 'Channel::Whatsapp')], 'WhatsApp', ours)).toEqual([]);
    expect(reusableInboxes([inbox(3, 'whatsapp'), inbox(4, 'WhatsApp ')], 'WhatsApp', ours)).toEqual([]);
    expect(ids(reusableInboxes([inbox(1, 'WhatsApp', 'Channel::WebWidget'), inbox(5, 'WhatsApp')], 'WhatsApp', ours))).toEqual([5]);
  });

  it('tries the inbox already pointing at the integration first, then the oldest', () => {
    expect(ids(reusableInboxes([inbox(9, 'W'), inbox(4, 'W'), inbox(6, 'W')], 'W', ours))).toEqual([4, 6, 9]);
    expect(ids(reusableInboxes([inbox(9, 'W'), inbox(4, 'W'), inbox(6, 'W', 'Channel::Api', ours)], 'W', ours))).toEqual([6, 4, 9]);
  });
});
