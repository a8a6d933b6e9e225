import makeWASocket, {
  Browsers,
  type AnyMessageContent, type AuthenticationState, type BinaryNode, type Contact, type makeEventBuffer,
  type MiscMessageGenerationOptions, type SocketConfig, type WAMessage, type WAMessageKey, type WAPresence, type proto,
} from '@whiskeysockets/baileys';
// Deep imports: the barrel exports neither (the package has no `exports` map, so they are allowed).
import { makeLibSignalRepository } from '@whiskeysockets/baileys/lib/Signal/libsignal.js';
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';
import { makeReceiveHook } from './baileys-receive.js';

/**
 * The narrow port between the adapter and a Baileys socket: only what the adapter uses, so that
 * tests drive a fake socket with Baileys' real `makeEventBuffer`.
 */
export interface BaileysSocket {
  /** Baileys' buffered event emitter (`makeEventBuffer`): batches through `process`. */
  readonly ev: Pick<ReturnType<typeof makeEventBuffer>, 'process' | 'on' | 'off' | 'flush'>;
  readonly ws: { readonly isOpen: boolean };
  /** `creds.me` (the id has `:device`). */
  readonly user: Contact | undefined;
  sendMessage(jid: string, content: AnyMessageContent, options?: MiscMessageGenerationOptions): Promise<WAMessage | undefined>;
  sendPresenceUpdate(type: WAPresence, jid?: string): Promise<void>;
  requestPairingCode(phoneNumber: string): Promise<string>;
  logout(message?: string): Promise<void>;
  end(error: Error | undefined): void | Promise<void>;
  updateMediaMessage(message: WAMessage): Promise<WAMessage>;
}

export interface BaileysSocketOptions {
  auth: AuthenticationState;
  logger: ILogger;
  /** Handshake, and each frame sent (Baileys' connectTimeoutMs). */
  connectTimeoutMs: number;
  /**
   * Each received message, once decrypted and before Baileys acknowledges it (baileys-receive.ts):
   * a rejection makes Baileys refuse the message, and WhatsApp deliver it again.
   */
  onDecrypted(message: WAMessage): Promise<void>;
  /** A message we sent, for a recipient's retry request; undefined when unknown. */
  getMessage(key: WAMessageKey): Promise<proto.IMessage | undefined>;
}

export interface BaileysSocketFactory {
  create(options: BaileysSocketOptions): BaileysSocket;
}
export const BAILEYS_SOCKET_FACTORY = Symbol('BAILEYS_SOCKET_FACTORY');

/**
 * The real factory. `overrides` is for tests (e.g. `waWebSocketUrl` on loopback); production
 * passes nothing.
 */
export function makeBaileysSocketFactory(overrides: Partial<SocketConfig> = {}): BaileysSocketFactory {
  return {
    create(options) {
      const hook = makeReceiveHook(() => options.auth.creds, options.onDecrypted);
      const sock = makeWASocket({
        auth: options.auth,
        logger: options.logger,
        connectTimeoutMs: options.connectTimeoutMs,
        browser: Browsers.ubuntu('Chrome'),
        // A server is not "online": the phone keeps its notifications (and receipts stay `inactive`).
        markOnlineOnConnect: false,
        syncFullHistory: false,
        getMessage: options.getMessage,
        makeSignalRepository: (auth, logger, pnToLid) => hook.wrapRepository(makeLibSignalRepository(auth, logger, pnToLid)),
        // No `version`: Baileys' built-in one; nothing is fetched from the network at start.
        ...overrides,
      });
      // Before Baileys' own listener, so that the stanza is known when its decryption starts.
      sock.ws.prependListener('CB:message', (node: BinaryNode) => hook.recordStanza(node));
      return sock;
    },
  };
}
