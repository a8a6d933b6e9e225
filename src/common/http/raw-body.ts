import type { Provider } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { readBoundedBody } from './bounded-body.js';

export type RawBody = Buffer | 'too_large' | 'unreadable';

/** The exact bytes of each captured request. */
const rawBodies = new WeakMap<Request, RawBody>();

/** The raw body of a request under a captured prefix; undefined when the capture did not run. */
export function rawBodyOf(req: Request): RawBody | undefined {
  return rawBodies.get(req);
}

function capture(limit: number): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST') return next();
    // Past the limit nothing more is read (SPEC §7): the route answers, the connection closes.
    void readBoundedBody(req, res, limit, false).then((body) => {
      rawBodies.set(req, body);
      next();
    }, next);
  };
}

/**
 * POST bodies under `prefix` kept as bytes, for a signature over them: a parsed value cannot be
 * re-serialised into the bytes that were signed (Rails escapes `<`, `>` and `&`; Meta escapes
 * non-ASCII). The JSON parser then sees a consumed stream and leaves it alone.
 *
 * Registered while providers are built, inside NestFactory.create: before configureApp() adds the
 * JSON parser, which module middleware would follow. The webhook e2e tests fail if this order breaks.
 */
export function rawBodyCapture(prefix: string, limit: number): Provider {
  return {
    provide: `RAW_BODY_CAPTURE ${prefix}`,
    inject: [HttpAdapterHost],
    useFactory: (host: HttpAdapterHost) => {
      host.httpAdapter?.use(prefix, capture(limit));
      return true;
    },
  };
}
