import { Logger } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { GraphApiDouble, type PhoneNumber } from '../../../test/fakes/graph-api.js';
import { CapturingLogger } from '../../../test/support/capturing-logger.js';
import { testInstance } from '../../../test/support/factories.js';
import { SecretCipher, SecretDecryptionError } from '../../common/crypto/secret-cipher.js';
import { keyIdOf } from '../../config/config.js';
import type { Instance } from '../../instances/instance.entity.js';
import { type OutgoingMedia, type OutgoingMessage, WhatsAppError } from '../whatsapp.port.js';
import { CloudAdapter } from './cloud.adapter.js';
import { createGraphDispatcher, GraphClient } from './graph-client.js';

/** The Cloud API adapter against the Graph API double (SPEC-MESSAGING §8–§10). */

const key = randomBytes(32);
const cipher = new SecretCipher({ id: keyIdOf(key), key });
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

let graph: GraphApiDouble;
let dispatcher: Dispatcher;
let phone: PhoneNumber;
let logger: CapturingLogger;

/** Generous deadlines (a loaded CI machine's first request can take over 400 ms); a short one where a hang is the test. */
function adapter(mediaMaxBytes = 1024 * 1024, sendMs = 5_000): CloudAdapter {
  const client = new GraphClient(dispatcher, { whatsappCloudApiUrl: graph.url, whatsappConnectTimeoutMs: 5_000, mediaMaxBytes }, { sendMs, mediaMs: 5_000 });
  return new CloudAdapter(client, cipher);
}

function instanceOf(p: { id: string; token: string; appSecret: string }): Instance {
  return testInstance({
    id: randomUUID(), accountId: randomUUID(), name: 'suporte', status: 'connected', provider: 'cloud',
    cloudPhoneNumberId: p.id, cloudAccessToken: cipher.encrypt(p.token), cloudAppSecret: cipher.encrypt(p.appSecret),
    cloudVerifyTokenHash: 'y'.repeat(64), createdAt: new Date(),
  });
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; detail: string; reason: string }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof WhatsAppError) return { code: err.code, detail: err.detail, reason: err.reason };
    throw err;
  }
  throw new Error('expected a WhatsAppError');
}

const to = '5511999999999@s.whatsapp.net';
const business = { jid: '15550783881@s.whatsapp.net', phone: '+15550783881', name: 'Lucky Shrub' };
const pdf = Buffer.from('%PDF-1.7\n...');
const media = (over: Partial<OutgoingMedia>): OutgoingMedia => ({
  type: 'image', bytes: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), mimetype: 'image/jpeg', fileName: null, caption: null, voice: false, ...over,
});
const messagesBodies = () => graph.requestsTo('messages').map((r) => r.body as Record<string, unknown>);

beforeAll(async () => {
  graph = await GraphApiDouble.start();
  dispatcher = createGraphDispatcher();
});

afterAll(async () => {
  await dispatcher.destroy();
  await graph.stop();
});

beforeEach(() => {
  graph.reset();
  phone = graph.addPhoneNumber({ displayPhoneNumber: '15550783881', verifiedName: 'Lucky Shrub' });
  logger = new CapturingLogger();
  Logger.overrideLogger(logger);
});

afterEach(() => {
  // Whatever a test did, neither credential reached a log line — not even scrubbed by the logger
  // (which knows every value the cipher handled), so nothing was redacted either.
  expect(logger.text()).not.toContain(phone.token);
  expect(logger.text()).not.toContain(phone.appSecret);
  expect(logger.text()).not.toContain('REDACTED');
  Logger.overrideLogger(false as never);
});

describe('CloudAdapter.connect / reconnect / logout', () => {
  it('verifies the credentials with the phone number id, with the decrypted token', async () => {
    const a = adapter();
    expect(a.provider).toBe('cloud');
    expect(await a.connect(instanceOf(phone), {})).toEqual({ status: 'connected', already: false });
    expect(await a.reconnect(instanceOf(phone))).toEqual({ status: 'connected', already: false });
    expect(graph.requests.map((r) => `${r.method} ${r.path} ${r.headers.authorization}`)).toEqual([
      `GET /v26.0/${phone.id} Bearer ${phone.token}`, `GET /v26.0/${phone.id} Bearer ${phone.token}`,
    ]);
  });

  it('reports refused credentials, a refused number and an unreachable Meta in the words of SPEC §8', async () => {
    expect(await failure(adapter().connect(instanceOf({ ...phone, token: 'EAAwrong' }), {}))).toEqual({
      code: 'CREDENTIALS', detail: 'Invalid OAuth access token - Cannot parse access token', reason: '',
    });
    expect(await failure(adapter().connect(instanceOf({ ...phone, id: '123456789' }), {}))).toMatchObject({
      code: 'PHONE_NUMBER', detail: expect.stringMatching(/^Unsupported get request\. Object with ID '123456789' does not exist/),
    });
    graph.behave('phone', { kind: 'respond', status: 503, body: '' }, 1);
    expect(await failure(adapter().reconnect(instanceOf(phone)))).toEqual({ code: 'UNREACHABLE', detail: 'HTTP 503', reason: '' });
  });

  it('lets a token that cannot be decrypted fail as such, not as a Meta verdict', async () => {
    const broken = { ...instanceOf(phone), cloudAccessToken: 'v1.deadbeef.AAAA.AAAA.AAAA' };
    await expect(adapter().connect(broken, {})).rejects.toBeInstanceOf(SecretDecryptionError);
    expect(graph.requests).toHaveLength(0);
  });

  it('logs out without calling Meta', async () => {
    await adapter().logout(instanceOf(phone));
    expect(graph.requests).toHaveLength(0);
  });
});

describe('CloudAdapter.send', () => {
  it('sends a text and returns the outgoing message data', async () => {
    const a = adapter();
    await a.connect(instanceOf(phone), {});
    const sent = await a.send(instanceOf(phone), { to, text: 'Olá! https://example.com' });
    expect(messagesBodies()).toEqual([{
      messaging_product: 'whatsapp', recipient_type: 'individual', to: '+5511999999999', type: 'text', text: { body: 'Olá! https://example.com', preview_url: false },
    }]);
    const wamid = graph.sent[0].wamid;
    expect(sent).toEqual({
      message: {
        data: {
          id: wamid, direction: 'outgoing', timestamp: expect.stringMatching(RFC3339), fromMe: true,
          chat: { jid: to, phone: '+5511999999999', name: null, type: 'private' }, sender: business,
          type: 'text', content: { text: 'Olá! https://example.com' }, media: null, replyTo: null, target: null,
        },
        mediaSource: null,
        raw: null,
      },
    });
    expect(Math.abs(Date.parse(sent.message.data.timestamp) - Date.now())).toBeLessThan(5_000);
  });

  it("sends a tag as biz_opaque_callback_data, which Meta repeats in the message's statuses", async () => {
    await adapter().send(instanceOf(phone), { to, text: 'tagged', tag: 'idempotency-key:k:1' });
    expect(messagesBodies()[0]).toMatchObject({ type: 'text', biz_opaque_callback_data: 'idempotency-key:k:1' });
  });

  it("describes a send Meta's status reported accepted as the send would have, without calling Meta to send", async () => {
    const a = adapter();
    await a.connect(instanceOf(phone), {});
    graph.reset();
    const accepted = { id: 'wamid.ACCEPTED', status: 'sent' as const, error: null, timestamp: '2026-12-05T10:00:00Z', recipient: '551199999999' };
    const text = await a.accepted(instanceOf(phone), { to, text: 'olá', replyTo: { id: 'wamid.Q', chatJid: to, raw: null } }, accepted);
    expect(text.message).toEqual({
      data: {
        id: 'wamid.ACCEPTED', direction: 'outgoing', timestamp: '2026-12-05T10:00:00Z', fromMe: true,
        // Meta's wa_id names the chat, as after a send (Brazil's ninth digit).
        chat: { jid: '551199999999@s.whatsapp.net', phone: '+551199999999', name: null, type: 'private' }, sender: business,
        type: 'text', content: { text: 'olá' }, media: null, replyTo: 'wamid.Q', target: null,
      },
      mediaSource: null,
      raw: null,
    });
    const doc = await a.accepted(instanceOf(phone), { to, media: media({ type: 'document', bytes: Buffer.alloc(0), mimetype: 'application/pdf', fileName: 'a.pdf', caption: 'c' }) }, { ...accepted, recipient: null });
    expect(doc.message.data).toMatchObject({ type: 'document', content: { caption: 'c' }, media: { mimetype: 'application/pdf', fileName: 'a.pdf', size: null }, chat: { jid: to } });
    expect(graph.requests).toHaveLength(0);

    // Meta unreachable now, and the business number not known in this process: still the message
    // Meta accepted (named by the phone number id), never a failure.
    graph.behave('phone', { kind: 'respond', status: 503, body: 'down', contentType: 'text/plain' });
    const unknownBusiness = await adapter().accepted(instanceOf(phone), { to, text: 'olá' }, accepted);
    expect(unknownBusiness.message.data).toMatchObject({ id: 'wamid.ACCEPTED', sender: { jid: `${phone.id}@s.whatsapp.net`, phone: null, name: null } });
    expect(graph.requestsTo('messages')).toHaveLength(0);
  });

  it('asks for a link preview and quotes the replied message', async () => {
    const sent = await adapter().send(instanceOf(phone), {
      to, text: 'see https://example.com', linkPreview: true, replyTo: { id: 'wamid.QUOTED', chatJid: to, raw: null },
    });
    expect(messagesBodies()[0]).toEqual({
      messaging_product: 'whatsapp', recipient_type: 'individual', to: '+5511999999999', context: { message_id: 'wamid.QUOTED' },
      type: 'text', text: { body: 'see https://example.com', preview_url: true },
    });
    expect(sent.message.data.replyTo).toBe('wamid.QUOTED');
  });

  it('learns the business number once when it was not connected in this process', async () => {
    const a = adapter();
    const first = await a.send(instanceOf(phone), { to, text: 'one' });
    await a.send(instanceOf(phone), { to, text: 'two' });
    expect(first.message.data.sender).toEqual(business);
    expect(graph.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /v26.0/${phone.id}`, `POST /v26.0/${phone.id}/messages`, `POST /v26.0/${phone.id}/messages`,
    ]);
  });

  it("puts the message in the chat of Meta's wa_id (Brazil's ninth digit)", async () => {
    graph.waIds.set('5511999999999', '551199999999');
    const sent = await adapter().send(instanceOf(phone), { to, text: 'oi' });
    expect(sent.message.data.chat).toEqual({ jid: '551199999999@s.whatsapp.net', phone: '+551199999999', name: null, type: 'private' });
  });

  it('uploads an image, then sends it by id with its caption', async () => {
    const image = media({ caption: 'Taj Mahal', fileName: 'taj.jpg' });
    const sent = await adapter().send(instanceOf(phone), { to, media: image });
    const upload = graph.requestsTo('upload');
    expect(upload).toHaveLength(1);
    const mediaId = [...graph.media.values()].find((m) => m.bytes.equals(image.bytes))!.id;
    expect(messagesBodies()[messagesBodies().length - 1]).toEqual({
      messaging_product: 'whatsapp', recipient_type: 'individual', to: '+5511999999999', type: 'image', image: { id: mediaId, caption: 'Taj Mahal' },
    });
    expect(sent.message).toMatchObject({
      data: { type: 'image', content: { caption: 'Taj Mahal' }, media: { mimetype: 'image/jpeg', fileName: 'taj.jpg', size: image.bytes.length }, replyTo: null, target: null },
      mediaSource: { mediaId },
      raw: null,
    });
  });

  it('sends a document with its file name, a video, and an audio as a voice note (audio has no caption at Meta)', async () => {
    const a = adapter();
    await a.connect(instanceOf(phone), {});
    const doc = await a.send(instanceOf(phone), { to, media: media({ type: 'document', bytes: pdf, mimetype: 'application/pdf', fileName: 'invoice.pdf', caption: 'Invoice' }) });
    await a.send(instanceOf(phone), { to, media: media({ type: 'video', bytes: Buffer.from('mp4'), mimetype: 'video/mp4' }) });
    const voice = await a.send(instanceOf(phone), { to, media: media({ type: 'audio', bytes: Buffer.from('OggS'), mimetype: 'audio/ogg; codecs=opus', voice: true, caption: 'ignored' }) });
    await a.send(instanceOf(phone), { to, media: media({ type: 'audio', bytes: Buffer.from('ID3'), mimetype: 'audio/mpeg' }) });
    const bodies = messagesBodies();
    expect(bodies.map((b) => ({ type: b.type, object: b[b.type as string] }))).toEqual([
      { type: 'document', object: { id: expect.any(String), caption: 'Invoice', filename: 'invoice.pdf' } },
      { type: 'video', object: { id: expect.any(String) } },
      { type: 'audio', object: { id: expect.any(String), voice: true } },
      { type: 'audio', object: { id: expect.any(String) } },
    ]);
    expect(doc.message.data).toMatchObject({ type: 'document', content: { caption: 'Invoice' }, media: { mimetype: 'application/pdf', fileName: 'invoice.pdf', size: pdf.length } });
    expect(voice.message.data).toMatchObject({ type: 'audio', content: {}, media: { mimetype: 'audio/ogg; codecs=opus', fileName: null, size: 4 } });
    const uploads = graph.requestsTo('upload').map((r) => (r.body as { files: Array<{ filename: string; contentType: string }> }).files[0]);
    expect(uploads.map((f) => [f.filename, f.contentType])).toEqual([
      ['invoice.pdf', 'application/pdf'], ['file.mp4', 'video/mp4'], ['file.ogg', 'audio/ogg; codecs=opus'], ['file.mpeg', 'audio/mpeg'],
    ]);
  });

  it('addresses a group and a BSUID as Meta expects', async () => {
    const a = adapter();
    const group = await a.send(instanceOf(phone), { to: 'Y2FwaV9ncm91cDox@g.us', text: 'hi all' });
    const bsuid = await a.send(instanceOf(phone), { to: 'US.13491208655302741918@lid', text: 'hi' });
    expect(messagesBodies().map((b) => [b.recipient_type, b.to, b.recipient])).toEqual([
      ['group', 'Y2FwaV9ncm91cDox', undefined], ['individual', undefined, 'US.13491208655302741918'],
    ]);
    expect(group.message.data.chat).toEqual({ jid: 'Y2FwaV9ncm91cDox@g.us', phone: null, name: null, type: 'group' });
    expect(bsuid.message.data.chat).toEqual({ jid: 'US.13491208655302741918@lid', phone: null, name: null, type: 'private' });
  });

  it('reports a refusal with the reason of SPEC §9', async () => {
    const a = adapter();
    await a.connect(instanceOf(phone), {});
    graph.failSends(131047, { times: 1 });
    expect(await failure(a.send(instanceOf(phone), { to, text: 'late' }))).toEqual({
      code: 'REJECTED', reason: 'the 24-hour customer service window is closed (send a template)',
      detail: '(#131047) Re-engagement message (Message failed to send because more than 24 hours have passed since the customer last replied to this number.)',
    });
    graph.failSends(131026, { to: '+5511999999999' });
    expect((await failure(a.send(instanceOf(phone), { to, text: 'x' }))).reason).toBe('the number is not on WhatsApp');
  });

  it('sends nothing when the upload is refused', async () => {
    const a = adapter();
    await a.connect(instanceOf(phone), {});
    const f = await failure(a.send(instanceOf(phone), { to, media: media({ type: 'document', bytes: Buffer.from('PK'), mimetype: 'application/zip', fileName: 'a.zip' }) }));
    expect(f).toMatchObject({ code: 'REJECTED', reason: '(#131053) Media upload error' });
    expect(graph.requestsTo('messages')).toHaveLength(0);
  });

  it('reports an expired token on a send as the credentials', async () => {
    const a = adapter();
    await a.connect(instanceOf(phone), {});
    graph.expireToken(phone.token);
    expect(await failure(a.send(instanceOf(phone), { to, text: 'x' }))).toMatchObject({ code: 'CREDENTIALS', detail: expect.stringMatching(/Session has expired/) });
  });

  it('never puts the token or the app secret in an error, even when an answer echoes them', async () => {
    const a = adapter();
    await a.connect(instanceOf(phone), {});
    graph.failSends({ code: 100, message: `(#100) Invalid token ${phone.token} for app ${phone.appSecret}`, details: `token=${phone.token}` });
    let caught: unknown;
    try {
      await a.send(instanceOf(phone), { to, text: 'x' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(WhatsAppError);
    const e = caught as WhatsAppError;
    for (const text of [e.message, e.detail, e.reason]) {
      expect(text).not.toContain(phone.token);
      expect(text).not.toContain(phone.appSecret);
    }
    expect(e.detail).toContain('[REDACTED]');
  });

  it('does not retry a send that got no answer (Meta may have delivered it)', async () => {
    const a = adapter(1024 * 1024, 500);
    await a.connect(instanceOf(phone), {});
    graph.behave('messages', { kind: 'hang' }, 1);
    expect(await failure(a.send(instanceOf(phone), { to, text: 'x' } satisfies OutgoingMessage))).toEqual({ code: 'UNREACHABLE', detail: 'no answer within 500 ms', reason: '' });
    expect(graph.requestsTo('messages')).toHaveLength(1);
  });
});

describe('CloudAdapter.downloadMedia', () => {
  const bytes = Buffer.concat([Buffer.from([0xff, 0xd8]), randomBytes(3000)]);

  it('gets the URL, then the bytes, with the mimetype Meta reports', async () => {
    const stored = graph.addMedia(phone.id, bytes, 'image/jpeg');
    const got = await adapter().downloadMedia(instanceOf(phone), { mediaId: stored.id }, null);
    expect(got.mimetype).toBe('image/jpeg');
    expect(got.bytes.equals(bytes)).toBe(true);
    expect(graph.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v26.0/${stored.id}`, 'GET /whatsapp_business/attachments/']);
  });

  it('asks for a new URL once when the first one is refused', async () => {
    const stored = graph.addMedia(phone.id, bytes, 'image/jpeg');
    graph.behave('download', { kind: 'respond', status: 404, body: '<html>Not Found</html>', contentType: 'text/html' }, 1);
    const got = await adapter().downloadMedia(instanceOf(phone), { mediaId: stored.id }, null);
    expect(got.bytes.equals(bytes)).toBe(true);
    expect(graph.requestsTo('media')).toHaveLength(2);
  });

  it('reports media Meta no longer has, an expired URL, or no media id as MEDIA_GONE', async () => {
    const stored = graph.addMedia(phone.id, bytes, 'image/jpeg');
    graph.mediaUrlTtlMs = 0;
    expect(await failure(adapter().downloadMedia(instanceOf(phone), { mediaId: stored.id }, null))).toEqual({ code: 'MEDIA_GONE', detail: 'HTTP 404', reason: '' });
    expect(graph.requestsTo('download')).toHaveLength(2);
    graph.reset();
    graph.forgetMedia(stored.id);
    expect(await failure(adapter().downloadMedia(instanceOf(phone), { mediaId: stored.id }, null))).toMatchObject({ code: 'MEDIA_GONE' });
    expect(await failure(adapter().downloadMedia(instanceOf(phone), {}, null))).toEqual({ code: 'MEDIA_GONE', detail: 'no Cloud API media id', reason: '' });
  });

  it('reports media over MEDIA_MAX_BYTES as MEDIA_GONE without downloading it', async () => {
    const stored = graph.addMedia(phone.id, bytes, 'image/jpeg');
    expect(await failure(adapter(2048).downloadMedia(instanceOf(phone), { mediaId: stored.id }, null))).toEqual({
      code: 'MEDIA_GONE', detail: 'the media is larger than MEDIA_MAX_BYTES (2048 bytes)', reason: '',
    });
    expect(graph.requestsTo('download')).toHaveLength(0);
    expect(graph.requestsTo('media')).toHaveLength(1);
  });

  it('downloads media announced by a webhook, with a token of that number only', async () => {
    const stored = graph.addMedia(phone.id, bytes, 'audio/ogg; codecs=opus');
    const other = graph.addPhoneNumber();
    expect(await failure(adapter().downloadMedia(instanceOf({ ...other, id: phone.id }), { mediaId: stored.id }, null))).toMatchObject({ code: 'MEDIA_GONE' });
    await expect(adapter().downloadMedia(instanceOf(phone), { mediaId: stored.id }, null)).resolves.toMatchObject({ mimetype: 'audio/ogg; codecs=opus' });
  });
});
