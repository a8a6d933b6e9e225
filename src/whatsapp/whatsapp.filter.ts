import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { sendError } from '../common/errors/envelope.js';
import { type WhatsAppErrorCode, WhatsAppError } from './whatsapp.port.js';

/** The messages of SPEC-MESSAGING §8–§9, with their `Detail:` where one applies. */
export const WhatsAppMessages = {
  unreachable: (detail: string) => `WhatsApp is unreachable — retry later. Detail: ${detail}`,
  credentials: (detail: string) => `WhatsApp Cloud API rejected the credentials — verify cloudAccessToken. Detail: ${detail}`,
  phoneNumber: (detail: string) => `WhatsApp Cloud API refused the phone number — verify cloudPhoneNumberId. Detail: ${detail}`,
  rejected: (reason: string, detail: string) => `WhatsApp rejected the message — ${reason}. Detail: ${detail}`,
  notConnected: 'Instance is not connected to WhatsApp',
  noSession: 'Instance has no saved session — call /connect first',
  mediaNotFound: 'Media not found',
  badPhoneQuery: 'Invalid query: phone must be 8 to 15 digits',
} as const;

/** SPEC-MESSAGING §8: the answers of connect, reconnect and logout. */
export function connectionErrorAnswer(err: WhatsAppError): [number, string] {
  const code: WhatsAppErrorCode = err.code;
  switch (code) {
    case 'CREDENTIALS':
      return [400, WhatsAppMessages.credentials(err.detail)];
    case 'PHONE_NUMBER':
      return [400, WhatsAppMessages.phoneNumber(err.detail)];
    case 'NO_SESSION':
      return [400, WhatsAppMessages.noSession];
    case 'UNREACHABLE':
    case 'REJECTED':
    case 'NOT_CONNECTED':
    case 'MEDIA_GONE':
      return [502, WhatsAppMessages.unreachable(err.detail || err.reason || code)];
  }
}

/** SPEC-MESSAGING §9: the answers of the send and media routes. */
export function messageErrorAnswer(err: WhatsAppError): [number, string] {
  const code: WhatsAppErrorCode = err.code;
  switch (code) {
    case 'REJECTED':
      return [502, WhatsAppMessages.rejected(err.reason, err.detail)];
    case 'CREDENTIALS':
      return [502, WhatsAppMessages.credentials(err.detail)];
    case 'PHONE_NUMBER':
      return [502, WhatsAppMessages.phoneNumber(err.detail)];
    case 'UNREACHABLE':
      return [502, WhatsAppMessages.unreachable(err.detail)];
    case 'NOT_CONNECTED':
    case 'NO_SESSION':
      return [400, WhatsAppMessages.notConnected];
    case 'MEDIA_GONE':
      return [404, WhatsAppMessages.mediaNotFound];
  }
}

@Catch(WhatsAppError)
export class ConnectionExceptionFilter implements ExceptionFilter {
  catch(error: WhatsAppError, host: ArgumentsHost): void {
    const [status, message] = connectionErrorAnswer(error);
    sendError(host.switchToHttp().getResponse<Response>(), status, message);
  }
}

@Catch(WhatsAppError)
export class MessageExceptionFilter implements ExceptionFilter {
  catch(error: WhatsAppError, host: ArgumentsHost): void {
    const [status, message] = messageErrorAnswer(error);
    sendError(host.switchToHttp().getResponse<Response>(), status, message);
  }
}
