import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { sendError } from '../common/errors/envelope.js';
import { Messages } from '../common/errors/http-error.js';
import { InstanceError, InstanceErrorCode } from './instances.errors.js';

/** SPEC §4's status and message for each instances error. */
export function instanceErrorAnswer(code: InstanceErrorCode): [number, string] {
  switch (code) {
    case 'NOT_FOUND':
      return [404, 'Instance not found'];
    case 'TOKEN_MISMATCH':
      return [403, Messages.instanceTokenMismatch];
    case 'NAME_IN_USE':
      return [409, 'Instance name already in use'];
    case 'TOKEN_IN_USE':
      return [409, 'Instance token already in use'];
    case 'QUOTA_EXCEEDED':
      return [403, 'Account instance quota exceeded'];
    case 'PHONE_NUMBER_IN_USE':
      return [409, 'Phone number already in use'];
  }
}

@Catch(InstanceError)
export class InstancesExceptionFilter implements ExceptionFilter {
  catch(error: InstanceError, host: ArgumentsHost): void {
    const [status, message] = instanceErrorAnswer(error.code);
    sendError(host.switchToHttp().getResponse<Response>(), status, message);
  }
}
