import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new random token: 256 bits, base64url (43 chars, within `^[A-Za-z0-9_-]{16,128}$`). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Tokens are stored only as SHA-256 hex digests (SPEC §2). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Constant-time equality of two hex digests (equal length: the length of a digest is public).
 * The text is compared as it is, not hex-decoded: decoding stops at the first non-hex character,
 * so `abc` and `abd` (or `zz` and `yy`) would decode to the same bytes.
 */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The token a request presents: the `token` header, or `Authorization: Bearer <t>` (SPEC §2). */
export function presentedToken(headers: Record<string, string | string[] | undefined>): string | null {
  const header = headers['token'];
  if (typeof header === 'string' && header !== '') return header;
  const auth = headers['authorization'];
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  return null;
}
