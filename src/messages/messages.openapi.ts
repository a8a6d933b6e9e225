import { bodyErrors, type EndpointDoc, type ErrorDoc } from '../openapi/api-endpoint.decorator.js';
import { BODY_ERROR_PREFIX } from '../instances/instances.errors.js';
import { messageErrorAnswer, WhatsAppMessages } from '../whatsapp/whatsapp.filter.js';
import { INSTANCE_LOOKUP_ERRORS } from '../whatsapp/whatsapp.openapi.js';
import { WhatsAppError } from '../whatsapp/whatsapp.port.js';
import { IDEMPOTENCY_KEY_MESSAGE, ONE_SOURCE_MESSAGE, RevokeMessageDto, SendMediaDto, SendTextDto } from './dto/send-message.dto.js';
import { RevokeMessageResponse, SendMessageResponse } from './dto/send-message.response.js';
import { MessageMessages } from './messages.service.js';

const DETAIL = '<detail>';

function sendError(key: string, error: WhatsAppError, when: string): ErrorDoc {
  const [status, message] = messageErrorAnswer(error);
  return { status, key, message, when };
}

/** The answers every send shares (SPEC-MESSAGING §9). */
const SEND_ERRORS: ErrorDoc[] = [
  { status: 400, key: 'idempotencyKey', message: `${BODY_ERROR_PREFIX}: ${IDEMPOTENCY_KEY_MESSAGE}`, when: 'the Idempotency-Key header breaks its rule' },
  { status: 400, key: 'notConnected', message: WhatsAppMessages.notConnected, when: 'the instance is not `connected`' },
  ...INSTANCE_LOOKUP_ERRORS,
  { status: 404, key: 'replyToNotFound', message: MessageMessages.messageNotFound, when: '`replyTo` names no message of this instance' },
  { status: 409, key: 'idempotencyConflict', message: 'Idempotency-Key already used for a different request', when: 'the key was used on this instance within 24 h with another body' },
  sendError('windowClosed', new WhatsAppError('REJECTED', DETAIL, 'the 24-hour customer service window is closed (send a template)'), 'Cloud API code 131047'),
  sendError('notOnWhatsApp', new WhatsAppError('REJECTED', DETAIL, 'the number is not on WhatsApp'), 'Cloud API code 131026'),
  sendError('rateLimited', new WhatsAppError('REJECTED', DETAIL, 'rate limited by WhatsApp'), 'Cloud API codes 130429, 131048, 131056, 80007, 4'),
  sendError('credentials', new WhatsAppError('CREDENTIALS', DETAIL), 'Cloud API: the access token expired or was revoked (code 190)'),
  sendError('unreachable', new WhatsAppError('UNREACHABLE', DETAIL), 'the provider cannot be reached, or answered 5xx'),
];

const SEND_DESCRIPTION =
  'Every sent message is stored and emitted as `message.exchange` with `direction: "outgoing"`. With an ' +
  '`Idempotency-Key` (1–128 characters of `A-Z a-z 0-9 . _ : -`), a second request to the same instance with the ' +
  'same key within 24 h sends nothing and gets the first answer, whatever it was, waiting for it if the first is ' +
  'still running; a key whose first request never finished (the server stopped while sending) answers `409` ' +
  '`Idempotency-Key already used by a request whose outcome is unknown`. Other refusals by the provider: ' +
  "`WhatsApp rejected the message — <Meta's error.message>. Detail: <detail>`.";

export const SEND_TEXT: EndpointDoc = {
  summary: 'Send a text message',
  description: SEND_DESCRIPTION,
  auth: 'messaging',
  success: { status: 200, type: SendMessageResponse, description: 'Message sent successfully' },
  errors: [
    ...bodyErrors(SendTextDto, BODY_ERROR_PREFIX, [
      { key: 'badNumber', when: '`number` is neither a phone number nor a WhatsApp JID', body: { number: 'bob', message: 'hi' } },
      { key: 'badMessage', when: '`message` is missing, empty or longer than 4096 characters', body: { number: '5511999999999', message: '' } },
      { key: 'unknownField', when: 'the body has a field the route does not take', body: { number: '5511999999999', message: 'hi', color: 'blue' } },
    ]),
    ...SEND_ERRORS,
  ],
};

export const SEND_MEDIA: EndpointDoc = {
  summary: 'Send a media message',
  description:
    `${SEND_DESCRIPTION} The file comes as \`mediaBase64\` or from \`mediaUrl\` (fetched by the server: public ` +
    'addresses only, redirects followed, at most `MEDIA_MAX_BYTES`, 64 MiB by default; the body of this route may be ' +
    '`MEDIA_MAX_BYTES` × 4/3). Without `mimetype` the type is sniffed from the bytes.',
  auth: 'messaging',
  success: { status: 200, type: SendMessageResponse, description: 'Message sent successfully' },
  errors: [
    ...bodyErrors(SendMediaDto, BODY_ERROR_PREFIX, [
      { key: 'badType', when: '`type` is not image, video, audio or document', body: { number: '5511999999999', type: 'gif', mediaUrl: 'https://example.com/a.gif' } },
      { key: 'badNumber', when: '`number` is neither a phone number nor a WhatsApp JID', body: { number: 'bob', type: 'image', mediaUrl: 'https://example.com/a.jpg' } },
    ]),
    { status: 400, key: 'oneSource', message: `${BODY_ERROR_PREFIX}: ${ONE_SOURCE_MESSAGE}`, when: 'both or neither of `mediaUrl` and `mediaBase64`' },
    { status: 400, key: 'mediaNotFetched', message: MessageMessages.mediaNotFetched('<reason>'), when: '`mediaUrl` could not be fetched (refused address, HTTP error, too large, timeout)' },
    ...SEND_ERRORS,
  ],
};

export const REVOKE_MESSAGE: EndpointDoc = {
  summary: 'Revoke a sent message (delete it for everyone)',
  description:
    'Deletes one of the instance\'s own messages for everyone in the chat (WhatsApp Web instances: Meta\'s Cloud API ' +
    'has no such call). The revoke is stored and emitted as `message.exchange` of type `revoke` with `target` = the ' +
    'message. The Chatwoot integration uses it when an agent deletes a reply that was already sent. WhatsApp itself ' +
    'refuses revokes of messages older than about two days: the phone keeps showing them.',
  auth: 'messaging',
  success: { status: 200, type: RevokeMessageResponse, description: 'Message revoked' },
  errors: [
    ...bodyErrors(RevokeMessageDto, BODY_ERROR_PREFIX, [
      { key: 'badMessageId', when: '`messageId` is missing or not a message id', body: {} },
      { key: 'unknownField', when: 'the body has a field the route does not take', body: { messageId: '3EB0C767D71D3F5F2A1B', color: 'blue' } },
    ]),
    { status: 400, key: 'notConnected', message: WhatsAppMessages.notConnected, when: 'the instance is not `connected`' },
    { status: 400, key: 'cloudApi', message: MessageMessages.revokeUnsupported, when: 'the instance uses the Cloud API' },
    ...INSTANCE_LOOKUP_ERRORS,
    { status: 404, key: 'messageNotFound', message: MessageMessages.messageNotFound, when: '`messageId` names no message this instance sent' },
    sendError('unreachable', new WhatsAppError('UNREACHABLE', DETAIL), 'WhatsApp cannot be reached'),
  ],
};

export const GET_MEDIA: EndpointDoc = {
  summary: "Download a message's media",
  description:
    'Streams the bytes with their `Content-Type`, kept as long as the event (`EVENT_RETENTION_HOURS`). Inbound media ' +
    'is downloaded from the provider in the background after the message was acknowledged; asked first, this route ' +
    'fetches it on demand.',
  auth: 'messaging',
  success: { status: 200, type: Object, binary: true, description: 'The file, with its own `Content-Type` (and `Content-Disposition` when it has a name)' },
  errors: [
    ...INSTANCE_LOOKUP_ERRORS,
    { status: 404, key: 'mediaNotFound', message: WhatsAppMessages.mediaNotFound, when: 'no such message, no media, or the provider no longer has it' },
    sendError('unreachable', new WhatsAppError('UNREACHABLE', DETAIL), 'fetching the media from the provider failed; retry later'),
  ],
};
