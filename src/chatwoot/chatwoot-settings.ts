/** A complete chatwoot configuration, defaults applied (SPEC §5: a set replaces everything). */
export interface ChatwootSettings {
  baseUrl: string;
  accountId: number;
  apiToken: string;
  inboxName: string;
  signMessages: boolean;
  ignoreGroups: boolean;
  startAsPending: boolean;
  reopenResolved: boolean;
}

export const DEFAULT_INBOX_NAME = 'RyzeAPI';

export function withDefaults(input: {
  chatwootBaseUrl: string;
  chatwootAccountId: number;
  chatwootApiToken: string;
  inboxName?: string | null;
  signMessages?: boolean | null;
  ignoreGroups?: boolean | null;
  startAsPending?: boolean | null;
  reopenResolved?: boolean | null;
}): ChatwootSettings {
  return {
    baseUrl: input.chatwootBaseUrl,
    accountId: input.chatwootAccountId,
    apiToken: input.chatwootApiToken,
    inboxName: input.inboxName ?? DEFAULT_INBOX_NAME,
    signMessages: input.signMessages ?? false,
    ignoreGroups: input.ignoreGroups ?? false,
    startAsPending: input.startAsPending ?? false,
    reopenResolved: input.reopenResolved ?? false,
  };
}
