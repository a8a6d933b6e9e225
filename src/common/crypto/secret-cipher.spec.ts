import { randomBytes } from 'node:crypto';
import { keyIdOf } from '../../config/config.js';
import { SecretCipher, SecretDecryptionError } from './secret-cipher.js';

const newKey = () => {
  const key = randomBytes(32);
  return { id: keyIdOf(key), key };
};

describe('SecretCipher', () => {
  const key = newKey();
  const cipher = new SecretCipher(key);

  it('round-trips and uses the v1.<keyId>.<nonce>.<tag>.<ciphertext> format', () => {
    const stored = cipher.encrypt('sk_live_abc123');
    const parts = stored.split('.');
    expect(parts).toHaveLength(5);
    expect(parts[0]).toBe('v1');
    expect(parts[1]).toBe(key.id);
    expect(parts[1]).toMatch(/^[0-9a-f]{8}$/);
    expect(Buffer.from(parts[2], 'base64url')).toHaveLength(12);
    expect(Buffer.from(parts[3], 'base64url')).toHaveLength(16);
    expect(stored).not.toContain('sk_live_abc123');
    expect(cipher.decrypt(stored)).toBe('sk_live_abc123');
  });

  it('uses a fresh nonce for every encryption', () => {
    const a = cipher.encrypt('same');
    const b = cipher.encrypt('same');
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
    expect(a).not.toBe(b);
  });

  it('rejects a tampered ciphertext, tag or nonce', () => {
    const stored = cipher.encrypt('secret-value');
    const parts = stored.split('.');
    const flip = (s: string) => {
      const buf = Buffer.from(s, 'base64url');
      buf[0] ^= 1;
      return buf.toString('base64url');
    };
    for (const i of [2, 3, 4]) {
      const tampered = [...parts];
      tampered[i] = flip(tampered[i]);
      expect(() => cipher.decrypt(tampered.join('.'))).toThrow(SecretDecryptionError);
    }
  });

  it('decrypts with a previous key after rotation', () => {
    const old = newKey();
    const before = new SecretCipher(old).encrypt('rotated');
    const after = new SecretCipher(key, [old]);
    expect(after.decrypt(before)).toBe('rotated');
  });

  it('fails clearly, never with garbage, when the key is unknown', () => {
    const stored = new SecretCipher(newKey()).encrypt('x');
    expect(() => cipher.decrypt(stored)).toThrow(/no configured key has id/);
    expect(() => cipher.decrypt('not-a-secret')).toThrow(/unknown format/);
  });
});
