import { Logger } from '@nestjs/common';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import { GraphApiDouble, type PhoneNumber } from '../../../test/fakes/graph-api.js';
import { CapturingLogger } from '../../../test/support/capturing-logger.js';
import { WhatsAppError } from '../whatsapp.port.js';
import { createGraphDispatcher, GraphClient, type GraphCredentials, translateGraphAnswer } from './graph-client.js';

/**
 * The Graph API client against the double, on real sockets: every row of SPEC-MESSAGING §8–§9's
 * translation, the deadlines, bounded answers, and what reaches the log.
 */

/** Generous for the answers (a loaded CI machine's first request took over 400 ms); short where a hang is the test. */
const TIMEOUTS = { sendMs: 5_000, mediaMs: 5_000, connectMs: 5_000 };
const SHORT = { sendMs: 400, mediaMs: 400, connectMs: 400 };

let graph: GraphApiDouble;
let dispatcher: Dispatcher;
let phone: PhoneNumber;
let creds: GraphCredentials;

function client(over: { url?: string; mediaMaxBytes?: number; timeouts?: typeof TIMEOUTS } = {}): GraphClient {
  return new GraphClient(dispatcher, {
    whatsappCloudApiUrl: over.url ?? graph.url,
    whatsappConnectTimeoutMs: 20_000,
    mediaMaxBytes: over.mediaMaxBytes ?? 1024 * 1024,
  }, over.timeouts ?? TIMEOUTS);
}

/** The WhatsAppError a promise rejects with, as plain fields. */
async function failure(promise: Promise<unknown>): Promise<{ code: string; detail: string; reason: string }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof WhatsAppError) return { code: err.code, detail: err.detail, reason: err.reason };
    throw err;
  }
  throw new Error('expected a WhatsAppError');
}

const text = (to = '+5511999999999') => ({ messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { body: 'hello', preview_url: false } });

beforeAll(async () => {
  // Quiet: the logging describe below captures what matters.
  Logger.overrideLogger(false as never);
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
  creds = { phoneNumberId: phone.id, accessToken: phone.token };
});

describe('GraphClient.verifyPhoneNumber (connect)', () => {
  it('reads the phone number node with the bearer token', async () => {
    expect(await client().verifyPhoneNumber(creds)).toEqual({ id: phone.id, displayPhoneNumber: '+1 555-078-3881', verifiedName: 'Lucky Shrub' });
    const [req] = graph.requests;
    expect(req).toMatchObject({ method: 'GET', path: `/v26.0/${phone.id}` });
    expect(req.headers.authorization).toBe(`Bearer ${phone.token}`);
    expect([...req.query.keys()]).toEqual([]);
  });

  it('takes an unknown token (401, code 190) as the credentials', async () => {
    expect(await failure(client().verifyPhoneNumber({ ...creds, accessToken: 'EAAnotatoken' }))).toEqual({
      code: 'CREDENTIALS', detail: 'Invalid OAuth access token - Cannot parse access token', reason: '',
    });
  });

  it('takes an expired token as the credentials, with Meta words', async () => {
    graph.expireToken(phone.token);
    const f = await failure(client().verifyPhoneNumber(creds));
    expect(f.code).toBe('CREDENTIALS');
    expect(f.detail).toMatch(/^Error validating access token: Session has expired on /);
  });

  it('takes code 190 as the credentials even without HTTP 401', async () => {
    graph.behave('phone', { kind: 'error', error: { code: 190, status: 400, message: 'The access token could not be decrypted' } });
    expect(await failure(client().verifyPhoneNumber(creds))).toEqual({ code: 'CREDENTIALS', detail: 'The access token could not be decrypted', reason: '' });
  });

  it('takes an unknown phone number id (100, subcode 33) as the phone number', async () => {
    expect(await failure(client().verifyPhoneNumber({ ...creds, phoneNumberId: '999999999999' }))).toEqual({
      code: 'PHONE_NUMBER',
      detail: "Unsupported get request. Object with ID '999999999999' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
      reason: '',
    });
  });

  it('takes a token without access to the number (code 10 or 200) as the phone number, details appended', async () => {
    const other = graph.addPhoneNumber();
    expect(await failure(client().verifyPhoneNumber({ phoneNumberId: other.id, accessToken: phone.token }))).toEqual({
      code: 'PHONE_NUMBER',
      detail: '(#10) Application does not have permission for this action (Permission is either not granted or has been removed.)',
      reason: '',
    });
    graph.permissionDenial = 200;
    expect((await failure(client().verifyPhoneNumber({ phoneNumberId: other.id, accessToken: phone.token }))).detail).toMatch(/^\(#200\) You do not have the necessary permissions/);
  });

  it('takes a 5xx as unreachable: `HTTP 503`, with Meta text when there is some', async () => {
    graph.behave('phone', { kind: 'respond', status: 503, body: '' }, 1);
    expect(await failure(client().verifyPhoneNumber(creds))).toEqual({ code: 'UNREACHABLE', detail: 'HTTP 503', reason: '' });
    graph.behave('phone', { kind: 'error', error: { code: 131000 } }, 1);
    expect(await failure(client().verifyPhoneNumber(creds))).toEqual({
      code: 'UNREACHABLE', detail: 'HTTP 500: (#131000) Something went wrong (Message failed to send due to an unknown error.)', reason: '',
    });
  });

  it('takes a refused connection as unreachable, in a few words', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await failure(client({ url: `http://127.0.0.1:${port}/v26.0` }).verifyPhoneNumber(creds))).toEqual({
      code: 'UNREACHABLE', detail: `connect ECONNREFUSED 127.0.0.1:${port}`, reason: '',
    });
  });

  it('gives up at the deadline when Meta accepts and never answers', async () => {
    graph.behave('phone', { kind: 'hang' }, 1);
    const started = Date.now();
    expect(await failure(client({ timeouts: SHORT }).verifyPhoneNumber(creds))).toEqual({ code: 'UNREACHABLE', detail: 'no answer within 400 ms', reason: '' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('waits for a slow answer within the deadline', async () => {
    graph.behave('phone', { kind: 'delay', ms: 150 }, 1);
    await expect(client().verifyPhoneNumber(creds)).resolves.toMatchObject({ id: phone.id });
  });

  it('takes a garbage answer as unreachable, never as a verdict on the credentials', async () => {
    graph.behave('phone', { kind: 'respond', status: 200, body: '<html>hello</html>', contentType: 'text/html' }, 1);
    expect(await failure(client().verifyPhoneNumber(creds))).toEqual({ code: 'UNREACHABLE', detail: 'unexpected answer: HTTP 200 with a non-JSON body', reason: '' });
    graph.behave('phone', { kind: 'respond', status: 404, body: '<html>Not Found</html>', contentType: 'text/html' }, 1);
    expect(await failure(client().verifyPhoneNumber(creds))).toEqual({ code: 'UNREACHABLE', detail: 'HTTP 404 without a Graph API error', reason: '' });
  });

  it('takes a 401 without a Graph body as the credentials', async () => {
    graph.behave('phone', { kind: 'respond', status: 401, body: 'nope', contentType: 'text/plain' }, 1);
    expect(await failure(client().verifyPhoneNumber(creds))).toEqual({ code: 'CREDENTIALS', detail: 'HTTP 401', reason: '' });
  });

  it('takes a dropped connection as unreachable', async () => {
    graph.behave('phone', { kind: 'destroy' }, 1);
    expect(await failure(client().verifyPhoneNumber(creds))).toMatchObject({ code: 'UNREACHABLE' });
  });

  it('does not send a token that cannot be a header value', async () => {
    expect(await failure(client().verifyPhoneNumber({ ...creds, accessToken: 'abc\ndef' }))).toEqual({
      code: 'CREDENTIALS', detail: 'the access token has characters that cannot be sent in an HTTP header', reason: '',
    });
    expect(graph.requests).toHaveLength(0);
  });

  it('bounds a JSON answer', async () => {
    graph.behave('phone', { kind: 'respond', status: 200, body: JSON.stringify({ id: phone.id, pad: 'x'.repeat(1024 * 1024 + 10) }) }, 1);
    expect(await failure(client().verifyPhoneNumber(creds))).toEqual({ code: 'UNREACHABLE', detail: 'unexpected answer: answer larger than 1048576 bytes', reason: '' });
  });
});

describe('GraphClient.sendMessage', () => {
  it('posts the body as JSON and returns the wamid and the wa_id', async () => {
    graph.waIds.set('5511999999999', '551199999999');
    const result = await client().sendMessage(creds, text());
    expect(result.wamid).toMatch(/^wamid\.[A-Za-z0-9+/=]{40,}$/);
    expect(result.waId).toBe('551199999999');
    const [req] = graph.requestsTo('messages');
    expect(req.path).toBe(`/v26.0/${phone.id}/messages`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toEqual(text());
    expect(graph.sent[0]).toMatchObject({ wamid: result.wamid, to: '+5511999999999' });
  });

  it.each([
    [131047, 'the 24-hour customer service window is closed (send a template)', '(#131047) Re-engagement message (Message failed to send because more than 24 hours have passed since the customer last replied to this number.)'],
    [131026, 'the number is not on WhatsApp', expect.stringMatching(/^\(#131026\) Message undeliverable \(Unable to deliver message\. /)],
    [130429, 'rate limited by WhatsApp', '(#130429) Rate limit hit (Cloud API message throughput has been reached.)'],
    [131048, 'rate limited by WhatsApp', expect.stringMatching(/^\(#131048\) Spam rate limit hit \(/)],
    [131056, 'rate limited by WhatsApp', expect.stringMatching(/^\(#131056\) \(Business Account, Consumer Account\) pair rate limit hit \(/)],
    [80007, 'rate limited by WhatsApp', '(#80007) Rate limit issues (The WhatsApp Business Account has reached its rate limit.)'],
    [4, 'rate limited by WhatsApp', '(#4) Application request limit reached (The app has reached its API call rate limit.)'],
    [131053, '(#131053) Media upload error', '(#131053) Media upload error (Unable to upload the media used in the message.)'],
    [100, '(#100) Invalid parameter', '(#100) Invalid parameter (The request included one or more unsupported or misspelled parameters.)'],
    [200, expect.stringMatching(/^\(#200\) You do not have the necessary permissions/), expect.stringMatching(/^\(#200\) /)],
  ])('refusal %i → REJECTED with its reason', async (code, reason, detail) => {
    graph.failSends(code);
    expect(await failure(client().sendMessage(creds, text()))).toEqual({ code: 'REJECTED', reason, detail });
  });

  it('refuses only the recipient a switch names', async () => {
    graph.failSends(131026, { to: '+5511888888888' });
    expect((await failure(client().sendMessage(creds, text('+5511888888888')))).reason).toBe('the number is not on WhatsApp');
    await expect(client().sendMessage(creds, text('+5511999999999'))).resolves.toMatchObject({ wamid: expect.any(String) });
  });

  it('takes an HTTP 429 refusal by its code', async () => {
    graph.failSends({ code: 130429, status: 429 });
    expect((await failure(client().sendMessage(creds, text()))).reason).toBe('rate limited by WhatsApp');
  });

  it('takes an expired access token (190) as the credentials', async () => {
    graph.expireToken(phone.token);
    expect(await failure(client().sendMessage(creds, text()))).toMatchObject({ code: 'CREDENTIALS', reason: '', detail: expect.stringMatching(/Session has expired/) });
  });

  it("reports Meta's own validation of the body", async () => {
    expect(await failure(client().sendMessage(creds, { ...text(), text: { body: 'x', caption: 'no' } }))).toEqual({
      code: 'REJECTED', reason: '(#100) Unexpected key "caption" on param "text".', detail: '(#100) Unexpected key "caption" on param "text".',
    });
  });

  it('takes 5xx, a hang and an answer without a message id as unreachable', async () => {
    graph.behave('messages', { kind: 'respond', status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html' }, 1);
    expect(await failure(client().sendMessage(creds, text()))).toEqual({ code: 'UNREACHABLE', detail: 'HTTP 502', reason: '' });
    graph.behave('messages', { kind: 'hang' }, 1);
    expect(await failure(client({ timeouts: SHORT }).sendMessage(creds, text()))).toEqual({ code: 'UNREACHABLE', detail: 'no answer within 400 ms', reason: '' });
    graph.behave('messages', { kind: 'respond', status: 200, body: '{"messaging_product":"whatsapp","messages":[]}' }, 1);
    expect(await failure(client().sendMessage(creds, text()))).toEqual({ code: 'UNREACHABLE', detail: 'unexpected answer: HTTP 200 without a message id', reason: '' });
  });
});

describe('GraphClient media', () => {
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7)]);

  it('uploads as multipart/form-data: file (with its type and name), type, messaging_product', async () => {
    const id = await client().uploadMedia(creds, { bytes: jpeg, mimetype: 'image/jpeg', fileName: 'a "quoted"\nname.jpg' });
    expect(id).toMatch(/^\d{16}$/);
    const [req] = graph.requestsTo('upload');
    expect(req.path).toBe(`/v26.0/${phone.id}/media`);
    expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(req.body).toEqual({
      fields: { messaging_product: 'whatsapp', type: 'image/jpeg' },
      files: [{ field: 'file', filename: 'a "quoted"\nname.jpg', contentType: 'image/jpeg', bytes: jpeg }],
    });
    // On the wire, escaped as browsers do (the parser above undoes it).
    expect(req.rawBody.toString('latin1')).toContain('Content-Disposition: form-data; name="file"; filename="a %22quoted%22%0Aname.jpg"\r\nContent-Type: image/jpeg\r\n\r\n');
    expect(graph.media.get(id)?.bytes.equals(jpeg)).toBe(true);
  });

  it('names the file after its type when the caller has no name', async () => {
    await client().uploadMedia(creds, { bytes: Buffer.from('OggS'), mimetype: 'audio/ogg; codecs=opus', fileName: null });
    expect((graph.requestsTo('upload')[0].body as { files: Array<{ filename: string }> }).files[0].filename).toBe('file.ogg');
  });

  it('reports a refused upload as a rejected message', async () => {
    const f = await failure(client().uploadMedia(creds, { bytes: Buffer.from('PK'), mimetype: 'application/zip', fileName: 'a.zip' }));
    expect(f).toMatchObject({ code: 'REJECTED', reason: '(#131053) Media upload error' });
    expect(f.detail).toMatch(/^\(#131053\) Media upload error \(Param file must be a file with one of the following types: .*Received file of type 'application\/zip'\.\)$/);
  });

  it('gets the URL, then the bytes with the bearer token', async () => {
    const media = graph.addMedia(phone.id, jpeg, 'image/jpeg');
    const info = await client().getMediaUrl(creds, media.id);
    expect(info).toEqual({ url: expect.stringMatching(new RegExp(`^${graph.origin}/whatsapp_business/attachments/\\?mid=${media.id}&`)), mimeType: 'image/jpeg', fileSize: jpeg.length });
    const got = await client().downloadMedia(creds, info.url, info.fileSize);
    expect(got.bytes.equals(jpeg)).toBe(true);
    expect(got.mimetype).toBe('image/jpeg');
    const download = graph.requestsTo('download')[0];
    expect(download.headers.authorization).toBe(`Bearer ${phone.token}`);
  });

  it('takes an expired URL (404) and an unknown media id as MEDIA_GONE', async () => {
    const media = graph.addMedia(phone.id, jpeg, 'image/jpeg');
    const info = await client().getMediaUrl(creds, media.id);
    graph.expireMediaUrls();
    expect(await failure(client().downloadMedia(creds, info.url))).toEqual({ code: 'MEDIA_GONE', detail: 'HTTP 404', reason: '' });
    graph.forgetMedia(media.id);
    expect(await failure(client().getMediaUrl(creds, media.id))).toMatchObject({ code: 'MEDIA_GONE', detail: expect.stringMatching(/^Unsupported get request\. Object with ID/) });
  });

  it('keeps at most MEDIA_MAX_BYTES, whether the size is announced or not', async () => {
    const big = Buffer.alloc(5000, 1);
    const media = graph.addMedia(phone.id, big, 'image/jpeg');
    const small = client({ mediaMaxBytes: 4096 });
    const info = await small.getMediaUrl(creds, media.id);
    const expected = { code: 'MEDIA_GONE', detail: 'the media is larger than MEDIA_MAX_BYTES (4096 bytes)', reason: '' };
    expect(await failure(small.downloadMedia(creds, info.url, info.fileSize))).toEqual(expected);
    expect(graph.requestsTo('download')).toHaveLength(0);
    expect(await failure(small.downloadMedia(creds, info.url))).toEqual(expected);
    // A chunked answer (no Content-Length) is cut off once past the limit.
    const chunked = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      const timer = setInterval(() => res.write(Buffer.alloc(1024, 2)), 5);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => chunked.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(chunked.address() as AddressInfo).port}`;
    try {
      expect(await failure(client({ url: `${origin}/v26.0`, mediaMaxBytes: 4096 }).downloadMedia(creds, `${origin}/file`))).toEqual(expected);
    } finally {
      chunked.closeAllConnections();
      await new Promise<void>((resolve) => chunked.close(() => resolve()));
    }
  });

  it('never sends the token in clear to another host', async () => {
    expect(await failure(client().downloadMedia(creds, 'http://lookaside.example/whatsapp_business/attachments/?mid=1'))).toEqual({
      code: 'UNREACHABLE', detail: 'unexpected answer: the media url is not https (http://lookaside.example)', reason: '',
    });
  });

  it('gives up on a hanging download at the media deadline', async () => {
    const media = graph.addMedia(phone.id, jpeg, 'image/jpeg');
    const info = await client().getMediaUrl(creds, media.id);
    graph.behave('download', { kind: 'hang' }, 1);
    expect(await failure(client({ timeouts: SHORT }).downloadMedia(creds, info.url))).toEqual({ code: 'UNREACHABLE', detail: 'no answer within 400 ms', reason: '' });
  });
});

describe('GraphClient logging', () => {
  let logger: CapturingLogger;
  beforeEach(() => {
    logger = new CapturingLogger();
    Logger.overrideLogger(logger);
  });
  afterEach(() => Logger.overrideLogger(false as never));

  it('logs method, path, outcome and duration, never the token, bodies or a media URL query', async () => {
    const media = graph.addMedia(phone.id, Buffer.from('bytes'), 'image/jpeg');
    await client().sendMessage(creds, text());
    const info = await client().getMediaUrl(creds, media.id);
    await client().downloadMedia(creds, info.url);
    graph.failSends(131047);
    await failure(client().sendMessage(creds, text()));
    const msgs = logger.entries().filter((e) => e.context === 'GraphClient').map((e) => String(e.msg));
    expect(msgs).toEqual([
      expect.stringMatching(new RegExp(`^POST /v26\\.0/${phone.id}/messages -> 200 in \\d+ ms$`)),
      expect.stringMatching(new RegExp(`^GET /v26\\.0/${media.id} -> 200 in \\d+ ms$`)),
      expect.stringMatching(/^GET \/whatsapp_business\/attachments\/ -> 200 in \d+ ms$/),
      expect.stringMatching(new RegExp(`^POST /v26\\.0/${phone.id}/messages -> 400 in \\d+ ms$`)),
    ]);
    expect(logger.text()).not.toContain(phone.token);
    expect(logger.text()).not.toContain('hello');
    expect(logger.text()).not.toContain('hash=');
  });
});

describe('translateGraphAnswer', () => {
  it('never lets a 2xx or 3xx through as a refusal', () => {
    expect(translateGraphAnswer('send', 302, '')).toMatchObject({ code: 'UNREACHABLE', detail: 'HTTP 302' });
  });

  it('takes a Graph error that has only a code', () => {
    expect(translateGraphAnswer('send', 400, '{"error":{"code":131999}}')).toMatchObject({ code: 'REJECTED', detail: '(#131999)', reason: '(#131999)' });
    expect(translateGraphAnswer('connect', 400, '{"error":{"code":104,"message":"An access token is required to request this resource."}}')).toMatchObject({ code: 'CREDENTIALS' });
  });

  it('maps a 4xx of a media call to MEDIA_GONE, whatever its body', () => {
    expect(translateGraphAnswer('media', 404, '<html></html>')).toMatchObject({ code: 'MEDIA_GONE', detail: 'HTTP 404' });
    expect(translateGraphAnswer('media', 401, '')).toMatchObject({ code: 'CREDENTIALS' });
  });
});
