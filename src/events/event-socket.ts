import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Request, Response } from 'express';
import { WebSocket, WebSocketServer } from 'ws';
import type { FrameSink } from './event-stream.js';
import type { PendingUpgrade } from './upgrade-routing.js';

/** SPEC-MESSAGING §10: a ping every 30 s; no answer for 60 s closes the connection. */
const PING_EVERY_MS = 30_000;
const SILENCE_LIMIT_MS = 60_000;

/**
 * The WebSocket side of `GET /ws/:instance`: completes an upgrade that the route accepted, keeps
 * the connection alive with pings, and counts the frames it has not yet handed to the operating
 * system (back-pressure, SPEC-MESSAGING §10).
 */
@Injectable()
export class EventSocketServer implements OnApplicationShutdown {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, clientTracking: true });
  /**
   * The header lines of each pending upgrade, by request: one listener for every upgrade, because
   * a listener added per upgrade stays behind when ws refuses the handshake (no `headers` event)
   * and would then add one instance's lines to the next tenant's 101.
   */
  private readonly extraHeaders = new WeakMap<object, string[]>();

  constructor() {
    this.wss.on('headers', (headers, req) => {
      const lines = this.extraHeaders.get(req);
      if (lines) headers.push(...lines);
      this.extraHeaders.delete(req);
    });
  }

  /**
   * Completes the upgrade; `res` stays unused (the 101 is written by the WebSocket server). Null
   * when the handshake did not complete (ws answered it 400, or the client went away).
   */
  accept(req: Request, res: Response, upgrade: PendingUpgrade, extra: Record<string, string> = {}): Promise<WebSocketSink | null> {
    return new Promise((resolve) => {
      const requestId = req.requestId;
      // The response object never writes; the access log records the upgrade as a 101.
      res.statusCode = 101;
      const lines = Object.entries(extra).map(([name, value]) => `${name}: ${value}`);
      if (requestId) lines.push(`X-Request-Id: ${requestId}`);
      if (upgrade.socket.destroyed) return resolve(null);
      this.extraHeaders.set(req, lines);
      const gone = () => {
        this.extraHeaders.delete(req);
        resolve(null);
      };
      upgrade.socket.once('close', gone);
      this.wss.handleUpgrade(req, upgrade.socket, upgrade.head, (ws) => {
        upgrade.socket.off('close', gone);
        res.emit('close');
        resolve(new WebSocketSink(ws));
      });
    });
  }

  onApplicationShutdown(): void {
    for (const ws of this.wss.clients) ws.close(1001, 'server shutting down');
    this.wss.close();
  }
}

/** A WebSocket as a stream's {@link FrameSink}, with the keep-alive of SPEC-MESSAGING §10. */
export class WebSocketSink implements FrameSink {
  private pending = 0;
  private waiters: Array<{ n: number; resolve: () => void }> = [];
  private lastHeard = Date.now();
  private readonly keepAlive: NodeJS.Timeout;

  constructor(readonly ws: WebSocket) {
    ws.on('pong', () => (this.lastHeard = Date.now()));
    ws.on('message', () => (this.lastHeard = Date.now()));
    ws.on('close', () => this.ended());
    ws.on('error', () => ws.terminate());
    this.keepAlive = setInterval(() => {
      if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS) return void ws.terminate();
      if (ws.readyState === WebSocket.OPEN) ws.ping();
    }, PING_EVERY_MS);
    this.keepAlive.unref();
  }

  get unsent(): number {
    return this.pending;
  }

  send(frame: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.pending++;
    this.ws.send(frame, () => {
      this.pending--;
      this.release();
    });
  }

  drained(n: number): Promise<void> {
    if (this.pending <= n || this.ws.readyState !== WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code, reason);
  }

  /** Called once, when the connection is gone (either side closed it). */
  onClose(fn: () => void): void {
    this.ws.once('close', fn);
  }

  private release(): void {
    this.waiters = this.waiters.filter((w) => {
      if (this.pending > w.n) return true;
      w.resolve();
      return false;
    });
  }

  private ended(): void {
    clearInterval(this.keepAlive);
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }
}
