/**
 * The baseline of the benchmark: the least code that does the work of
 * `GET /api/chatwoot/list/:instance` (SPEC §5) on the server's own database, with `node:http` and
 * `pg` only: the token's SHA-256 looked up by its unique index, one row read (instance and
 * integration), one GET of the live state to the same bridge over a keep-alive agent, JSON out.
 * No framework, rate limit, request id, logging or metrics: what is left is the floor.
 *
 * Environment: DATABASE_URL, BRIDGE_URL, BRIDGE_TOKEN, PORT. Tells its parent `ready` over IPC.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: 10 }); // the server's poolSize
const bridgeUrl = env('BRIDGE_URL');
const bridgeAuth = `Bearer ${env('BRIDGE_TOKEN')}`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 128 }); // as the server's gateway

interface Row {
  name: string;
  bridge_integration_id: string;
  chatwoot_base_url: string;
  chatwoot_account_id: number;
  chatwoot_inbox_id: number;
  chatwoot_inbox_name: string;
  last_error: string;
  status: string;
  created_at: Date;
  updated_at: Date;
  sign_messages: boolean;
  ignore_groups: boolean;
  start_as_pending: boolean;
  reopen_resolved: boolean;
}

function bridgeGet(id: string): Promise<{ status: string; last_error?: string } | null> {
  return new Promise((resolve) => {
    const req = http.get(`${bridgeUrl}/v1/integrations/${encodeURIComponent(id)}`, {
      agent, headers: { authorization: bridgeAuth, accept: 'application/json' }, timeout: 10_000,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 ? JSON.parse(body) : null);
        } catch {
          resolve(null);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
}

const LIST = /^\/api\/chatwoot\/list\/([^/?]+)$/;

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const m = LIST.exec(req.url ?? '');
  if (req.method !== 'GET' || !m) return reply(res, 404, { success: false, error: { message: 'Not found' } });
  const token = req.headers.token;
  if (typeof token !== 'string' || !token) return reply(res, 401, { success: false, error: { message: 'Invalid token' } });
  const hash = createHash('sha256').update(token).digest('hex');
  const account = await pool.query<{ id: string }>('SELECT id FROM accounts WHERE token_hash = $1', [hash]);
  if (account.rows.length === 0) return reply(res, 401, { success: false, error: { message: 'Invalid token' } });
  const found = await pool.query<Row>(
    `SELECT i.name, c.bridge_integration_id, c.chatwoot_base_url, c.chatwoot_account_id, c.chatwoot_inbox_id,
            c.chatwoot_inbox_name, c.last_error, c.status, c.created_at, c.updated_at, c.sign_messages,
            c.ignore_groups, c.start_as_pending, c.reopen_resolved
       FROM instances i JOIN chatwoot_integrations c ON c.instance_id = i.id
      WHERE i.account_id = $1 AND i.name = $2`,
    [account.rows[0].id, decodeURIComponent(m[1])],
  );
  const row = found.rows[0];
  if (!row) return reply(res, 404, { success: false, error: { message: 'instance not found' } });
  const live = await bridgeGet(row.bridge_integration_id);
  reply(res, 200, {
    instance_name: row.name,
    status: live ? live.status : row.status,
    bridge_integration_id: row.bridge_integration_id,
    chatwoot_base_url: row.chatwoot_base_url,
    chatwoot_account_id: row.chatwoot_account_id,
    chatwoot_inbox_id: row.chatwoot_inbox_id,
    chatwoot_inbox_name: row.chatwoot_inbox_name,
    last_error: live ? (live.last_error ?? '') : row.last_error,
    created_at: rfc3339(row.created_at),
    updated_at: rfc3339(row.updated_at),
    sign_messages: row.sign_messages,
    ignore_groups: row.ignore_groups,
    start_as_pending: row.start_as_pending,
    reopen_resolved: row.reopen_resolved,
  });
}

const server = http.createServer((req, res) => {
  handle(req, res).catch(() => reply(res, 500, { success: false, error: { message: 'Internal server error' } }));
});
server.keepAliveTimeout = 5_000; // Node's default, as the server's
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
});
process.on('disconnect', () => {
  server.close();
  void pool.end().finally(() => process.exit(0));
});
