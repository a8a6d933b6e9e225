import { redact, redactWith, SecretIndex } from './redaction.js';

describe('redact', () => {
  it('removes every occurrence of each secret', () => {
    expect(redact('token sk_live_1 and again sk_live_1', ['sk_live_1'])).toBe('token [REDACTED] and again [REDACTED]');
  });

  it('removes the secret in plain, URL-encoded and JSON-escaped forms', () => {
    const token = 'tok/en+"x"';
    const text = `a ${token} b ${encodeURIComponent(token)} c ${JSON.stringify(token)}`;
    expect(redact(text, [token])).toBe('a [REDACTED] b [REDACTED] c "[REDACTED]"');
  });

  it('replaces the longest secret where two start at the same place', () => {
    expect(redact('x secret-long y secret z', ['secret', 'secret-long'])).toBe('x [REDACTED] y [REDACTED] z');
  });

  it('copes with a secret holding a lone surrogate (no URL spelling exists)', () => {
    const secret = 'tok\ud800en';
    expect(redact(`a ${secret} b ${JSON.stringify(secret)}`, [secret])).toBe('a [REDACTED] b "[REDACTED]"');
  });

  it('leaves text without a secret alone, and ignores missing values and values too short to be secrets', () => {
    expect(redact('nothing here', ['abc123xyz', '', null, undefined])).toBe('nothing here');
    expect(redact('a key abc', ['abc'])).toBe('a key abc');
    expect(redact('a key abcd', ['abcd'])).toBe('a key [REDACTED]');
  });
});

describe('SecretIndex', () => {
  it('keeps a spelling that another remembered secret still has when one of them is deleted', () => {
    // encodeURIComponent('ab cd!') === 'ab%20cd!', the raw spelling of the other secret.
    const index = new SecretIndex();
    index.add('ab%20cd!');
    index.add('ab cd!');
    index.delete('ab cd!');
    expect(redactWith('x ab%20cd! y ab cd! z', [index])).toBe('x [REDACTED] y ab cd! z');
  });
});
