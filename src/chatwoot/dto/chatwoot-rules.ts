import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsBoolean, IsDefined, IsInt, IsNotEmpty, IsOptional, IsString, Length, MaxLength, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import { normalizeChatwootBaseUrl } from '../chatwoot-url.js';

/**
 * The rules of the chatwoot settings (SPEC §5), shared by `POST /api/chatwoot/set` and the inline
 * block of `POST /api/instance/new`. Messages name the field (`$property`) and the rule.
 */
export function ChatwootBaseUrlRule(opts: ValidationOptions = {}) {
  return applyDecorators(
    IsDefined({ ...opts, message: '$property is required' }),
    IsString({ ...opts, message: '$property must be a string' }),
    ValidateBy(
      {
        name: 'chatwootBaseUrl',
        validator: { validate: (v: unknown) => typeof v === 'string' && normalizeChatwootBaseUrl(v) !== null },
      },
      { ...opts, message: '$property must be an absolute http or https URL with a host and no query, fragment or credentials' },
    ),
    Transform(({ value }) => (typeof value === 'string' ? (normalizeChatwootBaseUrl(value) ?? value) : value)),
  );
}

export function ChatwootAccountIdRule(opts: ValidationOptions = {}) {
  const message = '$property must be an integer greater than 0';
  return applyDecorators(
    IsDefined({ ...opts, message: '$property is required' }),
    IsInt({ ...opts, message }),
    Min(1, { ...opts, message }),
  );
}

export function ChatwootApiTokenRule(opts: ValidationOptions = {}) {
  return applyDecorators(
    IsDefined({ ...opts, message: '$property is required' }),
    IsString({ ...opts, message: '$property must be a string' }),
    IsNotEmpty({ ...opts, message: '$property must not be empty' }),
    MaxLength(512, { ...opts, message: '$property must be at most 512 characters' }),
  );
}

/** Optional; 1–100 characters after trimming; stored trimmed. */
export function InboxNameRule(opts: ValidationOptions = {}) {
  return applyDecorators(
    IsOptional(opts),
    IsString({ ...opts, message: '$property must be a string' }),
    Length(1, 100, { ...opts, message: '$property must be 1 to 100 characters after trimming' }),
    Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
  );
}

export function OptionalFlagRule(opts: ValidationOptions = {}) {
  return applyDecorators(IsOptional(opts), IsBoolean({ ...opts, message: '$property must be a boolean' }));
}
