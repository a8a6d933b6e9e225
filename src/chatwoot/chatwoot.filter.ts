import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { sendError } from '../common/errors/envelope.js';
import { Messages } from '../common/errors/http-error.js';
import { InstanceError } from '../instances/instances.errors.js';
import { ChatwootError, chatwootErrorAnswer } from './chatwoot.errors.js';

/** Maps the chatwoot module's errors, and the instance look-up's, to SPEC §5. */
@Catch(ChatwootError, InstanceError)
export class ChatwootExceptionFilter implements ExceptionFilter {
  catch(error: ChatwootError | InstanceError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (error instanceof InstanceError) {
      // SPEC §5 spells this module's 404 in lower case.
      if (error.code === 'TOKEN_MISMATCH') return sendError(res, 403, Messages.instanceTokenMismatch);
      return sendError(res, 404, 'instance not found');
    }
    const [status, message] = chatwootErrorAnswer(error);
    sendError(res, status, message);
  }
}
