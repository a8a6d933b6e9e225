import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { rememberBodySecrets } from '../logging/request-context.js';

/** Largest accepted body (SPEC §2). */
const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * What a route's body pipe receives instead of an object when the body could not be read.
 * SPEC §2 orders body errors after the rate limit, auth and module checks, so the parser does not
 * answer by itself: it leaves this marker and the route's pipe reports it with the route's message.
 */
export class BodyRejection {
  constructor(readonly reason: 'malformed' | 'too_large' | 'content_type') {}
}

/** A route whose bodies may be larger than 64 KiB (SPEC-MESSAGING §9: media sent as base64). */
export interface LargeBodyRoute {
  method: string;
  /** Matched against the path, case-insensitively like the router. */
  path: RegExp;
  limitBytes: number;
}

const parser = (limit: number) => express.json({ limit, strict: false, type: () => true });

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** Parses JSON bodies, marking failures with a {@link BodyRejection} rather than answering. */
export function jsonBodyMiddleware(large: LargeBodyRoute[] = []): RequestHandler {
  const jsonParser = parser(BODY_LIMIT_BYTES);
  const largeParsers = large.map((route) => ({ ...route, parse: parser(route.limitBytes) }));
  return (req: Request, res: Response, next: NextFunction) => {
    if (!hasBody(req)) return next();
    if (!req.is('application/json') && !req.is('application/*+json')) {
      req.body = new BodyRejection('content_type');
      // Drain what the client sends so that the connection stays usable.
      req.resume();
      return next();
    }
    const route = largeParsers.find((r) => r.method === req.method && r.path.test(req.path));
    (route?.parse ?? jsonParser)(req, res, (err?: { type?: string }) => {
      if (err) req.body = new BodyRejection(err.type === 'entity.too.large' ? 'too_large' : 'malformed');
      else rememberBodySecrets(req.body);
      next();
    });
  };
}
