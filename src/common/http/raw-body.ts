import type { Provider } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export type RawBody = Buffer | 'too_large' | 'unreadable';

/** The exact bytes of each captured request. */
const rawBodies = new WeakMap<Request, RawBody>();

/** The raw body of a request under a captured prefix; undefined when the capture did not run. */
export function rawBodyOf(req: Request): RawBody | undefined {
  return rawBodies.get(req);
}

function capture(limit: number): RequestHandler {
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
