import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Operation = 'create' | 'update' | 'get' | 'list' | 'delete';

/** What the fake does for one operation. */
export type Behaviour =
  | { kind: 'ok' }
  | { kind: 'respond'; status: number; body: string; contentType?: string }
  | { kind: 'hang' }
  | { kind: 'delay'; ms: number }
  | { kind: 'destroy' };

export interface FakeIntegration {
  id: string;
  external_id: string;
  instance: string;
  status: 'active' | 'paused' | 'error';
  inbox_id: number;
  inbox_name: string;
  last_error: string;
  updated_at: string;
  config: Record<string, unknown>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  contentType: string | undefined;
  body: any;
  /** For a `hang`: settles once the client gives up and closes the connection, the fake never having answered. */
  abandoned?: Promise<void>;
}

/** A structured error of BRIDGE-API §4. */
export function bridgeError(status: number, error: Record<string, unknown>): Behaviour {
  return { kind: 'respond', status, body: JSON.stringify({ error }) };
}

/**
 * A BRIDGE-API implementation over loopback for tests: real sockets, real timeouts, with a
 * behaviour per operation and a record of every request.
 */
export class FakeBridge {
  readonly token = `bridge-${randomBytes(8).toString('hex')}`;
  readonly integrations = new Map<string, FakeIntegration>();
  readonly requests: RecordedRequest[] = [];
  /** Inbox id given to new integrations (0 = not known yet, to test the backfill). */
  inboxId = 42;
  /** Runs before an operation is answered (e.g. to break the database under the server). */
  beforeAnswer: Partial<Record<Operation, () => Promise<void>>> = {};
  private readonly behaviours = new Map<Operation, Behaviour>();
  private readonly sockets = new Set<Socket>();
  private readonly server: http.Server;
  url = '';

  constructor() {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  behave(op: Operation, behaviour: Behaviour): void {
    this.behaviours.set(op, behaviour);
  }

  reset(): void {
    this.behaviours.clear();
    this.requests.length = 0;
    this.beforeAnswer = {};
  }

  requestsOf(method: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    let body: unknown = undefined;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const recorded: RecordedRequest = {
      method: req.method ?? '', path: url.pathname, query: url.searchParams, authorization: req.headers.authorization,
      contentType: req.headers['content-type'], body,
    };
    this.requests.push(recorded);

    const send = (status: number, payload?: unknown) => {
      if (payload === undefined) {
        res.writeHead(status).end();
      } else {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      }
    };
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return send(401, { error: { code: 'unauthorized', message: 'invalid bridge token' } });
    }

    const idMatch = /^\/v1\/integrations\/([^/]+)$/.exec(url.pathname);
    const op: Operation | null =
      req.method === 'POST' && url.pathname === '/v1/integrations' ? 'create'
        : req.method === 'GET' && url.pathname === '/v1/integrations' ? 'list'
          : req.method === 'PUT' && idMatch ? 'update'
            : req.method === 'GET' && idMatch ? 'get'
              : req.method === 'DELETE' && idMatch ? 'delete'
                : null;
    if (!op) return send(404, { error: { code: 'not_found', message: 'no such route' } });

    const behaviour = this.behaviours.get(op) ?? { kind: 'ok' };
    if (behaviour.kind === 'hang') {
      recorded.abandoned = new Promise((resolve) => res.once('close', () => resolve()));
      return; // never answers; the socket is destroyed on stop() if the client keeps it
    }
    if (behaviour.kind === 'destroy') return void req.socket.destroy();
    if (behaviour.kind === 'respond') {
      res.writeHead(behaviour.status, { 'content-type': behaviour.contentType ?? 'application/json' }).end(behaviour.body);
      return;
    }
    if (behaviour.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, behaviour.ms));

    await this.beforeAnswer[op]?.();
    const id = idMatch ? decodeURIComponent(idMatch[1]) : '';
    const view = (i: FakeIntegration) => {
      const { config: _config, ...rest } = i;
      return rest;
    };
    switch (op) {
      case 'create': {
        const b = body as { external_id: string; instance: string; chatwoot: Record<string, unknown> };
        const existing = [...this.integrations.values()].find((i) => i.external_id === b.external_id);
        if (existing) {
          Object.assign(existing, { config: b, instance: b.instance, inbox_name: b.chatwoot.inbox_name, updated_at: new Date().toISOString() });
          return send(200, view(existing));
        }
        const created: FakeIntegration = {
          id: `int_${randomBytes(6).toString('hex')}`, external_id: b.external_id, instance: b.instance, status: 'active',
          inbox_id: this.inboxId, inbox_name: String(b.chatwoot.inbox_name), last_error: '', updated_at: new Date().toISOString(), config: b,
        };
        this.integrations.set(created.id, created);
        return send(201, view(created));
      }
      case 'update': {
        const existing = this.integrations.get(id);
        if (!existing) return send(404, { error: { code: 'not_found', message: `integration ${id} not found` } });
        const b = body as { chatwoot: Record<string, unknown> };
        Object.assign(existing, { config: body, inbox_name: b.chatwoot.inbox_name, updated_at: new Date().toISOString() });
        return send(200, view(existing));
      }
      case 'get': {
        const existing = this.integrations.get(id);
        return existing ? send(200, view(existing)) : send(404, { error: { code: 'not_found', message: `integration ${id} not found` } });
      }
      case 'list': {
        const externalId = url.searchParams.get('external_id');
        return send(200, { integrations: [...this.integrations.values()].filter((i) => i.external_id === externalId).map(view) });
      }
      case 'delete': {
        if (!this.integrations.delete(id)) return send(404, { error: { code: 'not_found', message: `integration ${id} not found` } });
        return send(204);
      }
    }
  }
}

/** A loopback port with nothing listening: connections are refused. */
export async function refusedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
