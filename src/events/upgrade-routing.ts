import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Express, Request } from 'express';
import http, { type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** The raw connection of a WebSocket upgrade request, for the route that accepts it. */
export interface PendingUpgrade {
  socket: Duplex;
  head: Buffer;
}

const UPGRADE = Symbol('upgrade');

/** The upgrade a request carries, or undefined for a plain HTTP request. */
export function pendingUpgrade(req: Request): PendingUpgrade | undefined {
  return (req as unknown as { [UPGRADE]?: PendingUpgrade })[UPGRADE];
}

/**
 * Node hands WebSocket upgrade requests to the server's `upgrade` event, past Express. This sends
 * them through the Express application like any request, with a response bound to the raw
 * socket: the rate limit, request id, access log, guards and error filters of every other route
 * apply, and a refused upgrade gets the ordinary error envelope (SPEC-MESSAGING §10: "answered
 * before the upgrade with the §2 envelope"). The route that accepts one completes it itself.
 */
@Injectable()
export class UpgradeRouting implements OnApplicationBootstrap {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onApplicationBootstrap(): void {
    const adapter = this.adapterHost.httpAdapter;
    const server = adapter.getHttpServer() as http.Server;
    const app = adapter.getInstance() as Express;
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      (req as unknown as { [UPGRADE]: PendingUpgrade })[UPGRADE] = { socket, head };
      const res = new http.ServerResponse(req);
      res.assignSocket(socket as unknown as import('node:net').Socket);
      // An answer that is not an upgrade ends the connection once written.
      res.once('finish', () => {
        res.detachSocket(socket as unknown as import('node:net').Socket);
        socket.end();
      });
      app(req as Request, res as unknown as import('express').Response);
    });
  }
}
