import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import express from 'express';
import http from 'node:http';

/**
 * Nest's Express adapter, with requests and responses born with Express's prototypes.
 *
 * Express 5 re-parents every request and response it handles (`Object.setPrototypeOf(req,
 * app.request)` in `app.handle`). On V8 a prototype changed on a live object is costly twice over:
 * the object moves to a map of its own kind, so property access on it goes megamorphic, and its
 * whole graph tends to survive young-generation collections, so each request's objects are
 * promoted to the old generation and the process pays for major collections it should not need.
 * `npm run bench:express` measures it on bare Express 5.3 (one JSON route, 32 connections); one
 * run: 9 544 requests/s and 3.55 MiB promoted per scavenge re-parented, 44 744 requests/s and
 * nothing promoted with the classes below. What the server's status read gains is in the README's
 * "Performance" section.
 *
 * node:http constructs its request and response objects from the classes it is given; these
 * extend Node's and put the application's own `app.request` / `app.response` on their prototype
 * chain, and become the application's `request` / `response` in their place. Express's
 * `setPrototypeOf` then sets the prototype an object already has, which the language defines as
 * doing nothing (OrdinarySetPrototypeOf returns at once when the prototype is the same).
 * Express behaves as before: the same methods, getters and `app` reference, one link further up.
 */
export class PrebornExpressAdapter extends ExpressAdapter {
  constructor() {
    super(express());
  }

  /**
   * Plain HTTP only, as main.ts serves it (TLS, where wanted, ends at the ingress in front). The
   * options Nest would apply here (`httpsOptions`, `forceCloseConnections`, `return503OnClosing`)
   * are not used by this application, which drains on SIGTERM itself (main.ts); asking for one is
   * an error rather than silently ignored.
   */
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
