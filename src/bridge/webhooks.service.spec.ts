import { WebhooksService } from './webhooks.service.js';

describe('WebhooksService', () => {
  it('decrypts an integration\'s webhook secret once, and again when its ciphertext changes', async () => {
    const row = { id: 'int_1', inboxId: 7, webhookSecretEncrypted: 'enc:url-secret-0123456789', inboxSigningSecretEncrypted: null };
    const repo = { findWebhookTarget: async () => row, recordOutboundMessage: async () => true };
    const decrypted: string[] = [];
    const cipher = { decrypt: (v: string) => (decrypted.push(v), v.replace(/^enc:/, '')) };
    const routing = { replyRecorded: () => undefined, replyChanged: () => undefined, conversationChanged: () => undefined };
    const service = new WebhooksService(repo as never, cipher as never, routing as never);
    const delivery = { integrationId: 'int_1', timestamp: undefined, signature: undefined, rawBody: Buffer.from('{"event":"conversation_updated"}') };

    await service.receive({ ...delivery, secret: 'url-secret-0123456789' });
    await service.receive({ ...delivery, secret: 'url-secret-0123456789' });
    await expect(service.receive({ ...delivery, secret: 'wrong-secret-0123456' })).rejects.toMatchObject({ code: 'not_found', message: 'no webhook at this URL' });
    expect(decrypted).toEqual(['enc:url-secret-0123456789']);

    row.webhookSecretEncrypted = 'enc:rotated-secret-0123';
    await expect(service.receive({ ...delivery, secret: 'url-secret-0123456789' })).rejects.toMatchObject({ code: 'not_found', message: 'no webhook at this URL' });
    await expect(service.receive({ ...delivery, secret: 'rotated-secret-0123' })).resolves.toBe('ignored');
    expect(decrypted).toEqual(['enc:url-secret-0123456789', 'enc:rotated-secret-0123']);
  });
});
