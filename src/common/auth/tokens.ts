import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new random token: 256 bits, base64url (43 chars, within `^[A-Za-z0-9_-]{16,128}$`). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Tokens are stored only as SHA-256 hex digests (SPEC §2). */
export function hashToken(token: string): string {
  return sha256(token).toString('hex');
}

/**
 * Equal secrets, in time that depends on neither value nor length (SPEC §2): both sides are
 * hashed to 32 bytes before timingSafeEqual compares them.
 */
export function constantTimeEquals(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** What {@link presentedToken} reads of a request. */
export interface TokenCarrier {
  headers: Record<string, string | string[] | undefined>;
  originalUrl?: string;
  url?: string;
}

/**
 * The token a request presents: the `token` header, or `Authorization: Bearer <t>` (SPEC §2); on the
 * event stream also `?token=` (SPEC-MESSAGING §10: a browser cannot set headers on a WebSocket).
 */
export function presentedToken(req: TokenCarrier): string | null {
  const header = req.headers['token'];
  if (typeof header === 'string' && header !== '') return header;
  const auth = req.headers['authorization'];
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const url = req.originalUrl ?? req.url ?? '';
  if (/^\/ws\//i.test(url) && url.includes('?')) {
    const query = new URLSearchParams(url.slice(url.indexOf('?') + 1)).get('token');
    if (query) return query;
  }
  return null;
}
