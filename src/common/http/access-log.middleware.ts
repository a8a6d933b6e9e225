import { Logger } from '@nestjs/common';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { routeTemplate } from './route-template.js';

/** Where the HTTP metrics of SPEC §7 go (the metrics module's MetricsService). */
export interface HttpMetrics {
  observeHttp(method: string, route: string, status: string, seconds: number): void;
}

/** Probes and scrapes run every few seconds: logged at debug, not to drown the access log. */
const OPERATIONAL = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * One access log line (never headers, bodies or query strings, which may hold secrets) and the HTTP
 * metrics of SPEC §7 per request, status `aborted` when the client left before the answer.
 */
export function accessLogMiddleware(app: Express, metrics: HttpMetrics): RequestHandler {
  const logger = new Logger('Http');
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeTemplate(req, app);
      // A WebSocket upgrade (101) answers outside the response object, which never finishes.
      const answered = res.writableFinished || res.statusCode === 101;
      const status = answered ? String(res.statusCode) : 'aborted';
      metrics.observeHttp(req.method, route, status, seconds);
      const line = {
        msg: 'request completed',
        requestId: req.requestId,
        method: req.method,
        route,
        status: answered ? res.statusCode : status,
        durationMs: Math.round(seconds * 10_000) / 10,
      };
      if (OPERATIONAL.has(route)) logger.debug(line);
      else logger.log(line);
    });
    next();
  };
}
