import { hmacSha256Matches } from '../common/crypto/hmac.js';

/** How far a delivery's timestamp may be from now: replays of a captured delivery fail after it. */
const SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureCheck = 'valid' | 'missing' | 'malformed' | 'stale' | 'mismatch';

/** Chatwoot 4.13's signature (CONTRACT §6): `sha256=<hex HMAC-SHA256(inbox secret, "<timestamp>.<raw body>")>`. */
export function checkChatwootSignature(
  secret: string,
  timestamp: string | undefined,
  signature: string | undefined,
  rawBody: Buffer,
  nowSeconds: number,
): SignatureCheck {
  if (!timestamp || !signature) return 'missing';
  const m = /^sha256=([0-9a-f]{64})$/i.exec(signature.trim());
  if (!m || !/^\d{1,12}$/.test(timestamp)) return 'malformed';
  if (Math.abs(nowSeconds - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) return 'stale';
  return hmacSha256Matches(secret, [`${timestamp}.`, rawBody], m[1]) ? 'valid' : 'mismatch';
}
