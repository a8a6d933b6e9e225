import { randomBytes } from 'node:crypto';
import type { FakeBridge } from '../fakes/fake-bridge.js';
import { setBody, eventually } from './chatwoot.js';
import { instanceName } from './factories.js';
import { request, type HttpResponse } from './http.js';
import type { PrivatePostgres } from './private-postgres.js';
import { startServer, type ServerProcess } from './server-process.js';
import { TEST_ADMIN_TOKEN } from './test-app.js';

/**
 * Helpers of the fault suite (test/faults): the built server as a child process on a private
 * PostgreSQL, a fake bridge on loopback, and checks made straight on the database.
 */

export interface FaultServerOptions {
  build: string;
  pg: PrivatePostgres;
  fake: FakeBridge;
  /** Shared by the processes of one suite, so that a restarted server reads the stored secrets. */
  encryptionKey: string;
  env?: Record<string, string>;
}

export function newEncryptionKey(): string {
  return randomBytes(32).toString('base64');
}

/** `node dist/src/main.js` as production runs it (ROLES=api, an external bridge, PostgreSQL). */
export function startFaultServer(o: FaultServerOptions): Promise<ServerProcess> {
  return startServer(o.build, {
    ROLES: 'api',
    DATABASE_URL: o.pg.url,
    ENCRYPTION_KEY: o.encryptionKey,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    BRIDGE_URL: o.fake.url,
    BRIDGE_TOKEN: o.fake.token,
    // The suite sends bursts from one token; rate limiting has its own tests.
    RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_CREATE_PER_MINUTE: '1000000',
    LOG_LEVEL: 'warn',
    ...(o.env ?? {}),
  });
}

/** A request with an upper bound on its duration: a hang fails the test instead of stalling it. */
export async function timed<T = any>(
  base: string, method: string, path: string, opts: Parameters<typeof request>[3] & { boundMs?: number } = {},
): Promise<HttpResponse<T> & { elapsedMs: number }> {
  const started = Date.now();
  const bound = opts.boundMs ?? 30_000;
  const res = await Promise.race([
    request<T>(base, method, path, opts),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${method} ${path}: no answer within ${bound} ms`)), bound).unref()),
  ]);
  return { ...res, elapsedMs: Date.now() - started };
}

export interface Tenant {
  token: string;
}

export async function createTenant(server: ServerProcess): Promise<Tenant> {
  const res = await request(server.url, 'POST', '/api/admin/account/new', { token: TEST_ADMIN_TOKEN, json: { name: 'faults' } });
  if (res.status !== 201) throw new Error(`account creation failed: ${res.status} ${res.text}`);
  return { token: res.body.account.token };
}

/** A new instance; returns its name and id (the bridge's external_id). */
export async function createFaultInstance(server: ServerProcess, pgsql: PrivatePostgres, tenant: Tenant): Promise<{ name: string; id: string }> {
  const name = instanceName('f');
  const res = await request(server.url, 'POST', '/api/instance/new', { token: tenant.token, json: { name } });
  if (res.status !== 201) throw new Error(`instance creation failed: ${res.status} ${res.text}`);
  const [row] = await pgsql.query<{ id: string }>(`SELECT id FROM instances WHERE name = $1`, [name]);
  return { name, id: row.id };
}

export const chatwoot = {
  set: (s: ServerProcess, t: Tenant, name: string, body = setBody(), boundMs?: number) =>
    timed(s.url, 'POST', `/api/chatwoot/set/${name}`, { token: t.token, json: body, boundMs }),
  list: (s: ServerProcess, t: Tenant, name: string, boundMs?: number) =>
    timed(s.url, 'GET', `/api/chatwoot/list/${name}`, { token: t.token, boundMs }),
  delete: (s: ServerProcess, t: Tenant, name: string, boundMs?: number) =>
    timed(s.url, 'DELETE', `/api/chatwoot/delete/${name}`, { token: t.token, boundMs }),
};

export interface InstanceState {
  /** bridge_integration_id of the rows of the instance (at most one, by the unique index). */
  rows: string[];
  /** Ids of the bridge integrations whose external_id is the instance id. */
  live: string[];
  /** Activation attempts not yet settled (reconciliation pending). */
  attempts: number;
  /** Queued bridge deletions naming an integration of this instance, or any still queued id given. */
  queued: string[];
}

export async function instanceState(pgsql: PrivatePostgres, fake: FakeBridge, instanceId: string, alsoQueued: string[] = []): Promise<InstanceState> {
  const rows = await pgsql.query<{ bridge_integration_id: string }>(
    `SELECT bridge_integration_id FROM chatwoot_integrations WHERE instance_id = $1`, [instanceId],
  );
  const [{ n }] = await pgsql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM chatwoot_activation_attempts WHERE external_id = $1`, [instanceId],
  );
  const live = [...fake.integrations.values()].filter((i) => i.external_id === instanceId).map((i) => i.id).sort();
  const known = [...new Set([...live, ...rows.map((r) => r.bridge_integration_id), ...alsoQueued])];
  const queued = known.length === 0 ? [] : (await pgsql.query<{ bridge_integration_id: string }>(
    `SELECT bridge_integration_id FROM chatwoot_bridge_deletions WHERE bridge_integration_id = ANY($1::text[])`, [known],
  )).map((r) => r.bridge_integration_id);
  return { rows: rows.map((r) => r.bridge_integration_id), live, attempts: n, queued };
}

/**
 * SPEC §5 "the database matches the bridge": one row naming the one live bridge integration of
 * the instance, or neither — once the background work is done (no activation left to reconcile,
 * no bridge deletion left to retry). Polls up to `boundMs`; returns the settled state.
 */
export async function expectSettled(
  pgsql: PrivatePostgres, fake: FakeBridge, instanceId: string, opts: { boundMs?: number; alsoQueued?: string[] } = {},
): Promise<InstanceState> {
  const until = Date.now() + (opts.boundMs ?? 20_000);
  let last: InstanceState | null = null;
  for (;;) {
    last = await instanceState(pgsql, fake, instanceId, opts.alsoQueued);
    const agree = last.rows.length <= 1 && JSON.stringify(last.live) === JSON.stringify(last.rows);
    if (agree && last.attempts === 0 && last.queued.length === 0) return last;
    if (Date.now() > until) {
      throw new Error(`instance ${instanceId} did not settle within ${opts.boundMs ?? 20_000} ms: ${JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every row names a live integration of its instance, and every live integration is named by a row. */
export async function globalMismatch(pgsql: PrivatePostgres, fake: FakeBridge): Promise<{ orphans: string[]; dangling: string[] }> {
  const rows = await pgsql.query<{ instance_id: string; bridge_integration_id: string }>(
    `SELECT instance_id::text, bridge_integration_id FROM chatwoot_integrations`,
  );
  const named = new Set(rows.map((r) => `${r.instance_id}/${r.bridge_integration_id}`));
  const live = new Set([...fake.integrations.values()].map((i) => `${i.external_id}/${i.id}`));
  return { orphans: [...live].filter((k) => !named.has(k)), dangling: [...named].filter((k) => !live.has(k)) };
}

/** Polls `check` until it passes or `boundMs` ran out (then its last error is thrown). */
export function within(boundMs: number, check: () => Promise<void> | void, everyMs = 200): Promise<void> {
  return eventually(check, boundMs, everyMs);
}
