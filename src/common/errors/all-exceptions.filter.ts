import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { sendError } from './envelope.js';
import { HttpError, Messages } from './http-error.js';

const GENERIC: Record<number, string> = {
  404: Messages.notFound,
  413: Messages.tooLarge,
};

/**
 * Last line of the error path: every error that no module filter claimed becomes the envelope.
 * Anything unknown is a 500 whose body reveals nothing; the detail goes to the log only.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    if (exception instanceof HttpError) {
      return sendError(res, exception.status, exception.publicMessage);
    }
    // The router could not decode a path parameter (`/api/chatwoot/list/%E0%A4%A`: malformed
    // %-encoding; Nest maps the router's URIError to a 400). No route serves such a path: it is an
    // unknown route (SPEC §2), whatever the token.
    if (exception instanceof HttpException && exception.cause instanceof URIError) {
      return sendError(res, 404, Messages.notFound);
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      const status = exception.getStatus();
      return sendError(res, status, GENERIC[status] ?? httpReason(status));
    }
    this.logger.error(
      { msg: 'unhandled error', method: req.method, path: req.path, requestId: req.requestId },
      exception instanceof Error ? exception.stack : String(exception),
    );
    sendError(res, 500, Messages.internal);
  }
}

function httpReason(status: number): string {
  switch (status) {
    case 400:
      return 'Bad request';
    case 405:
      return 'Method not allowed';
    case 415:
      return 'Unsupported media type';
    default:
      return 'Request failed';
  }
}
