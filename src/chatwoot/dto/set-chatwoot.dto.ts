import { ClosedSchema } from '../../openapi/api-endpoint.decorator.js';
import type { SetChatwootBody } from '../chatwoot-settings.js';
import {
  ChatwootAccountIdRule, ChatwootApiTokenRule, ChatwootBaseUrlRule, InboxNameRule, OptionalFlagRule,
} from './chatwoot-rules.js';

/** Body of `POST /api/chatwoot/set/:instance` (SPEC §5). A set replaces the whole configuration. */
@ClosedSchema({
  name: 'SetChatwootRequest',
  description: 'A set replaces the whole configuration: an omitted optional field takes its default, also on an update.',
})
export class SetChatwootDto implements SetChatwootBody {
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
