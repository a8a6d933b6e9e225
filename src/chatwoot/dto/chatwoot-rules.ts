import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean, IsDefined, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min, type ValidationOptions,
} from 'class-validator';
import { CodePointLength, NoNulCharacter, VISIBLE_ASCII, WellFormedText } from '../../common/http/text-rules.js';
import { HttpUrlRule } from '../../common/http-url.js';
import { DEFAULT_INBOX_NAME } from '../chatwoot-settings.js';

/** What the columns hold: `chatwoot_base_url varchar(2048)`, `chatwoot_account_id integer`. */
const MAX_BASE_URL_LENGTH = 2048;
const MAX_ACCOUNT_ID = 2_147_483_647;

/**
 * The rules of the chatwoot settings (SPEC §5), shared by `POST /api/chatwoot/set` and the inline
 * block of `POST /api/instance/new`. Messages name the field (`$property`) and the rule. Each rule
 * also declares the field in the OpenAPI document, so that the docs cannot drift from the rules.
 */
export interface RuleOptions extends ValidationOptions {
  /**
   * Documents that the field is validated only under this condition (the inline block is checked
   * only when `chatwootEnabled` is true); the field is then optional in the schema. The condition
   * itself is applied by the DTO (`ValidateIf`).
   */
  onlyWhen?: string;
}

function documented(opts: RuleOptions, required: boolean, description: string) {
  const { onlyWhen, ...validation } = opts;
  return {
    validation,
    required: required && !onlyWhen,
    description: onlyWhen ? `${description} Validated only when ${onlyWhen}${required ? ', and then required' : ''}.` : description,
  };
}

export function ChatwootBaseUrlRule(options: RuleOptions = {}) {
  const { validation: opts, required, description } = documented(
    options,
    true,
    'Absolute http or https URL with a host and no query, fragment or credentials; trailing slashes are removed, nothing else is changed.',
  );
  return applyDecorators(
    IsDefined({ ...opts, message: '$property is required' }),
    IsString({ ...opts, message: '$property must be a string' }),
    HttpUrlRule(opts),
    // Checked on the normalised value (trailing slashes removed), which is what is stored.
    MaxLength(MAX_BASE_URL_LENGTH, { ...opts, message: `$property must be at most ${MAX_BASE_URL_LENGTH} characters` }),
    ApiProperty({ type: String, format: 'uri', maxLength: MAX_BASE_URL_LENGTH, required, description, example: 'https://chatwoot.example.com' }),
  );
}

export function ChatwootAccountIdRule(options: RuleOptions = {}) {
  const { validation: opts, required, description } = documented(options, true, 'The Chatwoot account id: a JSON number, not a string.');
  const message = '$property must be an integer greater than 0';
  return applyDecorators(
    IsDefined({ ...opts, message: '$property is required' }),
    IsInt({ ...opts, message }),
    Min(1, { ...opts, message }),
    Max(MAX_ACCOUNT_ID, { ...opts, message: `$property must be at most ${MAX_ACCOUNT_ID}` }),
    ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_ACCOUNT_ID, required, description, example: 5 }),
  );
}

export function ChatwootApiTokenRule(options: RuleOptions = {}) {
  const { validation: opts, required, description } = documented(
    options,
    true,
    'A Chatwoot API access token with admin scope on the account: 1 to 512 visible ASCII characters (`!` to `~`; it ' +
      'travels in an HTTP header). Stored encrypted; never returned by any route.',
  );
  return applyDecorators(
    IsDefined({ ...opts, message: '$property is required' }),
    IsString({ ...opts, message: '$property must be a string' }),
    IsNotEmpty({ ...opts, message: '$property must not be empty' }),
    MaxLength(512, { ...opts, message: '$property must be at most 512 characters' }),
    Matches(VISIBLE_ASCII, { ...opts, message: '$property must be visible ASCII characters only (no spaces, control characters or non-ASCII)' }),
    ApiProperty({ type: String, minLength: 1, maxLength: 512, pattern: '^[!-~]+$', required, description }),
  );
}

/** Optional; 1–100 characters after trimming; stored trimmed. */
export function InboxNameRule(options: RuleOptions = {}) {
  // The length applies after trimming, which minLength/maxLength cannot say: the description does.
  const { validation: opts, description } = documented(
    options,
    false,
    'The Chatwoot inbox name: 1 to 100 characters after trimming; stored trimmed.',
  );
  return applyDecorators(
    IsOptional(opts),
    IsString({ ...opts, message: '$property must be a string' }),
    CodePointLength(1, 100, { ...opts, message: '$property must be 1 to 100 characters after trimming' }),
    NoNulCharacter({ ...opts, message: '$property must not contain the NUL character (U+0000)' }),
    WellFormedText({ ...opts, message: '$property must not contain a lone surrogate (an unpaired \\ud800-\\udfff escape)' }),
    Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
    ApiProperty({ type: String, required: false, default: DEFAULT_INBOX_NAME, description, example: 'WhatsApp - Orion' }),
  );
}

export function OptionalFlagRule(options: RuleOptions = {}) {
  const { validation: opts, description } = documented(options, false, 'Omitted = false.');
  return applyDecorators(
    IsOptional(opts),
    IsBoolean({ ...opts, message: '$property must be a boolean' }),
    ApiProperty({ type: Boolean, required: false, default: false, description }),
  );
}
