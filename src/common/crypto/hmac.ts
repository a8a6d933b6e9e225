import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * True when `hex` is the HMAC-SHA256 of the concatenated `parts` under `secret`, compared in
 * constant time. Webhook signatures (Meta's `X-Hub-Signature-256`, Chatwoot's
 * `X-Chatwoot-Signature`) are this over the raw request bytes, never a re-serialisation.
 */
export function hmacSha256Matches(secret: string, parts: ReadonlyArray<string | Buffer>, hex: string): boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return timingSafeEqual(mac.digest(), Buffer.from(hex, 'hex'));
}
