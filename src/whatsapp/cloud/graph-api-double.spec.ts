import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  change, entry, GraphApiDouble, inbound, metaError, type PhoneNumber, statuses, wamid, webhookBody, webhookOf,
} from '../../../test/fakes/graph-api.js';
import { parseCloudWebhook, verifyMetaSignature } from './cloud-webhook.js';

/**
 * The Graph API double answers as Meta does (research notes /tmp/research/cloud-api.md), so that
 * tests against it mean something; and its webhooks verify and parse with the production code.
 */

let graph: GraphApiDouble;
let phone: PhoneNumber;

async function call(method: string, path: string, opts: { token?: string | null; json?: unknown } = {}) {
  const headers: Record<string, string> = {};
  const token = opts.token === undefined ? phone.token : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${graph.url}${path}`, { method, headers, body: opts.json === undefined ? undefined : JSON.stringify(opts.json) });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body };
}

const send = (json: Record<string, unknown>) => call('POST', `/${phone.id}/messages`, { json: { messaging_product: 'whatsapp', to: '+16505551234', ...json } });

beforeAll(async () => {
  graph = await GraphApiDouble.start();
});
afterAll(() => graph.stop());
beforeEach(() => {
  graph.reset();
  phone = graph.addPhoneNumber({ displayPhoneNumber: '15550783881' });
});

describe('GraphApiDouble: the phone number node and errors', () => {
  it('answers the default fields, and only the asked fields with ?fields=', async () => {
    expect(await call('GET', `/${phone.id}`)).toMatchObject({
      status: 200,
      body: {
        verified_name: 'Lucky Shrub', code_verification_status: 'VERIFIED', display_phone_number: '+1 555-078-3881', quality_rating: 'GREEN',
        platform_type: 'CLOUD_API', throughput: { level: 'STANDARD' }, id: phone.id,
      },
    });
    expect((await call('GET', `/${phone.id}?fields=status,name_status`)).body).toEqual({ status: 'CONNECTED', name_status: 'APPROVED', id: phone.id });
    expect((await call('GET', `/${phone.id}?fields=foo`)).body.error).toMatchObject({
      code: 100, message: '(#100) Tried accessing nonexisting field (foo) on node type (WhatsAppBusinessPhoneNumber)',
    });
  });

  it('answers a bad token with 401, code 190 and WWW-Authenticate, and no token with 104', async () => {
    const bad = await call('GET', `/${phone.id}`, { token: 'garbage' });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: expect.any(String) } });
    expect(bad.headers.get('www-authenticate')).toBe('OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token - Cannot parse access token"');
    expect(bad.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    const none = await call('GET', `/${phone.id}`, { token: null });
    expect(none.status).toBe(400);
    expect(none.body.error).toMatchObject({ code: 104, message: 'An access token is required to request this resource.' });
  });

  it('answers an unknown id with 400 GraphMethodException 100/33, for GET and POST', async () => {
    const get = await call('GET', '/42');
    expect(get.status).toBe(400);
    expect(get.body.error).toEqual({
      message: "Unsupported get request. Object with ID '42' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
      type: 'GraphMethodException', code: 100, error_subcode: 33, fbtrace_id: expect.any(String),
    });
    expect((await call('POST', '/42/messages', { json: {} })).body.error.message).toMatch(/^Unsupported post request\. Object with ID '42'/);
  });

  it('answers a token of another number with the chosen permission error', async () => {
    const other = graph.addPhoneNumber();
    const denied = await call('GET', `/${other.id}`);
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: 10, message: '(#10) Application does not have permission for this action', error_data: { messaging_product: 'whatsapp', details: 'Permission is either not granted or has been removed.' } });
    graph.permissionDenial = 100;
    expect((await call('GET', `/${other.id}`)).body.error).toMatchObject({ code: 100, error_subcode: 33 });
    // A shared token works on every number it was granted.
    graph.grant(phone.token, other.id);
    expect((await call('GET', `/${other.id}`)).status).toBe(200);
  });

  it("builds Meta's error body for a code", () => {
    expect(metaError(131047)).toEqual({
      status: 400,
      body: { error: {
        message: '(#131047) Re-engagement message', type: 'OAuthException', code: 131047,
        error_data: { messaging_product: 'whatsapp', details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
        fbtrace_id: expect.any(String),
      } },
    });
  });

  it('answers an unknown path as Graph does', async () => {
    const res = await call('GET', `/${phone.id}/nothing/here`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 2500, message: `Unknown path components: /v26.0/${phone.id}/nothing/here` });
  });
});

describe('GraphApiDouble: sends', () => {
  it('answers contacts[{input, wa_id}] and a realistic wamid', async () => {
    const res = await send({ type: 'text', text: { body: 'hi' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ messaging_product: 'whatsapp', contacts: [{ input: '+16505551234', wa_id: '16505551234' }], messages: [{ id: expect.stringMatching(/^wamid\.HBgL/) }] });
    const decoded = Buffer.from(res.body.messages[0].id.slice('wamid.'.length), 'base64');
    expect(decoded.subarray(3, 14).toString()).toBe('16505551234');
    expect(wamid('5511999999999', 'in')).toMatch(/^wamid\.HBgN/);
  });

  it("validates like Meta: messaging_product, the type's object, unexpected keys, id xor link", async () => {
    expect((await call('POST', `/${phone.id}/messages`, { json: { to: '1', type: 'text', text: { body: 'x' } } })).body.error.message).toBe('(#100) The parameter messaging_product is required.');
    expect((await send({ type: 'image' })).body.error.message).toBe('(#100) The parameter image is required.');
    expect((await send({ type: 'audio', audio: { link: 'https://x/a.ogg', caption: 'no' } })).body.error.message).toBe('(#100) Unexpected key "caption" on param "audio".');
    expect((await send({ type: 'image', image: { link: 'https://x/a.jpg', id: '1' } })).body.error).toMatchObject({ code: 131009 });
    expect((await send({ type: 'image', image: { id: '999' } })).body.error).toMatchObject({ code: 131009, error_data: { details: 'Invalid media id 999.' } });
    expect((await send({ type: 'reaction', reaction: { message_id: 'wamid.X' } })).body.error.message).toBe("(#100) The parameter reaction['emoji'] is required.");
    expect((await send({ type: 'text', text: { body: 'x'.repeat(4097) } })).status).toBe(400);
  });

  it('accepts media by link, reactions (removal included), replies, and mark-as-read', async () => {
    for (const json of [
      { type: 'video', video: { link: 'https://example.com/v.mp4', caption: 'clip' } },
      { type: 'document', document: { link: 'https://example.com/a.pdf', filename: 'a.pdf' } },
      { type: 'sticker', sticker: { link: 'https://example.com/s.webp' } },
      { type: 'reaction', reaction: { message_id: 'wamid.X', emoji: '👍' } },
      { type: 'reaction', reaction: { message_id: 'wamid.X', emoji: '' } },
      { type: 'text', text: { body: 'yes' }, context: { message_id: 'wamid.Q' } },
    ]) {
      expect((await send(json)).status).toBe(200);
    }
    expect(graph.sent.map((s) => s.type)).toEqual(['video', 'document', 'sticker', 'reaction', 'reaction', 'text']);
    expect((await call('POST', `/${phone.id}/messages`, { json: { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.X' } })).body).toEqual({ success: true });
  });

  it('refuses per recipient, a given number of times, and records every request', async () => {
    graph.failSends(131026, { to: '+1 650-555-1234', times: 1 });
    expect((await send({ type: 'text', text: { body: 'a' } })).body.error.code).toBe(131026);
    expect((await send({ type: 'text', text: { body: 'b' } })).status).toBe(200);
    expect(graph.requestsTo('messages').map((r) => (r.body as any).text.body)).toEqual(['a', 'b']);
    expect(graph.requestsTo('messages')[0].headers.authorization).toBe(`Bearer ${phone.token}`);
  });

  it('still checks the token before a scheduled refusal', async () => {
    graph.failSends(131047);
    expect((await call('POST', `/${phone.id}/messages`, { token: 'bad', json: { messaging_product: 'whatsapp' } })).body.error.code).toBe(190);
  });

  it('delays an answer, or answers anything a test gives', async () => {
    graph.behave('messages', { kind: 'delay', ms: 120 }, 1);
    const started = Date.now();
    expect((await send({ type: 'text', text: { body: 'slow' } })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    graph.behave('*', { kind: 'respond', status: 503, body: 'Service Unavailable', contentType: 'text/plain' }, 1);
    expect(await call('GET', `/${phone.id}`)).toMatchObject({ status: 503, body: 'Service Unavailable' });
  });

  it('acts on a send without ever answering it (Meta accepted it, the caller never heard)', async () => {
    graph.behave('messages', { kind: 'acceptThenHang' }, 1);
    const unanswered = await fetch(`${graph.url}/${phone.id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${phone.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', to: '+16505551234', type: 'text', text: { body: 'never answered' } }),
      signal: AbortSignal.timeout(300),
    }).then(() => 'answered', (err: Error) => err.name);
    expect(unanswered).toBe('TimeoutError');
    expect(graph.sent.map((s) => s.body.text.body)).toEqual(['never answered']);
    expect((await send({ type: 'text', text: { body: 'next' } })).status).toBe(200);
  });
});

describe('GraphApiDouble: webhooks', () => {
  let receiver: http.Server;
  let url: string;
  const received: Array<{ valid: boolean; headers: http.IncomingHttpHeaders; raw: Buffer }> = [];

  beforeAll(async () => {
    // A receiver as the server will be: signature on the raw bytes, then the parser.
    receiver = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks);
      const parsed = parseCloudWebhook(raw);
      const secret = parsed.ok ? graph.phoneNumbers.get(parsed.batches[0]?.phoneNumberId ?? '')?.appSecret : undefined;
      const header = req.headers['x-hub-signature-256'];
      const valid = !!secret && verifyMetaSignature(raw, typeof header === 'string' ? header : undefined, secret);
      received.push({ valid, headers: req.headers, raw });
      res.writeHead(valid ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify(parsed.ok ? parsed.batches.map((b) => [b.phoneNumberId, b.messages.length, b.statuses.length]) : parsed));
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/whatsapp-cloud`;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  beforeEach(() => {
    received.length = 0;
  });

  it('posts a body signed with the app secret of the number it names', async () => {
    const media = graph.addMedia(phone.id, Buffer.from('jpeg'), 'image/jpeg');
    const res = await graph.postWebhook(url, webhookOf(phone, inbound.text('olá'), inbound.image({ mediaId: media.id }), statuses.delivered('wamid.X')));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual([[phone.id, 2, 1]]);
    expect(received[0].valid).toBe(true);
    expect(received[0].headers['content-type']).toBe('application/json');
    expect(received[0].headers['x-hub-signature']).toMatch(/^sha1=[0-9a-f]{40}$/);
    expect(received[0].raw.toString()).toContain('ol\\u00e1');
  });

  it('batches several entries and numbers in one signed body', async () => {
    const second = graph.addPhoneNumber({ appSecret: phone.appSecret });
    const body = webhookBody(entry('W1', change(phone, [inbound.text('a'), inbound.text('b')])), entry('W2', change(second, [statuses.read('wamid.Y')])));
    const res = await graph.postWebhook(url, body);
    expect(JSON.parse(res.body)).toEqual([[phone.id, 2, 0], [second.id, 0, 1]]);
  });

  it('posts with a wrong or missing signature when told', async () => {
    expect((await graph.postWebhook(url, webhookOf(phone, inbound.text('x')), { appSecret: 'not-the-secret' })).status).toBe(401);
    expect((await graph.postWebhook(url, webhookOf(phone, inbound.text('x')), { signature: null })).status).toBe(401);
    expect(received[1].headers['x-hub-signature-256']).toBeUndefined();
    expect((await graph.postWebhook(url, webhookOf(phone, inbound.text('x')), { signature: 'sha256=00' })).status).toBe(401);
  });

  it("follows each accepted send with its signed `sent` status, the send's biz_opaque_callback_data in it, posted again until answered 200", async () => {
    let refusals = 2;
    const flaky = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks);
      const header = req.headers['x-hub-signature-256'];
      received.push({ valid: verifyMetaSignature(raw, typeof header === 'string' ? header : undefined, phone.appSecret), headers: req.headers, raw });
      res.writeHead(refusals-- > 0 ? 503 : 200).end();
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    try {
      graph.reportStatusesTo(`http://127.0.0.1:${(flaky.address() as AddressInfo).port}/hook`, { delayMs: 10 });
      const sent = await send({ type: 'text', text: { body: 'hi' }, biz_opaque_callback_data: 'idempotency-key:k:7' });
      expect(sent.status).toBe(200);
      for (let i = 0; i < 100 && graph.statusReports.acknowledged === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(graph.statusReports).toEqual({ posted: 3, acknowledged: 1, abandoned: 0 });
      expect(received.every((r) => r.valid)).toBe(true);
      const parsed = parseCloudWebhook(received[2].raw);
      expect(parsed.ok && parsed.batches[0].statuses).toEqual([
        { id: sent.body.messages[0].id, status: 'sent', error: null, timestamp: expect.any(String), tag: 'idempotency-key:k:7', recipient: '16505551234' },
      ]);
      expect((await send({ type: 'text', text: { body: 'hi' }, biz_opaque_callback_data: 'x'.repeat(513) })).status).toBe(400);
    } finally {
      graph.reset();
      await new Promise<void>((resolve) => flaky.close(() => resolve()));
    }
  });

  it("runs Meta's verification handshake", async () => {
    const handshake = http.createServer((req, res) => {
      const q = new URL(req.url ?? '/', 'http://x').searchParams;
      const ok = q.get('hub.mode') === 'subscribe' && q.get('hub.verify_token') === 'my-verify-token';
      res.writeHead(ok ? 200 : 403, { 'content-type': 'text/plain' }).end(ok ? (q.get('hub.challenge') ?? '') : 'Forbidden');
    });
    await new Promise<void>((resolve) => handshake.listen(0, '127.0.0.1', resolve));
    const hsUrl = `http://127.0.0.1:${(handshake.address() as AddressInfo).port}/webhooks/whatsapp-cloud`;
    try {
      const ok = await graph.verifyWebhook(hsUrl, 'my-verify-token', '1158201444');
      expect([ok.status, ok.body]).toEqual([200, '1158201444']);
      expect((await graph.verifyWebhook(hsUrl, 'wrong')).status).toBe(403);
    } finally {
      await new Promise<void>((resolve) => handshake.close(() => resolve()));
    }
  });
});
