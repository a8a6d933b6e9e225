import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { change, entry, GraphApiDouble, inbound, statuses, webhookBody, webhookOf, type PhoneNumber } from '../fakes/graph-api.js';
import { eventually } from '../support/chatwoot.js';
import { cloudFields, createAccount, createInstance, type TestAccount } from '../support/factories.js';
import { IdempotencyConflict, IdempotencyKeys } from '../../src/messages/idempotency.js';
import { envelope, request } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { LOOPBACK_DOUBLES_ENV, UNLIMITED_RATE_ENV } from '../support/tenants.js';
import { StreamClient } from '../support/ws.js';

const PUBLIC_URL = 'https://api.example.com';

/** SPEC-MESSAGING §8–§10 with the Cloud API provider, end to end over loopback against a Graph API double. */
describe('Cloud API instances', () => {
  let graph: GraphApiDouble;
  let t: TestApp;
  let account: TestAccount;
  let hook: string;

  beforeAll(async () => {
    graph = await GraphApiDouble.start();
    t = await startTestApp({ env: { ...UNLIMITED_RATE_ENV, ...LOOPBACK_DOUBLES_ENV, PUBLIC_URL, WHATSAPP_CLOUD_API_URL: graph.url, WHATSAPP_CONNECT_TIMEOUT_MS: '1500', CLOUD_SEND_SETTLE_SECONDS: '2' } });
    account = await createAccount(t);
    hook = `${t.url}/webhooks/whatsapp-cloud`;
  });
  afterAll(async () => {
    await t.close();
    await graph.stop();
  });
  afterEach(() => graph.reset());

  /** A Cloud instance on a number of the double; connected unless told otherwise. */
  async function cloudInstance(opts: { connect?: boolean } = {}) {
    const phone = graph.addPhoneNumber();
    const fields = cloudFields({ cloudPhoneNumberId: phone.id, cloudAccessToken: phone.token, cloudAppSecret: phone.appSecret });
    const created = await createInstance(t, account, { provider: 'cloud', ...fields });
    if (opts.connect !== false) {
      const res = await t.req('GET', `/api/instance/connect/${created.name}`, { token: account.token });
      expect(res.status).toBe(200);
    }
    return { ...created, phone, fields };
  }

  const stream = (name: string, after = 0) => StreamClient.open(t.url, `/ws/${name}?after=${after}`, { token: account.token });

  describe('creation (SPEC-MESSAGING §8)', () => {
    it('requires every cloud* field with provider "cloud", and refuses them without it', async () => {
      const bad = async (body: Record<string, unknown>) => t.req('POST', '/api/instance/new', { token: account.token, json: { name: 'cloudy', ...body } });
      const missing = await bad({ provider: 'cloud', cloudPhoneNumberId: '123456' });
      expect([missing.status, missing.body]).toEqual([400, envelope(
        'Invalid request body: cloudAccessToken is required with provider "cloud"; cloudAppSecret is required with provider "cloud"; cloudVerifyToken is required with provider "cloud"',
      )]);
      const stray = await bad({ cloudAccessToken: 'EAAG123' });
      expect([stray.status, stray.body]).toEqual([400, envelope('Invalid request body: cloudAccessToken is only allowed with provider "cloud"')]);
      const shapes = await bad({ provider: 'cloud', ...cloudFields({ cloudPhoneNumberId: '12ab', cloudVerifyToken: 'short' }) });
      expect(shapes.body).toEqual(envelope(
        'Invalid request body: cloudPhoneNumberId must be 1 to 32 digits; cloudVerifyToken must be 8 to 128 characters of A-Z a-z 0-9 . _ ~ -',
      ));
      const provider = await bad({ provider: 'telegram' });
      expect(provider.body).toEqual(envelope('Invalid request body: provider must be "baileys" or "cloud"'));
      const list = await t.req('GET', '/api/instance/list?instanceName=cloudy', { token: account.token });
      expect(list.status).toBe(404);
    });

    it('keeps the phone number id unique across the server, the secrets encrypted and the verify token hashed', async () => {
      const fields = cloudFields();
      const first = await t.req('POST', '/api/instance/new', { token: account.token, json: { name: `c-${Date.now()}`, provider: 'cloud', ...fields } });
      expect(first.status).toBe(201);
      expect(first.body.instance.status).toBe('disconnected');
      for (const secret of [fields.cloudAccessToken, fields.cloudAppSecret, fields.cloudVerifyToken]) expect(first.text).not.toContain(secret);
      const other = await createAccount(t);
      const second = await t.req('POST', '/api/instance/new', { token: other.token, json: { name: 'again', provider: 'cloud', ...cloudFields({ cloudPhoneNumberId: fields.cloudPhoneNumberId }) } });
      expect([second.status, second.body]).toEqual([409, envelope('Phone number already in use')]);
      const [row]: Array<Record<string, string>> = await t.app.get(DataSource).query(
        `SELECT provider, cloud_access_token, cloud_app_secret, cloud_verify_token_hash FROM instances WHERE cloud_phone_number_id = $1`,
        [fields.cloudPhoneNumberId],
      );
      expect(row.provider).toBe('cloud');
      expect(row.cloud_access_token).toMatch(/^v1\.[0-9a-f]{8}\./);
      expect(row.cloud_app_secret).toMatch(/^v1\.[0-9a-f]{8}\./);
      expect(JSON.stringify(row)).not.toContain(fields.cloudAccessToken);
      expect(row.cloud_verify_token_hash).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  describe('connect, reconnect, logout (SPEC-MESSAGING §8)', () => {
    it('verifies the credentials with GET /<cloudPhoneNumberId>: connected, and an instance.state event', async () => {
      const i = await cloudInstance({ connect: false });
      const client = await stream(i.name);
      const res = await t.req('GET', `/api/instance/connect/${i.name}`, { token: i.token });
      expect([res.status, res.body]).toEqual([200, { success: true, message: 'Instance connected', status: 'connected' }]);
      expect(graph.requestsTo('phone').map((r) => [r.path, r.headers.authorization])).toEqual([[`/v26.0/${i.phone.id}`, `Bearer ${i.phone.token}`]]);
      await client.until((c) => c.frames.length === 1);
      expect(client.frames[0]).toMatchObject({ event: 'instance.state', seq: 1, data: { status: 'connected', reason: 'connected' } });
      const list = await t.req('GET', `/api/instance/list?instanceName=${i.name}`, { token: account.token });
      expect(list.body.instances[0].status).toBe('connected');
      const again = await t.req('POST', `/api/instance/reconnect/${i.name}`, { token: account.token });
      expect([again.status, again.body]).toEqual([200, { success: true, message: 'Instance connected', status: 'connected' }]);
      await client.close();
    });

    it('answers the documented 400s and 502 when Meta refuses or cannot be reached', async () => {
      const i = await cloudInstance({ connect: false });
      graph.expireToken(i.phone.token);
      const expired = await t.req('GET', `/api/instance/connect/${i.name}`, { token: account.token });
      expect(expired.status).toBe(400);
      expect(expired.body.error.message).toMatch(/^WhatsApp Cloud API rejected the credentials — verify cloudAccessToken\. Detail: Error validating access token: Session has expired/);

      const unknown = graph.addPhoneNumber();
      const notMine = await createInstance(t, account, { provider: 'cloud', ...cloudFields({ cloudPhoneNumberId: `9${unknown.id}`, cloudAccessToken: unknown.token }) });
      const refused = await t.req('GET', `/api/instance/connect/${notMine.name}`, { token: account.token });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(/^WhatsApp Cloud API refused the phone number — verify cloudPhoneNumberId\. Detail: Unsupported get request\. Object with ID '9\d+' does not exist/);

      const ok = await cloudInstance({ connect: false });
      graph.behave('phone', { kind: 'hang' });
      const hanging = await t.req('GET', `/api/instance/connect/${ok.name}`, { token: account.token });
      expect([hanging.status, hanging.body]).toEqual([502, envelope('WhatsApp is unreachable — retry later. Detail: no answer within 1500 ms')]);
      const list = await t.req('GET', `/api/instance/list?instanceName=${ok.name}`, { token: account.token });
      expect(list.body.instances[0].status).toBe('disconnected');
    });

    it('400 for a phone that is not digits; 404 and 403 as every instance route', async () => {
      const i = await cloudInstance({ connect: false });
      const badPhone = await t.req('GET', `/api/instance/connect/${i.name}?phone=abc`, { token: account.token });
      expect([badPhone.status, badPhone.body]).toEqual([400, envelope('Invalid query: phone must be 8 to 15 digits')]);
      const missing = await t.req('GET', '/api/instance/connect/nope', { token: account.token });
      expect([missing.status, missing.body]).toEqual([404, envelope('Instance not found')]);
      const other = await cloudInstance({ connect: false });
      const mismatch = await t.req('DELETE', `/api/instance/logout/${other.name}`, { token: i.token });
      expect([mismatch.status, mismatch.body]).toEqual([403, envelope('Instance token does not match the requested instance')]);
    });

    it('logout: disconnected, and the instance\'s webhooks are ignored from then on', async () => {
      const i = await cloudInstance();
      const res = await t.req('DELETE', `/api/instance/logout/${i.name}`, { token: account.token });
      expect([res.status, res.body]).toEqual([200, { success: true, message: 'Instance logged out', instance: { name: i.name, status: 'disconnected' } }]);
      const after = await graph.postWebhook(hook, webhookOf(i.phone, inbound.text('after logout')));
      expect(after.status).toBe(200);
      const stored: unknown[] = await t.app.get(DataSource).query(`SELECT 1 FROM messages m JOIN instances i ON i.id = m.instance_id WHERE i.name = $1`, [i.name]);
      expect(stored).toEqual([]);
    });
  });

  describe('GET|POST /webhooks/whatsapp-cloud (SPEC-MESSAGING §8)', () => {
    it('answers the subscription handshake for a Cloud instance\'s verify token only', async () => {
      const i = await cloudInstance({ connect: false });
      const ok = await graph.verifyWebhook(hook, i.fields.cloudVerifyToken, '1158201444');
      expect([ok.status, ok.body, ok.headers.get('content-type')]).toEqual([200, '1158201444', 'text/plain; charset=utf-8']);
      const wrong = await graph.verifyWebhook(hook, 'not-a-verify-token');
      expect([wrong.status, JSON.parse(wrong.body)]).toEqual([403, envelope('Forbidden')]);
      const noMode = await request(t.url, 'GET', `/webhooks/whatsapp-cloud?hub.verify_token=${i.fields.cloudVerifyToken}&hub.challenge=1`);
      expect([noMode.status, noMode.body]).toEqual([403, envelope('Forbidden')]);
    });

    it('refuses a body that a named instance did not sign (401 Invalid signature), storing nothing', async () => {
      const i = await cloudInstance();
      const other = await cloudInstance();
      const body = webhookBody(entry('1', change(i.phone, [inbound.text('one')])), entry('2', change(other.phone, [inbound.text('two')])));
      for (const opts of [{ signature: null }, { appSecret: i.phone.appSecret }, { signature: 'sha256=00' }]) {
        const res = await graph.postWebhook(hook, body, opts);
        expect([res.status, JSON.parse(res.body)]).toEqual([401, envelope('Invalid signature')]);
      }
      const stored: unknown[] = await t.app.get(DataSource).query(`SELECT 1 FROM messages WHERE chat_jid LIKE '16505551234%'`);
      expect(stored).toEqual([]);
    });

    it('ignores unknown numbers and bodies that are not Meta\'s, with a 200', async () => {
      const res = await graph.postWebhook(hook, webhookOf({ id: '999000999', displayPhoneNumber: '15550000000' }, inbound.text('hi')), { appSecret: 'whatever' });
      expect(res.status).toBe(200);
      const junk = await request(t.url, 'POST', '/webhooks/whatsapp-cloud', { raw: 'not json', contentType: 'application/json' });
      expect(junk.status).toBe(200);
    });

    it('stores every message type once, before the 200, and streams message.exchange events in order', async () => {
      const i = await cloudInstance();
      const client = await stream(i.name, 1);
      const image = graph.addMedia(i.phone.id, Buffer.from('PNGDATA'), 'image/png');
      const items = [
        inbound.text('Olá, tudo bem?', { id: 'wamid.TEXT1', name: 'Maria', from: '5511988887777', timestamp: 1776680130 }),
        inbound.image({ mediaId: image.id, mimeType: 'image/png', caption: 'foto', id: 'wamid.IMG1', from: '5511988887777' }),
        inbound.audio({ voice: true, id: 'wamid.AUD1', from: '5511988887777' }),
        inbound.video({ caption: 'vid', id: 'wamid.VID1', from: '5511988887777' }),
        inbound.document({ filename: 'report.pdf', id: 'wamid.DOC1', from: '5511988887777' }),
        inbound.sticker({ id: 'wamid.STK1', from: '5511988887777' }),
        inbound.location({ latitude: -23.55, longitude: -46.63, name: 'Paulista' }, { id: 'wamid.LOC1', from: '5511988887777' }),
        inbound.contacts([{ name: { formatted_name: 'Alice' }, phones: [{ phone: '+55 11 77777-7777', wa_id: '5511777777777' }] }], { id: 'wamid.CON1', from: '5511988887777' }),
        inbound.reaction('wamid.TEXT1', '❤️', { id: 'wamid.REA1', from: '5511988887777' }),
        inbound.buttonReply('wamid.OUT1', { id: 'yes', title: 'Sim' }, { id: 'wamid.BTN1', from: '5511988887777' }),
        inbound.listReply('wamid.OUT1', { id: 'opt-2', title: 'Opção 2' }, { id: 'wamid.LST1', from: '5511988887777' }),
        inbound.text('respondendo', { id: 'wamid.RPL1', from: '5511988887777', context: { id: 'wamid.TEXT1' } }),
      ];
      const res = await graph.postWebhook(hook, webhookOf(i.phone, ...items));
      expect(res.status).toBe(200);
      // Durable before the 200: the rows are there when the answer arrives.
      const [{ n }]: Array<{ n: string }> = await t.app.get(DataSource).query(
        `SELECT count(*)::text AS n FROM messages m JOIN instances i ON i.id = m.instance_id WHERE i.name = $1`, [i.name],
      );
      expect(n).toBe(String(items.length));

      await client.until((c) => c.frames.length === items.length);
      expect(client.frames.map((f) => [f.seq, f.event, f.data.message.type])).toEqual([
        [2, 'message.exchange', 'text'], [3, 'message.exchange', 'image'], [4, 'message.exchange', 'audio'],
        [5, 'message.exchange', 'video'], [6, 'message.exchange', 'document'], [7, 'message.exchange', 'sticker'],
        [8, 'message.exchange', 'location'], [9, 'message.exchange', 'contacts'], [10, 'message.exchange', 'reaction'],
        [11, 'message.exchange', 'text'], [12, 'message.exchange', 'text'], [13, 'message.exchange', 'text'],
      ]);
      expect(client.frames[0]).toEqual({
        event: 'message.exchange',
        seq: 2,
        data: {
          id: 'wamid.TEXT1',
          message: {
            id: 'wamid.TEXT1', direction: 'incoming', timestamp: '2026-04-20T10:15:30Z', fromMe: false,
            chat: { jid: '5511988887777@s.whatsapp.net', phone: '+5511988887777', name: 'Maria', type: 'private' },
            sender: { jid: '5511988887777@s.whatsapp.net', phone: '+5511988887777', name: 'Maria' },
            type: 'text', content: { text: 'Olá, tudo bem?' }, media: null, replyTo: null, target: null,
          },
        },
        instanceData: { baseUrl: PUBLIC_URL, instance: i.name },
      });
      const byId = Object.fromEntries(client.frames.map((f) => [f.data.id, f.data.message]));
      expect(byId['wamid.IMG1'].content).toEqual({ caption: 'foto' });
      expect(byId['wamid.IMG1'].media).toEqual({ mimetype: 'image/png', fileName: null, size: null, url: `${PUBLIC_URL}/api/message/media/${i.name}/wamid.IMG1` });
      expect(byId['wamid.DOC1'].media).toMatchObject({ fileName: 'report.pdf' });
      expect(byId['wamid.LOC1'].content).toMatchObject({ latitude: -23.55, longitude: -46.63, name: 'Paulista' });
      expect(byId['wamid.CON1'].content).toEqual({ contacts: [{ name: 'Alice', phones: ['+5511777777777'] }] });
      expect(byId['wamid.REA1']).toMatchObject({ type: 'reaction', content: { emoji: '❤️' }, target: 'wamid.TEXT1' });
      expect(byId['wamid.BTN1'].content).toEqual({ text: 'Sim', replyId: 'yes' });
      expect(byId['wamid.RPL1'].replyTo).toBe('wamid.TEXT1');

      // Meta redelivers: nothing changes, no event.
      expect((await graph.postWebhook(hook, webhookOf(i.phone, ...items))).status).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
      expect(client.frames).toHaveLength(items.length);

      // The image is downloaded in the background and served with its type.
      await eventually(async () => {
        const media = await t.req('GET', `/api/message/media/${i.name}/wamid.IMG1`, { token: account.token });
        expect([media.status, media.headers.get('content-type'), media.text]).toEqual([200, 'image/png', 'PNGDATA']);
      });
      await client.close();
    });

    it('media route: fetched on demand when asked first; 404 Media not found without media or when Meta no longer has it', async () => {
      const i = await cloudInstance();
      const doc = graph.addMedia(i.phone.id, Buffer.from('%PDF-1.4 report'), 'application/pdf', 'r.pdf');
      // The background download fails (Meta answers 500): the media stays pending, and the route fetches it itself.
      graph.behave('media', { kind: 'respond', status: 500, body: 'oops', contentType: 'text/plain' }, 1);
      await graph.postWebhook(hook, webhookOf(i.phone, inbound.document({ mediaId: doc.id, mimeType: 'application/pdf', filename: 'r.pdf', id: 'wamid.PDF1' }), inbound.text('no media', { id: 'wamid.TXT9' })));
      await eventually(() => expect(graph.requestsTo('media')).toHaveLength(1));
      await new Promise((r) => setTimeout(r, 100));
      const pdf = await t.req('GET', `/api/message/media/${i.name}/wamid.PDF1`, { token: account.token });
      expect([pdf.status, pdf.headers.get('content-type'), pdf.text]).toEqual([200, 'application/pdf', '%PDF-1.4 report']);
      expect(pdf.headers.get('content-disposition')).toBe("inline; filename*=UTF-8''r.pdf");
      const noMedia = await t.req('GET', `/api/message/media/${i.name}/wamid.TXT9`, { token: account.token });
      expect([noMedia.status, noMedia.body]).toEqual([404, envelope('Media not found')]);
      const unknown = await t.req('GET', `/api/message/media/${i.name}/wamid.NOPE`, { token: account.token });
      expect([unknown.status, unknown.body]).toEqual([404, envelope('Media not found')]);
      const gone = graph.addMedia(i.phone.id, Buffer.from('x'), 'image/jpeg');
      graph.forgetMedia(gone.id);
      await graph.postWebhook(hook, webhookOf(i.phone, inbound.image({ mediaId: gone.id, id: 'wamid.GONE1' })));
      const goneRes = await t.req('GET', `/api/message/media/${i.name}/wamid.GONE1`, { token: account.token });
      expect([goneRes.status, goneRes.body]).toEqual([404, envelope('Media not found')]);
    });
  });

  describe('sending (SPEC-MESSAGING §9)', () => {
    it('sends a text, answers the documented body, stores it and emits it as outgoing; statuses follow as message.status', async () => {
      const i = await cloudInstance();
      const client = await stream(i.name, 1);
      const res = await t.req('POST', `/api/message/text/${i.name}`, { token: i.token, json: { number: '+5511988887777', message: 'Oi!', linkPreview: true } });
      expect(res.status).toBe(200);
      const sent = graph.sent[graph.sent.length - 1];
      expect(res.body).toEqual({
        success: true, message: 'Message sent successfully', status: 'sent',
        data: { messageId: sent.wamid, direction: 'outgoing', timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), chat: { jid: '5511988887777@s.whatsapp.net', type: 'private' } },
      });
      expect(sent.body).toMatchObject({ messaging_product: 'whatsapp', to: '+5511988887777', type: 'text', text: { body: 'Oi!', preview_url: true } });
      await client.until((c) => c.frames.length === 1);
      expect(client.frames[0].data.message).toMatchObject({ id: sent.wamid, direction: 'outgoing', fromMe: true, type: 'text', content: { text: 'Oi!' } });

      await graph.postWebhook(hook, webhookOf(i.phone, statuses.sent(sent.wamid, { timestamp: 1776680131 }), statuses.delivered(sent.wamid), statuses.read(sent.wamid)));
      // A late `delivered` after `read` changes nothing; a status of an unknown message is ignored.
      await graph.postWebhook(hook, webhookOf(i.phone, statuses.delivered(sent.wamid), statuses.read('wamid.UNKNOWN')));
      await client.until((c) => c.frames.length === 3);
      await new Promise((r) => setTimeout(r, 200));
      expect(client.frames.slice(1).map((f) => [f.event, f.data])).toEqual([
        ['message.status', { id: sent.wamid, status: 'delivered', error: null, timestamp: expect.any(String) }],
        ['message.status', { id: sent.wamid, status: 'read', error: null, timestamp: expect.any(String) }],
      ]);
      await graph.postWebhook(hook, webhookOf(i.phone, statuses.failed(sent.wamid, [131047])));
      await client.until((c) => c.frames.length === 4);
      expect(client.frames[3].data).toMatchObject({ id: sent.wamid, status: 'failed', error: expect.stringContaining('Re-engagement message') });
      await client.close();
    });

    it('a reply quotes the stored message; an unknown replyTo is 404 Message not found; not connected is 400', async () => {
      const i = await cloudInstance();
      await graph.postWebhook(hook, webhookOf(i.phone, inbound.text('pergunta', { id: 'wamid.Q1' })));
      const reply = await t.req('POST', `/api/message/text/${i.name}`, { token: account.token, json: { number: '16505551234', message: 'resposta', replyTo: 'wamid.Q1' } });
      expect(reply.status).toBe(200);
      expect(graph.sent[graph.sent.length - 1].body.context).toEqual({ message_id: 'wamid.Q1' });
      const unknown = await t.req('POST', `/api/message/text/${i.name}`, { token: account.token, json: { number: '16505551234', message: 'x', replyTo: 'wamid.NOPE' } });
      expect([unknown.status, unknown.body]).toEqual([404, envelope('Message not found')]);
      const off = await cloudInstance({ connect: false });
      const notConnected = await t.req('POST', `/api/message/text/${off.name}`, { token: account.token, json: { number: '16505551234', message: 'x' } });
      expect([notConnected.status, notConnected.body]).toEqual([400, envelope('Instance is not connected to WhatsApp')]);
    });

    it('revoke: 400 on a Cloud API instance (Meta has no such call), after the not-connected and not-found checks; nothing sent', async () => {
      const i = await cloudInstance();
      const sent = await t.req('POST', `/api/message/text/${i.name}`, { token: account.token, json: { number: '16505551234', message: 'oops' } });
      expect(sent.status).toBe(200);
      const count = graph.sent.length;
      const revoke = (name: string, messageId: string) => t.req('POST', `/api/message/revoke/${name}`, { token: account.token, json: { messageId } });
      expect(await revoke(i.name, sent.body.data.messageId).then((r) => [r.status, r.body])).toEqual([400, envelope('The WhatsApp Cloud API cannot revoke a sent message')]);
      expect(await revoke(i.name, 'wamid.NOPE').then((r) => [r.status, r.body])).toEqual([404, envelope('Message not found')]);
      const off = await cloudInstance({ connect: false });
      expect(await revoke(off.name, 'wamid.NOPE').then((r) => [r.status, r.body])).toEqual([400, envelope('Instance is not connected to WhatsApp')]);
      expect(await revoke('no-such-instance', 'wamid.NOPE').then((r) => [r.status, r.body])).toEqual([404, envelope('Instance not found')]);
      expect(graph.sent).toHaveLength(count);
    });

    it('validates the body with the documented messages', async () => {
      const i = await cloudInstance();
      const send = (json: unknown, headers?: Record<string, string>) => t.req('POST', `/api/message/text/${i.name}`, { token: account.token, json, headers });
      for (const number of ['bob', '123', '+55 11 98888-7777', '5511@c.us', 12345678]) {
        const res = await send({ number, message: 'x' });
        expect([res.status, res.body]).toEqual([400, envelope('Invalid request body: number must be a phone number or a WhatsApp JID')]);
      }
      for (const number of ['5511988887777', '+5511988887777', '5511988887777@s.whatsapp.net', '120363000000000001@g.us', '987654321012345@lid']) {
        expect((await send({ number, message: 'x' })).status).not.toBe(400);
      }
      expect((await send({ number: '5511988887777', message: '' })).body).toEqual(envelope('Invalid request body: message must be 1 to 4096 characters'));
      expect((await send({ number: '5511988887777', message: 'x'.repeat(4097) })).body).toEqual(envelope('Invalid request body: message must be 1 to 4096 characters'));
      expect((await send({ number: '5511988887777', message: 'x', delay: 31 })).body).toEqual(envelope('Invalid request body: delay must be an integer from 0 to 30'));
      expect((await send({ number: '5511988887777', message: 'x', color: 'red' })).body).toEqual(envelope('Invalid request body: unknown field color'));
      const key = await send({ number: '5511988887777', message: 'x' }, { 'idempotency-key': 'has space' });
      expect([key.status, key.body]).toEqual([400, envelope('Invalid request body: Idempotency-Key must be 1-128 characters of A-Z a-z 0-9 . _ : -')]);
    });

    it('maps Meta\'s refusals to the documented 502s', async () => {
      const i = await cloudInstance();
      const send = () => t.req('POST', `/api/message/text/${i.name}`, { token: account.token, json: { number: '16505551234', message: 'x' } });
      const cases: Array<[number, string]> = [
        [131047, 'WhatsApp rejected the message — the 24-hour customer service window is closed (send a template). Detail: '],
        [131026, 'WhatsApp rejected the message — the number is not on WhatsApp. Detail: '],
        [130429, 'WhatsApp rejected the message — rate limited by WhatsApp. Detail: '],
        [131056, 'WhatsApp rejected the message — rate limited by WhatsApp. Detail: '],
        [190, 'WhatsApp Cloud API rejected the credentials — verify cloudAccessToken. Detail: '],
        [131053, 'WhatsApp rejected the message — '],
      ];
      for (const [code, prefix] of cases) {
        graph.failSends(code, { times: 1 });
        const res = await send();
        expect(res.status).toBe(502);
        expect(res.body.error.message.startsWith(prefix)).toBe(true);
      }
      graph.behave('messages', { kind: 'respond', status: 503, body: 'Service Unavailable', contentType: 'text/plain' }, 1);
      const down = await send();
      expect([down.status, down.body.error.message]).toEqual([502, expect.stringMatching(/^WhatsApp is unreachable — retry later\. Detail: HTTP 503/)]);
    });

    it("Idempotency-Key of a first request whose process died: sent by the repeat if it never reached WhatsApp, 409 outcome unknown at once if it did; a live one's answer is waited for", async () => {
      const i = await cloudInstance();
      const body = { number: '16505551234', message: 'orphaned' };
      const send = (key: string) => t.req('POST', `/api/message/text/${i.name}`, { token: account.token, json: body, headers: { 'idempotency-key': key } });
      const ds = t.app.get(DataSource);
      expect((await send('k:model')).status).toBe(200);
      const [{ fingerprint }] = await ds.query(`SELECT "fingerprint" FROM "idempotency_keys" WHERE "key" = 'k:model'`);
      const orphan = (key: string, holder: string, sending: boolean) =>
        ds.query(`INSERT INTO "idempotency_keys" ("instance_id", "key", "fingerprint", "state", "holder", "sending") SELECT "id", $2, $3, 'pending', $4, $5 FROM "instances" WHERE "name" = $1`, [i.name, key, fingerprint, holder, sending]);
      const sent = () => graph.sent.filter((x) => x.body.text?.body === 'orphaned').length;
      const before = sent();

      // Its process died before calling WhatsApp (no fleet membership any more): the repeat sends it, once.
      await orphan('k:never-sent', 'dead-host:1:00000000', false);
      const taken = await send('k:never-sent');
      expect(taken.status).toBe(200);
      expect(sent()).toBe(before + 1);
      expect(await send('k:never-sent').then((r) => [r.status, r.body])).toEqual([200, taken.body]);
      expect(sent()).toBe(before + 1);

      // It died while WhatsApp was being called, and its key is of an older version (no sending_at):
      // nobody knows; 409 at once rather than after 5 minutes.
      await orphan('k:in-flight', 'dead-host:2:00000000', true);
      const unknown = await send('k:in-flight');
      expect([unknown.status, unknown.body]).toEqual([409, envelope('Idempotency-Key already used by a request whose outcome is unknown')]);
      expect(sent()).toBe(before + 1);

      // A live process's request (a member of the fleet) is waited for, and its answer replayed.
      await ds.query(`INSERT INTO "leases" ("resource", "holder", "expires_at") VALUES ('member:whatsapp:live-host:3:00000000', 'live-host:3:00000000', now() + interval '1 minute')`);
      await orphan('k:running', 'live-host:3:00000000', true);
      const waiting = send('k:running');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await ds.query(`UPDATE "idempotency_keys" SET "state" = 'done', "status" = 200, "body" = $2::jsonb WHERE "key" = $1`, ['k:running', JSON.stringify(taken.body)]);
      expect(await waiting.then((r) => [r.status, r.body])).toEqual([200, taken.body]);
      expect(sent()).toBe(before + 1);
    });

    it("Idempotency-Key of a send whose process died while Meta was called: settled by Meta's status naming the key, sent again when none came within CLOUD_SEND_SETTLE_SECONDS and Meta's webhooks reach the server", async () => {
      const i = await cloudInstance();
      const body = { number: '16505551234', message: 'in flight' };
      const send = (key: string | null) =>
        t.req('POST', `/api/message/text/${i.name}`, { token: account.token, json: body, headers: key ? { 'idempotency-key': key } : {} });
      const ds = t.app.get(DataSource);
      const sends = () => graph.sent.filter((x) => x.body.text?.body === 'in flight');

      // A keyed send names its key (and its claim's nonce) to Meta, which repeats it in the message's statuses; an unkeyed one names nothing.
      expect((await send('k:tagged')).status).toBe(200);
      expect((await send(null)).status).toBe(200);
      const [{ fingerprint, tag_nonce: nonce }] = await ds.query(`SELECT "fingerprint", "tag_nonce" FROM "idempotency_keys" WHERE "key" = 'k:tagged'`);
      expect(nonce).toMatch(/^[0-9a-f]{8}$/);
      expect(sends().map((x) => x.body.biz_opaque_callback_data)).toEqual([`idempotency-key:${nonce}:k:tagged`, undefined]);
      const orphan = (key: string) =>
        ds.query(
          `INSERT INTO "idempotency_keys" ("instance_id", "key", "fingerprint", "state", "holder", "sending", "sending_at", "tag_nonce")
           SELECT "id", $2, $3, 'pending', 'dead-host:9:00000000', true, now(), '0123abcd' FROM "instances" WHERE "name" = $1`,
          [i.name, key, fingerprint],
        );
      const before = sends().length;

      // Meta accepted it (its status names the key) and the process died before storing it: the
      // repeat stores it as sent with Meta's id and answers as the send would have; nothing is sent twice.
      // A status of an earlier send with the same key (another nonce) settles nothing.
      await orphan('k:accepted');
      const acceptedId = 'wamid.HBgLMTY1MDUU1NTEyMzQVAgARGBI3QUNDRVBURUQA';
      const stale = await graph.postWebhook(hook, webhookOf(i.phone, statuses.read('wamid.EARLIER', { recipient: '16505551234', callbackData: 'idempotency-key:99999999:k:accepted' })));
      expect(stale.status).toBe(200);
      expect((await ds.query(`SELECT "accepted" FROM "idempotency_keys" WHERE "key" = 'k:accepted'`))[0].accepted).toBeNull();
      const status = await graph.postWebhook(hook, webhookOf(i.phone, statuses.sent(acceptedId, { recipient: '16505551234', callbackData: 'idempotency-key:0123abcd:k:accepted' })));
      expect(status.status).toBe(200);
      // The furthest status is kept for the message.
      const delivered = await graph.postWebhook(hook, webhookOf(i.phone, statuses.delivered(acceptedId, { recipient: '16505551234', callbackData: 'idempotency-key:0123abcd:k:accepted' })));
      expect(delivered.status).toBe(200);
      const settled = await send('k:accepted');
      expect([settled.status, settled.body]).toEqual([200, {
        success: true, message: 'Message sent successfully', status: 'sent',
        data: { messageId: acceptedId, direction: 'outgoing', timestamp: expect.any(String), chat: { jid: '16505551234@s.whatsapp.net', type: 'private' } },
      }]);
      expect(sends()).toHaveLength(before);
      const [stored] = await ds.query(`SELECT "direction", "status", "chat_jid", "data" FROM "messages" WHERE "provider_message_id" = $1`, [acceptedId]);
      expect([stored.direction, stored.status, stored.chat_jid, stored.data.content]).toEqual(['outgoing', 'delivered', '16505551234@s.whatsapp.net', { text: 'in flight' }]);
      const events = await ds.query(`SELECT "type", "data" FROM "instance_events" WHERE "data"->>'id' = $1 ORDER BY "seq"`, [acceptedId]);
      expect(events.map((e: { type: string; data: { status?: string } }) => [e.type, e.data.status ?? null])).toEqual([['message.exchange', null], ['message.status', 'delivered']]);
      expect(await send('k:accepted').then((r) => [r.status, r.body])).toEqual([200, settled.body]);

      // No status came: Meta never accepted it, and the repeat sends it once CLOUD_SEND_SETTLE_SECONDS (2 here) have passed.
      await orphan('k:lost');
      const started = Date.now();
      const resent = await send('k:lost');
      expect(resent.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
      const [{ tag_nonce: resentNonce }] = await ds.query(`SELECT "tag_nonce" FROM "idempotency_keys" WHERE "key" = 'k:lost'`);
      // A new nonce: a late status of the first send cannot settle this one.
      expect(resentNonce).not.toBe('0123abcd');
      expect(sends().slice(before).map((x) => [x.wamid, x.body.biz_opaque_callback_data])).toEqual([[resent.body.data.messageId, `idempotency-key:${resentNonce}:k:lost`]]);
      expect(await send('k:lost').then((r) => [r.status, r.body])).toEqual([200, resent.body]);
      expect(sends()).toHaveLength(before + 1);

      // No webhook of Meta ever reached this server for an instance: no status proves nothing, and
      // the repeat answers 409 once the settle period is over instead of sending again.
      const quiet = await cloudInstance();
      const sendQuiet = (key: string) => t.req('POST', `/api/message/text/${quiet.name}`, { token: account.token, json: body, headers: { 'idempotency-key': key } });
      expect((await sendQuiet('k:quiet-model')).status).toBe(200);
      const [{ fingerprint: quietFingerprint }] = await ds.query(`SELECT "fingerprint" FROM "idempotency_keys" WHERE "key" = 'k:quiet-model'`);
      await ds.query(
        `INSERT INTO "idempotency_keys" ("instance_id", "key", "fingerprint", "state", "holder", "sending", "sending_at", "tag_nonce")
         SELECT "id", 'k:unheard', $2, 'pending', 'dead-host:9:00000000', true, now(), '0123abcd' FROM "instances" WHERE "name" = $1`,
        [quiet.name, quietFingerprint],
      );
      const unheard = await sendQuiet('k:unheard');
      expect([unheard.status, unheard.body]).toEqual([409, envelope('Idempotency-Key already used by a request whose outcome is unknown')]);
      expect(graph.sent.filter((x) => x.phoneNumberId === quiet.phone.id)).toHaveLength(1);

      // A provider that reports nothing of a send later (Baileys) leaves it unknown: 409 at once.
      await orphan('k:untagged');
      const keys = t.app.get(IdempotencyKeys);
      const [{ id }] = await ds.query(`SELECT "id" FROM "instances" WHERE "name" = $1`, [i.name]);
      let ran = 0;
      const running = keys.run(id, 'k:untagged', fingerprint, false, async () => {
        ran += 1;
        return { status: 200, body: {} };
      });
      await expect(running).rejects.toEqual(new IdempotencyConflict('outcome_unknown'));
      expect(ran).toBe(0);
    });

    it('Idempotency-Key: a repeat sends nothing and gets the first answer, also while the first runs; another body is 409', async () => {
      const i = await cloudInstance();
      const body = { number: '16505551234', message: 'once' };
      const send = (json: unknown, key: string) => t.req('POST', `/api/message/text/${i.name}`, { token: account.token, json, headers: { 'idempotency-key': key } });
      const before = graph.sent.length;
      graph.behave('messages', { kind: 'delay', ms: 300 }, 1);
      const [a, b] = await Promise.all([send(body, 'k:1'), send(body, 'k:1')]);
      expect(a.status).toBe(200);
      expect(b.body).toEqual(a.body);
      const c = await send(body, 'k:1');
      expect([c.status, c.body]).toEqual([200, a.body]);
      expect(graph.sent.length - before).toBe(1);
      const other = await send({ ...body, message: 'twice' }, 'k:1');
      expect([other.status, other.body]).toEqual([409, envelope('Idempotency-Key already used for a different request')]);
      // A failure is the key's answer too: repeating it does not send.
      graph.failSends(131026, { times: 1 });
      const failed = await send(body, 'k:2');
      const repeated = await send(body, 'k:2');
      expect([failed.status, repeated.status, repeated.body]).toEqual([502, 502, failed.body]);
      expect(graph.sent.length - before).toBe(1);
      // Keys are per instance.
      const elsewhere = await cloudInstance();
      const there = await t.req('POST', `/api/message/text/${elsewhere.name}`, { token: account.token, json: body, headers: { 'idempotency-key': 'k:1' } });
      expect(there.status).toBe(200);
    });

    it('sends media from base64 and from a URL (uploaded to Meta first); the sent file is served back', async () => {
      const i = await cloudInstance();
      const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da636460f80f0000030101001cd2eb0a0000000049454e44ae426082', 'hex');
      const res = await t.req('POST', `/api/message/media/${i.name}`, { token: account.token, json: { number: '16505551234', type: 'image', mediaBase64: png.toString('base64'), caption: 'pixel' } });
      expect(res.status).toBe(200);
      const upload = graph.requestsTo('upload').pop()!;
      expect((upload.body as { files: Array<{ contentType: string; bytes: Buffer }> }).files[0]).toMatchObject({ contentType: 'image/png' });
      const sent = graph.sent[graph.sent.length - 1];
      expect(sent.body).toMatchObject({ type: 'image', image: { id: expect.any(String), caption: 'pixel' } });
      const back = await fetch(`${t.url}/api/message/media/${i.name}/${encodeURIComponent(res.body.data.messageId)}`, { headers: { token: account.token } });
      expect([back.status, back.headers.get('content-type'), Buffer.from(await back.arrayBuffer()).equals(png)]).toEqual([200, 'image/png', true]);

      const files: Server = createServer((req, r) => {
        if (req.url === '/files/report.pdf') return void r.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.7 hello');
        r.writeHead(404).end();
      });
      await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
      try {
        const doc = await t.req('POST', `/api/message/media/${i.name}`, { token: account.token, json: { number: '16505551234', type: 'document', mediaUrl: `${base}/files/report.pdf` } });
        expect(doc.status).toBe(200);
        expect(graph.sent[graph.sent.length - 1].body).toMatchObject({ type: 'document', document: { filename: 'report.pdf' } });
        const missing = await t.req('POST', `/api/message/media/${i.name}`, { token: account.token, json: { number: '16505551234', type: 'document', mediaUrl: `${base}/nope` } });
        expect([missing.status, missing.body]).toEqual([400, envelope('Media could not be fetched — the server answered HTTP 404')]);
      } finally {
        await new Promise((resolve) => files.close(resolve));
      }
      const both = await t.req('POST', `/api/message/media/${i.name}`, { token: account.token, json: { number: '16505551234', type: 'image' } });
      expect([both.status, both.body]).toEqual([400, envelope('Invalid request body: exactly one of mediaUrl or mediaBase64 is required')]);
    });
  });
});
