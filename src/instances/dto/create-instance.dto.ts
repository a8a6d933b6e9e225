import { IsBoolean, IsDefined, IsOptional, IsString, Matches, ValidateIf } from 'class-validator';
import {
  ChatwootAccountIdRule, ChatwootApiTokenRule, ChatwootBaseUrlRule, InboxNameRule, OptionalFlagRule,
} from '../../chatwoot/dto/chatwoot-rules.js';

const whenChatwoot = (o: CreateInstanceDto) => o.chatwootEnabled === true;

/**
 * Body of `POST /api/instance/new` (SPEC §4). The inline chatwoot block follows the set body's
 * rules and is validated only when `chatwootEnabled` is true.
 */
// class-validator runs stacked decorators bottom-up: the first check is the last line.
export class CreateInstanceDto {
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'name must match ^[A-Za-z0-9_-]{1,64}$' })
  @IsString({ message: 'name must be a string' })
  @IsDefined({ message: 'name is required' })
  name: string;

  @Matches(/^[A-Za-z0-9_-]{16,128}$/, { message: 'token must match ^[A-Za-z0-9_-]{16,128}$' })
  @IsString({ message: 'token must be a string' })
  @IsOptional()
  token?: string;

  @IsBoolean({ message: 'chatwootEnabled must be a boolean' })
  @IsOptional()
  chatwootEnabled?: boolean;

  @ValidateIf(whenChatwoot)
  @ChatwootBaseUrlRule()
  chatwootBaseUrl?: string;

  @ValidateIf(whenChatwoot)
  @ChatwootAccountIdRule()
  chatwootAccountId?: number;

  @ValidateIf(whenChatwoot)
  @ChatwootApiTokenRule()
  chatwootApiToken?: string;

  @ValidateIf(whenChatwoot)
  @InboxNameRule()
  chatwootInboxName?: string;

  @ValidateIf(whenChatwoot)
  @OptionalFlagRule()
  chatwootSignMessages?: boolean;

  @ValidateIf(whenChatwoot)
  @OptionalFlagRule()
  chatwootIgnoreGroups?: boolean;

  @ValidateIf(whenChatwoot)
  @OptionalFlagRule()
  chatwootStartAsPending?: boolean;

  @ValidateIf(whenChatwoot)
  @OptionalFlagRule()
  chatwootReopenResolved?: boolean;
}

const IGNORED_SETTINGS = new Set([
  'autoRejectCalls', 'callRejectMessage', 'ignoreGroupMessages', 'keepOnlineStatus',
  'autoReadMessages', 'disableHistorySync', 'ignoreStatus',
]);

/** Documented RyzeAPI fields this server accepts and ignores (SPEC §4). */
export function isIgnoredInstanceField(key: string): boolean {
  return /^(webhook|websocket|proxy|s3)/.test(key) || IGNORED_SETTINGS.has(key);
}
