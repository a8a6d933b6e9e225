import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EncryptionKey } from '../../config/config.js';

/** Why a stored secret could not be read; never carries key material or plaintext. */
export class SecretDecryptionError extends Error {
  constructor(reason: string) {
    super(`cannot decrypt secret: ${reason}`);
    this.name = 'SecretDecryptionError';
  }
}

export interface SecretCipherOptions {
  /** Register the plaintext with the log redactor (default true). */
  redactFromLogs?: boolean;
}

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Told every plaintext the cipher handles: the logger's KnownSecrets, which keeps them out of log lines. */
export interface PlaintextObserver {
  remember(plaintext: string): void;
}

/**
 * AES-256-GCM for secrets at rest (SPEC §6): a fresh 96-bit nonce per encryption, the tag
 * verified on decryption, stored as `v1.<keyId>.<nonce>.<tag>.<ciphertext>` (base64url parts).
 * The only holder of key material.
 */
export class SecretCipher {
  private readonly keys: Map<string, Buffer>;

  constructor(
    private readonly current: EncryptionKey,
    previous: EncryptionKey[] = [],
    private readonly observer: PlaintextObserver | null = null,
  ) {
    this.keys = new Map([...previous.map((k) => [k.id, k.key] as const), [current.id, current.key]]);
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  /**
   * `redactFromLogs: false` is for bulk data that no error message echoes (a Baileys session's
   * Signal keys: thousands of values that would only evict real secrets from the redactor).
   */
  encrypt(plaintext: string, { redactFromLogs = true }: SecretCipherOptions = {}): string {
    // Whatever is worth encrypting must never be logged, even echoed in an error message.
    if (redactFromLogs) this.observer?.remember(plaintext);
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, nonce);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, this.current.id, nonce.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  decrypt(stored: string, { redactFromLogs = true }: SecretCipherOptions = {}): string {
    const parts = stored.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretDecryptionError('unknown format');
    const [, keyId, nonceB64, tagB64, dataB64] = parts;
    const key = this.keys.get(keyId);
    if (!key) throw new SecretDecryptionError(`no configured key has id ${keyId}`);
    const nonce = Buffer.from(nonceB64, 'base64url');
    const tag = Buffer.from(tagB64, 'base64url');
    if (nonce.length !== NONCE_BYTES || tag.length !== TAG_BYTES) throw new SecretDecryptionError('malformed');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([decipher.update(Buffer.from(dataB64, 'base64url')), decipher.final()]).toString('utf8');
      if (redactFromLogs) this.observer?.remember(plaintext);
      return plaintext;
    } catch {
      throw new SecretDecryptionError('authentication failed (tampered data or wrong key)');
    }
  }
}
