import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { BridgeError, bridgeErrorBody, bridgeErrorStatus } from './bridge.errors.js';

/** Every error of the bridge's routes in the BRIDGE-API §4 shape, not the global filter's `/api` envelope. */
@Catch()
export class BridgeExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Bridge');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const error = this.toBridgeError(exception, req);
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(bridgeErrorStatus(error.code)).json(bridgeErrorBody(error));
  }

  private toBridgeError(exception: unknown, req: Request): BridgeError {
    if (exception instanceof BridgeError) return exception;
    if (exception instanceof HttpException && exception.getStatus() === 404) {
      return new BridgeError('not_found', 'not found');
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      return new BridgeError('invalid_request', `request rejected: HTTP ${exception.getStatus()}`);
    }
    // The route (not the URL) is logged: a webhook URL carries its secret in the path.
    this.logger.error(
      { msg: 'unhandled bridge error', method: req.method, route: routeOf(req), requestId: req.requestId },
      exception instanceof Error ? exception.stack : String(exception),
    );
    return new BridgeError('internal', 'internal error');
  }
}

function routeOf(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  return typeof route?.path === 'string' ? route.path : '(unmatched)';
}
