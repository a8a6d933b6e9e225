import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { presentedToken } from '../auth/tokens.js';
import { runInRequestContext } from '../logging/request-context.js';

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
  }
}

const CLIENT_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** SPEC §2: the client's X-Request-Id when safe to log, else a new one; the request runs in its log context. */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const sent = req.headers['x-request-id'];
  req.requestId = typeof sent === 'string' && CLIENT_ID.test(sent) ? sent : randomUUID();
  res.setHeader('X-Request-Id', req.requestId);
  const token = presentedToken(req);
  runInRequestContext({ requestId: req.requestId, secrets: token ? [token] : [] }, next);
}
