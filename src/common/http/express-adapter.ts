import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import express from 'express';
import http from 'node:http';

/**
 * Nest's Express adapter, with requests and responses born with Express's prototypes.
 *
 * Express 5 re-parents every request and response (`Object.setPrototypeOf(req, app.request)`),
 * which on V8 makes property access megamorphic and promotes each request's objects to the old
 * generation. `npm run bench:express` on bare Express 5.3: 9 544 requests/s re-parented, 44 744
 * with these classes. node:http builds its objects from the classes it is given; these put the
 * application's `app.request` / `app.response` on their chain, so Express's setPrototypeOf sets
 * the prototype an object already has, which does nothing.
 */
export class PrebornExpressAdapter extends ExpressAdapter {
  constructor() {
    super(express());
  }

  /** Plain HTTP only (TLS ends at the ingress; main.ts drains itself): Nest's other server options are refused, not ignored. */
  override initHttpServer(options: NestApplicationOptions): void {
    const unsupported = (['httpsOptions', 'forceCloseConnections', 'return503OnClosing'] as const).filter((key) => options?.[key]);
    if (unsupported.length > 0) throw new Error(`PrebornExpressAdapter does not support ${unsupported.join(', ')}`);
    const app = this.getInstance<express.Express>();

    class Request extends http.IncomingMessage {}
    Object.setPrototypeOf(Request.prototype, app.request);
    class Response extends http.ServerResponse {}
    Object.setPrototypeOf(Response.prototype, app.response);
    app.request = Request.prototype as unknown as express.Request;
    app.response = Response.prototype as unknown as express.Response;

    this.setHttpServer(http.createServer({ IncomingMessage: Request, ServerResponse: Response }, app));
  }
}
