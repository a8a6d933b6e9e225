import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { presentsKnownToken } from '../auth/resolved-token.js';
import { rememberBodySecrets } from '../logging/request-context.js';
import { closeAfterAnswer, readBoundedBody } from './bounded-body.js';
import { rawBodyOf } from './raw-body.js';

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

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** JSON is UTF-8 (RFC 8259); a declared charset may only say so. */
function declaresOtherCharset(req: Request): boolean {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1];
  return charset !== undefined && !/^utf-?8$/i.test(charset);
}

/**
 * Parses JSON bodies, marking failures with a {@link BodyRejection} rather than answering. A body
 * over its limit, or of another type, is not read further (SPEC §7): the route answers and the
 * connection closes.
 */
export function jsonBodyMiddleware(large: LargeBodyRoute[] = []): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    // A body captured as bytes (webhooks) is the route's own: read, or left unread past its limit.
    if (!hasBody(req) || rawBodyOf(req) !== undefined) return next();
    if (!req.is('application/json') && !req.is('application/*+json')) {
      req.body = new BodyRejection('content_type');
      closeAfterAnswer(req, res);
      return next();
    }
    // The larger limit is for callers with a valid token only (the rate limit looked it up): anyone
    // else gets the 401 after 64 KiB instead of after reading megabytes of base64.
    const route = presentsKnownToken(req) ? large.find((r) => r.method === req.method && r.path.test(req.path)) : undefined;
    void readBoundedBody(req, res, route?.limitBytes ?? BODY_LIMIT_BYTES).then((raw) => {
      req.body = typeof raw === 'string' ? new BodyRejection(raw === 'too_large' ? 'too_large' : 'malformed') : parseJson(raw, req);
      if (!(req.body instanceof BodyRejection)) rememberBodySecrets(req.body);
      next();
    }, next);
  };
}

function parseJson(raw: Buffer, req: Request): unknown {
  if (declaresOtherCharset(req)) return new BodyRejection('malformed');
  // An empty chunked body is an empty object, as body-parser made it.
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    return new BodyRejection('malformed');
  }
}
