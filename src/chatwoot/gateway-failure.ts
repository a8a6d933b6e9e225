import type { GatewayFailure } from '../bridge-gateway/bridge-gateway.errors.js';
import { ChatwootError } from './chatwoot.errors.js';

/** Turns a gateway failure of an activation into the SPEC §5 row it belongs to. */
export function activationError(
  failure: GatewayFailure,
  context: { url: string; accountId: number; instance: string; inboxName: string },
): ChatwootError {
  const detail = failure.detail;
  switch (failure.kind) {
    case 'chatwoot':
      switch (failure.failure) {
        case 'token_rejected':
          return new ChatwootError('CHATWOOT_TOKEN_REJECTED', { detail });
        case 'forbidden':
          return new ChatwootError('CHATWOOT_FORBIDDEN', { accountId: context.accountId, detail });
        case 'not_found':
          return new ChatwootError('CHATWOOT_NOT_FOUND', { url: context.url, accountId: context.accountId, detail });
        case 'invalid':
          return new ChatwootError('CHATWOOT_INVALID', { detail });
        case 'unreachable':
          return new ChatwootError('CHATWOOT_UNREACHABLE', { url: context.url, detail });
        case 'blocked_address':
          // No Detail: nothing was sent, and the bridge's text would name the resolved address.
          return new ChatwootError('CHATWOOT_URL_NOT_ALLOWED', { host: hostOf(context.url) });
      }
    // eslint-disable-next-line no-fallthrough -- the inner switch is exhaustive
    case 'inbox_in_use':
      return new ChatwootError('INBOX_IN_USE', { inboxName: context.inboxName });
    case 'unreachable':
      return new ChatwootError('GATEWAY_UNREACHABLE', { detail });
    case 'timeout':
      return new ChatwootError('ACTIVATION_TIMEOUT', { instance: context.instance });
    case 'credentials':
      return new ChatwootError('GATEWAY_CREDENTIALS');
    case 'failed':
      return new ChatwootError('GATEWAY_FAILED', { detail });
  }
}

/** SPEC §5's `<host>`: the host name of the normalised chatwootBaseUrl, as the URL spells it. */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}
