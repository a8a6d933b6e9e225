import {
  ChatwootAccountIdRule, ChatwootApiTokenRule, ChatwootBaseUrlRule, InboxNameRule, OptionalFlagRule,
} from './chatwoot-rules.js';

/** Body of `POST /api/chatwoot/set/:instance` (SPEC §5). A set replaces the whole configuration. */
export class SetChatwootDto {
  @ChatwootBaseUrlRule()
  chatwootBaseUrl: string;

  @ChatwootAccountIdRule()
  chatwootAccountId: number;

  @ChatwootApiTokenRule()
  chatwootApiToken: string;

  @InboxNameRule()
  inboxName?: string;

  @OptionalFlagRule()
  signMessages?: boolean;

  @OptionalFlagRule()
  ignoreGroups?: boolean;

  @OptionalFlagRule()
  startAsPending?: boolean;

  @OptionalFlagRule()
  reopenResolved?: boolean;
}
