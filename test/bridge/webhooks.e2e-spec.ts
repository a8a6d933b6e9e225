import { createHmac } from 'node:crypto';
import type { SimInbox } from '../fakes/chatwoot-simulator.js';
import { type BridgeHarness, integrationBody, startBridge } from './bridge-support.js';

/** The inbox's webhook_url: Chatwoot's events in, agent replies recorded for routing (CONTRACT §6). */
describe('bridge webhook endpoint', () => {
  let h: BridgeHarness;
  let id: string;
  let inbox: SimInbox;
  beforeAll(async () => {
    h = await startBridge();
    const res = await h.call('POST', '/v1/integrations', { json: integrationBody(h, { chatwoot: { inbox_name: 'Webhook inbox' } }) });
    expect(res.status).toBe(201);
    id = res.body.id;
    inbox = h.sim.inbox(res.body.inbox_id)!;
  });
  afterAll(async () => {
    await h?.close();
  });

  const recordedIds = async () => (await h.messages()).filter((m) => m.integrationId === id).map((m) => Number(m.chatwootMessageId));

  it('records an agent reply once, answering fast', async () => {
    const event = h.sim.messageCreated(inbox, { content: 'Olá Maria, tudo bem?', conversationId: 31 });
    const res = await h.sim.deliverWebhook(inbox.id, event);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'recorded' });
    // Chatwoot waits 5 s at most; a loopback insert is far below.
    expect(res.ms).toBeLessThan(2_000);
    const [message] = (await h.messages()).filter((m) => m.chatwootMessageId === String(event.id));
    expect(message).toMatchObject({
      integrationId: id,
      chatwootConversationId: 31,
      content: 'Olá Maria, tudo bem?',
      status: 'pending',
    });
    expect(message.payload).toEqual(event);

    const again = await h.sim.deliverWebhook(inbox.id, event);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ status: 'duplicate' });
    expect((await recordedIds()).filter((m) => m === event.id)).toHaveLength(1);
  });

  it('verifies the signature over the exact bytes Chatwoot sent (Rails escapes <, > and &)', async () => {
    const event = h.sim.messageCreated(inbox, { content: 'a < b && c > d' });
    const res = await h.sim.deliverWebhook(inbox.id, event);
    expect(res.status).toBe(200);
    const [message] = (await h.messages()).filter((m) => m.chatwootMessageId === String(event.id));
    expect(message.content).toBe('a < b && c > d');
  });

  it('records a template message (a greeting, a survey): routed to WhatsApp like a reply', async () => {
    const event = h.sim.messageCreated(inbox, { messageType: 'template' });
    const res = await h.sim.deliverWebhook(inbox.id, event);
    expect([res.status, res.body]).toEqual([200, { status: 'recorded' }]);
    expect(await recordedIds()).toContain(event.id);
  });

  it('message_updated of a reply it never recorded: recorded (an agent\'s Retry after a delivery that failed), unless written before the integration existed', async () => {
    const late = h.sim.messageCreated(inbox, { event: 'message_updated' });
    expect(await h.sim.deliverWebhook(inbox.id, late).then((r) => [r.status, r.body])).toEqual([200, { status: 'recorded' }]);
    expect(await recordedIds()).toContain(late.id);
    const old: Record<string, unknown> = { ...h.sim.messageCreated(inbox, { event: 'message_updated' }), created_at: '2020-01-01T00:00:00.000Z' };
    expect(await h.sim.deliverWebhook(inbox.id, old).then((r) => [r.status, r.body])).toEqual([200, { status: 'ignored' }]);
    expect(await recordedIds()).not.toContain(old.id);
  });

  it.each([
    ['an incoming message (the bridge posted it)', { messageType: 'incoming' as const }],
    ['a private note', { private: true }],
    ['conversation_created', { event: 'conversation_created' }],
  ])('ignores %s', async (_, init) => {
    const event = h.sim.messageCreated(inbox, init);
    const res = await h.sim.deliverWebhook(inbox.id, event);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ignored' });
    expect(await recordedIds()).not.toContain(event.id);
  });

  it('ignores events of another inbox delivered to this URL', async () => {
    const other = h.sim.addInbox(h.accountId, { name: 'Previous inbox', webhookUrl: inbox.webhookUrl, secret: inbox.secret });
    const event = h.sim.messageCreated(other);
    const res = await h.sim.deliverWebhook(other.id, event);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ignored' });
    expect(await recordedIds()).not.toContain(event.id);
  });

  describe('authentication', () => {
    const refused = async (res: { status: number; body: unknown }, status: number, error: object, eventId: unknown) => {
      expect(res.status).toBe(status);
      expect(res.body).toEqual({ error });
      expect(await recordedIds()).not.toContain(eventId);
    };

    // One answer for both, so that the route (no auth) does not tell which integration ids exist.
    const UNKNOWN = { code: 'not_found', message: 'no webhook at this URL' };

    it('refuses a wrong secret in the URL', async () => {
      const event = h.sim.messageCreated(inbox);
      const url = inbox.webhookUrl!.replace(/\/[^/]+$/, '/wrong-secret');
      await refused(await h.sim.deliverWebhook(inbox.id, event, { url }), 404, UNKNOWN, event.id);
    });

    it('refuses an unknown integration with the same answer', async () => {
      const event = h.sim.messageCreated(inbox);
      const url = inbox.webhookUrl!.replace(id, 'int_aaaaaaaaaaaaaaaa');
      await refused(await h.sim.deliverWebhook(inbox.id, event, { url }), 404, UNKNOWN, event.id);
    });

    it.each(['int_%00', '%00', 'int_a%00b'])('refuses an id holding a NUL (%s) as unknown, not as a 500', async (bad) => {
      const res = await h.t.req('POST', `/v1/webhooks/${bad}/x`, { json: { event: 'message_created' } });
      expect([res.status, res.body]).toEqual([404, { error: UNKNOWN }]);
    });

    it('refuses a signature made with another key', async () => {
      const event = h.sim.messageCreated(inbox);
      await refused(
        await h.sim.deliverWebhook(inbox.id, event, { signWith: 'not-the-inbox-secret' }),
        401, { code: 'unauthorized', message: 'invalid webhook signature (mismatch)' }, event.id,
      );
    });

    it('refuses a signature of another body', async () => {
      const event = h.sim.messageCreated(inbox);
      const timestamp = Math.floor(Date.now() / 1000);
      const signature = `sha256=${createHmac('sha256', inbox.secret!).update(`${timestamp}.{"event":"message_created"}`).digest('hex')}`;
      await refused(
        await h.sim.deliverWebhook(inbox.id, event, { timestamp, signature }),
        401, { code: 'unauthorized', message: 'invalid webhook signature (mismatch)' }, event.id,
      );
    });

    it('refuses a missing signature when the inbox has a signing secret', async () => {
      const event = h.sim.messageCreated(inbox);
      await refused(
        await h.sim.deliverWebhook(inbox.id, event, { unsigned: true }),
        401, { code: 'unauthorized', message: 'invalid webhook signature (missing)' }, event.id,
      );
    });

    it('refuses a replayed delivery with an old timestamp', async () => {
      const event = h.sim.messageCreated(inbox);
      await refused(
        await h.sim.deliverWebhook(inbox.id, event, { timestamp: Math.floor(Date.now() / 1000) - 3_600 }),
        401, { code: 'unauthorized', message: 'invalid webhook signature (stale)' }, event.id,
      );
    });

    it('refuses a malformed signature header', async () => {
      const event = h.sim.messageCreated(inbox);
      await refused(
        await h.sim.deliverWebhook(inbox.id, event, { signature: 'md5=abc' }),
        401, { code: 'unauthorized', message: 'invalid webhook signature (malformed)' }, event.id,
      );
    });

    it('follows a secret reset in Chatwoot once the health check has seen it', async () => {
      h.sim.resetSecret(inbox.id);
      const event = h.sim.messageCreated(inbox);
      expect((await h.sim.deliverWebhook(inbox.id, event)).status).toBe(401);
      await h.checker().checkAll();
      const res = await h.sim.deliverWebhook(inbox.id, event);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'recorded' });
    });

    it('accepts unsigned deliveries on the URL secret alone when Chatwoot has no signing secret (< 4.13)', async () => {
      const legacy = h.sim.addInbox(h.accountId, { name: 'Legacy inbox', secret: null });
      const created = await h.call('POST', '/v1/integrations', { json: integrationBody(h, { chatwoot: { inbox_name: 'Legacy inbox' } }) });
      expect(created.body.inbox_id).toBe(legacy.id);
      const event = h.sim.messageCreated(legacy);
      const res = await h.sim.deliverWebhook(legacy.id, event);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'recorded' });
      const wrong = await h.sim.deliverWebhook(legacy.id, h.sim.messageCreated(legacy), { url: legacy.webhookUrl!.replace(/\/[^/]+$/, '/nope') });
      expect(wrong.status).toBe(404);
    });
  });

  describe('bodies', () => {
    it('answers 400 to malformed JSON with a valid signature', async () => {
      const res = await h.sim.deliverWebhook(inbox.id, {}, { rawBody: '{"event": "message_created",' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: 'invalid_request', message: 'malformed JSON' } });
    });

    it('answers 400 to a body over 1 MiB', async () => {
      const res = await h.sim.deliverWebhook(inbox.id, {}, { rawBody: JSON.stringify({ content: 'x'.repeat(1024 * 1024) }) });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: 'invalid_request', message: 'request body too large' } });
    });
  });

  it('answers 404 once the integration is deleted, and drops its recorded messages', async () => {
    const created = await h.call('POST', '/v1/integrations', { json: integrationBody(h, { chatwoot: { inbox_name: 'Short-lived' } }) });
    const shortLived = h.sim.inbox(created.body.inbox_id)!;
    expect((await h.sim.deliverWebhook(shortLived.id, h.sim.messageCreated(shortLived))).status).toBe(200);
    expect((await h.call('DELETE', `/v1/integrations/${created.body.id}`)).status).toBe(204);
    const res = await h.sim.deliverWebhook(shortLived.id, h.sim.messageCreated(shortLived));
    expect(res.status).toBe(404);
    expect((await h.messages()).filter((m) => m.integrationId === created.body.id)).toEqual([]);
  });

  it('never logs the webhook secret or a signing key', () => {
    const logs = h.t.logs.text();
    expect(logs).toContain('webhook refused');
    expect(logs).not.toContain(inbox.webhookUrl!.split('/').pop()!);
    expect(logs).not.toContain(inbox.secret!);
  });
});
