import type { AppConfig } from '../../config/config.js';
import { MIN_SECRET_LENGTH, redactWith, SecretIndex } from '../redaction.js';
import { currentRequestContext } from './request-context.js';

/**
 * Field names whose values pino replaces wherever they appear in a logged object (up to two levels
 * deep): tokens of every kind, the Chatwoot API token, request headers that carry credentials.
 */
export const REDACT_PATHS: string[] = [
  'token', 'apiToken', 'api_token', 'chatwootApiToken', 'adminToken', 'bridgeToken', 'authorization', 'password',
  'secret', 'encryptionKey', 'encryptionKeys', 'previousEncryptionKeys', 'databaseUrl', 'redisUrl',
].flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);

/** The configuration's secrets in every spelling: tokens, encryption keys (base64, base64url, hex), URL passwords. */
export function configSecrets(config: AppConfig): string[] {
  const keys = [config.encryptionKey, ...config.previousEncryptionKeys].filter(Boolean).flatMap(({ key }) => {
    const b64 = key.toString('base64');
    return [b64, b64.replace(/=+$/, ''), key.toString('base64url'), key.toString('hex')];
  });
  const passwords = [config.databaseUrl, config.redisUrl].flatMap((url) => {
    if (!url) return [];
    try {
      const password = new URL(url).password;
      return password ? [password, decodeURIComponent(password)] : [];
    } catch {
      return [];
    }
  });
  return [config.adminToken, config.bridgeToken, ...keys, ...passwords].filter((s): s is string => !!s);
}

const KNOWN_CAPACITY = 10_000;

/**
 * Secrets met at run time: every plaintext the app's SecretCipher handles (createApp wires the two),
 * so that a line never shows one echoed where the code no longer holds it (a bridge error on a
 * status read or a background deletion). Bounded; the least recently met are forgotten first.
 */
export class KnownSecrets {
  readonly index = new SecretIndex();
  private readonly recent = new Map<string, true>();

  remember(value: string): void {
    if (value.length < MIN_SECRET_LENGTH) return;
    if (this.recent.delete(value)) {
      this.recent.set(value, true);
      return;
    }
    this.recent.set(value, true);
    this.index.add(value);
    if (this.recent.size > KNOWN_CAPACITY) {
      const oldest = this.recent.keys().next().value as string;
      this.recent.delete(oldest);
      this.index.delete(oldest);
    }
  }
}

/** Replaces the configuration's secrets, those met at run time and the request's in a serialized log line. */
export class SecretScrubber {
  private readonly fixed = new SecretIndex();

  constructor(
    secrets: string[],
    private readonly known: KnownSecrets,
  ) {
    for (const s of secrets) this.fixed.add(s);
  }

  scrub(line: string): string {
    const request = new SecretIndex(8);
    for (const s of currentRequestContext()?.secrets ?? []) request.add(s);
    return redactWith(line, [this.fixed, this.known.index, request]);
  }
}
