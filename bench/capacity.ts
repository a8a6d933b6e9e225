/**
 * The capacity scenarios of `npm run bench` (BENCH_ONLY=capacity runs them alone): what one idle
 * WhatsApp connection costs an API process, what one idle integration costs a bridge process, and
 * what one round of the bridge's health checks costs. Figures only: nothing here asserts them.
 *
 *   (11) one API process (ROLES=api, PostgreSQL) holding BENCH_CAPACITY_INSTANCES (1000) idle
 *        Baileys connections. The connections are fakes at the provider port (BAILEYS_SOCKET_MODULE
 *        = test/fixtures/baileys/process-socket-module.mjs, the fault suite's: a linked session opens
 *        at once and then stays silent); the sessions are written straight into the database, linked,
 *        as the ownership fault test does, and the process takes them through its ownership sweep
 *        (leases `whatsapp:<id>`). RSS after a full garbage collection: after boot, once the
 *        instances exist (created through the API, no session yet), and once every connection is
 *        held (a live lease each, every instance `connected`) and the process has idled
 *        BENCH_CAPACITY_SETTLE seconds. Per instance: the last two apart, divided by the count.
 *        Baileys' own socket (its WebSocket to WhatsApp, the noise and Signal state, its timers) is
 *        NOT in the figure: the fake stands in for it. What is in it is this server's part: the
 *        adapter's connection, the session's credentials in memory, the event buffer, the lease.
 *  (11b) the same sessions on a fresh API process whose sockets are Baileys' real ones
 *        (bench/silent-whatsapp-socket.ts), each connecting to a loopback server that accepts the
 *        TCP connection and never answers: everything Baileys builds before its handshake is
 *        answered. A lower bound of a real connection's cost (a connected socket adds its
 *        keep-alive, the contacts' devices and Signal sessions it caches, app state). RSS after a
 *        full collection before the sessions are marked linked and once each has its lease and its
 *        TCP connection to the silent server.
 *   (12) one bridge process (ROLES=bridge) routing BENCH_CAPACITY_INTEGRATIONS (1000) idle
 *        integrations, with its own API process as the event source: as many Cloud API instances on
 *        the Graph API double, connected, each with an integration (`POST /api/chatwoot/set`) in an
 *        inbox of its own of the Chatwoot double (both doubles in processes of their own). Each
 *        integration's router holds a WebSocket to the API's event stream. RSS of the bridge after a
 *        full collection before the first integration and once every router's stream is open (one
 *        established connection from the bridge to the API per integration) and idle for the settle
 *        time (taken right after (13), between two health rounds); the API's RSS over the same
 *        step (its side of the streams) is given too.
 *  (12b) the bridge stopped (SIGTERM) and a fresh bridge process started on the same integrations
 *        (health checks off, so that no round falls on its readings): its RSS after a full
 *        collection once every stream is open again, against the first one's before any
 *        integration. The same routers without the provisioning's garbage behind them, as a
 *        replica that restarts or takes integrations over has them; and how long it takes to route
 *        them all from its start.
 *   (13) one round of the bridge's health checks over those integrations (BRIDGE_HEALTH_INTERVAL_SECONDS
 *        = BENCH_CAPACITY_HEALTH_INTERVAL, 60): the bridge's CPU time (utime + stime of /proc) from
 *        1 s before the round's first inbox read at the Chatwoot double to 1 s after its last, less
 *        what the idle bridge uses in as long (measured over the 10 s after the round). The round is
 *        found by the double's count of inbox reads, which must grow by exactly the number of
 *        integrations: one round, no more.
 *
 * Each scenario has a fresh database of its own on BENCH_DATABASE_URL's server, dropped afterwards.
 * Database connections of each process (established TCP connections to the database's port, from
 * /proc) are sampled during the setup and the highest count is reported.
 *
 * Environment (all optional): BENCH_CAPACITY_INSTANCES (1000), BENCH_CAPACITY_INTEGRATIONS (1000),
 * BENCH_CAPACITY_SETTLE (seconds idle before a reading, 10), BENCH_CAPACITY_HEALTH_INTERVAL (60),
 * BENCH_CAPACITY_TIMEOUT (seconds to wait for every connection or stream, 600).
 */
import { initAuthCreds } from '@whiskeysockets/baileys';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../ormconfig.js';
import { SecretCipher } from '../src/common/crypto/secret-cipher.js';
import { keyIdOf } from '../src/config/config.js';
import { BaileysAuthStore } from '../src/whatsapp/baileys/baileys-auth-store.js';
import { call, cloudInstances, num, round, sleep } from './load.js';
import { ChatwootProcess, PUBLIC_ORIGIN } from './routing.js';
import { GraphDoubleProcess, type Goal } from './whatsapp.js';

// ---- configuration ------------------------------------------------------------------------------

const INSTANCES = Math.round(num('BENCH_CAPACITY_INSTANCES', 1000));
const INTEGRATIONS = Math.round(num('BENCH_CAPACITY_INTEGRATIONS', 1000));
const SETTLE_S = num('BENCH_CAPACITY_SETTLE', 10);
const HEALTH_INTERVAL_S = Math.round(num('BENCH_CAPACITY_HEALTH_INTERVAL', 60));
const TIMEOUT_S = num('BENCH_CAPACITY_TIMEOUT', 600);
/** Requests of the setup in flight at once: below the API's 8 bridge calls per account (README, Security). */
const SETUP_WIDTH = 4;
/** The bridge's idle CPU is measured over this long after the round. */
const IDLE_WINDOW_MS = 10_000;
/** The round's window starts this long before its first inbox read (the integrations' read and decryption come first) and ends as long after its last. */
const ROUND_MARGIN_MS = 1_000;
const ACCOUNT_ID = 1;

/** Goals of the capacity scenarios. */
const GOAL_INSTANCE_KIB = 1024;
const GOAL_INTEGRATION_KIB = 256;
const GOAL_ROUND_CPU_MS = 1000;

const KiB = 1024;
const MiB = 1024 * 1024;
const kib = (bytes: number) => round(bytes / KiB, 0);
const mib = (bytes: number) => round(bytes / MiB, 1);

// ---- what bench/run.ts lends -------------------------------------------------------------------

export interface ServerHandle {
  child: ChildProcess;
  url: string;
}

export interface CapacityContext<S extends ServerHandle> {
  /** The built tree (dist/), and the sources' root (for the fake socket module). */
  dist: string;
  root: string;
  /** A database on the server to create the scenarios' databases from. */
  adminDatabaseUrl: string;
  /** Environment every server gets (ENCRYPTION_KEY, ADMIN_TOKEN, rate limits, LOG_LEVEL, DATA_DIR…). */
  serverEnv: Record<string, string>;
  adminToken: string;
  freePort(): Promise<number>;
  startServer(env: Record<string, string>): Promise<S>;
  stopServer(server: S): Promise<void>;
  /** A full garbage collection in the server (through its inspector). */
  collectGarbage(server: S): Promise<void>;
  adminQuery(sql: string): Promise<void>;
  rssBytes(pid: number): number;
  cpuMs(pid: number): number;
  log(line: string): void;
}

// ---- results ------------------------------------------------------------------------------------

/** A process's memory at one moment: RSS from /proc, the V8 heap (used, and committed) and external memory from its /metrics. */
export interface MemoryReading {
  rssMiB: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
}

export interface CapacityResult {
  settings: { instances: number; integrations: number; settleS: number; healthIntervalS: number };
  api: {
    /** After a full collection: at boot, with the instances created, with every connection held. */
    boot: MemoryReading;
    instancesCreated: MemoryReading;
    held: MemoryReading;
    /** The same moment without the collection first. */
    heldBeforeCollection: MemoryReading;
    heldCount: number;
    secondsToHoldAll: number;
    rssKiBPerInstance: number;
    heapKiBPerInstance: number;
    idleCpuMsPerSecond: number;
    databaseConnectionsMax: number;
  };
  /** (11b): Baileys' real sockets, stuck in their handshake. */
  apiRealSockets: {
    before: MemoryReading;
    held: MemoryReading;
    heldBeforeCollection: MemoryReading;
    heldCount: number;
    rssKiBPerInstance: number;
    heapKiBPerInstance: number;
    idleCpuMsPerSecond: number;
  };
  bridge: {
    boot: MemoryReading;
    routing: MemoryReading;
    routingBeforeCollection: MemoryReading;
    streams: number;
    secondsToRouteAll: number;
    rssKiBPerIntegration: number;
    heapKiBPerIntegration: number;
    idleCpuMsPerSecond: number;
    databaseConnectionsMax: number;
    /** (12b) */
    restarted: MemoryReading;
    restartedRssKiBPerIntegration: number;
    restartedHeapKiBPerIntegration: number;
    secondsToRouteAllAfterStart: number;
    /** The event source's side: at boot, with the Cloud API instances connected, with the streams open. */
    apiBoot: MemoryReading;
    apiRssKiBPerCloudInstance: number;
    apiBeforeIntegrations: MemoryReading;
    apiStreaming: MemoryReading;
    apiRssKiBPerStream: number;
    apiHeapKiBPerStream: number;
    apiDatabaseConnectionsMax: number;
  };
  healthRound: {
    reads: number;
    wallMs: number;
    cpuMs: number;
    /** CPU of the measured window before the idle share was taken off. */
    windowCpuMs: number;
    windowMs: number;
  };
  goals: Goal[];
}

// ---- helpers ------------------------------------------------------------------------------------

/** Runs `work` over `items`, `width` at a time. */
async function inParallel<T>(items: T[], width: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i], i);
      }
    }),
  );
}

/** Established TCP connections of a process to `remotePort` (its socket fds, found in /proc/<pid>/net/tcp{,6}). */
function tcpConnections(pid: number, remotePort: number): number {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return 0;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  let n = 0;
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // sl local_address rem_address st … inode (the 10th field)
      if (f.length < 10 || f[3] !== '01' || !inodes.has(f[9])) continue;
      if (parseInt(f[2].split(':')[1], 16) === remotePort) n += 1;
    }
  }
  return n;
}

/** The highest count of database connections of each process, sampled every second until stopped. */
function connectionSampler(pids: number[], databasePort: number): { stop(): number[] } {
  const max = pids.map(() => 0);
  const sample = () => pids.forEach((pid, i) => (max[i] = Math.max(max[i], tcpConnections(pid, databasePort))));
  sample();
  const timer = setInterval(sample, 1_000);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return max;
    },
  };
}

async function reading<S extends ServerHandle>(ctx: CapacityContext<S>, server: S, collect: boolean): Promise<MemoryReading> {
  if (collect) await ctx.collectGarbage(server);
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    rssMiB: mib(ctx.rssBytes(server.child.pid!)),
    heapUsedMiB: mib(metric('nodejs_heap_size_used_bytes')),
    heapTotalMiB: mib(metric('nodejs_heap_size_total_bytes')),
    externalMiB: mib(metric('nodejs_external_memory_bytes')),
  };
}

/** CPU ms per second of a process left alone for `ms`. */
async function idleCpu(cpuMs: (pid: number) => number, pid: number, ms: number): Promise<number> {
  const before = cpuMs(pid);
  const started = performance.now();
  await sleep(ms);
  return round((cpuMs(pid) - before) / ((performance.now() - started) / 1000), 1);
}

/** Polls `probe` every `everyMs` until it returns true, or throws after TIMEOUT_S saying `what`. */
async function waitFor(what: string, probe: () => Promise<boolean>, everyMs = 1_000): Promise<void> {
  const deadline = performance.now() + TIMEOUT_S * 1000;
  while (!(await probe())) {
    if (performance.now() > deadline) throw new Error(`capacity: ${what} not reached within ${TIMEOUT_S} s`);
    await sleep(everyMs);
  }
}

async function query<T>(databaseUrl: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A fresh database on the admin URL's server: its URL, and how to drop it. */
async function scratchDatabase<S extends ServerHandle>(ctx: CapacityContext<S>, tag: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `bench_capacity_${tag}_${randomBytes(6).toString('hex')}`;
  await ctx.adminQuery(`CREATE DATABASE "${name}"`);
  return {
    url: Object.assign(new URL(ctx.adminDatabaseUrl), { pathname: `/${name}` }).toString(),
    drop: () => ctx.adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

const databasePortOf = (url: string) => Number(new URL(url).port || 5432);

// ---- (11) idle Baileys connections in one API process ----------------------------------------

async function apiHoldingConnections<S extends ServerHandle>(ctx: CapacityContext<S>): Promise<Pick<CapacityResult, 'api' | 'apiRealSockets'>> {
  ctx.log(`(11) one API process holding ${INSTANCES} idle Baileys connections (fake sockets at the provider port)…`);
  const db = await scratchDatabase(ctx, 'api');
  try {
    const server = await ctx.startServer({
      ...ctx.serverEnv,
      ROLES: 'api',
      DATABASE_URL: db.url,
      BAILEYS_SOCKET_MODULE: join(ctx.root, 'test', 'fixtures', 'baileys', 'process-socket-module.mjs'),
    });
    const pid = server.child.pid!;
    const connections = connectionSampler([pid], databasePortOf(db.url));
    try {
      await sleep(SETTLE_S * 1000);
      const boot = await reading(ctx, server, true);

      const { account } = await call(`${server.url}/api/admin/account/new`, 'POST', ctx.adminToken, { name: 'bench-capacity' });
      const names = Array.from({ length: INSTANCES }, (_, i) => `cap-wa-${String(i).padStart(4, '0')}`);
      await inParallel(names, SETUP_WIDTH, async (name) => void (await call(`${server.url}/api/instance/new`, 'POST', account.token, { name })));
      await sleep(SETTLE_S * 1000);
      const instancesCreated = await reading(ctx, server, true);
      ctx.log(`  ${INSTANCES} instances created; RSS ${boot.rssMiB} → ${instancesCreated.rssMiB} MiB; writing their linked sessions…`);

      // Paired sessions, as a QR scan leaves them (test/faults/whatsapp-ownership.fault-spec.ts).
      const key = Buffer.from(ctx.serverEnv.ENCRYPTION_KEY, 'base64');
      const ds = await new DataSource(buildDataSourceOptions({ databaseUrl: db.url, embeddedDatabaseDir: 'memory://' })).initialize();
      const started = performance.now();
      try {
        const store = new BaileysAuthStore(ds, new SecretCipher({ id: keyIdOf(key), key }));
        const ids = await ds.query(`SELECT "id" FROM "instances" WHERE "name" = ANY($1::text[])`, [names]) as Array<{ id: string }>;
        await inParallel(ids, SETUP_WIDTH, async ({ id }, i) => {
          const session = store.create(id);
          Object.assign(session.state.creds, {
            ...initAuthCreds(),
            me: { id: `55119${String(80_000_000 + i).padStart(8, '0')}:7@s.whatsapp.net`, name: `Loja ${i}` },
            account: { details: Buffer.from('adv'), accountSignatureKey: Buffer.alloc(32), accountSignature: Buffer.alloc(64), deviceSignature: Buffer.alloc(64) },
          });
          await session.saveCreds();
        });
      } finally {
        await ds.destroy();
      }

      // Taken 100 per ownership sweep (every 5 s): held once each has a live lease and is connected.
      let heldCount = 0;
      await waitFor(`${INSTANCES} held connections`, async () => {
        const [row] = await query<{ leases: number; connected: number }>(
          db.url,
          `SELECT (SELECT count(*)::int FROM "leases" WHERE "resource" LIKE 'whatsapp:%' AND "expires_at" >= now()) AS leases,
                  (SELECT count(*)::int FROM "instances" WHERE "status" = 'connected') AS connected`,
        );
        heldCount = Math.min(row.leases, row.connected);
        return heldCount >= INSTANCES;
      });
      const secondsToHoldAll = round((performance.now() - started) / 1000, 0);
      ctx.log(`  all ${INSTANCES} held ${secondsToHoldAll} s after their sessions were first written; idling ${SETTLE_S} s…`);
      const idleCpuMsPerSecond = await idleCpu(ctx.cpuMs, pid, SETTLE_S * 1000);
      const heldBeforeCollection = await reading(ctx, server, false);
      const held = await reading(ctx, server, true);
      const databaseConnectionsMax = connections.stop()[0];
      await ctx.stopServer(server);
      const api = {
        boot, instancesCreated, held, heldBeforeCollection, heldCount, secondsToHoldAll,
        rssKiBPerInstance: kib(((held.rssMiB - instancesCreated.rssMiB) * MiB) / INSTANCES),
        heapKiBPerInstance: kib(((held.heapUsedMiB - instancesCreated.heapUsedMiB) * MiB) / INSTANCES),
        idleCpuMsPerSecond,
        databaseConnectionsMax,
      };
      return { api, apiRealSockets: await apiHoldingRealSockets(ctx, db.url) };
    } finally {
      connections.stop();
      await ctx.stopServer(server);
    }
  } finally {
    await db.drop();
  }
}

/** (11b): the sessions of (11), on a fresh API process whose Baileys sockets are real and never answered. */
async function apiHoldingRealSockets<S extends ServerHandle>(ctx: CapacityContext<S>, databaseUrl: string): Promise<CapacityResult['apiRealSockets']> {
  ctx.log(`(11b) the same ${INSTANCES} sessions on Baileys' real socket, connecting to a loopback server that never answers…`);
  const open = new Set<net.Socket>();
  const silent = net.createServer((socket) => {
    open.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as net.AddressInfo;
  // Nothing to take until the baseline is read.
  await query(databaseUrl, `UPDATE "whatsapp_sessions" SET "linked" = false`);
  const server = await ctx.startServer({
    ...ctx.serverEnv,
    ROLES: 'api',
    DATABASE_URL: databaseUrl,
    MIGRATE_ON_START: 'false',
    BAILEYS_SOCKET_MODULE: join(ctx.dist, 'bench', 'silent-whatsapp-socket.js'),
    BENCH_SILENT_WHATSAPP_URL: `ws://127.0.0.1:${port}/ws/chat`,
  });
  try {
    const pid = server.child.pid!;
    await sleep(SETTLE_S * 1000);
    const before = await reading(ctx, server, true);
    await query(databaseUrl, `UPDATE "whatsapp_sessions" SET "linked" = true`);
    let heldCount = 0;
    await waitFor(`${INSTANCES} real sockets held`, async () => {
      const [row] = await query<{ leases: number }>(
        databaseUrl, `SELECT count(*)::int AS leases FROM "leases" WHERE "resource" LIKE 'whatsapp:%' AND "expires_at" >= now()`,
      );
      heldCount = Math.min(row.leases, open.size);
      return heldCount >= INSTANCES;
    });
    ctx.log(`  all ${INSTANCES} held, each with its connection to the silent server; idling ${SETTLE_S} s…`);
    const idleCpuMsPerSecond = await idleCpu(ctx.cpuMs, pid, SETTLE_S * 1000);
    if (open.size < INSTANCES) throw new Error(`capacity: ${open.size} of ${INSTANCES} real sockets still connected after ${SETTLE_S} s`);
    const heldBeforeCollection = await reading(ctx, server, false);
    const held = await reading(ctx, server, true);
    return {
      before, held, heldBeforeCollection, heldCount,
      rssKiBPerInstance: kib(((held.rssMiB - before.rssMiB) * MiB) / INSTANCES),
      heapKiBPerInstance: kib(((held.heapUsedMiB - before.heapUsedMiB) * MiB) / INSTANCES),
      idleCpuMsPerSecond,
    };
  } finally {
    await ctx.stopServer(server);
    for (const socket of open) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
}

// ---- (12) and (13) idle integrations in one bridge process, and a health round ---------------

async function bridgeRoutingIntegrations<S extends ServerHandle>(ctx: CapacityContext<S>): Promise<{ bridge: CapacityResult['bridge']; healthRound: CapacityResult['healthRound'] }> {
  ctx.log(`(12) one bridge process routing ${INTEGRATIONS} idle integrations, its own API process as the event source…`);
  const db = await scratchDatabase(ctx, 'bridge');
  const graph = await GraphDoubleProcess.start(ctx.dist);
  const chatwoot = await ChatwootProcess.start(ctx.dist);
  const started: S[] = [];
  try {
    const [apiPort, bridgePort] = [await ctx.freePort(), await ctx.freePort()];
    const bridgeToken = randomBytes(24).toString('hex');
    const api = await ctx.startServer({
      ...ctx.serverEnv,
      ROLES: 'api',
      PORT: String(apiPort),
      DATABASE_URL: db.url,
      PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
      BRIDGE_URL: `http://127.0.0.1:${bridgePort}`,
      BRIDGE_TOKEN: bridgeToken,
      WHATSAPP_CLOUD_API_URL: graph.url,
    });
    started.push(api);
    const { ADMIN_TOKEN: _admin, ...serverEnv } = ctx.serverEnv;
    const bridgeEnv = {
      ...serverEnv,
      ROLES: 'bridge',
      PORT: String(bridgePort),
      DATABASE_URL: db.url,
      MIGRATE_ON_START: 'false',
      BRIDGE_TOKEN: bridgeToken,
      BRIDGE_PUBLIC_URL: PUBLIC_ORIGIN,
      // The Chatwoot double listens on loopback, which the default address policy refuses.
      CHATWOOT_ALLOWED_HOSTS: '127.0.0.1',
      BRIDGE_HEALTH_INTERVAL_SECONDS: String(HEALTH_INTERVAL_S),
    };
    const bridge = await ctx.startServer(bridgeEnv);
    started.push(bridge);
    const bridgePid = bridge.child.pid!;
    const connections = connectionSampler([api.child.pid!, bridgePid], databasePortOf(db.url));
    try {
      const chatwootToken = await chatwoot.setup(ACCOUNT_ID, 'Ana');
      await chatwoot.route(PUBLIC_ORIGIN, bridge.url);
      await sleep(SETTLE_S * 1000);
      const bridgeBoot = await reading(ctx, bridge, true);
      const apiBoot = await reading(ctx, api, true);

      const { account } = await call(`${api.url}/api/admin/account/new`, 'POST', ctx.adminToken, { name: 'bench-capacity' });
      const phones = await graph.phones(INTEGRATIONS);
      // In SETUP_WIDTH slices, each connected in order by cloudInstances().
      const slices = Array.from({ length: SETUP_WIDTH }, (_, w) => phones.filter((_, i) => i % SETUP_WIDTH === w));
      const instances = (await Promise.all(slices.map((slice, w) => cloudInstances(api.url, account.token, slice, `cap-${w}`)))).flat();
      await sleep(SETTLE_S * 1000);
      const apiBeforeIntegrations = await reading(ctx, api, true);
      ctx.log(`  ${instances.length} Cloud API instances connected; activating their integrations…`);

      const activated = performance.now();
      await inParallel(instances, SETUP_WIDTH, async (instance) => {
        await call(`${api.url}/api/chatwoot/set/${instance.name}`, 'POST', account.token, {
          chatwootBaseUrl: chatwoot.url,
          chatwootAccountId: ACCOUNT_ID,
          chatwootApiToken: chatwootToken,
          inboxName: `WhatsApp ${instance.name}`,
          signMessages: false,
        });
      });
      const inboxes = (await chatwoot.inboxes()).filter((i) => i.name.startsWith('WhatsApp cap-')).length;
      if (inboxes !== INTEGRATIONS) throw new Error(`capacity: ${inboxes} inboxes for ${INTEGRATIONS} integrations`);
      // Routing: every router's stream open, one connection from the bridge to the API each.
      let streams = 0;
      await waitFor(`${INTEGRATIONS} open event streams`, async () => (streams = tcpConnections(bridgePid, apiPort)) >= INTEGRATIONS);
      const secondsToRouteAll = round((performance.now() - activated) / 1000, 0);
      ctx.log(`  ${INTEGRATIONS} integrations active, ${streams} streams open, ${secondsToRouteAll} s after the first activation`);
      const [apiDatabaseConnectionsMax, databaseConnectionsMax] = connections.stop();

      // The round first: its idle window afterwards is also the settle time of the readings, which
      // then fall between two rounds (a reading during a round would count its transient objects).
      ctx.log(`(13) a health round over ${INTEGRATIONS} integrations (BRIDGE_HEALTH_INTERVAL_SECONDS=${HEALTH_INTERVAL_S}; waiting for the next one)…`);
      const { round: healthRound, idleCpuMsPerSecond } = await measureHealthRound(ctx, chatwoot, bridgePid);
      const routingBeforeCollection = await reading(ctx, bridge, false);
      const routing = await reading(ctx, bridge, true);
      const apiStreaming = await reading(ctx, api, true);

      ctx.log(`(12b) the bridge stopped, and a fresh bridge process started on the ${INTEGRATIONS} integrations…`);
      await ctx.stopServer(bridge);
      const restartedAt = performance.now();
      const fresh = await ctx.startServer({ ...bridgeEnv, BRIDGE_HEALTH_INTERVAL_SECONDS: '0' });
      started.push(fresh);
      await waitFor(`${INTEGRATIONS} streams open again`, async () => tcpConnections(fresh.child.pid!, apiPort) >= INTEGRATIONS, 200);
      const secondsToRouteAllAfterStart = round((performance.now() - restartedAt) / 1000, 1);
      ctx.log(`  every stream open ${secondsToRouteAllAfterStart} s after the fresh bridge was started; idling ${SETTLE_S} s…`);
      await sleep(SETTLE_S * 1000);
      const restarted = await reading(ctx, fresh, true);
      return {
        bridge: {
          boot: bridgeBoot, routing, routingBeforeCollection, streams, secondsToRouteAll,
          rssKiBPerIntegration: kib(((routing.rssMiB - bridgeBoot.rssMiB) * MiB) / INTEGRATIONS),
          heapKiBPerIntegration: kib(((routing.heapUsedMiB - bridgeBoot.heapUsedMiB) * MiB) / INTEGRATIONS),
          idleCpuMsPerSecond,
          databaseConnectionsMax,
          restarted,
          restartedRssKiBPerIntegration: kib(((restarted.rssMiB - bridgeBoot.rssMiB) * MiB) / INTEGRATIONS),
          restartedHeapKiBPerIntegration: kib(((restarted.heapUsedMiB - bridgeBoot.heapUsedMiB) * MiB) / INTEGRATIONS),
          secondsToRouteAllAfterStart,
          apiBoot,
          apiRssKiBPerCloudInstance: kib(((apiBeforeIntegrations.rssMiB - apiBoot.rssMiB) * MiB) / INTEGRATIONS),
          apiBeforeIntegrations, apiStreaming,
          apiRssKiBPerStream: kib(((apiStreaming.rssMiB - apiBeforeIntegrations.rssMiB) * MiB) / INTEGRATIONS),
          apiHeapKiBPerStream: kib(((apiStreaming.heapUsedMiB - apiBeforeIntegrations.heapUsedMiB) * MiB) / INTEGRATIONS),
          apiDatabaseConnectionsMax,
        },
        healthRound,
      };
    } finally {
      connections.stop();
    }
  } finally {
    // The bridge first: its routers' streams would otherwise be cut by the API's shutdown.
    for (const s of started.reverse()) await ctx.stopServer(s);
    chatwoot.stop();
    graph.stop();
    await db.drop();
  }
}

/**
 * (13): waits for the next round (the double's inbox reads start growing), and measures the
 * bridge's CPU from ROUND_MARGIN_MS before the first read to ROUND_MARGIN_MS after the last, less
 * the idle bridge's CPU over as long (measured over IDLE_WINDOW_MS after the round).
 */
async function measureHealthRound<S extends ServerHandle>(
  ctx: CapacityContext<S>, chatwoot: ChatwootProcess, pid: number,
): Promise<{ round: CapacityResult['healthRound']; idleCpuMsPerSecond: number }> {
  type Sample = { at: number; cpu: number; reads: number };
  const sample = async (): Promise<Sample> => {
    const reads = await chatwoot.inboxReads();
    return { at: performance.now(), cpu: ctx.cpuMs(pid), reads };
  };
  // Not in the middle of a round: the reads still for twice the margin first.
  for (let still = await sample(); ; ) {
    await sleep(100);
    const s = await sample();
    if (s.reads !== still.reads) still = s;
    else if (s.at - still.at >= 2 * ROUND_MARGIN_MS) break;
  }
  const samples: Sample[] = [await sample()];
  const base = samples[0].reads;
  const deadline = performance.now() + (HEALTH_INTERVAL_S + 30) * 1000;
  // Until the reads have grown and then stayed still for ROUND_MARGIN_MS.
  let firstReadAt: number | null = null;
  let lastChange = samples[0];
  for (;;) {
    if (performance.now() > deadline) throw new Error(`capacity: no complete health round within ${HEALTH_INTERVAL_S + 30} s`);
    await sleep(50);
    const s = await sample();
    const previous = samples[samples.length - 1];
    samples.push(s);
    if (s.reads !== previous.reads) {
      firstReadAt ??= previous.at;
      lastChange = s;
    } else if (firstReadAt !== null && s.at - lastChange.at >= ROUND_MARGIN_MS) {
      break;
    }
    // Keep the window's start; drop what is older than it.
    if (firstReadAt === null) while (samples.length > 2 && samples[1].at < s.at - 2 * ROUND_MARGIN_MS) samples.shift();
  }
  const end = samples[samples.length - 1];
  const start = [...samples].reverse().find((s) => s.at <= firstReadAt! - ROUND_MARGIN_MS) ?? samples[0];
  const reads = end.reads - base;
  const idleCpuMsPerSecond = await idleCpu(ctx.cpuMs, pid, IDLE_WINDOW_MS);
  const idleMsPerMs = idleCpuMsPerSecond / 1000;
  if ((await chatwoot.inboxReads()) !== end.reads) throw new Error('capacity: inbox reads went on after the round (two rounds in the window?)');
  if (reads !== INTEGRATIONS) throw new Error(`capacity: the round made ${reads} inbox reads for ${INTEGRATIONS} integrations`);
  const windowMs = end.at - start.at;
  const windowCpuMs = end.cpu - start.cpu;
  return {
    round: {
      reads,
      wallMs: round(lastChange.at - firstReadAt!, 0),
      cpuMs: round(windowCpuMs - idleMsPerMs * windowMs, 0),
      windowCpuMs,
      windowMs: round(windowMs, 0),
    },
    idleCpuMsPerSecond,
  };
}

// ---- entry --------------------------------------------------------------------------------------

export async function runCapacity<S extends ServerHandle>(ctx: CapacityContext<S>): Promise<CapacityResult> {
  const { api, apiRealSockets } = await apiHoldingConnections(ctx);
  const { bridge, healthRound } = await bridgeRoutingIntegrations(ctx);
  const goals: Goal[] = [
    {
      goal: `(11) API RSS per idle Baileys connection ≤ ${GOAL_INSTANCE_KIB / 1024} MiB (${INSTANCES} held)`,
      value: `${api.rssKiBPerInstance} KiB (${api.instancesCreated.rssMiB} → ${api.held.rssMiB} MiB after full collections; heap ${api.heapKiBPerInstance} KiB each)`,
      met: api.rssKiBPerInstance <= GOAL_INSTANCE_KIB,
    },
    {
      goal: `(12) bridge RSS per idle integration ≤ ${GOAL_INTEGRATION_KIB} KiB (${INTEGRATIONS} routed)`,
      value: `${bridge.rssKiBPerIntegration} KiB (${bridge.boot.rssMiB} → ${bridge.routing.rssMiB} MiB after full collections; heap ${bridge.heapKiBPerIntegration} KiB each)`,
      met: bridge.rssKiBPerIntegration <= GOAL_INTEGRATION_KIB,
    },
    {
      goal: `(13) bridge CPU for one health round of ${INTEGRATIONS} integrations ≤ ${GOAL_ROUND_CPU_MS / 1000} s`,
      value: `${healthRound.cpuMs} ms (the round took ${healthRound.wallMs} ms)`,
      met: healthRound.cpuMs <= GOAL_ROUND_CPU_MS,
    },
  ];
  return { settings: { instances: INSTANCES, integrations: INTEGRATIONS, settleS: SETTLE_S, healthIntervalS: HEALTH_INTERVAL_S }, api, apiRealSockets, bridge, healthRound, goals };
}

// ---- report -------------------------------------------------------------------------------------

const memory = (m: MemoryReading) => `${m.rssMiB} (${m.heapUsedMiB} / ${m.heapTotalMiB}, ${m.externalMiB})`;

export function capacityTable(r: CapacityResult): string {
  const rows = [
    ['scenario', 'before: RSS MiB (heap used / committed, external)', 'after: RSS MiB (heap used / committed, external)', 'per unit: RSS KiB / heap used KiB', 'goal', 'met'],
    ['---', '---', '---', '---', '---', '---'],
    [
      `(11) API process, ${r.api.heldCount} idle Baileys connections held`,
      memory(r.api.instancesCreated),
      memory(r.api.held),
      `${r.api.rssKiBPerInstance} / ${r.api.heapKiBPerInstance}`,
      `≤ ${GOAL_INSTANCE_KIB} KiB`,
      r.goals[0].met ? 'yes' : '**no**',
    ],
    [
      `(11b) the same, Baileys' real sockets held in their handshake (a lower bound)`,
      memory(r.apiRealSockets.before),
      memory(r.apiRealSockets.held),
      `${r.apiRealSockets.rssKiBPerInstance} / ${r.apiRealSockets.heapKiBPerInstance}`,
      '—',
      '',
    ],
    [
      `(12) bridge process, ${r.settings.integrations} idle integrations routed`,
      memory(r.bridge.boot),
      memory(r.bridge.routing),
      `${r.bridge.rssKiBPerIntegration} / ${r.bridge.heapKiBPerIntegration}`,
      `≤ ${GOAL_INTEGRATION_KIB} KiB`,
      r.goals[1].met ? 'yes' : '**no**',
    ],
    [
      `(12b) a fresh bridge process started on the same ${r.settings.integrations} integrations`,
      memory(r.bridge.boot),
      memory(r.bridge.restarted),
      `${r.bridge.restartedRssKiBPerIntegration} / ${r.bridge.restartedHeapKiBPerIntegration}`,
      `≤ ${GOAL_INTEGRATION_KIB} KiB`,
      r.bridge.restartedRssKiBPerIntegration <= GOAL_INTEGRATION_KIB ? 'yes' : '**no**',
    ],
    [
      `(12) the API process serving their ${r.bridge.streams} event streams`,
      memory(r.bridge.apiBeforeIntegrations),
      memory(r.bridge.apiStreaming),
      `${r.bridge.apiRssKiBPerStream} / ${r.bridge.apiHeapKiBPerStream}`,
      '—',
      '',
    ],
    [
      `(13) bridge CPU, one health round of ${r.healthRound.reads} integrations`,
      '',
      '',
      `${r.healthRound.cpuMs} ms CPU, ${r.healthRound.wallMs} ms wall`,
      `≤ ${GOAL_ROUND_CPU_MS} ms`,
      r.goals[2].met ? 'yes' : '**no**',
    ],
  ];
  return rows.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

export function capacityNotes(r: CapacityResult): string[] {
  return [
    `Every reading after a full garbage collection (through the inspector): in (11) after ${r.settings.settleS} s idle, in (12) the bridge's and the API's after the health round of (13) and the ${IDLE_WINDOW_MS / 1000} s idle that follow it. (11): RSS ${r.api.boot.rssMiB} MiB at boot, ${r.api.instancesCreated.rssMiB} MiB with ${r.settings.instances} instances created (no session), ${r.api.held.rssMiB} MiB with all held (${r.api.heldBeforeCollection.rssMiB} MiB before the collection); all held ${r.api.secondsToHoldAll} s after their sessions were written (the ownership sweep takes 100 every 5 s). The connections are fakes at the provider port (test/fixtures/baileys/process-socket-module.mjs): Baileys' own socket, its WebSocket and its noise and Signal state, is not in the figure. Idle: ${r.api.idleCpuMsPerSecond} ms CPU per second; database connections at most ${r.api.databaseConnectionsMax}.`,
    `(11b): ${r.apiRealSockets.heldCount} real Baileys sockets (bench/silent-whatsapp-socket.ts), each with its lease and its TCP connection to a loopback server that never answers: RSS ${r.apiRealSockets.before.rssMiB} → ${r.apiRealSockets.held.rssMiB} MiB (${r.apiRealSockets.heldBeforeCollection.rssMiB} MiB before the collection); idle: ${r.apiRealSockets.idleCpuMsPerSecond} ms CPU per second. What Baileys builds before its handshake is answered; a connected socket holds more (its keep-alive, the contacts' devices and Signal sessions it caches, app state), so this is a floor of a real connection's cost, not its measure.`,
    `(12): the bridge at ${r.bridge.boot.rssMiB} MiB before the first integration, ${r.bridge.routing.rssMiB} MiB with ${r.settings.integrations} routed (${r.bridge.routingBeforeCollection.rssMiB} MiB before the collection), every router's stream open (${r.bridge.streams} connections to the API) ${r.bridge.secondsToRouteAll} s after the first activation; idle: ${r.bridge.idleCpuMsPerSecond} ms CPU per second; database connections at most ${r.bridge.databaseConnectionsMax}. The event source, an API process: ${r.bridge.apiBoot.rssMiB} MiB at boot, ${r.bridge.apiBeforeIntegrations.rssMiB} MiB with ${r.settings.integrations} Cloud API instances connected (${r.bridge.apiRssKiBPerCloudInstance} KiB each), ${r.bridge.apiStreaming.rssMiB} MiB with their streams open; database connections at most ${r.bridge.apiDatabaseConnectionsMax}.`,
    `(12b): a fresh bridge process (SIGTERM to the first, then a new one on the same database) routed all ${r.settings.integrations} again ${r.bridge.secondsToRouteAllAfterStart} s after it was started; ${r.bridge.restarted.rssMiB} MiB after ${r.settings.settleS} s idle and a full collection, against ${r.bridge.boot.rssMiB} MiB of the first bridge before any integration.`,
    `(13): BRIDGE_HEALTH_INTERVAL_SECONDS=${r.settings.healthIntervalS}; the round made ${r.healthRound.reads} inbox reads at the Chatwoot double in ${r.healthRound.wallMs} ms; the bridge used ${r.healthRound.windowCpuMs} ms of CPU over a ${r.healthRound.windowMs} ms window around it, ${r.healthRound.cpuMs} ms once the idle share was taken off. Every integration was healthy, so the round stored nothing.`,
  ];
}
