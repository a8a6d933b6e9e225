import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { sendError } from '../common/errors/envelope.js';
import { InstanceError } from '../instances/instances.errors.js';
import { instanceErrorAnswer } from '../instances/instances.filter.js';
import { ChatwootError, chatwootErrorAnswer } from './chatwoot.errors.js';

/**
 * Maps the chatwoot module's errors, and the instance look-up's, to SPEC §5. The look-up's 404 is
 * this module's own (`instance not found`, in lower case); its 403 is SPEC §2's.
 */
@Catch(ChatwootError, InstanceError)
export class ChatwootExceptionFilter implements ExceptionFilter {
  catch(error: ChatwootError | InstanceError, host: ArgumentsHost): void {
    const mapped = error instanceof InstanceError && error.code === 'NOT_FOUND' ? new ChatwootError('INSTANCE_NOT_FOUND') : error;
    const [status, message] = mapped instanceof ChatwootError ? chatwootErrorAnswer(mapped) : instanceErrorAnswer(mapped.code);
    sendError(host.switchToHttp().getResponse<Response>(), status, message);
  }
}
