/** What can go wrong in the chatwoot module; ChatwootExceptionFilter maps each to SPEC §5. */
export type ChatwootErrorCode =
  | 'INSTANCE_NOT_FOUND'
  | 'NO_INTEGRATION'
  | 'NOTHING_TO_DELETE'
  | 'CHATWOOT_NOT_FOUND'
  | 'CHATWOOT_INVALID'
  | 'CHATWOOT_TOKEN_REJECTED'
  | 'CHATWOOT_FORBIDDEN'
  | 'CHATWOOT_UNREACHABLE'
  | 'CHATWOOT_URL_NOT_ALLOWED'
  | 'INBOX_IN_USE'
  | 'GATEWAY_UNREACHABLE'
  | 'GATEWAY_FAILED'
  | 'GATEWAY_CREDENTIALS'
  | 'NOT_CONFIGURED'
  | 'ACTIVATION_TIMEOUT'
  | 'PERSIST_FAILED';

/** What the messages interpolate: the normalised URL, the account id, the bridge's raw text… */
export interface ChatwootErrorContext {
  url?: string;
  accountId?: number;
  detail?: string;
  instance?: string;
  reason?: string;
  /** The host of the normalised chatwootBaseUrl. */
  host?: string;
  inboxName?: string;
}

export class ChatwootError extends Error {
  constructor(
    readonly code: ChatwootErrorCode,
    readonly context: ChatwootErrorContext = {},
  ) {
    super(code);
    this.name = 'ChatwootError';
  }
}

/** What a chatwoot route's body errors start with (SPEC §5: `invalid body: <detail>`). */
export const BODY_ERROR_PREFIX = 'invalid body';

export const NOT_CONFIGURED_MESSAGE = 'integration gateway not configured (set BRIDGE_URL and BRIDGE_TOKEN)';

/** SPEC §5's status and exact message for each error. The switch is exhaustive by type. */
export function chatwootErrorAnswer(error: ChatwootError): [number, string] {
  const { url = '', accountId = 0, detail = '', instance = '', reason = '', host = '', inboxName = '' } = error.context;
  switch (error.code) {
    case 'INSTANCE_NOT_FOUND':
      return [404, 'instance not found'];
    case 'NO_INTEGRATION':
      return [404, 'no chatwoot integration for this instance'];
    case 'NOTHING_TO_DELETE':
      return [404, 'no chatwoot integration to delete'];
    case 'CHATWOOT_NOT_FOUND':
      return [400, `Chatwoot account or endpoint not found — verify chatwootBaseUrl (${url}) and chatwootAccountId (${accountId}). Detail: ${detail}`];
    case 'CHATWOOT_INVALID':
      return [400, `Chatwoot rejected the request as invalid — verify inboxName and the integration settings. Detail: ${detail}`];
    case 'CHATWOOT_TOKEN_REJECTED':
      return [401, `Chatwoot rejected the API token — verify chatwootApiToken. Detail: ${detail}`];
    case 'CHATWOOT_FORBIDDEN':
      return [403, `Chatwoot denied the request — verify the API token has admin scope on account ${accountId}. Detail: ${detail}`];
    case 'CHATWOOT_UNREACHABLE':
      return [502, `Chatwoot is unreachable at ${url} — verify chatwootBaseUrl and that the host is reachable from the server. Detail: ${detail}`];
    case 'CHATWOOT_URL_NOT_ALLOWED':
      return [400, `Chatwoot URL is not allowed — ${host} resolves to a private or local address; the server's CHATWOOT_ALLOWED_HOSTS can allow it`];
    case 'INBOX_IN_USE':
      return [409, `Chatwoot inbox "${inboxName}" is already connected to another instance — choose another inboxName`];
    case 'GATEWAY_UNREACHABLE':
      return [502, `integration gateway is unreachable — retry later. Detail: ${detail}`];
    case 'GATEWAY_FAILED':
      return [502, `integration gateway failed — retry later. Detail: ${detail}`];
    case 'GATEWAY_CREDENTIALS':
      return [503, 'integration gateway rejected the server credentials — verify BRIDGE_TOKEN'];
    case 'NOT_CONFIGURED':
      return [503, NOT_CONFIGURED_MESSAGE];
    case 'ACTIVATION_TIMEOUT':
      return [504, `chatwoot activation timed out after 60s — it may still complete; check GET /api/chatwoot/list/${instance}`];
    case 'PERSIST_FAILED':
      return [500, `chatwoot integration failed: persist integration: ${reason}`];
  }
}
