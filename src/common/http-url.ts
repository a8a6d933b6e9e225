import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * The rule of `chatwootBaseUrl` (SPEC §5), which the bridge applies to the URLs it is given too:
 * an absolute http/https URL (RFC 3986) with a host and no query or fragment. Trailing `/` are
 * removed (all of them), nothing else is changed. Returns null when the value breaks a rule.
 *
 * Beyond the letter of SPEC: user info (`https://user:pass@host`) is refused, because the URL is
 * echoed in responses and logs and must never carry a credential.
 */
export function normalizeHttpUrl(raw: string): string | null {
  // Only the characters RFC 3986 allows, and `%` only as a complete escape.
  if (!/^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/.test(raw) || /%(?![0-9A-Fa-f]{2})/.test(raw)) return null;
  if (!/^https?:\/\//i.test(raw)) return null;
  if (raw.includes('?') || raw.includes('#')) return null;
  const authority = raw.slice(raw.indexOf('//') + 2).split('/')[0];
  if (authority === '' || authority.includes('@')) return null;
  try {
    const url = new URL(raw);
    if (url.hostname === '') return null;
  } catch {
    return null;
  }
  return raw.replace(/\/+$/, '');
}

/** Validates a string field with {@link normalizeHttpUrl} and stores it normalised. */
export function HttpUrlRule(options: ValidationOptions = {}): PropertyDecorator {
  return applyDecorators(
    ValidateBy(
      { name: 'httpUrl', validator: { validate: (v: unknown) => typeof v === 'string' && normalizeHttpUrl(v) !== null } },
      { ...options, message: '$property must be an absolute http or https URL with a host and no query, fragment or credentials' },
    ),
    Transform(({ value }) => (typeof value === 'string' ? (normalizeHttpUrl(value) ?? value) : value)),
  );
}
