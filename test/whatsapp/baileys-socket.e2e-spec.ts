import {
  addTransactionCapability, Curve, decodeBinaryNode, generateSignalPubKey, initAuthCreds, proto, writeRandomPadMax16,
  type AuthenticationCreds, type BinaryNode, type SignalDataSet, type SignalKeyStore,
} from '@whiskeysockets/baileys';
import { makeLibSignalRepository } from '@whiskeysockets/baileys/lib/Signal/libsignal.js';
import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import pino from 'pino';
import { MemorySessionStore, RecordingSink, settle } from '../fixtures/baileys/fakes.js';
import { testInstance } from '../support/factories.js';
import { BaileysAdapter } from '../../src/whatsapp/baileys/baileys.adapter.js';
import type { BaileysAuthSession } from '../../src/whatsapp/baileys/baileys-auth-store.js';
import type { LineSink } from '../../src/whatsapp/baileys/baileys-logger.js';
import { makeBaileysSocketFactory, type BaileysSocket, type BaileysSocketFactory } from '../../src/whatsapp/baileys/baileys-socket.js';
import type { WhatsAppError } from '../../src/whatsapp/whatsapp.port.js';

/**
 * The adapter on Baileys' real socket, on loopback: a WhatsApp that never answers, one that
 * refuses, and a message received through Baileys' real receive path (decryption included) to
 * show that its acknowledgement leaves only after the sink stored it.
 */

const silent = pino({ level: 'silent' });
const quiet: LineSink = { warn: () => undefined, error: () => undefined };

describe('Baileys socket: connection attempts (SPEC-MESSAGING §8)', () => {
  let server: Server;
  const held: Socket[] = [];

  beforeAll(async () => {
    // Accepts the TCP connection and never says a word (no WebSocket upgrade, no handshake).
    server = createServer((s) => void held.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const adapterOn = (url: string, timeoutMs: number) => {
    const sink = new RecordingSink();
    const adapter = new BaileysAdapter(makeBaileysSocketFactory({ waWebSocketUrl: url }), new MemorySessionStore(), sink, {
      whatsappConnectTimeoutMs: timeoutMs, mediaMaxBytes: 1_000,
    }, undefined, quiet as never);
    return { adapter, sink };
  };

  it('an address that never answers: UNREACHABLE once the connect timeout passed, the instance disconnected', async () => {
    const { adapter, sink } = adapterOn(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/chat`, 1_500);
    const started = Date.now();
    const err = (await adapter.connect(testInstance()).catch((e: unknown) => e)) as WhatsAppError;
    const elapsed = Date.now() - started;
    expect(err.code).toBe('UNREACHABLE');
    expect(err.detail.length).toBeLessThanOrEqual(200);
    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    expect(elapsed).toBeLessThan(4_500);
    await settle();
    expect(sink.states).toEqual([['connecting', 'connecting'], ['disconnected', 'unreachable']]);
  });

  it('a refused connection: UNREACHABLE at once, with the reason', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const { adapter, sink } = adapterOn(`ws://127.0.0.1:${port}/ws/chat`, 10_000);
    const started = Date.now();
    const err = (await adapter.connect(testInstance()).catch((e: unknown) => e)) as WhatsAppError;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err.code).toBe('UNREACHABLE');
    expect(err.detail).toMatch(/ECONNREFUSED/);
    await settle();
    expect(sink.states.at(-1)).toEqual(['disconnected', 'unreachable']);
  });
});

/** A WebSocket server that completes the upgrade and reads the client's binary messages (RFC 6455, unmasked here). */
function startWsServer(onMessage: (data: Buffer) => void): Promise<HttpServer> {
  const server = createHttpServer();
  server.on('upgrade', (req, socket) => {
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (buffered.length < 2) return;
        let len = buffered[1] & 0x7f;
        let offset = 2;
        if (len === 126) {
          if (buffered.length < 4) return;
          len = buffered.readUInt16BE(2);
          offset = 4;
        } else if (len === 127) {
          if (buffered.length < 10) return;
          len = Number(buffered.readBigUInt64BE(2));
          offset = 10;
        }
        const masked = (buffered[1] & 0x80) !== 0;
        const start = offset + (masked ? 4 : 0);
        if (buffered.length < start + len) return;
        const payload = Buffer.from(buffered.subarray(start, start + len));
        if (masked) for (let i = 0; i < len; i += 1) payload[i] ^= buffered[offset + (i % 4)];
        const opcode = buffered[0] & 0x0f;
        buffered = buffered.subarray(start + len);
        if (opcode === 2) onMessage(payload);
        // A close frame: answer it and end, as a server does (ws waits 30 s otherwise).
        if (opcode === 8) socket.end(Buffer.from([0x88, 0x00]));
      }
    });
    socket.on('error', () => undefined);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

/** A Signal key store in memory (values kept as given). */
function memoryKeys(): SignalKeyStore {
  const data = new Map<string, unknown>();
  return {
    get: async (type, ids) => Object.fromEntries(ids.flatMap((id) => (data.has(`${type}/${id}`) ? [[id, data.get(`${type}/${id}`)]] : []))) as never,
    set: async (set: SignalDataSet) => {
      for (const [type, values] of Object.entries(set)) {
        for (const [id, value] of Object.entries(values ?? {})) {
          if (value == null) data.delete(`${type}/${id}`);
          else data.set(`${type}/${id}`, value);
        }
      }
    },
  };
}

describe('Baileys socket: a received message is stored before it is acknowledged (SPEC-MESSAGING §10)', () => {
  const BOB = { id: '5511999999999:1@s.whatsapp.net', lid: '999999999999999:1@lid', name: 'Bob' };
  const ALICE = '111111111111111@lid';

  /** Bob (us) linked, with one pre-key; Alice's encrypted first message to him, as a stanza. */
  async function scenario(id: string, text: string) {
    const bobCreds: AuthenticationCreds = { ...initAuthCreds(), me: BOB, account: { details: Buffer.from('adv') } };
    const bobKeys = memoryKeys();
    const preKey = Curve.generateKeyPair();
    await bobKeys.set({ 'pre-key': { '1': preKey } });

    const aliceCreds = initAuthCreds();
    const alice = makeLibSignalRepository({ creds: aliceCreds, keys: addTransactionCapability(memoryKeys(), silent, { maxCommitRetries: 1, delayBetweenTriesMs: 0 }) }, silent);
    await alice.injectE2ESession({
      jid: BOB.id,
      session: {
        registrationId: bobCreds.registrationId,
        identityKey: generateSignalPubKey(bobCreds.signedIdentityKey.public),
        signedPreKey: { keyId: bobCreds.signedPreKey.keyId, publicKey: generateSignalPubKey(bobCreds.signedPreKey.keyPair.public), signature: bobCreds.signedPreKey.signature },
        preKey: { keyId: 1, publicKey: generateSignalPubKey(preKey.public) },
      },
    });
    const { type, ciphertext } = await alice.encryptMessage({ jid: BOB.id, data: writeRandomPadMax16(proto.Message.encode({ conversation: text }).finish()) });
    expect(type).toBe('pkmsg');
    const stanza: BinaryNode = {
      tag: 'message',
      attrs: { id, from: ALICE, t: '1700000000', type: 'text', notify: 'Alice' },
      content: [{ tag: 'enc', attrs: { v: '2', type }, content: ciphertext }],
    };
    const session: BaileysAuthSession = { instanceId: testInstance().id, state: { creds: bobCreds, keys: bobKeys }, saved: true, saveCreds: async () => undefined };
    return { stanza, session };
  }

  async function run(id: string, sinkBehaviour: (sink: RecordingSink) => void) {
    const frames: BinaryNode[] = [];
    const order: string[] = [];
    let first = true;
    const server = await startWsServer((data) => {
      // The first message carries the Noise intro and the client hello; the handshake never
      // completes, so later frames are plain binary nodes behind a 3-byte length.
      if (first) {
        first = false;
        order.push('hello');
        return;
      }
      void decodeBinaryNode(data.subarray(3)).then((node) => {
        frames.push(node);
        order.push(`${node.tag}${node.attrs.type ? `:${node.attrs.type}` : ''}`);
      });
    });
    const { stanza, session } = await scenario(id, 'hello bob');
    const store = new MemorySessionStore();
    store.load = async () => session;
    const sink = new RecordingSink();
    sinkBehaviour(sink);
    const realSink = sink.messages.bind(sink);
    sink.messages = async (instance, messages) => {
      order.push('sink:start');
      try {
        await realSink(instance, messages);
        order.push('sink:stored');
      } catch (err) {
        order.push('sink:failed');
        throw err;
      }
    };
    let sock: BaileysSocket | null = null;
    const real = makeBaileysSocketFactory({ waWebSocketUrl: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/chat` });
    const factory: BaileysSocketFactory = { create: (o) => (sock = real.create(o)) };
    const instance = testInstance();
    const adapter = new BaileysAdapter(factory, store, sink, { whatsappConnectTimeoutMs: 15_000, mediaMaxBytes: 1_000 }, undefined, quiet as never);
    expect(await adapter.resume(instance)).toBe(true);
    for (let i = 0; i < 200 && !order.includes('hello'); i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual(['hello']);
    // What Baileys' frame decoder does with a received message stanza.
    (sock as unknown as { ws: { emit(event: string, node: BinaryNode): void } }).ws.emit('CB:message', stanza);
    const done = async () => {
      await adapter.release(instance);
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
    };
    return { order, frames, sink, done };
  }

  it('the delivery receipt leaves only after the sink resolved (Baileys\' real decryption and receipt)', async () => {
    let open!: () => void;
    const { order, frames, sink, done } = await run('3EB0ORDER001', (s) => {
      s.gate = new Promise<void>((r) => (open = r));
    });
    try {
      for (let i = 0; i < 200 && !order.includes('sink:start'); i += 1) await new Promise((r) => setTimeout(r, 10));
      // Decrypted and handed to the sink, which holds it: no receipt may leave meanwhile.
      await new Promise((r) => setTimeout(r, 300));
      expect(order).toEqual(['hello', 'sink:start']);
      open();
      for (let i = 0; i < 200 && !order.includes('receipt:inactive'); i += 1) await new Promise((r) => setTimeout(r, 10));
      expect(order).toEqual(['hello', 'sink:start', 'sink:stored', 'receipt:inactive']);
      expect(frames[0].attrs).toMatchObject({ id: '3EB0ORDER001', to: ALICE, type: 'inactive' });
      expect(sink.messageBatches).toHaveLength(1);
      expect(sink.messageBatches[0][0].data).toMatchObject({
        id: '3EB0ORDER001', direction: 'incoming', type: 'text', content: { text: 'hello bob' },
        chat: { jid: ALICE, phone: null, name: 'Alice', type: 'private' }, timestamp: '2023-11-14T22:13:20Z',
      });
      // The upsert that follows the receipt adds nothing.
      await new Promise((r) => setTimeout(r, 200));
      expect(sink.messageBatches).toHaveLength(1);
    } finally {
      open();
      await done();
    }
  });

  it('a sink that fails: no delivery receipt, Baileys asks the sender to send it again', async () => {
    const { order, done } = await run('3EB0ORDER002', (s) => {
      s.fail = new Error('database down');
    });
    try {
      for (let i = 0; i < 300 && !order.some((o) => o.startsWith('ack')); i += 1) await new Promise((r) => setTimeout(r, 10));
      expect(order).toContain('sink:failed');
      expect(order.filter((o) => o.startsWith('receipt') && o !== 'receipt:retry')).toEqual([]);
      expect(order).toContain('receipt:retry');
      expect(order.indexOf('receipt:retry')).toBeGreaterThan(order.indexOf('sink:failed'));
    } finally {
      await done();
    }
  });
});
