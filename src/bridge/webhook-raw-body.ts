import type { Provider } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

const WEBHOOK_PATH_PREFIX = '/v1/webhooks';

/** Chatwoot's events carry a whole conversation; a generous cap, still bounded. */
const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

export type RawBody = Buffer | 'too_large' | 'unreadable';

/** The exact bytes of each webhook request, for its signature (CONTRACT §6). */
const rawBodies = new WeakMap<Request, RawBody>();

/** The raw body of a webhook request; undefined when the capture did not run. */
export function rawBodyOf(req: Request): RawBody | undefined {
  return rawBodies.get(req);
}

/**
 * Webhook bodies as bytes: a parsed value cannot be re-serialised into the bytes Chatwoot signed
 * (Rails escapes `<`, `>` and `&`). The JSON parser then sees a consumed stream and leaves it alone.
 */
function captureWebhookRawBody(limit = WEBHOOK_BODY_LIMIT_BYTES): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (req.method !== 'POST') return next();
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (body: RawBody) => {
      if (done) return;
      done = true;
      rawBodies.set(req, body);
      next();
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        // Keep draining (and discarding) so that the answer reaches the client.
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => finish(size <= limit ? Buffer.concat(chunks) : 'too_large'));
    req.on('error', () => finish('unreadable'));
  };
}

/**
 * Registers the capture while providers are built, inside NestFactory.create: before configureApp()
 * adds the JSON parser, which module middleware would follow. The webhook e2e tests fail if this order breaks.
 */
export const WEBHOOK_RAW_BODY_CAPTURE: Provider = {
  provide: 'BRIDGE_WEBHOOK_RAW_BODY_CAPTURE',
  inject: [HttpAdapterHost],
  useFactory: (host: HttpAdapterHost) => {
    host.httpAdapter?.use(WEBHOOK_PATH_PREFIX, captureWebhookRawBody());
    return true;
  },
};
