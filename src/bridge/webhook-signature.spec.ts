import { createHmac } from 'node:crypto';
import { checkChatwootSignature } from './webhook-signature.js';

describe('checkChatwootSignature (CONTRACT §6)', () => {
  const secret = 'Ab3cD4eF5gH6iJ7kL8mN9oP0';
  const body = Buffer.from('{"event":"message_created","content":"a \\u003c b"}');
  const now = 1_776_000_000;
  const sign = (ts: string, data: Buffer = body, key = secret) =>
    `sha256=${createHmac('sha256', key).update(`${ts}.`).update(data).digest('hex')}`;

  it('accepts the HMAC-SHA256 of "<timestamp>.<raw body>" under the inbox secret', () => {
    expect(checkChatwootSignature(secret, String(now), sign(String(now)), body, now)).toBe('valid');
    expect(checkChatwootSignature(secret, String(now), sign(String(now)).toUpperCase().replace('SHA256=', 'sha256='), body, now)).toBe('valid');
  });

  it('refuses another key, another body, or another timestamp', () => {
    expect(checkChatwootSignature(secret, String(now), sign(String(now), body, 'other'), body, now)).toBe('mismatch');
    expect(checkChatwootSignature(secret, String(now), sign(String(now), Buffer.from('{}')), body, now)).toBe('mismatch');
    expect(checkChatwootSignature(secret, String(now), sign(String(now - 1)), body, now)).toBe('mismatch');
  });

  it('refuses missing or malformed headers', () => {
    expect(checkChatwootSignature(secret, undefined, sign(String(now)), body, now)).toBe('missing');
    expect(checkChatwootSignature(secret, String(now), undefined, body, now)).toBe('missing');
    expect(checkChatwootSignature(secret, String(now), 'sha1=abcd', body, now)).toBe('malformed');
    expect(checkChatwootSignature(secret, 'yesterday', sign('yesterday'), body, now)).toBe('malformed');
  });

  it('refuses a timestamp more than 5 minutes away', () => {
    const old = String(now - 301);
    expect(checkChatwootSignature(secret, old, sign(old), body, now)).toBe('stale');
    const edge = String(now - 300);
    expect(checkChatwootSignature(secret, edge, sign(edge), body, now)).toBe('valid');
    const future = String(now + 301);
    expect(checkChatwootSignature(secret, future, sign(future), body, now)).toBe('stale');
  });
});
