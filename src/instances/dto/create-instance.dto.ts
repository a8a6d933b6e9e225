import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsIn, IsOptional, IsString, Matches, ValidateBy, ValidateIf, type ValidationArguments } from 'class-validator';
import {
  ChatwootAccountIdRule, ChatwootApiTokenRule, ChatwootBaseUrlRule, InboxNameRule, OptionalFlagRule,
} from '../../chatwoot/dto/chatwoot-rules.js';
import type { InlineChatwootBlock } from '../../chatwoot/chatwoot-settings.js';
import { PROVIDERS, type Provider } from '../instance.entity.js';

/** What an instance name may be (SPEC §4); a path or filter naming anything else names no instance. */
export const INSTANCE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const whenChatwoot = (o: CreateInstanceDto) => o.chatwootEnabled === true;

/**
 * A Cloud API credential (SPEC-MESSAGING §8): required with provider "cloud", refused without it.
 * `rule` says what is wrong with a value present, or null.
 */
function CloudField(rule: (value: unknown) => string | null): PropertyDecorator {
  const problem = (args: ValidationArguments): string | null => {
    const cloud = (args.object as CreateInstanceDto).provider === 'cloud';
    if (!cloud) return args.value === undefined ? null : 'is only allowed with provider "cloud"';
    if (args.value === undefined || args.value === null) return 'is required with provider "cloud"';
    return rule(args.value);
  };
  return ValidateBy({
    name: 'cloudField',
    validator: {
      validate: (_: unknown, args?: ValidationArguments) => problem(args!) === null,
      defaultMessage: (args?: ValidationArguments) => `${args!.property} ${problem(args!)}`,
    },
  });
}
const inline = { onlyWhen: 'chatwootEnabled is true' };

/** Documented RyzeAPI fields this server accepts and ignores (SPEC §4): by prefix, and by name. */
const IGNORED_PREFIXES = ['webhook', 'websocket', 'proxy', 's3'];
const IGNORED_SETTINGS = new Set([
  'autoRejectCalls', 'callRejectMessage', 'ignoreGroupMessages', 'keepOnlineStatus',
  'autoReadMessages', 'disableHistorySync', 'ignoreStatus',
]);

/**
 * Body of `POST /api/instance/new` (SPEC §4). The inline chatwoot block follows the set body's
 * rules and is validated only when `chatwootEnabled` is true.
 */
// class-validator runs stacked decorators bottom-up: the first check is the last line.
// Not a closed schema (additionalProperties): the ignored RyzeAPI fields are accepted.
@ApiSchema({
  name: 'CreateInstanceRequest',
  description:
    'Other documented RyzeAPI fields are accepted and ignored: ' +
    `${[...IGNORED_PREFIXES.map((p) => `${p}*`), ...IGNORED_SETTINGS].map((k) => `\`${k}\``).join(', ')}; ` +
    'any other unknown field is a 400. ' +
    'The inline chatwoot block follows the rules of the set body and is validated only when `chatwootEnabled` is true; ' +
    'then a violation is a 400 and no instance is created.',
})
export class CreateInstanceDto implements InlineChatwootBlock {
  @ApiProperty({ type: String, pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'Unique within the account.', example: 'suporte' })
  @Matches(INSTANCE_NAME, { message: 'name must match ^[A-Za-z0-9_-]{1,64}$' })
  @IsString({ message: 'name must be a string' })
  @IsDefined({ message: 'name is required' })
  name: string;

  @ApiPropertyOptional({
    type: String,
    pattern: '^[A-Za-z0-9_-]{16,128}$',
    description: 'A custom TokenInstance, unique across the server; omitted = a generated one.',
  })
  @Matches(/^[A-Za-z0-9_-]{16,128}$/, { message: 'token must match ^[A-Za-z0-9_-]{16,128}$' })
  @IsString({ message: 'token must be a string' })
  @IsOptional()
  token?: string;

  @ApiPropertyOptional({ type: String, enum: PROVIDERS, default: 'baileys', description: 'Fixed for the life of the instance (SPEC-MESSAGING §8).' })
  @IsIn(PROVIDERS, { message: 'provider must be "baileys" or "cloud"' })
  @IsOptional()
  provider?: Provider;

  @ApiPropertyOptional({ type: String, pattern: '^[0-9]{1,32}$', description: 'Cloud API: the phone number id (unique across the server). Required with provider "cloud", refused otherwise.' })
  @CloudField((v) => (typeof v === 'string' && /^\d{1,32}$/.test(v) ? null : 'must be 1 to 32 digits'))
  cloudPhoneNumberId?: string;

  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: 1024, description: 'Cloud API: the access token (a system user token). Stored encrypted; never returned.' })
  @CloudField((v) => (typeof v === 'string' && /^[!-~]{1,1024}$/.test(v) ? null : 'must be 1 to 1024 visible ASCII characters'))
  cloudAccessToken?: string;

  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: 256, description: "Cloud API: the Meta app's secret, which signs the webhooks. Stored encrypted; never returned." })
  @CloudField((v) => (typeof v === 'string' && v.length >= 1 && v.length <= 256 ? null : 'must be 1 to 256 characters'))
  cloudAppSecret?: string;

  @ApiPropertyOptional({ type: String, pattern: '^[A-Za-z0-9._~-]{8,128}$', description: "Cloud API: the webhook's verify token, as entered in Meta's app dashboard. Stored as a SHA-256 hash." })
  @CloudField((v) => (typeof v === 'string' && /^[A-Za-z0-9._~-]{8,128}$/.test(v) ? null : 'must be 8 to 128 characters of A-Z a-z 0-9 . _ ~ -'))
  cloudVerifyToken?: string;

  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Activates the chatwoot integration with the fields below.' })
  @IsBoolean({ message: 'chatwootEnabled must be a boolean' })
  @IsOptional()
  chatwootEnabled?: boolean;

  @ValidateIf(whenChatwoot)
  @ChatwootBaseUrlRule(inline)
  chatwootBaseUrl?: string;

  @ValidateIf(whenChatwoot)
  @ChatwootAccountIdRule(inline)
  chatwootAccountId?: number;

  @ValidateIf(whenChatwoot)
  @ChatwootApiTokenRule(inline)
  chatwootApiToken?: string;

  @ValidateIf(whenChatwoot)
  @InboxNameRule(inline)
  chatwootInboxName?: string;

  @ValidateIf(whenChatwoot)
  @OptionalFlagRule(inline)
  chatwootSignMessages?: boolean;

  @ValidateIf(whenChatwoot)
  @OptionalFlagRule(inline)
  chatwootIgnoreGroups?: boolean;

  @ValidateIf(whenChatwoot)
  @OptionalFlagRule(inline)
  chatwootStartAsPending?: boolean;

  @ValidateIf(whenChatwoot)
  @OptionalFlagRule(inline)
  chatwootReopenResolved?: boolean;
}

const IGNORED_PREFIX = new RegExp(`^(${IGNORED_PREFIXES.join('|')})`);

/** Documented RyzeAPI fields this server accepts and ignores (SPEC §4). */
export function isIgnoredInstanceField(key: string): boolean {
  return IGNORED_PREFIX.test(key) || IGNORED_SETTINGS.has(key);
}
