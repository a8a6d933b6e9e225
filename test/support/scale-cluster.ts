import { randomBytes } from 'node:crypto';
import type { PhoneNumber } from '../fakes/graph-api.js';
import { request } from './http.js';
import { LoadBalancer } from './load-balancer.js';
import { PrivatePostgres } from './private-postgres.js';
import { freePort, startServer, type ServerProcess } from './server-process.js';

/**
 * A fleet of production server processes on one private PostgreSQL, as a deployment runs them:
 * API replicas (ROLES=api) behind one load balancer, bridge replicas (ROLES=bridge) behind
 * another. Used by the scale test (test/scale) and the benchmark's scale scenario (bench/scale.ts).
 *
 * Wiring: the APIs' BRIDGE_URL is the bridge balancer, their PUBLIC_URL the API balancer (the API
 * gives it to the bridge as the integration's event source, so the bridges reach the APIs through
 * it); Chatwoot reaches the bridges at BRIDGE_PUBLIC_URL, which the Chatwoot double routes to the
 * bridge balancer (`sim.routeWebhooks(BRIDGE_PUBLIC_URL, cluster.bridgeLb.url)`); Meta's webhooks
 * go to the API balancer. Every process of a slot keeps its port across restarts, so the
 * balancers' backends never change.
 *
 * The bridges log at `info`: their Routing lines (`routing integration <id>`, `stopped routing
 * integration <id>`) tell which process routed which integration when ({@link routingEvents}).
 */

export type Role = 'api' | 'bridge';

/** The bridges' public URL; the Chatwoot double routes it to the bridge balancer. */
export const BRIDGE_PUBLIC_URL = 'http://bridge.scale';

export interface ScaleClusterOptions {
  /** A build holding src/main.js: buildServer()'s directory, or the benchmark's dist/. */
  build: string;
  apis: number;
  bridges: number;
  /** WHATSAPP_CLOUD_API_URL: the Graph API double. */
  graphUrl: string;
  /** Added to every API process's environment (e.g. the fake Baileys socket). */
  apiEnv?: Record<string, string>;
  bridgeEnv?: Record<string, string>;
}

/** One start of a slot's process. */
export interface Incarnation {
  role: Role;
  slot: number;
  /** `bridge-1` for its slot's first start, `bridge-1#2` for the second. */
  label: string;
  server: ServerProcess;
  pid: number;
  startedAt: number;
  /** When the test signalled it, and with what. */
  stoppedAt?: number;
  signal?: 'SIGKILL' | 'SIGTERM';
  /** When its exit was seen (also for a process that died by itself). */
  exitedAt?: number;
}

interface Slot {
  role: Role;
  index: number;
  port: number;
  starts: number;
  current: Incarnation | null;
}

/** A line of a bridge's Routing log: it started or stopped routing an integration. */
export interface RoutingEvent {
  owner: Incarnation;
  resource: string;
  what: 'start' | 'stop';
  at: number;
}

/** `routing integration <id>`, `stopped routing integration <id>`, either possibly followed by a reason. */
const ROUTING_LINE = /^(stopped )?routing integration (\S+)(?:\s|$)/;

export class ScaleCluster {
  readonly adminToken = randomBytes(24).toString('base64url');
  readonly bridgeToken = randomBytes(24).toString('base64url');
  /** Shared by every process, so that a restarted one reads the stored secrets. */
  readonly encryptionKey = randomBytes(32).toString('base64');
  /** Every process started, in order, with its fate. */
  readonly incarnations: Incarnation[] = [];
  private readonly parsed = new Map<Incarnation, { lines: number; events: RoutingEvent[] }>();

  private constructor(
    private readonly o: ScaleClusterOptions,
    readonly pg: PrivatePostgres,
    private readonly slots: Slot[],
    readonly apiLb: LoadBalancer,
    readonly bridgeLb: LoadBalancer,
  ) {}

  /** PostgreSQL, both balancers, then the first API (it migrates the database), then the others at once. */
  static async start(o: ScaleClusterOptions): Promise<ScaleCluster> {
    const pg = await PrivatePostgres.create({ maxConnections: 20 + 15 * (o.apis + o.bridges) });
    const slots: Slot[] = [];
    try {
      for (const [role, n] of [['api', o.apis], ['bridge', o.bridges]] as const) {
        for (let index = 0; index < n; index += 1) slots.push({ role, index, port: await freePort(), starts: 0, current: null });
      }
      const apiLb = await new LoadBalancer(slots.filter((s) => s.role === 'api').map((s) => s.port)).start();
      const bridgeLb = await new LoadBalancer(slots.filter((s) => s.role === 'bridge').map((s) => s.port)).start();
      const cluster = new ScaleCluster(o, pg, slots, apiLb, bridgeLb);
      const [first, ...rest] = slots;
      await cluster.launch(first, true);
      await Promise.all(rest.map((slot) => cluster.launch(slot, false)));
      return cluster;
    } catch (err) {
      await Promise.all(slots.map((s) => s.current?.server.kill()));
      await pg.destroy();
      throw err;
    }
  }

  /** The slots' current processes (a slot whose process is down has none). */
  live(role?: Role): Incarnation[] {
    return this.slots.filter((s) => s.current && (!role || s.role === role)).map((s) => s.current!);
  }

  slotsOf(role?: Role): Array<{ role: Role; index: number }> {
    return this.slots.filter((s) => !role || s.role === role).map(({ role: r, index }) => ({ role: r, index }));
  }

  /** SIGKILL: the process dies at once, holding whatever it held. Resolves once its exit is seen. */
  async kill(role: Role, index: number): Promise<Incarnation> {
    return this.signal(this.slot(role, index), 'SIGKILL', 10_000);
  }

  /** SIGTERM: a graceful stop (leases handed over). Resolves once it exited. */
  async stop(role: Role, index: number): Promise<Incarnation> {
    return this.signal(this.slot(role, index), 'SIGTERM', 60_000);
  }

  /** A new process in the slot, on the slot's port; resolves once it answers /healthz. */
  async restart(role: Role, index: number): Promise<Incarnation> {
    const slot = this.slot(role, index);
    if (slot.current) throw new Error(`${slot.current.label} is still running`);
    return this.launch(slot, false);
  }

  /** Every process killed, the balancers closed, the database removed. */
  async destroy(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.current?.server.kill()));
    await Promise.all([this.apiLb.close(), this.bridgeLb.close()]);
    await this.pg.destroy();
  }

  /** The incarnation whose process id this was. */
  byPid(pid: number): Incarnation | undefined {
    return this.incarnations.find((i) => i.pid === pid);
  }

  /** Every Routing line logged so far by any bridge process, oldest first. */
  routingEvents(): RoutingEvent[] {
    const all: RoutingEvent[] = [];
    for (const inc of this.incarnations) {
      if (inc.role !== 'bridge') continue;
      let state = this.parsed.get(inc);
      if (!state) this.parsed.set(inc, (state = { lines: 0, events: [] }));
      const lines = inc.server.stdout;
      for (; state.lines < lines.length; state.lines += 1) {
        const line = lines[state.lines];
        if (!line.includes('routing integration')) continue;
        let entry: { context?: string; msg?: unknown; time?: string };
        try {
          entry = JSON.parse(line);
        } catch {
          continue;
        }
        const m = entry.context === 'Routing' && typeof entry.msg === 'string' ? ROUTING_LINE.exec(entry.msg) : null;
        if (m && entry.time) state.events.push({ owner: inc, resource: m[2], what: m[1] ? 'stop' : 'start', at: Date.parse(entry.time) });
      }
      all.push(...state.events);
    }
    return all.sort((a, b) => a.at - b.at);
  }

  /** The leases table now: resource, holder, whether it is still valid, and the process holding it (by the pid in the holder). */
  async leases(): Promise<Array<{ resource: string; holder: string; live: boolean; owner: Incarnation | undefined }>> {
    const rows = await this.pg.query<{ resource: string; holder: string; live: boolean }>(
      `SELECT resource, holder, expires_at >= now() AS live FROM leases ORDER BY resource`,
    );
    return rows.map((r) => ({ ...r, owner: this.byPid(Number(r.holder.split(':').at(-2))) }));
  }

  private slot(role: Role, index: number): Slot {
    const slot = this.slots.find((s) => s.role === role && s.index === index);
    if (!slot) throw new Error(`no ${role} slot ${index}`);
    return slot;
  }

  private async signal(slot: Slot, signal: 'SIGKILL' | 'SIGTERM', boundMs: number): Promise<Incarnation> {
    const inc = slot.current;
    if (!inc) throw new Error(`${slot.role}-${slot.index} is not running`);
    inc.stoppedAt = Date.now();
    inc.signal = signal;
    inc.server.process.kill(signal);
    await Promise.race([
      inc.server.exited,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`${inc.label} still running ${boundMs} ms after ${signal}`)), boundMs).unref()),
    ]);
    slot.current = null;
    return inc;
  }

  private env(role: Role, migrate: boolean): Record<string, string> {
    const common = {
      DATABASE_URL: this.pg.url,
      ENCRYPTION_KEY: this.encryptionKey,
      BRIDGE_TOKEN: this.bridgeToken,
      // The doubles listen on loopback, which tenant URLs may reach only when allowed (as in test/support/tenants.ts).
      CHATWOOT_ALLOWED_HOSTS: '127.0.0.1',
      // A deployment migrates once (its first start here); every later start finds the schema ready.
      MIGRATE_ON_START: migrate ? 'true' : 'false',
    };
    if (role === 'api') {
      return {
        ...common,
        ROLES: 'api',
        ADMIN_TOKEN: this.adminToken,
        BRIDGE_URL: this.bridgeLb.url,
        PUBLIC_URL: this.apiLb.url,
        WHATSAPP_CLOUD_API_URL: this.o.graphUrl,
        RATE_LIMIT_PER_MINUTE: '10000000',
        RATE_LIMIT_CREATE_PER_MINUTE: '10000000',
        LOG_LEVEL: 'warn',
        ...(this.o.apiEnv ?? {}),
      };
    }
    return {
      ...common,
      ROLES: 'bridge',
      BRIDGE_PUBLIC_URL,
      BRIDGE_HEALTH_INTERVAL_SECONDS: '0',
      CHATWOOT_TIMEOUT_MS: '3000',
      LOG_LEVEL: 'info',
      ...(this.o.bridgeEnv ?? {}),
    };
  }

  private async launch(slot: Slot, migrate: boolean): Promise<Incarnation> {
    slot.starts += 1;
    const label = `${slot.role}-${slot.index}${slot.starts > 1 ? `#${slot.starts}` : ''}`;
    const startedAt = Date.now();
    const server = await startServer(this.o.build, this.env(slot.role, migrate), 90_000, slot.port);
    const inc: Incarnation = { role: slot.role, slot: slot.index, label, server, pid: server.process.pid!, startedAt };
    void server.exited.then(() => {
      inc.exitedAt = Date.now();
      if (slot.current === inc) slot.current = null;
    });
    this.incarnations.push(inc);
    slot.current = inc;
    return inc;
  }
}

// ---- who held what, when ------------------------------------------------------------------------

/** A resource (an integration, a WhatsApp connection) held by one process from `from` to `to`. */
export interface Holding {
  owner: Incarnation;
  resource: string;
  from: number;
  /** The stop, else the process's death (kill or exit), else null: still held. */
  to: number | null;
  endedBy: 'stop' | 'death' | 'open';
}

/**
 * Holdings from start and stop records. A process that died holding something held it until its
 * death: SIGKILL ends everything at once, and the exit is seen at most milliseconds after the kill,
 * so the end taken is the later, stricter of the two moments.
 */
export function holdings(events: Array<{ owner: Incarnation; resource: string; what: 'start' | 'stop'; at: number }>): Holding[] {
  const open = new Map<string, Holding>();
  const out: Holding[] = [];
  for (const e of [...events].sort((a, b) => a.at - b.at)) {
    const key = `${e.owner.pid}\u0000${e.resource}`;
    const current = open.get(key);
    if (e.what === 'start') {
      if (current) continue; // already held: a repeated start changes nothing
      const h: Holding = { owner: e.owner, resource: e.resource, from: e.at, to: null, endedBy: 'open' };
      open.set(key, h);
      out.push(h);
    } else if (current) {
      current.to = e.at;
      current.endedBy = 'stop';
      open.delete(key);
    }
  }
  for (const h of open.values()) {
    const death = h.owner.exitedAt ?? (h.owner.signal === 'SIGKILL' ? h.owner.stoppedAt : undefined);
    if (death !== undefined) {
      h.to = Math.max(death, h.from);
      h.endedBy = 'death';
    }
  }
  return out;
}

/** Pairs of holdings of one resource by two processes that overlap in time (`now` ends the open ones). */
export function overlaps(all: Holding[], now: number): Array<[Holding, Holding]> {
  const byResource = new Map<string, Holding[]>();
  for (const h of all) byResource.set(h.resource, [...(byResource.get(h.resource) ?? []), h]);
  const found: Array<[Holding, Holding]> = [];
  for (const list of byResource.values()) {
    for (let i = 0; i < list.length; i += 1) {
      for (let j = i + 1; j < list.length; j += 1) {
        const [a, b] = [list[i], list[j]];
        if (a.owner === b.owner) continue;
        if (a.from < (b.to ?? now) && b.from < (a.to ?? now)) found.push([a, b]);
      }
    }
  }
  return found;
}

/**
 * For each resource a SIGKILLed process held when it died, the time from the kill to the moment
 * another process started holding it (null: nobody has yet).
 */
export function takeovers(all: Holding[], killed: Incarnation[]): Array<{ killed: Incarnation; resource: string; afterMs: number | null }> {
  const out: Array<{ killed: Incarnation; resource: string; afterMs: number | null }> = [];
  for (const k of killed) {
    if (k.signal !== 'SIGKILL' || k.stoppedAt === undefined) continue;
    for (const h of all) {
      if (h.owner !== k || h.endedBy !== 'death') continue;
      const next = all
        .filter((o) => o.resource === h.resource && o.owner !== k && o.from >= k.stoppedAt!)
        .reduce<number | null>((min, o) => (min === null || o.from < min ? o.from : min), null);
      out.push({ killed: k, resource: h.resource, afterMs: next === null ? null : next - k.stoppedAt });
    }
  }
  return out;
}

// ---- provisioning through the API ------------------------------------------------------------

export interface ChatwootTarget {
  baseUrl: string;
  accountId: number;
  apiToken: string;
}

export interface RoutedInstance {
  name: string;
  phone: PhoneNumber;
  /** The bridge's integration id (`bridge_integration_id`). */
  integrationId: string;
  inboxName: string;
}

/** An account with room for `quota` instances; returns its token. */
export async function createAccount(apiUrl: string, adminToken: string, name: string, quota: number): Promise<string> {
  const res = await request(apiUrl, 'POST', '/api/admin/account/new', { token: adminToken, json: { name, instanceQuota: quota } });
  if (res.status !== 201) throw new Error(`account ${name}: ${res.status} ${res.text}`);
  return res.body.account.token as string;
}

/**
 * A connected Cloud API instance per phone number (`<prefix>-000`, …), each with an active
 * integration in an inbox of its own; `concurrency` of them at a time.
 */
export async function provisionCloudIntegrations(
  apiUrl: string, accountToken: string, phones: PhoneNumber[], chatwoot: ChatwootTarget, opts: { prefix: string; concurrency: number },
): Promise<RoutedInstance[]> {
  const out: RoutedInstance[] = new Array(phones.length);
  let next = 0;
  const one = async (i: number) => {
    const phone = phones[i];
    const name = `${opts.prefix}-${String(i).padStart(3, '0')}`;
    const inboxName = `WhatsApp ${name}`;
    const expect = async (what: string, p: Promise<{ status: number; text: string; body: any }>, status: number) => {
      const res = await p;
      if (res.status !== status) throw new Error(`${name}: ${what} answered ${res.status} ${res.text}`);
      return res.body;
    };
    await expect('instance/new', request(apiUrl, 'POST', '/api/instance/new', {
      token: accountToken,
      json: { name, provider: 'cloud', cloudPhoneNumberId: phone.id, cloudAccessToken: phone.token, cloudAppSecret: phone.appSecret, cloudVerifyToken: `verify-${name}` },
    }), 201);
    await expect('connect', request(apiUrl, 'GET', `/api/instance/connect/${name}`, { token: accountToken }), 200);
    const set = await expect('chatwoot/set', request(apiUrl, 'POST', `/api/chatwoot/set/${name}`, {
      token: accountToken,
      json: { chatwootBaseUrl: chatwoot.baseUrl, chatwootAccountId: chatwoot.accountId, chatwootApiToken: chatwoot.apiToken, inboxName },
    }), 201);
    out[i] = { name, phone, integrationId: set.bridge_integration_id, inboxName };
  };
  await Promise.all(Array.from({ length: opts.concurrency }, async () => {
    while (next < phones.length) await one(next++);
  }));
  return out;
}
