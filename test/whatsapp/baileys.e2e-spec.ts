import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { fixture } from '../fixtures/baileys/messages.js';
import { factory } from '../fixtures/baileys/socket-module.js';
import { eventually } from '../support/chatwoot.js';
import { createAccount, createInstance, type TestAccount, type TestInstance } from '../support/factories.js';
import { envelope } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { UNLIMITED_RATE_ENV } from '../support/tenants.js';
import { StreamClient } from '../support/ws.js';

/**
 * SPEC-MESSAGING §8–§10 with the Baileys provider through the HTTP API, the WhatsApp connection
 * being a fake socket at the adapter's port (BAILEYS_SOCKET_MODULE) on Baileys' own event buffer.
 */
describe('Baileys instances through the API', () => {
  let t: TestApp;
  let account: TestAccount;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        ...UNLIMITED_RATE_ENV,
        BAILEYS_SOCKET_MODULE: join(process.cwd(), 'test/fixtures/baileys/socket-module.ts'),
        WHATSAPP_CONNECT_TIMEOUT_MS: '1500',
      },
    });
    account = await createAccount(t);
  });
  afterAll(() => t.close());

  const sockets = () => factory.sockets.length;
  const get = (path: string) => t.req('GET', path, { token: account.token });
  const status = async (name: string) => (await get(`/api/instance/list?instanceName=${name}`)).body.instances[0].status as string;

  /**
   * Starts /connect and waits until its socket exists; the answer comes once the test drives the
   * socket (wrapped: an async function would wait for a promise it returns).
   */
  async function connecting(name: string, query = ''): Promise<{ answer: ReturnType<typeof get> }> {
    const before = sockets();
    const answer = get(`/api/instance/connect/${name}${query}`);
    await eventually(() => expect(sockets()).toBe(before + 1));
    return { answer };
  }

  /** A paired, connected instance. */
  async function connected(): Promise<TestInstance> {
    const i = await createInstance(t, account);
    const { answer } = await connecting(i.name);
    factory.last.qr('2@pairing-ref');
    expect((await answer).status).toBe(200);
    const first = factory.last;
    first.paired();
    await eventually(async () => {
      const [row]: Array<{ linked: boolean }> = await t.app.get(DataSource).query(
        `SELECT s.linked FROM whatsapp_sessions s JOIN instances i ON i.id = s.instance_id WHERE i.name = $1`, [i.name],
      );
      expect(row?.linked).toBe(true);
    });
    first.close(515, 'Stream Errored (restart required)');
    await eventually(() => expect(factory.last).not.toBe(first));
    factory.last.open();
    await eventually(async () => expect(await status(i.name)).toBe('connected'));
    return i;
  }

  it('connect: the QR code (raw and as a PNG data URL), the current one again, then paired and connected', async () => {
    const i = await createInstance(t, account);
    expect(i).toBeDefined();
    const client = await StreamClient.open(t.url, `/ws/${i.name}`, { token: account.token });
    const { answer } = await connecting(i.name);
    factory.last.qr('2@ref-1,noise,identity,adv');
    const res = await answer;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true, message: 'Scan the QR code with WhatsApp', status: 'qr_ready',
      qrCode: '2@ref-1,noise,identity,adv', qrCodeBase64: expect.stringMatching(/^data:image\/png;base64,/),
    });
    const png = Buffer.from(res.body.qrCodeBase64.slice('data:image/png;base64,'.length), 'base64');
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(await status(i.name)).toBe('qr_ready');
    // A new QR code replaces the old one; calling again returns the current one.
    factory.last.qr('2@ref-2,noise,identity,adv');
    await eventually(async () => expect((await get(`/api/instance/connect/${i.name}`)).body.qrCode).toBe('2@ref-2,noise,identity,adv'));

    const first = factory.last;
    first.paired();
    await new Promise((r) => setTimeout(r, 100));
    first.close(515, 'Stream Errored (restart required)');
    await eventually(() => expect(factory.last).not.toBe(first));
    expect(factory.last.options.auth.creds.me?.id).toBeDefined();
    factory.last.open();
    await eventually(async () => expect(await status(i.name)).toBe('connected'));
    const again = await get(`/api/instance/connect/${i.name}`);
    expect(again.body).toEqual({ success: true, message: 'Instance already connected', status: 'connected' });

    await client.until((c) => c.frames.filter((f) => f.event === 'instance.state').length >= 4);
    expect(client.frames.map((f) => [f.event, f.data.status, f.data.reason])).toEqual([
      ['instance.state', 'connecting', 'connecting'],
      ['instance.state', 'qr_ready', 'qr_ready'],
      ['instance.state', 'connecting', 'restart_required'],
      ['instance.state', 'connected', 'connected'],
    ]);
    // The QR code holds the device's pairing secret: never in an event.
    expect(JSON.stringify(client.frames)).not.toContain('ref-1');
    await client.close();
  });

  it('connect with ?phone=: a pairing code', async () => {
    const i = await createInstance(t, account);
    const { answer } = await connecting(i.name, '?phone=+5511999999999');
    factory.last.qr('2@ref');
    const res = await answer;
    expect([res.status, res.body]).toEqual([200, { success: true, message: 'Enter the pairing code in WhatsApp', status: 'pairing_code', pairingCode: 'ABCD1234' }]);
    expect(factory.last.pairingRequests).toEqual(['5511999999999']);
  });

  it('no QR code within WHATSAPP_CONNECT_TIMEOUT_MS: 502, and the instance back to disconnected', async () => {
    const i = await createInstance(t, account);
    const { answer: pending } = await connecting(i.name);
    const answer = await pending;
    expect([answer.status, answer.body]).toEqual([502, envelope('WhatsApp is unreachable — retry later. Detail: no QR code within 1.5 s')]);
    expect(await status(i.name)).toBe('disconnected');
  });

  it('inbound messages become message.exchange events; sends go out through the socket and are stored', async () => {
    const i = await connected();
    const client = await StreamClient.open(t.url, `/ws/${i.name}?after=4`, { token: account.token });
    factory.last.ev.emit('messages.upsert', { messages: [fixture('text'), fixture('image')], type: 'notify' });
    await client.until((c) => c.frames.length === 2);
    expect(client.frames[0].data).toEqual({
      id: '3EB0TEXT0001',
      message: {
        id: '3EB0TEXT0001', direction: 'incoming', timestamp: '2023-11-14T22:13:20Z', fromMe: false,
        chat: { jid: '5511888888888@s.whatsapp.net', phone: '+5511888888888', name: 'Bob', type: 'private' },
        sender: { jid: '5511888888888@s.whatsapp.net', phone: '+5511888888888', name: 'Bob' },
        type: 'text', content: { text: 'hello' }, media: null, replyTo: null, target: null,
      },
    });
    expect(client.frames[1].data.message).toMatchObject({ type: 'image', content: { caption: 'pic' }, media: { mimetype: 'image/jpeg', url: expect.stringContaining(`/api/message/media/${i.name}/3EB0IMG00001`) } });

    const sent = await t.req('POST', `/api/message/text/${i.name}`, { token: i.token, json: { number: '5511888888888', message: 'oi', replyTo: '3EB0TEXT0001' } });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ success: true, message: 'Message sent successfully', status: 'sent', data: { direction: 'outgoing', chat: { jid: '5511888888888@s.whatsapp.net', type: 'private' } } });
    const out = factory.last.sent[factory.last.sent.length - 1];
    expect(out.jid).toBe('5511888888888@s.whatsapp.net');
    expect(out.content).toMatchObject({ text: 'oi' });
    expect(out.options?.quoted?.key.id).toBe('3EB0TEXT0001');
    await client.until((c) => c.frames.length === 3);
    expect(client.frames[2].data.message).toMatchObject({ id: sent.body.data.messageId, direction: 'outgoing', fromMe: true, content: { text: 'oi' } });
    // Baileys' echo of our own send is not a second message.
    await new Promise((r) => setTimeout(r, 200));
    expect(client.frames).toHaveLength(3);
    await client.close();
  });

  it('revoke: deletes a sent message for everyone, emitted as a revoke; 404 for a message it did not send; 400 on bad input', async () => {
    const i = await connected();
    const client = await StreamClient.open(t.url, `/ws/${i.name}`, { token: account.token });
    const sent = await t.req('POST', `/api/message/text/${i.name}`, { token: i.token, json: { number: '5511888888888', message: 'oops' } });
    expect(sent.status).toBe(200);
    const messageId = sent.body.data.messageId as string;

    const revoked = await t.req('POST', `/api/message/revoke/${i.name}`, { token: i.token, json: { messageId } });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({
      success: true, message: 'Message revoked',
      data: { messageId, revokeId: expect.any(String), timestamp: expect.any(String), chat: { jid: '5511888888888@s.whatsapp.net', type: 'private' } },
    });
    const out = factory.last.sent[factory.last.sent.length - 1];
    expect(out.jid).toBe('5511888888888@s.whatsapp.net');
    expect(out.content).toEqual({ delete: { remoteJid: '5511888888888@s.whatsapp.net', fromMe: true, id: messageId } });
    await client.until((c) => c.frames.some((f) => f.data.message?.type === 'revoke'));
    expect(client.frames.find((f) => f.data.message?.type === 'revoke')!.data.message).toMatchObject({
      id: revoked.body.data.revokeId, direction: 'outgoing', fromMe: true, type: 'revoke', target: messageId,
    });
    await client.close();

    const count = factory.last.sent.length;
    const unknown = await t.req('POST', `/api/message/revoke/${i.name}`, { token: i.token, json: { messageId: '3EB0NOSUCH000001' } });
    expect([unknown.status, unknown.body]).toEqual([404, envelope('Message not found')]);
    const missing = await t.req('POST', `/api/message/revoke/${i.name}`, { token: i.token, json: {} });
    expect([missing.status, missing.body]).toEqual([400, envelope('Invalid request body: messageId is required')]);
    const extra = await t.req('POST', `/api/message/revoke/${i.name}`, { token: i.token, json: { messageId, color: 'blue' } });
    expect(extra.status).toBe(400);
    expect(factory.last.sent).toHaveLength(count);
  });

  it('reconnect: a saved session reconnects; without one, 400; logout deletes the session and logs the device out', async () => {
    const i = await connected();
    const before = factory.last;
    const re = await t.req('POST', `/api/instance/reconnect/${i.name}`, { token: account.token });
    expect([re.status, re.body]).toEqual([200, { success: true, message: 'Instance reconnecting', status: 'connecting' }]);
    await eventually(() => expect(factory.last).not.toBe(before));
    factory.last.open();
    await eventually(async () => expect(await status(i.name)).toBe('connected'));

    const socket = factory.last;
    const out = await t.req('DELETE', `/api/instance/logout/${i.name}`, { token: account.token });
    expect([out.status, out.body]).toEqual([200, { success: true, message: 'Instance logged out', instance: { name: i.name, status: 'disconnected' } }]);
    expect(socket.loggedOut).toBe(true);
    const sessions: unknown[] = await t.app.get(DataSource).query(
      `SELECT 1 FROM whatsapp_sessions s JOIN instances i ON i.id = s.instance_id WHERE i.name = $1`, [i.name],
    );
    expect(sessions).toEqual([]);
    const none = await t.req('POST', `/api/instance/reconnect/${i.name}`, { token: account.token });
    expect([none.status, none.body]).toEqual([400, envelope('Instance has no saved session — call /connect first')]);
    const send = await t.req('POST', `/api/message/text/${i.name}`, { token: account.token, json: { number: '5511888888888', message: 'x' } });
    expect([send.status, send.body]).toEqual([400, envelope('Instance is not connected to WhatsApp')]);
  });

  it('WhatsApp logs the device out (401): the session is deleted and an instance.state event says logged_out', async () => {
    const i = await connected();
    const client = await StreamClient.open(t.url, `/ws/${i.name}?after=4`, { token: account.token });
    factory.last.close(401, 'Connection Failure');
    await client.until((c) => c.frames.length === 1);
    expect(client.frames[0].data).toEqual({ status: 'disconnected', reason: 'logged_out' });
    await eventually(async () => {
      const rows: unknown[] = await t.app.get(DataSource).query(
        `SELECT 1 FROM whatsapp_sessions s JOIN instances i ON i.id = s.instance_id WHERE i.name = $1`, [i.name],
      );
      expect(rows).toEqual([]);
    });
    await client.close();
  });

  it('deleting an instance logs it out first', async () => {
    const i = await connected();
    const socket = factory.last;
    const res = await t.req('DELETE', `/api/instance/delete/${i.name}`, { token: account.token });
    expect(res.status).toBe(200);
    expect(socket.loggedOut).toBe(true);
  });
});
