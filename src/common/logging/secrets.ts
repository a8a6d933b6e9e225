import type { AppConfig } from '../../config/config.js';
import { currentRequestContext } from './request-context.js';

/**
 * Shorter values are not scrubbed: replacing every occurrence of a 3-character string would
 * garble every line, and a value that short is not a usable secret anyway.
 */
const MIN_SECRET_LENGTH = 6;

export const REDACTED = '[REDACTED]';

/**
 * Field names whose values pino replaces wherever they appear in a logged object (up to two levels
 * deep): tokens of every kind, the Chatwoot API token, request headers that carry credentials.
 */
export const REDACT_PATHS: string[] = [
  'token', 'apiToken', 'api_token', 'chatwootApiToken', 'adminToken', 'bridgeToken', 'authorization', 'password',
  'secret', 'encryptionKey', 'encryptionKeys', 'previousEncryptionKeys', 'databaseUrl', 'redisUrl',
].flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);

/**
 * The secret values of the configuration, in every spelling they could appear in a message:
 * ADMIN_TOKEN, BRIDGE_TOKEN, every encryption key (base64, base64url, hex), the passwords of
 * DATABASE_URL and REDIS_URL.
 */
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

/** A secret as it may appear in a line: raw, and escaped inside a JSON string. */
function spellings(secret: string): string[] {
  if (secret.length < MIN_SECRET_LENGTH) return [];
  const escaped = JSON.stringify(secret).slice(1, -1);
  return escaped === secret ? [secret] : [secret, escaped];
}

/**
 * A hash of the MIN_SECRET_LENGTH characters at `at` (polynomial, modulo 2^32), computed without
 * allocating a string. Scrubbing needs it at every position of every log line, so it rolls:
 * {@link rollHash} moves it one character on.
 */
function windowHash(text: string, at: number): number {
  let h = 0;
  for (let k = 0; k < MIN_SECRET_LENGTH; k++) h = (Math.imul(h, 31) + text.charCodeAt(at + k)) | 0;
  return h;
}

/** The weight of a window's first character (exact as a double; Math.imul takes it modulo 2^32). */
const TOP_WEIGHT = 31 ** (MIN_SECRET_LENGTH - 1);

/** windowHash(text, at + 1) from windowHash(text, at) = `hash`. */
function rollHash(text: string, at: number, hash: number): number {
  return (Math.imul(hash - Math.imul(text.charCodeAt(at), TOP_WEIGHT), 31) + text.charCodeAt(at + MIN_SECRET_LENGTH)) | 0;
}

/**
 * Secret values indexed by their first characters, so that scrubbing a line costs one lookup per
 * character whatever the number of secrets. The hashes of those prefixes rule most positions out
 * before any string is sliced.
 */
class SecretIndex {
  private readonly byPrefix = new Map<string, Set<string>>();
  /** How many prefixes of byPrefix fall in each bucket of their windowHash; allocated on first use. */
  private filter: Uint32Array | null = null;
  private readonly mask: number;

  /** `filterBits`: log2 of the filter's buckets (small for the few secrets of one request). */
  constructor(filterBits = 16) {
    this.mask = (1 << filterBits) - 1;
  }

  add(secret: string): void {
    for (const s of spellings(secret)) {
      const prefix = s.slice(0, MIN_SECRET_LENGTH);
      let set = this.byPrefix.get(prefix);
      if (!set) {
        this.byPrefix.set(prefix, (set = new Set()));
        this.filter ??= new Uint32Array(this.mask + 1);
        this.filter[windowHash(prefix, 0) & this.mask] += 1;
      }
      set.add(s);
    }
  }

  delete(secret: string): void {
    for (const s of spellings(secret)) {
      const prefix = s.slice(0, MIN_SECRET_LENGTH);
      const set = this.byPrefix.get(prefix);
      set?.delete(s);
      if (set?.size === 0) {
        this.byPrefix.delete(prefix);
        this.filter![windowHash(prefix, 0) & this.mask] -= 1;
      }
    }
  }

  /** Whether a secret may start where the window's hash is `hash` (false: none does). */
  mayStartAt(hash: number): boolean {
    return this.filter !== null && this.filter[hash & this.mask] !== 0;
  }

  /** The longest secret starting at `at` in `line`, or ''. */
  longestAt(line: string, at: number, best: string): string {
    const set = this.byPrefix.get(line.slice(at, at + MIN_SECRET_LENGTH));
    if (set) for (const s of set) if (s.length > best.length && line.startsWith(s, at)) best = s;
    return best;
  }
}

/** How many secrets seen at run time are remembered (most recent first). */
const SEEN_CAPACITY = 10_000;

/**
 * Secrets met at run time (every value the secret cipher encrypts or decrypts: Chatwoot API
 * tokens, webhook secrets, …), so that a line never shows them even when an error message echoes
 * one on a path that no longer holds it (a bridge error on a status read or a background deletion).
 * Bounded; the least recently seen are forgotten first.
 */
const seen = new Map<string, true>();
const seenIndex = new SecretIndex();

export function rememberSecret(value: string): void {
  if (value.length < MIN_SECRET_LENGTH) return;
  if (seen.delete(value)) {
    seen.set(value, true);
    return;
  }
  seen.set(value, true);
  seenIndex.add(value);
  if (seen.size > SEEN_CAPACITY) {
    const oldest = seen.keys().next().value as string;
    seen.delete(oldest);
    seenIndex.delete(oldest);
  }
}

/**
 * Replaces every known secret in a serialized log line: the configuration's, those met at run
 * time, and those of the request being served.
 */
export class SecretScrubber {
  private readonly fixed = new SecretIndex();

  constructor(secrets: string[]) {
    for (const s of secrets) this.fixed.add(s);
  }

  scrub(line: string): string {
    const request = new SecretIndex(8);
    for (const s of currentRequestContext()?.secrets ?? []) request.add(s);
    let out = '';
    let copied = 0;
    const last = line.length - MIN_SECRET_LENGTH; // the last position a secret can start at
    let h = last >= 0 ? windowHash(line, 0) : 0; // always windowHash(line, i)
    for (let i = 0; i <= last; ) {
      const found =
        this.fixed.mayStartAt(h) || seenIndex.mayStartAt(h) || request.mayStartAt(h)
          ? request.longestAt(line, i, seenIndex.longestAt(line, i, this.fixed.longestAt(line, i, '')))
          : '';
      if (found === '') {
        if (i < last) h = rollHash(line, i, h);
        i += 1;
        continue;
      }
      out += line.slice(copied, i) + REDACTED;
      i += found.length;
      copied = i;
      if (i <= last) h = windowHash(line, i);
    }
    return copied === 0 ? line : out + line.slice(copied);
  }
}
