import { normalizeHttpUrl } from './http-url.js';

describe('normalizeHttpUrl', () => {
  it.each([
    ['https://chatwoot.example.com', 'https://chatwoot.example.com'],
    ['https://chatwoot.example.com/', 'https://chatwoot.example.com'],
    ['https://chatwoot.example.com///', 'https://chatwoot.example.com'],
    ['http://127.0.0.1:3000/', 'http://127.0.0.1:3000'],
    ['https://example.com/chatwoot/', 'https://example.com/chatwoot'],
    ['HTTPS://Chatwoot.Example.com/Path', 'HTTPS://Chatwoot.Example.com/Path'],
    ['https://[::1]:8080', 'https://[::1]:8080'],
    ['https://example.com/a%20b', 'https://example.com/a%20b'],
  ])('accepts %s as %s', (raw, expected) => {
    expect(normalizeHttpUrl(raw)).toBe(expected);
  });

  it.each([
    'ftp://example.com',
    'chatwoot.example.com',
    '/relative/path',
    'https://',
    'https:///path',
    'https://example.com/?a=1',
    'https://example.com?x',
    'https://example.com/#frag',
    'https://exa mple.com',
    'https://example.com/a b',
    'https://user:secret@example.com',
    'https://example.com/%zz',
    'https://example.com/ä',
    '',
  ])('rejects %p', (raw) => {
    expect(normalizeHttpUrl(raw)).toBeNull();
  });
});
