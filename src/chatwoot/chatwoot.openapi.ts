import { Messages } from '../common/errors/http-error.js';
import { bodyErrors, type EndpointDoc, type ErrorDoc } from '../openapi/api-endpoint.decorator.js';
import {
  BODY_ERROR_PREFIX, type ChatwootErrorCode, type ChatwootErrorContext, ChatwootError, chatwootErrorAnswer,
} from './chatwoot.errors.js';
import { ChatwootActivatedResponse, ChatwootDeactivatedResponse, ChatwootStatusResponse } from './dto/chatwoot.response.js';
import { SetChatwootDto } from './dto/set-chatwoot.dto.js';

const URL = 'https://chatwoot.example.com';
const ACCOUNT_ID = 5;
const INBOXES = `${URL}/api/v1/accounts/${ACCOUNT_ID}/inboxes`;

/** An example context and SPEC §5's "when" of each error: a Record, so that a new code does not compile undocumented. */
const EXAMPLES: Record<ChatwootErrorCode, { when: string; context?: ChatwootErrorContext }> = {
  INSTANCE_NOT_FOUND: { when: 'no such instance for this caller' },
  NO_INTEGRATION: { when: 'the instance has no chatwoot integration' },
  NOTHING_TO_DELETE: { when: 'the instance has no chatwoot integration' },
  CHATWOOT_NOT_FOUND: {
    when: 'Chatwoot answered 404',
    context: { url: URL, accountId: ACCOUNT_ID, detail: `${INBOXES} HTTP 404: {"error":"Resource could not be found"}` },
  },
  CHATWOOT_INVALID: {
    when: 'Chatwoot answered 422',
    context: { detail: `${INBOXES} HTTP 422: {"message":"Name can't be blank"}` },
  },
  CHATWOOT_TOKEN_REJECTED: {
    when: 'Chatwoot answered 401 (the token)',
    context: { detail: `${INBOXES} HTTP 401: {"error":"Invalid Access Token"}` },
  },
  CHATWOOT_FORBIDDEN: {
    when: 'Chatwoot answered 403, or 401 for an agent without admin rights on the account',
    context: { accountId: ACCOUNT_ID, detail: `${INBOXES} HTTP 401: {"error":"You are not authorized to do this action"}` },
  },
  CHATWOOT_UNREACHABLE: {
    when: 'DNS failure, connection refused, i/o timeout, TLS failure, or Chatwoot answered 5xx',
    context: { url: URL, detail: `Post "${INBOXES}": dial tcp 203.0.113.7:443: connect: connection refused` },
  },
  CHATWOOT_URL_NOT_ALLOWED: {
    when: "the server's address policy (CHATWOOT_ALLOWED_HOSTS) refuses every address of the host; nothing was sent to it",
    context: { host: 'chatwoot.internal' },
  },
  INBOX_IN_USE: {
    when: 'the API inbox of that name in that Chatwoot account routes for another live integration (never taken over)',
    context: { inboxName: 'RyzeAPI' },
  },
  GATEWAY_UNREACHABLE: {
    when: 'the bridge itself cannot be reached (refused, DNS, connect timeout)',
    context: { detail: 'POST http://bridge:8080/v1/integrations: connect ECONNREFUSED 10.0.0.12:8080' },
  },
  GATEWAY_FAILED: {
    when: 'the bridge answered outside its contract: `internal`, `invalid_request`, a non-JSON or unexpected body or status',
    context: { detail: 'unexpected non-JSON body with HTTP 500' },
  },
  GATEWAY_CREDENTIALS: { when: 'the bridge answered 401/403 to this server' },
  NOT_CONFIGURED: { when: 'BRIDGE_URL or BRIDGE_TOKEN is not set: the chatwoot module is disabled (checked after auth)' },
  ACTIVATION_TIMEOUT: {
    when: 'the 60 s budget of the activation ran out; nothing is stored',
    context: { instance: 'suporte' },
  },
  PERSIST_FAILED: {
    when: 'local database failure (the bridge integration just created is deleted again)',
    context: { reason: 'database write failed' },
  },
};

/** The documented errors of a chatwoot route, with the messages the module's mapping produces. */
function chatwootErrors(...codes: ChatwootErrorCode[]): ErrorDoc[] {
  return codes.map((code) => {
    const { when, context } = EXAMPLES[code];
    const [status, message] = chatwootErrorAnswer(new ChatwootError(code, context));
    return { status, key: code, message, when };
  });
}

/** SPEC §2: a TokenInstance on any other instance's path, existing or not. */
const TOKEN_MISMATCH: ErrorDoc = {
  status: 403,
  key: 'TOKEN_MISMATCH',
  message: Messages.instanceTokenMismatch,
  when: "a TokenInstance is used on another instance's path",
};

const SAMPLE = { chatwootBaseUrl: 'https://chatwoot.example.com', chatwootAccountId: 5, chatwootApiToken: 'x' };

/** The routes of SPEC §5, as `ApiEndpoint` documents them. */
export const SET_CHATWOOT: EndpointDoc = {
  summary: 'Activate, or update, the chatwoot integration of an instance',
  description:
    'A set replaces the whole configuration (an omitted optional field takes its default, also on an update), then ' +
    'the bridge provisions the integration: created, or updated when the instance already has one. The whole ' +
    'activation has 60 s. On failure nothing changes: a first activation leaves no integration, an update leaves ' +
    "the previous one exactly as it was. `Detail:` in the messages carries the bridge's root-cause text unchanged.",
  auth: 'any',
  success: { status: 201, type: ChatwootActivatedResponse, description: 'chatwoot integration activated' },
  errors: [
    ...bodyErrors(SetChatwootDto, BODY_ERROR_PREFIX, [
      { key: 'accountId', when: 'a field breaks its rule', body: { ...SAMPLE, chatwootAccountId: 0 } },
      {
        key: 'baseUrl',
        when: 'chatwootBaseUrl is not an absolute http(s) URL with a host',
        body: { ...SAMPLE, chatwootBaseUrl: 'chatwoot.example.com' },
      },
      { key: 'unknownField', when: 'the body has a field that is not documented', body: { ...SAMPLE, inbox: 'a' } },
    ]),
    ...chatwootErrors(
      'CHATWOOT_NOT_FOUND', 'CHATWOOT_INVALID', 'CHATWOOT_URL_NOT_ALLOWED', 'CHATWOOT_TOKEN_REJECTED', 'CHATWOOT_FORBIDDEN',
      'INSTANCE_NOT_FOUND', 'INBOX_IN_USE', 'PERSIST_FAILED', 'CHATWOOT_UNREACHABLE', 'GATEWAY_UNREACHABLE', 'GATEWAY_FAILED', 'NOT_CONFIGURED',
      'GATEWAY_CREDENTIALS', 'ACTIVATION_TIMEOUT',
    ),
    TOKEN_MISMATCH,
  ],
};

export const CHATWOOT_STATUS: EndpointDoc = {
  summary: 'Read the chatwoot integration of an instance',
  description:
    "The local integration, with `status` and `last_error` replaced by the bridge's live values when the bridge " +
    'answers within 10 s; otherwise (timeout, failure, 404) the local data, without an error.',
  auth: 'any',
  success: { status: 200, type: ChatwootStatusResponse, description: 'The integration (the Chatwoot API token is never returned)' },
  errors: [...chatwootErrors('INSTANCE_NOT_FOUND', 'NO_INTEGRATION', 'NOT_CONFIGURED'), TOKEN_MISMATCH],
};

export const DELETE_CHATWOOT: EndpointDoc = {
  summary: 'Deactivate the chatwoot integration of an instance',
  description:
    'Deletes the bridge integration (30 s; a bridge that fails is retried in the background until it confirms) and ' +
    'the local integration. The Chatwoot inbox and its conversations are preserved unless `deleteInbox=true`.',
  auth: 'any',
  success: { status: 200, type: ChatwootDeactivatedResponse, description: 'chatwoot integration deactivated' },
  errors: [...chatwootErrors('INSTANCE_NOT_FOUND', 'NOTHING_TO_DELETE', 'NOT_CONFIGURED'), TOKEN_MISMATCH],
};
