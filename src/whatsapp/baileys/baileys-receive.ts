import {
  cleanMessage, decodeMessageNode, proto, unpadRandomMax16,
  type AuthenticationCreds, type BinaryNode, type SignalRepositoryWithLIDStore, type WAMessage,
} from '@whiskeysockets/baileys';

/**
 * Stores each received message BEFORE Baileys acknowledges it (SPEC-MESSAGING §10: an event is
 * stored before anyone is told; a message WhatsApp considers delivered must not be lost).
 *
 * Baileys sends a message's delivery receipt (its acknowledgement) before it emits
 * `messages.upsert`, and does not wait for event handlers. But in `handleMessage` it awaits the
 * decryption first (`await decrypt()`, then `sendReceipt`), and the decryption calls the Signal
 * repository that the socket config's `makeSignalRepository` returns. So:
 * 1. a listener on the socket's `CB:message` frames remembers each stanza, keyed by the very
 *    Uint8Array of each of its `enc` children (Baileys passes that object as the ciphertext);
 * 2. the wrapped repository decrypts, and once a stanza's last `enc` child is decrypted builds the
 *    WAMessage as Baileys will (`decodeMessageNode` for the key, the decoded content,
 *    `cleanMessage`) and awaits `onDecrypted` (the sink) before it returns the plaintext.
 * The receipt therefore leaves only after the sink resolved. If the sink fails, the decryption
 * fails: Baileys sends a retry receipt and a NACK instead of a receipt, and the sender sends the
 * message again.
 *
 * Not covered (they still go through `messages.upsert` only): stanzas with a `plaintext` child
 * (no decryption: some bot and channel messages), and a stanza whose decryption failed in part.
 */
export interface ReceiveHook {
  /** For the socket's `CB:message` listener, called with every message stanza. */
  recordStanza(node: BinaryNode): void;
  /** For the socket config's `makeSignalRepository`: wraps Baileys' own. */
  wrapRepository(inner: SignalRepositoryWithLIDStore): SignalRepositoryWithLIDStore;
}

interface PendingStanza {
  node: BinaryNode;
  /** `enc` children not yet decrypted. */
  remaining: number;
  failed: boolean;
  content?: proto.IMessage;
}

export function makeReceiveHook(
  creds: () => AuthenticationCreds,
  onDecrypted: (message: WAMessage) => Promise<void>,
): ReceiveHook {
  const pending = new WeakMap<Uint8Array, PendingStanza>();

  const after = async (ciphertext: Uint8Array, plaintext: Uint8Array | null): Promise<void> => {
    const stanza = pending.get(ciphertext);
    if (!stanza) return;
    pending.delete(ciphertext);
    stanza.remaining -= 1;
    if (plaintext === null) {
      stanza.failed = true;
      return;
    }
    // As decode-wa-message.js does with each decrypted child.
    let content = proto.Message.decode(unpadRandomMax16(plaintext));
    content = (content.deviceSentMessage?.message as proto.Message | undefined) ?? content;
    stanza.content = stanza.content ? Object.assign(stanza.content, content) : content;
    if (stanza.remaining > 0 || stanza.failed) return;
    const me = creds().me;
    if (!me?.id) return;
    const { fullMessage } = decodeMessageNode(stanza.node, me.id, me.lid ?? '');
    fullMessage.message = stanza.content;
    cleanMessage(fullMessage, me.id, me.lid ?? '');
    await onDecrypted(fullMessage);
  };

  const watched = async <T extends Uint8Array>(ciphertext: Uint8Array, decrypt: () => Promise<T>): Promise<T> => {
    let plaintext: T;
    try {
      plaintext = await decrypt();
    } catch (err) {
      await after(ciphertext, null);
      throw err;
    }
    await after(ciphertext, plaintext);
    return plaintext;
  };

  return {
    recordStanza(node) {
      if (node.tag !== 'message' || !Array.isArray(node.content)) return;
      const children = node.content;
      if (children.some((c) => c.tag === 'plaintext')) return;
      const encrypted = children.filter((c) => c.tag === 'enc' && c.content instanceof Uint8Array);
      if (encrypted.length === 0) return;
      const stanza: PendingStanza = { node, remaining: encrypted.length, failed: false };
      for (const child of encrypted) pending.set(child.content as Uint8Array, stanza);
    },
    wrapRepository(inner) {
      return {
        ...inner,
        decryptMessage: (opts) => watched(opts.ciphertext, () => inner.decryptMessage(opts)),
        decryptGroupMessage: (opts) => watched(opts.msg, () => inner.decryptGroupMessage(opts)),
      };
    },
  };
}
