import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsOptional, IsString, Matches, ValidateIf } from 'class-validator';
import {
  ChatwootAccountIdRule, ChatwootApiTokenRule, ChatwootBaseUrlRule, InboxNameRule, OptionalFlagRule,
} from '../../chatwoot/dto/chatwoot-rules.js';
import type { InlineChatwootBlock } from '../../chatwoot/chatwoot-settings.js';

/** What an instance name may be (SPEC §4); a path or filter naming anything else names no instance. */
export const INSTANCE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const whenChatwoot = (o: CreateInstanceDto) => o.chatwootEnabled === true;
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
