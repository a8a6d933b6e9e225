export const REDACTED = '[REDACTED]';

/** Shorter values are not secrets: removing every `abc` would garble every text. */
export const MIN_SECRET_LENGTH = 4;

/** A secret as it may appear in a text: raw, escaped inside a JSON string, URL-encoded. */
function spellings(secret: string): string[] {
  if (secret.length < MIN_SECRET_LENGTH) return [];
  return [...new Set([secret, JSON.stringify(secret).slice(1, -1), urlEncoded(secret)].filter((s): s is string => s !== null))];
}

/** Null for a value with a lone surrogate, which no URL can carry (encodeURIComponent throws a URIError). */
function urlEncoded(secret: string): string | null {
  try {
    return encodeURIComponent(secret);
  } catch {
    return null;
  }
}

/** A polynomial hash of the MIN_SECRET_LENGTH characters at `at`, without allocating: it rolls along every log line. */
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

/** Secrets indexed by prefix, whose hashes rule most positions out: one lookup per character, whatever the number of secrets. */
export class SecretIndex {
  /** Spellings by prefix, each with the number of added secrets that spell it so. */
  private readonly byPrefix = new Map<string, Map<string, number>>();
  /** How many prefixes of byPrefix fall in each bucket of their windowHash; allocated on first use. */
  private filter: Uint32Array | null = null;
  private readonly mask: number;

  /** `filterBits`: log2 of the filter's buckets (small for the few secrets of one text). */
  constructor(filterBits = 16) {
    this.mask = (1 << filterBits) - 1;
  }

  add(secret: string): void {
    for (const s of spellings(secret)) {
      const prefix = s.slice(0, MIN_SECRET_LENGTH);
      let counts = this.byPrefix.get(prefix);
      if (!counts) {
        this.byPrefix.set(prefix, (counts = new Map()));
        this.filter ??= new Uint32Array(this.mask + 1);
        this.filter[windowHash(prefix, 0) & this.mask] += 1;
      }
      counts.set(s, (counts.get(s) ?? 0) + 1);
    }
  }

  delete(secret: string): void {
    for (const s of spellings(secret)) {
      const prefix = s.slice(0, MIN_SECRET_LENGTH);
      const counts = this.byPrefix.get(prefix);
      const n = counts?.get(s);
      if (!counts || n === undefined) continue;
      if (n > 1) counts.set(s, n - 1);
      else counts.delete(s);
      if (counts.size === 0) {
        this.byPrefix.delete(prefix);
        this.filter![windowHash(prefix, 0) & this.mask] -= 1;
      }
    }
  }

  /** Whether a secret may start where the window's hash is `hash` (false: none does). */
  mayStartAt(hash: number): boolean {
    return this.filter !== null && this.filter[hash & this.mask] !== 0;
  }

  /** The longest secret starting at `at` in `text` if longer than `best`, else `best`. */
  longestAt(text: string, at: number, best: string): string {
    const counts = this.byPrefix.get(text.slice(at, at + MIN_SECRET_LENGTH));
    if (counts) for (const s of counts.keys()) if (s.length > best.length && text.startsWith(s, at)) best = s;
    return best;
  }
}

/** Replaces every secret of the indexes in `text`, the longest first where several start at one place. */
export function redactWith(text: string, indexes: readonly SecretIndex[]): string {
  let out = '';
  let copied = 0;
  const last = text.length - MIN_SECRET_LENGTH; // the last position a secret can start at
  let h = last >= 0 ? windowHash(text, 0) : 0; // always windowHash(text, i)
  for (let i = 0; i <= last; ) {
    let found = '';
    for (let k = 0; k < indexes.length; k++) {
      if (!indexes[k].mayStartAt(h)) continue;
      for (const index of indexes) found = index.longestAt(text, i, found);
      break;
    }
    if (found === '') {
      if (i < last) h = rollHash(text, i, h);
      i += 1;
      continue;
    }
    out += text.slice(copied, i) + REDACTED;
    i += found.length;
    copied = i;
    if (i <= last) h = windowHash(text, i);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Removes the given secrets from a text that may reach a client or a log. Redact before any cut
 * (SPEC §5), so that no part of a secret survives a truncation.
 */
export function redact(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  const index = new SecretIndex(8);
  for (const secret of secrets) if (secret) index.add(secret);
  return redactWith(text, [index]);
}
