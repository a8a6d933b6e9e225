import { Messages } from '../common/errors/http-error.js';
import { instanceErrorAnswer } from '../instances/instances.filter.js';
import type { EndpointDoc, ErrorDoc } from '../openapi/api-endpoint.decorator.js';
import { ConnectResponse, LogoutResponse, ReconnectResponse } from './dto/connection.response.js';
import { connectionErrorAnswer, WhatsAppMessages } from './whatsapp.filter.js';
import { WhatsAppError } from './whatsapp.port.js';

const DETAIL = '<detail>';

/** The instance look-up of SPEC §2, answered as by the instances module. */
export const INSTANCE_LOOKUP_ERRORS: ErrorDoc[] = [
  { status: 404, key: 'instanceNotFound', message: instanceErrorAnswer('NOT_FOUND')[1], when: "no instance of that name in the caller's account" },
  { status: 403, key: 'tokenMismatch', message: Messages.instanceTokenMismatch, when: "a TokenInstance on another instance's path" },
];

function connectionError(key: string, error: WhatsAppError, when: string): ErrorDoc {
  const [status, message] = connectionErrorAnswer(error);
  return { status, key, message, when };
}

const UNREACHABLE = connectionError(
  'unreachable',
  new WhatsAppError('UNREACHABLE', DETAIL),
  'WhatsApp (or the Graph API) cannot be reached or answered 5xx, or no QR code came within WHATSAPP_CONNECT_TIMEOUT_MS; the instance is `disconnected`',
);
const CLOUD_REFUSALS = [
  connectionError('credentials', new WhatsAppError('CREDENTIALS', DETAIL), 'Cloud API: Meta answered 401 or error code 190'),
  connectionError('phoneNumber', new WhatsAppError('PHONE_NUMBER', DETAIL), 'Cloud API: Meta refused the phone number id (e.g. code 100, 10 or 200)'),
];

export const CONNECT_INSTANCE: EndpointDoc = {
  summary: 'Connect an instance to WhatsApp',
  description:
    'Baileys: starts (or reuses) the session and waits for the first QR code, at most `WHATSAPP_CONNECT_TIMEOUT_MS`; ' +
    'a new QR code replaces the old one every ~20 s, and calling again returns the current one. With `?phone=` a ' +
    'pairing code instead. A paired session answers `Instance already connected`. Cloud API: verifies the ' +
    'credentials with `GET <WHATSAPP_CLOUD_API_URL>/<cloudPhoneNumberId>`; the instance is then `connected` and its ' +
    'webhooks are accepted.',
  auth: 'any',
  success: { status: 200, type: ConnectResponse, description: 'Connected, or a code to pair a phone with' },
  errors: [
    { status: 400, key: 'badPhone', message: WhatsAppMessages.badPhoneQuery, when: '`phone` is not 8 to 15 digits (a leading `+` is allowed)' },
    ...CLOUD_REFUSALS,
    ...INSTANCE_LOOKUP_ERRORS,
    UNREACHABLE,
  ],
};

export const RECONNECT_INSTANCE: EndpointDoc = {
  summary: 'Reconnect an instance',
  description:
    'Baileys: a saved session reconnects (the answer does not wait for it; `instance.state` events follow). ' +
    'Cloud API: the same as connect.',
  auth: 'any',
  success: { status: 200, type: ReconnectResponse, description: '`Instance reconnecting` (Baileys) or `Instance connected` (Cloud API)' },
  errors: [
    connectionError('noSession', new WhatsAppError('NO_SESSION'), 'Baileys: no paired session is saved'),
    ...CLOUD_REFUSALS,
    ...INSTANCE_LOOKUP_ERRORS,
    UNREACHABLE,
  ],
};

export const LOGOUT_INSTANCE: EndpointDoc = {
  summary: 'Log an instance out of WhatsApp',
  description:
    'Baileys: logs the device out (it disappears from the phone\'s linked devices) and deletes the saved session. ' +
    'Cloud API: the instance stops accepting its webhooks. Either way the instance is `disconnected`.',
  auth: 'any',
  success: { status: 200, type: LogoutResponse, description: 'Instance logged out' },
  errors: INSTANCE_LOOKUP_ERRORS,
};
