import { cleanMessage, encryptedStream, type AuthenticationCreds, type WAMessage } from '@whiskeysockets/baileys';
import processMessage from '@whiskeysockets/baileys/lib/Utils/process-message.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, unlink } from 'node:fs/promises';
import pino from 'pino';
import {
  boom, FakeSocketFactory, ManualTimers, MemorySessionStore, RecordingSink, settle, type FakeSocket,
} from '../../../test/fixtures/baileys/fakes.js';
import { fixture, ME, PEER } from '../../../test/fixtures/baileys/messages.js';
import { WhatsAppError } from '../whatsapp.port.js';
import type { LineSink } from './baileys-logger.js';
import { toRaw } from './baileys-messages.js';
import { backoffMs } from '../../common/time.js';
import { BaileysAdapter } from './baileys.adapter.js';
import { testInstance } from '../../../test/support/factories.js';

const TIMEOUT = 20_000;

function setup({ linked = false, mediaMaxBytes = 1_000_000 } = {}) {
  const sockets = new FakeSocketFactory();
  const store = new MemorySessionStore();
  const sink = new RecordingSink();
  const timers = new ManualTimers();
  const lines: string[] = [];
  const log: LineSink = { warn: (m) => void lines.push(`warn ${m}`), error: (m) => void lines.push(`error ${m}`) };
  const instance = testInstance();
  if (linked) store.link(instance.id);
  const adapter = new BaileysAdapter(sockets, store, sink, { whatsappConnectTimeoutMs: TIMEOUT, mediaMaxBytes }, timers, log as never);
  return { adapter, sockets, store, sink, timers, instance, lines };
}

/** A linked instance with an open socket. */
async function connected(options: Parameters<typeof setup>[0] = {}) {
  const t = setup({ ...options, linked: true });
  expect(await t.adapter.resume(t.instance)).toBe(true);
  t.sockets.last.open();
  await settle();
  return { ...t, sock: t.sockets.last };
}

const rejection = (p: Promise<unknown>) => p.then(() => { throw new Error('resolved'); }, (e: unknown) => e as WhatsAppError);

describe('BaileysAdapter: connection (SPEC-MESSAGING §8)', () => {
  it('QR, scan, the 515 restart at once with the same creds, then open: connected, every change reported', async () => {
    const { adapter, sockets, store, sink, instance } = setup();
    const outcome = adapter.connect(instance);
    await settle();
    expect(sockets.sockets).toHaveLength(1);
    sockets.last.qr('2@ref1,noise,identity,adv');
    expect(await outcome).toEqual({ status: 'qr_ready', qrCode: '2@ref1,noise,identity,adv' });
    // Calling again returns the current code; a new one replaces it.
    expect(await adapter.connect(instance)).toEqual({ status: 'qr_ready', qrCode: '2@ref1,noise,identity,adv' });
    sockets.last.qr('2@ref2,noise,identity,adv');
    expect(await adapter.connect(instance)).toMatchObject({ qrCode: '2@ref2,noise,identity,adv' });

    const first = sockets.last;
    first.paired();
    await settle();
    expect(store.creds(instance.id)?.account).toBeDefined();
    first.close(515, 'Stream Errored (restart required)');
    expect(sockets.sockets).toHaveLength(2);
    expect(sockets.last.options.auth.creds).toBe(first.options.auth.creds);
    sockets.last.open();
    await settle();
    expect(await adapter.connect(instance)).toEqual({ status: 'connected', already: true });
    expect(sink.states).toEqual([
      ['connecting', 'connecting'], ['qr_ready', 'qr_ready'], ['connecting', 'restart_required'], ['connected', 'connected'],
    ]);
    // Each QR code was shared (for /connect on other processes), and cleared once the socket closed.
    expect(sink.pairings).toEqual([{ qrCode: '2@ref1,noise,identity,adv' }, { qrCode: '2@ref2,noise,identity,adv' }, null]);
  });

  it('a saved, linked session connects without a QR code', async () => {
    const { adapter, sockets, instance } = setup({ linked: true });
    const outcome = adapter.connect(instance);
    await settle();
    expect(sockets.last.options.auth.creds.me?.id).toBe(ME.id);
    sockets.last.open();
    expect(await outcome).toEqual({ status: 'connected', already: false });
  });

  it('an unlinked leftover session (a pairing code never entered) is replaced by a fresh one', async () => {
    const { adapter, sockets, store, instance } = setup();
    const leftover = store.create(instance.id);
    Object.assign(leftover.state.creds, { me: { id: '5511999999999@s.whatsapp.net', name: '~' } });
    await leftover.saveCreds();
    void adapter.connect(instance).catch(() => undefined);
    await settle();
    expect(sockets.last.options.auth.creds.me).toBeUndefined();
  });

  it('with a pairing phone: one pairing code once the socket is up', async () => {
    const { adapter, sockets, sink, instance } = setup();
    const outcome = adapter.connect(instance, { pairingPhone: '+55 11 99999-9999' });
    await settle();
    expect(sockets.last.pairingRequests).toEqual([]);
    sockets.last.qr('2@ref1');
    expect(await outcome).toEqual({ status: 'pairing_code', pairingCode: 'ABCD1234' });
    expect(await adapter.connect(instance, { pairingPhone: '5511999999999' })).toEqual({ status: 'pairing_code', pairingCode: 'ABCD1234' });
    expect(sockets.last.pairingRequests).toEqual(['5511999999999']);
    await settle();
    expect(sink.pairings).toContainEqual({ pairingCode: 'ABCD1234' });
  });

  it('no QR code within the timeout: UNREACHABLE, the instance back to disconnected, the socket ended', async () => {
    const { adapter, sockets, sink, timers, instance } = setup();
    const outcome = rejection(adapter.connect(instance));
    await settle();
    expect(timers.fire(TIMEOUT)).toBe(1);
    const err = await outcome;
    expect(err).toBeInstanceOf(WhatsAppError);
    expect([err.code, err.detail]).toEqual(['UNREACHABLE', 'no QR code within 20 s']);
    expect(sockets.last.ended).toBe(true);
    expect(sink.states).toEqual([['connecting', 'connecting'], ['disconnected', 'unreachable']]);
    expect(timers.pending.size).toBe(0);
  });

  it('a failed connection attempt answers at once (no waiting for the timeout), and nothing retries', async () => {
    const { adapter, sockets, sink, timers, instance } = setup();
    const outcome = rejection(adapter.connect(instance));
    await settle();
    sockets.last.close(500, 'WebSocket Error (getaddrinfo ENOTFOUND web.whatsapp.com)');
    const err = await outcome;
    expect([err.code, err.detail]).toEqual(['UNREACHABLE', 'WebSocket Error (getaddrinfo ENOTFOUND web.whatsapp.com)']);
    expect(sink.states.at(-1)).toEqual(['disconnected', 'unreachable']);
    expect(timers.pending.size).toBe(0);
    expect(sockets.sockets).toHaveLength(1);
  });

  it('401: the session is deleted, logged_out reported, nothing reconnects', async () => {
    const { adapter, sockets, store, sink, timers, instance, sock } = await connected();
    sock.close(401, 'Connection Failure');
    await settle();
    expect(store.deletions).toEqual([instance.id]);
    expect(await store.load(instance.id)).toBeNull();
    expect(sink.states.at(-1)).toEqual(['disconnected', 'logged_out']);
    expect(sockets.sockets).toHaveLength(1);
    expect(timers.pending.size).toBe(0);
    await expect(adapter.reconnect(instance)).rejects.toMatchObject({ code: 'NO_SESSION' });
  });

  it('a dropped connection reconnects with backoff 1 s doubling to 60 s, indefinitely; open resets it', async () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 50].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    const { sockets, sink, timers, sock } = await connected();
    sock.close(428, 'Connection Closed');
    await settle();
    expect(sink.states.at(-1)).toEqual(['disconnected', 'connection_lost']);
    const schedule: number[] = [];
    for (let i = 0; i < 9; i += 1) {
      const [ms] = [...timers.pending.values()].map((t) => t.ms);
      schedule.push(ms);
      timers.fire(ms);
      sockets.last.close(408, 'timed out');
    }
    expect(schedule).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    expect(sockets.sockets).toHaveLength(10);
    timers.fire(60000);
    sockets.last.open();
    sockets.last.close(428);
    expect([...timers.pending.values()].map((t) => t.ms)).toEqual([1000]);
    await settle();
    expect(sink.states.slice(-3)).toEqual([['connecting', 'reconnecting'], ['connected', 'connected'], ['disconnected', 'connection_lost']]);
  });

  it('reconnect: NO_SESSION without a linked session; else a new socket, answering connecting', async () => {
    const empty = setup();
    await expect(empty.adapter.reconnect(empty.instance)).rejects.toMatchObject({ code: 'NO_SESSION' });
    const { adapter, sockets, instance, sock } = await connected();
    expect(await adapter.reconnect(instance)).toEqual({ status: 'connecting' });
    expect(sock.ended).toBe(true);
    expect(sock.loggedOut).toBe(false);
    expect(sockets.sockets).toHaveLength(2);
  });

  it('resume: only a saved, linked session', async () => {
    const none = setup();
    expect(await none.adapter.resume(none.instance)).toBe(false);
    expect(none.sockets.sockets).toHaveLength(0);
    const { sockets } = await connected();
    expect(sockets.sockets).toHaveLength(1);
  });

  it('logout: logs the device out, deletes the session, reports logged_out, no reconnect', async () => {
    const { adapter, sockets, store, sink, timers, instance, sock } = await connected();
    await adapter.logout(instance);
    expect(sock.loggedOut).toBe(true);
    expect(await store.load(instance.id)).toBeNull();
    expect(sink.states.at(-1)).toEqual(['disconnected', 'logged_out']);
    expect(sink.states.filter(([, r]) => r === 'logged_out')).toHaveLength(1);
    expect(sockets.sockets).toHaveLength(1);
    expect(timers.pending.size).toBe(0);
  });

  it('release: ends the socket without logout, keeps the session, hands buffered messages to the sink first', async () => {
    const { adapter, sockets, store, sink, instance, sock } = await connected();
    const states = sink.states.length;
    sock.ev.buffer();
    sock.ev.emit('messages.upsert', { messages: [fixture('text')], type: 'append' });
    await adapter.release(instance);
    expect(sink.ids).toEqual(['3EB0TEXT0001']);
    expect(sock.ended).toBe(true);
    expect(sock.loggedOut).toBe(false);
    expect(await store.load(instance.id)).not.toBeNull();
    expect(sink.states).toHaveLength(states);
    expect(sockets.sockets).toHaveLength(1);
  });
});

describe('BaileysAdapter: inbound', () => {
  /** As the socket does: clean, upsert, then the derived events. */
  async function receive(sock: FakeSocket, messages: WAMessage[], type: 'notify' | 'append' = 'notify') {
    const creds = { me: ME, accountSettings: { unarchiveChats: false } } as unknown as AuthenticationCreds;
    for (const m of messages) {
      cleanMessage(m, ME.id, ME.lid);
      sock.ev.emit('messages.upsert', { messages: [m], type });
      await processMessage(m, {
        shouldProcessHistoryMsg: false, ev: sock.ev, creds, logger: pino({ level: 'silent' }), options: {},
        getMessage: async () => undefined, signalRepository: {} as never, keyStore: {} as never,
      });
    }
    await settle();
  }

  it('every fixture reaches the sink once, in order, and statuses of our sends reach statuses()', async () => {
    const { sink, sock } = await connected();
    const names = ['text', 'reply', 'image', 'ptt', 'video', 'document', 'docWithCaption', 'sticker', 'location', 'contact', 'contacts',
      'reaction', 'edit', 'revoke', 'group', 'lidChat', 'lidGroup', 'fromMe', 'ciphertext', 'historySync', 'statusStory'] as const;
    await receive(sock, names.slice(0, 10).map(fixture));
    await receive(sock, names.slice(10).map(fixture), 'append');
    sock.ev.emit('messages.update', [{ key: { remoteJid: PEER, fromMe: true, id: '3EB0MINE0001' }, update: { status: 4 } }]);
    await settle();
    expect(sink.ids).toEqual([
      '3EB0TEXT0001', '3EB0REPLY001', '3EB0IMG00001', '3EB0AUD00001', '3EB0VID00001', '3EB0DOC00001', '3EB0DOC00002', '3EB0STK00001',
      '3EB0LOC00001', '3EB0VCF00001', '3EB0VCF00002', '3EB0RCT00001', '3EB0EDT00001', '3EB0REV00001', '3EB0GRP00001', '3EB0LID00001',
      '3EB0LID00002', '3EB0MINE0001',
    ]);
    expect(sink.statusBatches.flat()).toMatchObject([{ id: '3EB0MINE0001', status: 'read', error: null }]);
  });

  it('a close flushes the buffered (already acknowledged) messages to the sink before the emitter dies', async () => {
    const { sink, sock } = await connected();
    sock.ev.buffer();
    sock.ev.emit('messages.upsert', { messages: [fixture('text'), fixture('image')], type: 'append' });
    expect(sink.ids).toEqual([]);
    sock.close(428, 'Connection Closed');
    await settle();
    expect(sink.ids).toEqual(['3EB0TEXT0001', '3EB0IMG00001']);
  });

  it('a failing sink is logged, never an unhandled rejection, and later batches still arrive', async () => {
    const { sink, sock, lines } = await connected();
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      sink.fail = new Error('database down');
      await receive(sock, [fixture('text')]);
      sink.fail = null;
      await receive(sock, [fixture('image')]);
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(lines.some((l) => l.startsWith('error') && l.includes('database down'))).toBe(true);
    expect(sink.ids).toEqual(['3EB0IMG00001']);
  });

  it('a message stored at decryption is not stored again by its upsert; a failure there reaches Baileys', async () => {
    const { sink, sock } = await connected();
    const early = fixture('text');
    cleanMessage(early, ME.id, ME.lid);
    await sock.options.onDecrypted(early);
    await receive(sock, [fixture('text')]);
    expect(sink.ids).toEqual(['3EB0TEXT0001']);
    sink.fail = new Error('database down');
    await expect(sock.options.onDecrypted(fixture('image'))).rejects.toThrow('database down');
  });
});

describe('BaileysAdapter: send', () => {
  it('maps the content, types for delaySeconds first, and returns the outgoing message; its echo is not inbound', async () => {
    const { adapter, sink, timers, instance, sock } = await connected();
    const sending = adapter.send(instance, { to: PEER, text: 'hello there', delaySeconds: 2 });
    await settle();
    expect(sock.presences).toEqual([['composing', PEER]]);
    expect(sock.sent).toHaveLength(0);
    timers.fire(2000);
    const { message } = await sending;
    expect(sock.presences).toEqual([['composing', PEER], ['paused', PEER]]);
    expect(sock.sent[0]).toMatchObject({ jid: PEER, content: { text: 'hello there', linkPreview: null } });
    expect(message.data).toMatchObject({
      id: sock.sent[0].options?.messageId, direction: 'outgoing', fromMe: true, type: 'text', content: { text: 'hello there' },
      chat: { jid: PEER, phone: '+5511888888888', type: 'private' }, sender: { jid: '5511999999999@s.whatsapp.net' }, replyTo: null,
    });
    expect(message.data.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(message.raw).toMatchObject({ key: { remoteJid: PEER, fromMe: true, id: message.data.id } });
    await settle();
    await settle();
    expect(sink.ids).toEqual([]);
  });

  it('a reply quotes the stored raw; media goes as bytes', async () => {
    const { adapter, instance, sock } = await connected();
    const raw = toRaw(fixture('image'));
    const { message } = await adapter.send(instance, {
      to: PEER, media: { type: 'document', bytes: Buffer.from('%PDF'), mimetype: 'application/pdf', fileName: 'a.pdf', caption: 'see', voice: false },
      replyTo: { id: '3EB0IMG00001', chatJid: PEER, raw },
    });
    expect(sock.sent[0].options?.quoted?.key.id).toBe('3EB0IMG00001');
    expect(message.data).toMatchObject({ type: 'document', content: { caption: 'see' }, media: { mimetype: 'application/pdf', fileName: 'a.pdf', size: null }, replyTo: '3EB0IMG00001' });
  });

  it('errors: not connected, a closed socket, invalid content, a timeout', async () => {
    const idle = setup();
    await expect(idle.adapter.send(idle.instance, { to: PEER, text: 'x' })).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    const { adapter, instance, sock } = await connected();
    sock.sendError = boom('Connection Closed', 428);
    await expect(adapter.send(instance, { to: PEER, text: 'x' })).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    sock.sendError = boom('Invalid media type', 400);
    await expect(adapter.send(instance, { to: PEER, text: 'x' })).rejects.toMatchObject({ code: 'REJECTED', reason: 'the message content is invalid', detail: 'Invalid media type' });
    sock.sendError = boom('Timed Out', 408);
    await expect(adapter.send(instance, { to: PEER, text: 'x' })).rejects.toMatchObject({ code: 'UNREACHABLE' });
  });
});

describe('BaileysAdapter: media download (Baileys encryption, loopback HTTP)', () => {
  let server: Server;
  let base: string;
  const plain = Buffer.from('an image, honestly '.repeat(500));
  let encrypted: Buffer;
  let mediaKey: Buffer;
  const hits: string[] = [];

  beforeAll(async () => {
    const enc = await encryptedStream(plain, 'image', {});
    encrypted = await readFile(enc.encFilePath);
    await unlink(enc.encFilePath);
    mediaKey = enc.mediaKey;
    server = createServer((req, res) => {
      hits.push(req.url!);
      if (req.url!.startsWith('/ok')) res.end(encrypted);
      else {
        res.statusCode = 410;
        res.end('gone');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** No directPath: Baileys then fetches `url` as it is (with one, it forces https to WhatsApp's host). */
  const imageRaw = (path: string) =>
    JSON.parse(JSON.stringify(toRaw({ key: { remoteJid: PEER, fromMe: false, id: 'IMG' }, message: { imageMessage: { url: `${base}${path}`, mediaKey, mimetype: 'image/jpeg', fileLength: plain.length } } })));

  it('decrypts an inbound image', async () => {
    const { adapter, instance } = setup();
    expect(await adapter.downloadMedia(instance, {}, imageRaw('/ok/1'))).toEqual({ bytes: plain, mimetype: 'image/jpeg' });
  });

  it('410: asks the phone to upload it again (once), then downloads the new URL', async () => {
    const { adapter, instance, sock } = await connected();
    sock.mediaUpdate = async (m) => {
      m.message!.imageMessage!.url = `${base}/ok/reuploaded`;
      return m;
    };
    expect((await adapter.downloadMedia(instance, {}, imageRaw('/gone/1'))).bytes).toEqual(plain);
    expect(sock.mediaUpdates).toBe(1);
    expect(hits.slice(-2)).toEqual(['/gone/1', '/ok/reuploaded']);
  });

  it('MEDIA_GONE: expired with no connection, expired again after the re-upload, larger than the limit, no media', async () => {
    const idle = setup();
    await expect(idle.adapter.downloadMedia(idle.instance, {}, imageRaw('/gone/2'))).rejects.toMatchObject({ code: 'MEDIA_GONE' });
    const { adapter, instance, sock } = await connected();
    sock.mediaUpdate = async (m) => m;
    await expect(adapter.downloadMedia(instance, {}, imageRaw('/gone/3'))).rejects.toMatchObject({ code: 'MEDIA_GONE' });
    expect(sock.mediaUpdates).toBe(1);
    const small = setup({ mediaMaxBytes: 1000 });
    await expect(small.adapter.downloadMedia(small.instance, {}, imageRaw('/ok/2'))).rejects.toMatchObject({ code: 'MEDIA_GONE', detail: 'larger than the 1000 bytes this server keeps' });
    await expect(idle.adapter.downloadMedia(idle.instance, {}, toRaw(fixture('text')))).rejects.toMatchObject({ code: 'MEDIA_GONE' });
    await expect(idle.adapter.downloadMedia(idle.instance, {}, null)).rejects.toMatchObject({ code: 'MEDIA_GONE' });
  });
});
