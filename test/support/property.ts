import http from 'node:http';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import type { FakeBridge } from '../fakes/fake-bridge.js';
import type { TestApp } from './test-app.js';

/** The bad-input suites' raw HTTP client, answer invariants (SPEC §2), write fingerprint and ledger of secrets. */

export interface RawRequest {
  method: string;
  /** Sent verbatim (no normalisation of `..`, no re-encoding): only what Node's client accepts. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  body: any;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** Closes the keep-alive sockets of {@link rawRequest} (call in afterAll). */
export function closeRawAgent(): void {
  agent.destroy();
}

/** One real HTTP request over loopback. */
export function rawRequest(base: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(base);
  const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  if (body !== undefined) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const r = http.request(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text === '' ? undefined : JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
        });
      },
    );
    r.on('error', reject);
    r.end(body);
  });
}

// ---- invariants of every answer (SPEC §2) ----------------------------------------------------

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** What a documented error message may be: exact strings, or a prefix followed by a detail. */
export type MessageRule = string | { prefix: string };

export const Msg = {
  invalidToken: 'Invalid token',
  mismatch: 'Instance token does not match the requested instance',
  notFound: 'Not found',
  tooLarge: 'Request body too large',
  instanceNotFound: 'Instance not found',
  chatwootInstanceNotFound: 'instance not found',
  noIntegration: 'no chatwoot integration for this instance',
  nothingToDelete: 'no chatwoot integration to delete',
  nameInUse: 'Instance name already in use',
  tokenInUse: 'Instance token already in use',
  quota: 'Account instance quota exceeded',
  requestBody: { prefix: 'Invalid request body: ' },
  chatwootBody: { prefix: 'invalid body: ' },
} as const;

/** The documented error messages of each route (SPEC §2–§5), rate limit excluded on purpose. */
export const ROUTE_MESSAGES: Record<string, MessageRule[]> = {
  'POST /api/admin/account/new': [Msg.invalidToken, Msg.requestBody, Msg.tooLarge],
  'POST /api/instance/new': [Msg.invalidToken, Msg.requestBody, Msg.tooLarge, Msg.quota, Msg.nameInUse, Msg.tokenInUse],
  'GET /api/instance/list': [Msg.invalidToken, Msg.instanceNotFound],
  'DELETE /api/instance/delete/:instance': [Msg.invalidToken, Msg.instanceNotFound, Msg.notFound],
  'POST /api/chatwoot/set/:instance': [Msg.invalidToken, Msg.chatwootBody, Msg.tooLarge, Msg.chatwootInstanceNotFound, Msg.mismatch, Msg.notFound],
  'GET /api/chatwoot/list/:instance': [Msg.invalidToken, Msg.chatwootInstanceNotFound, Msg.noIntegration, Msg.mismatch, Msg.notFound],
  'DELETE /api/chatwoot/delete/:instance': [Msg.invalidToken, Msg.chatwootInstanceNotFound, Msg.nothingToDelete, Msg.mismatch, Msg.notFound],
  unknown: [Msg.notFound],
};

export function messageAllowed(message: string, rules: MessageRule[]): boolean {
  return rules.some((rule) => (typeof rule === 'string' ? message === rule : message.startsWith(rule.prefix) && message.length > rule.prefix.length));
}

/** Node's server drops the optional whitespace around a header value. */
export function headerAsReceived(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}

/**
 * What every answer keeps, whatever was sent: no 5xx; an error is exactly the envelope, with one
 * of the route's documented messages; the request id is echoed when it is a safe one and
 * generated otherwise; every /api answer carries the rate-limit headers.
 */
export function expectInvariants(
  res: RawResponse,
  route: string,
  sent: { path: string; requestId?: string },
  /** The one documented 5xx a setup expects (the 503 of a disabled chatwoot module). */
  documented5xx?: { status: number; message: string },
): void {
  const context = { route, path: sent.path.slice(0, 200), status: res.status, body: res.text.slice(0, 300) };
  const expected5xx = documented5xx !== undefined && res.status === documented5xx.status && res.body?.error?.message === documented5xx.message;
  if (res.status >= 500 && !expected5xx) throw new Error(`5xx answer: ${JSON.stringify(context)}`);
  if (res.status >= 400) {
    const ok =
      res.body !== null && typeof res.body === 'object' && !Array.isArray(res.body) &&
      Object.keys(res.body).sort().join() === 'error,success' && res.body.success === false &&
      res.body.error !== null && typeof res.body.error === 'object' && Object.keys(res.body.error).join() === 'message' &&
      typeof res.body.error.message === 'string';
    if (!ok) throw new Error(`not the error envelope: ${JSON.stringify(context)}`);
    const rules = ROUTE_MESSAGES[route];
    if (!rules) throw new Error(`no message table for ${route}`);
    if (!expected5xx && !messageAllowed(res.body.error.message, rules)) throw new Error(`undocumented message for ${route}: ${JSON.stringify(context)}`);
  }
  const id = res.headers['x-request-id'];
  if (typeof id !== 'string' || !REQUEST_ID.test(id)) throw new Error(`bad X-Request-Id ${String(id)}: ${JSON.stringify(context)}`);
  if (sent.requestId !== undefined) {
    const received = headerAsReceived(sent.requestId);
    if (REQUEST_ID.test(received) ? id !== received : id === received) {
      throw new Error(`X-Request-Id ${JSON.stringify(sent.requestId)} answered with ${id}`);
    }
  }
  if (sent.path.startsWith('/api/') || sent.path === '/api') {
    for (const h of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']) {
      if (!/^\d+$/.test(String(res.headers[h]))) throw new Error(`missing ${h}: ${JSON.stringify(context)}`);
    }
  }
}

// ---- what a request could have written -------------------------------------------------------

/** Every row a request of this API can write, in one comparable string. */
export async function dbFingerprint(t: TestApp): Promise<string> {
  const [row] = await t.app.get(DataSource).query(`
    SELECT
      (SELECT count(*) FROM accounts)::int AS accounts,
      (SELECT coalesce(string_agg(id::text || '|' || name || '|' || token_hash, ',' ORDER BY id), '') FROM instances) AS instances,
      (SELECT coalesce(string_agg(
          id::text || '|' || instance_id::text || '|' || bridge_integration_id || '|' || chatwoot_base_url || '|' ||
          chatwoot_account_id::text || '|' || chatwoot_api_token || '|' || chatwoot_inbox_name || '|' || updated_at::text,
          ',' ORDER BY id), '') FROM chatwoot_integrations) AS integrations,
      (SELECT count(*) FROM chatwoot_activation_attempts)::int AS attempts,
      (SELECT count(*) FROM chatwoot_bridge_deletions)::int AS deletions`);
  return JSON.stringify(row);
}

/** Row counts, for messages. */
export async function rowCounts(t: TestApp): Promise<{ accounts: number; instances: number; integrations: number }> {
  const [row] = await t.app.get(DataSource).query(`
    SELECT (SELECT count(*) FROM accounts)::int AS accounts, (SELECT count(*) FROM instances)::int AS instances,
           (SELECT count(*) FROM chatwoot_integrations)::int AS integrations`);
  return row;
}

/** The bridge calls that change something (create, update, delete). */
export function bridgeWrites(fake: FakeBridge): number {
  return fake.requests.filter((r) => r.method !== 'GET').length;
}

/**
 * Runs a request that must be rejected and checks that it changed nothing: no row, no bridge
 * write. Returns the answer for further checks.
 */
export async function expectNothingWritten(t: TestApp, fake: FakeBridge, send: () => Promise<RawResponse>): Promise<RawResponse> {
  const before = await dbFingerprint(t);
  const writes = bridgeWrites(fake);
  const res = await send();
  const after = await dbFingerprint(t);
  if (after !== before) throw new Error(`a rejected request (${res.status} ${res.text.slice(0, 200)}) changed the database`);
  if (bridgeWrites(fake) !== writes) throw new Error(`a rejected request (${res.status} ${res.text.slice(0, 200)}) reached the bridge`);
  return res;
}

// ---- secrets ---------------------------------------------------------------------------------

/**
 * The secrets a suite used (tokens it was issued or sent, Chatwoot API tokens): at the end none
 * may be in the logs, and none may be in a response body other than the one that issued it.
 */
export class SecretLedger {
  private readonly secrets = new Map<string, string>();
  /** The response texts that may carry each secret (its creation answers). */
  private readonly issuedIn = new Map<string, Set<string>>();
  private readonly leaks: Array<{ what: string; where: string }> = [];
  responsesSeen = 0;

  /** A secret, and the answer that issued it (an instance re-created with its token has several). */
  add(what: string, secret: string, issuedIn?: string): void {
    if (secret.length < 12) throw new Error(`${what}: too short to be searched for`);
    this.secrets.set(secret, what);
    if (issuedIn !== undefined) this.issuedIn.set(secret, new Set([...(this.issuedIn.get(secret) ?? []), issuedIn]));
  }

  has(secret: string): boolean {
    return this.secrets.has(secret);
  }

  get size(): number {
    return this.secrets.size;
  }

  /** Records a leak for every secret in this response other than the one it issued. */
  scan(where: string, text: string): void {
    this.responsesSeen += 1;
    for (const [secret, what] of this.secrets) {
      if (text.includes(secret) && !this.issuedIn.get(secret)?.has(text)) this.leaks.push({ what, where });
    }
  }

  /** Leaks seen in responses so far, and secrets found in the given log text. */
  report(logs: string): { inResponses: Array<{ what: string; where: string }>; inLogs: string[] } {
    return {
      inResponses: this.leaks.slice(0, 20),
      inLogs: [...this.secrets].filter(([secret]) => logs.includes(secret)).map(([, what]) => what),
    };
  }
}

// ---- fast-check ------------------------------------------------------------------------------

/** A budget per property scaled by FC_RUNS_SCALE, reproducible with the FC_SEED and FC_PATH a failure prints. */
export function fcParams(numRuns: number): fc.Parameters<unknown> {
  const scale = Number(process.env.FC_RUNS_SCALE ?? '1');
  const params: fc.Parameters<unknown> = { numRuns: Math.max(1, Math.round(numRuns * (Number.isFinite(scale) && scale > 0 ? scale : 1))) };
  if (process.env.FC_SEED) params.seed = Number(process.env.FC_SEED);
  if (process.env.FC_PATH) params.path = process.env.FC_PATH;
  return params;
}

/** Strings of every kind of character: ASCII, any code point (lone surrogates included), graphemes. */
export const anyText = (maxLength = 40): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\uFEFF', '\u202E', 'a\uFE0F'.repeat(120), '😀'.repeat(60), '\ud800', '%00', '../..', '${x}', "'; DROP TABLE accounts; --"),
  );

/** Keys an attacker tries for prototype pollution, and Object.prototype's own names. */
export const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'];

/** Any JSON value, unicode and odd numbers included. */
export const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' });
