/**
 * `npm run bench`: the status read of SPEC §5 under load, against the real local PostgreSQL.
 *
 * Processes: this one (orchestration and the autocannon load generator), the server under test
 * (`node dist/src/main.js`, ROLES=api), the loopback BRIDGE-API fake (test/fakes/fake-bridge.ts)
 * and the baseline (bench/baseline-server.ts), each on its own event loop. A fresh database is
 * created on BENCH_DATABASE_URL's server for the run and dropped at the end.
 *
 * (1) and (4) are compared in BENCH_ROUNDS paired rounds, in alternating order ((1)(4), (4)(1), …),
 * and the goals take the median round's ratio: this VM's speed drifts by tens of percent within a
 * run, and a single pair measured half a minute apart compared the machine's moods as much as the
 * servers. Every round is printed.
 *
 * Scenarios (each connection works on an instance of its own, so that the server's single flight
 * never merges two connections' bridge reads and both servers do one bridge GET per request):
 *   1. GET /api/chatwoot/list/:instance, live enrichment from the fake bridge;
 *   2. the same while the bridge hangs (after an unmeasured warm-up in which the breaker opens);
 *   2c. the same from the first second of a hang (SPEC §7's 300 ms answer deadline; no breaker yet),
 *       on a fresh server whose warm-up met a live bridge;
 *   3. POST /api/chatwoot/set/:instance, updating an existing integration;
 *   4. the baseline doing the work of (1).
 * And (1) once more on a second server whose token cache is off (AUTH_CACHE_TTL_SECONDS=0), which
 * reads every token from the database as the baseline does: the cache's share, shown apart.
 * Then a separate phase of BENCH_RSS_REQUESTS requests on (1): the server's RSS after a full garbage
 * collection before and after it (collectGarbage()), and sampled during it.
 * Last, on a third server whose WHATSAPP_CLOUD_API_URL is the Graph API double (in a process of its
 * own), the WhatsApp scenarios of bench/whatsapp.ts: (5) Meta's signed webhooks and their events on
 * the WebSocket streams, (6) sending texts; open-loop at a fixed rate (see that file).
 * Then the routing scenarios of bench/routing.ts, (7)–(10), on a fourth server with its embedded
 * bridge (ROLES=api,bridge) and a fresh database of its own, between the Graph API double and the
 * Chatwoot double (bench/chatwoot-process.ts), against a bare node:http forwarder
 * (bench/forwarder-baseline.ts).
 * Then the scale scenario of bench/scale.ts: routing's throughput and cost with 3, 2, 1, 2 and 3
 * bridge processes behind one API, on a private PostgreSQL.
 * Last, the capacity scenarios of bench/capacity.ts, (11)–(13), on servers and databases of their
 * own: an API process's memory per idle Baileys connection, a bridge process's per idle
 * integration, and the bridge's CPU for one health round.
 *
 * Prints a table, writes bench/results.json (ignored by git) and bench/LATEST.md (committed).
 * Figures only: nothing here asserts a timing.
 *
 * Environment (all optional): BENCH_DURATION (s per scenario, 10), BENCH_WARMUP (s, 3), BENCH_ROUNDS (3),
 * BENCH_CONNECTIONS (32), BENCH_RSS_REQUESTS (100000), BENCH_LOG_LEVEL (the server's, warn),
 * BENCH_DATABASE_URL (a database on the server to use, postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_SERVER_NODE_OPTIONS / BENCH_BASELINE_NODE_OPTIONS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`),
 * BENCH_ONLY (1, 1-nocache, 2, 2-cold, 3, 4, wa, routing, capacity or scale: that scenario alone, printed, nothing
 * written; for profiling; wa runs (5) and (6), routing (7)–(10); capacity runs (11)–(13) and, unlike the others,
 * writes its figures: its own section of bench/LATEST.md and the `capacity` key of bench/results.json,
 * leaving the rest of both as the last full run wrote them); BENCH_WA_RATE, BENCH_WA_INSTANCES,
 * BENCH_WA_DURATION, BENCH_WA_GRACE (bench/whatsapp.ts); BENCH_ROUTING_* (bench/routing.ts);
 * BENCH_CAPACITY_* (bench/capacity.ts); BENCH_SCALE_* (bench/scale.ts).
 */
import autocannon, { type Client, type Options, type Result } from 'autocannon';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { WebSocket } from 'undici';
import { call } from './load.js';
import { capacityNotes, capacityTable, runCapacity, type CapacityResult } from './capacity.js';
import type { BridgeCommand, BridgeMessage } from './fake-bridge-process.js';
import { ChatwootProcess, PUBLIC_ORIGIN, routingNotes, routingTable, runRouting, type RoutingResult } from './routing.js';
import { runScale, scaleNotes, scaleTable, type ScaleResult } from './scale.js';
import { GraphDoubleProcess, runWhatsApp, whatsappNotes, whatsappTable, type WhatsAppResult } from './whatsapp.js';

// ---- configuration ------------------------------------------------------------------------------

const num = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

const DURATION = num('BENCH_DURATION', 10); // seconds measured per scenario
/** Rounds of (1) and (4), each a pair measured back to back (see the file comment). */
const ROUNDS = num('BENCH_ROUNDS', 3);
const WARMUP = num('BENCH_WARMUP', 3); // unmeasured seconds before each scenario
const CONNECTIONS = num('BENCH_CONNECTIONS', 32);
const RSS_REQUESTS = num('BENCH_RSS_REQUESTS', 100_000);
/** How often the RSS phase reads the server's RSS. */
const RSS_SAMPLE_MS = 250;
/** The server's LOG_LEVEL: `warn` (no access log line per request) unless told otherwise. */
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL || 'warn';
const ADMIN_DATABASE_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
/** Server node flags, e.g. BENCH_SERVER_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
const SERVER_NODE_FLAGS = (process.env.BENCH_SERVER_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
/** The same for the baseline (BENCH_BASELINE_NODE_OPTIONS). */
const BASELINE_NODE_FLAGS = (process.env.BENCH_BASELINE_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
/**
 * Run one scenario only (1, 1-nocache, 2, 2-cold, 3, 4, wa, routing or scale), print it and write
 * nothing: for profiling. `capacity` also writes its own figures (see the file comment).
 */
const ONLY = process.env.BENCH_ONLY ?? '';
if (ONLY && !['1', '1-nocache', '2', '2-cold', '3', '4', 'wa', 'routing', 'capacity', 'scale'].includes(ONLY)) {
  throw new Error('BENCH_ONLY must be 1, 1-nocache, 2, 2-cold, 3, 4, wa, routing, capacity or scale');
}
/** (2c) is measured for 15 s from the hang's start, as issue 16 measured the 10 s stall. */
const COLD_HANG_DURATION = 15;
const COLD_HANG = '(2c) list, from the first second of a hang';
/** The breaker reopens for a trial read 15 s after it opened: scenario 2 is measured inside that. */
const HANG_MAX_DURATION = 12;

const DIST = fileURLToPath(new URL('..', import.meta.url)); // dist/
const BENCH_DIR = fileURLToPath(new URL('../../bench/', import.meta.url)); // the sources' bench/
const MiB = 1024 * 1024;

// ---- helpers ------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : Math.round(((sorted[mid - 1] + sorted[mid]) / 2) * 100) / 100;
}

const signed = (x: number) => `${x >= 0 ? '+' : ''}${x}`;

function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** CPU time (user + system) a process has used so far, in ms (clock ticks of 10 ms on Linux). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime (fields 14 and 15 of stat)
}

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    nproc: os.availableParallelism(),
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
}

const loadavg = () => os.loadavg().map((l) => Math.round(l * 100) / 100);

/** All CPUs' time so far and the part of it stolen by the hypervisor (other guests), from /proc/stat. */
function cpuTimes(): { total: number; steal: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
}

/** Percent of the machine's CPU time stolen by other guests between two readings. */
const stealPercent = (from: ReturnType<typeof cpuTimes>, to: ReturnType<typeof cpuTimes>) =>
  Math.round(((to.steal - from.steal) / Math.max(1, to.total - from.total)) * 1000) / 10;

function load(options: Options): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon({ timeout: 30, ...options }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** Each connection gets an instance of its own (see the file comment). */
function perConnection(request: (instance: string) => { method: string; path: string; headers: Record<string, string>; body?: string }) {
  let next = 0;
  return (client: Client) => client.setRequests([request(instanceName(next++ % CONNECTIONS))]);
}

const UNCACHED = '(1) list, token cache off';

const instanceName = (i: number) => `bench-${String(i).padStart(3, '0')}`;

// ---- child processes ----------------------------------------------------------------------------

class FakeBridgeProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    readonly token: string,
  ) {}

  static async start(): Promise<FakeBridgeProcess> {
    const child = fork(join(DIST, 'bench', 'fake-bridge-process.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = await new Promise<Extract<BridgeMessage, { type: 'ready' }>>((resolve, reject) => {
      child.once('message', (m: BridgeMessage) => (m.type === 'ready' ? resolve(m) : reject(new Error('unexpected message'))));
      child.once('exit', (code) => reject(new Error(`fake bridge exited (${code})`)));
    });
    return new FakeBridgeProcess(child, ready.url, ready.token);
  }

  private ask(command: BridgeCommand): Promise<BridgeMessage> {
    return new Promise((resolve) => {
      this.child.once('message', resolve);
      this.child.send(command);
    });
  }

  async behave(command: Omit<Extract<BridgeCommand, { cmd: 'behave' }>, 'cmd'>): Promise<void> {
    await this.ask({ cmd: 'behave', ...command });
  }

  async gets(): Promise<number> {
    const answer = await this.ask({ cmd: 'counts' });
    return answer.type === 'counts' ? (answer.counts.GET ?? 0) : 0;
  }

  stop(): void {
    if (this.child.connected) this.child.disconnect();
  }
}

interface Server {
  child: ChildProcess;
  url: string;
  /** The last lines of its output (for a failed boot). */
  log: string[];
  breakerOpened: boolean;
  /** The inspector's WebSocket address, once SIGUSR1 has opened it (collectGarbage()). */
  inspectorUrl?: string;
}

/** Listens on env.PORT when given (a server whose PUBLIC_URL must name its port), else on a free port. */
async function startServer(env: Record<string, string>): Promise<Server> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  // --inspect-port=0: SIGUSR1 opens the inspector on a free port (collectGarbage()); until then
  // nothing listens and nothing runs.
  const child = spawn(process.execPath, ['--inspect-port=0', ...SERVER_NODE_FLAGS, join(DIST, 'src', 'main.js')], {
    cwd: env.DATA_DIR,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const server: Server = { child, url: `http://127.0.0.1:${port}`, log, breakerOpened: false };
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      if (chunk.includes('circuit open')) server.breakerOpened = true;
      const inspector = /Debugger listening on (ws:\/\/\S+)/.exec(chunk);
      if (inspector) server.inspectorUrl = inspector[1];
      log.push(...chunk.split('\n').filter(Boolean));
      if (log.length > 200) log.splice(0, log.length - 200);
    });
  }
  const url = server.url;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited at boot:\n${log.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`server did not answer /healthz within 60 s:\n${log.join('\n')}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return server;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
}

async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/**
 * A full garbage collection in the server, so that an RSS reading counts what the server keeps
 * rather than where V8's old generation stands in its cycle (it fills with garbage until a major
 * collection empties it: about 100 MiB up and down here, which two single readings would report
 * as growth or shrinkage at random). Through the inspector, which SIGUSR1 opens.
 */
async function collectGarbage(server: Server): Promise<void> {
  if (!server.inspectorUrl) {
    server.child.kill('SIGUSR1');
    const deadline = Date.now() + 10_000;
    while (!server.inspectorUrl) {
      if (Date.now() > deadline) throw new Error('the server did not open its inspector after SIGUSR1');
      await sleep(50);
    }
  }
  const socket = new WebSocket(server.inspectorUrl);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => socket.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' })));
    socket.addEventListener('message', (event) => {
      if ((JSON.parse(String(event.data)) as { id?: number }).id === 1) resolve();
    });
    socket.addEventListener('error', () => reject(new Error('inspector connection failed')));
  });
  socket.close();
  await sleep(500); // V8 hands freed pages back to the system in the background
}

async function startBaseline(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(join(DIST, 'bench', 'baseline-server.js'), [], {
    execArgv: BASELINE_NODE_FLAGS,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { port } = await new Promise<{ port: number }>((resolve, reject) => {
    child.once('message', (m: { type: string; port: number }) => resolve(m));
    child.once('exit', (code) => reject(new Error(`baseline exited (${code})`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

// ---- database -----------------------------------------------------------------------------------

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// ---- setup through the API itself --------------------------------------------------------------

const setBody = (instance: string) => ({
  chatwootBaseUrl: 'https://chatwoot.example.com',
  chatwootAccountId: 5,
  chatwootApiToken: `bench-chatwoot-token-${instance}`,
  inboxName: `WhatsApp - ${instance}`,
  signMessages: true,
  reopenResolved: true,
});

async function seed(server: Server, adminToken: string): Promise<string> {
  const { account } = await call(`${server.url}/api/admin/account/new`, 'POST', adminToken, { name: 'bench' });
  const token: string = account.token;
  for (let i = 0; i < CONNECTIONS; i++) {
    const name = instanceName(i);
    await call(`${server.url}/api/instance/new`, 'POST', token, { name });
    await call(`${server.url}/api/chatwoot/set/${name}`, 'POST', token, setBody(name));
  }
  return token;
}

// ---- scenarios ----------------------------------------------------------------------------------

interface Measured {
  scenario: string;
  connections: number;
  durationS: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  bridgeGets: number;
  /** CPU time of the process under test (server or baseline) per request, in ms. */
  cpuMsPerRequest: number;
  serverRssMiB?: { before: number; after: number };
}

function summarise(scenario: string, r: Result, bridgeGets: number, cpu: number, rss?: { before: number; after: number }): Measured {
  const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
  return {
    scenario,
    connections: CONNECTIONS,
    durationS: round(r.duration),
    requests: r.requests.total,
    requestsPerSecond: round(r.requests.total / r.duration, 0),
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, average: round(r.latency.average) },
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    bridgeGets,
    cpuMsPerRequest: round(cpu / Math.max(1, r.requests.total), 3),
    serverRssMiB: rss && { before: round(rss.before / MiB, 1), after: round(rss.after / MiB, 1) },
  };
}

async function scenario(
  name: string,
  options: Options,
  ctx: { bridge: FakeBridgeProcess; pid: number; rss: boolean; warmupS?: number; durationS?: number },
): Promise<Measured> {
  if ((ctx.warmupS ?? WARMUP) > 0) await load({ ...options, duration: ctx.warmupS ?? WARMUP });
  const rssBefore = rssBytes(ctx.pid);
  const getsBefore = await ctx.bridge.gets();
  const cpuBefore = cpuMs(ctx.pid);
  process.stdout.write(`  ${name}: measuring ${ctx.durationS ?? DURATION} s…\n`);
  const result = await load({ ...options, duration: ctx.durationS ?? DURATION });
  const cpu = cpuMs(ctx.pid) - cpuBefore;
  const gets = (await ctx.bridge.gets()) - getsBefore;
  return summarise(name, result, gets, cpu, ctx.rss ? { before: rssBefore, after: rssBytes(ctx.pid) } : undefined);
}

/**
 * (2): the bridge stops answering. Warm-up, unmeasured: one read per instance waits for the 10 s
 * GET timeout, the first timeout opens the breaker; from then on reads answer at once.
 */
async function hangScenario(server: Server, bridge: FakeBridgeProcess, token: string, options: Options) {
  await bridge.behave({ op: 'get', behaviour: { kind: 'hang' } });
  const warmStarted = Date.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => call(`${server.url}/api/chatwoot/list/${instanceName(i)}`, 'GET', token)));
  const warmupS = (Date.now() - warmStarted) / 1000;
  const durationS = Math.min(DURATION, HANG_MAX_DURATION);
  const measured = await scenario('(2) list, bridge hangs', options, { bridge, pid: server.child.pid!, rss: true, warmupS: 0, durationS });
  return { measured, warmupS, durationS };
}

/**
 * (2c): a fresh server (no breaker open, no read known to be slow) warms up against a live bridge;
 * then the bridge stops answering and the load goes on at once, measured from that first second
 * for 15 s: the first reads meet the hang with nothing but SPEC §7's 300 ms deadline between them
 * and the 10 s GET timeout (before it, p99 was 9.8 s). Stopped afterwards; the bridge answers again.
 */
async function coldHangScenario(serverEnv: Record<string, string>, bridge: FakeBridgeProcess, options: (url: string) => Options): Promise<Measured> {
  const cold = await startServer(serverEnv);
  try {
    await load({ ...options(cold.url), duration: WARMUP });
    await bridge.behave({ op: 'get', behaviour: { kind: 'hang' } });
    return await scenario(COLD_HANG, options(cold.url), { bridge, pid: cold.child.pid!, rss: true, warmupS: 0, durationS: COLD_HANG_DURATION });
  } finally {
    await stopServer(cold);
    await bridge.behave({ op: 'get', behaviour: { kind: 'ok' } });
  }
}

/**
 * (5) and (6): a server of their own, whose WHATSAPP_CLOUD_API_URL is the Graph API double in a
 * process of its own; both stopped afterwards.
 */
async function whatsappScenarios(serverEnv: Record<string, string>, adminToken: string): Promise<WhatsAppResult> {
  const graph = await GraphDoubleProcess.start(DIST);
  try {
    const server = await startServer({ ...serverEnv, WHATSAPP_CLOUD_API_URL: graph.url });
    try {
      return await runWhatsApp({
        serverUrl: server.url,
        serverPid: server.child.pid!,
        adminToken,
        graph,
        warmupS: WARMUP,
        cpuMs,
        rssBytes,
        log: (line) => process.stdout.write(`${line}\n`),
      });
    } finally {
      await stopServer(server);
    }
  } finally {
    graph.stop();
  }
}

/**
 * (7)–(10): a server of their own with its embedded bridge, on a fresh database of its own; the
 * Graph API double and the Chatwoot double in processes of their own; all stopped afterwards.
 */
async function routingScenarios(serverEnv: Record<string, string>, adminToken: string): Promise<RoutingResult> {
  const dbName = `bench_routing_${randomBytes(6).toString('hex')}`;
  const dataDir = mkdtempSync(join(os.tmpdir(), 'ryze-bench-routing-'));
  await adminQuery(`CREATE DATABASE "${dbName}"`);
  try {
    const graph = await GraphDoubleProcess.start(DIST);
    try {
      const chatwoot = await ChatwootProcess.start(DIST);
      try {
        const { BRIDGE_URL: _bridgeUrl, BRIDGE_TOKEN: _bridgeToken, ...env } = serverEnv;
        const databaseUrl = Object.assign(new URL(ADMIN_DATABASE_URL), { pathname: `/${dbName}` }).toString();
        const server = await startServer({
          ...env,
          ROLES: 'api,bridge',
          // The Chatwoot double listens on loopback, which the default address policy refuses.
          CHATWOOT_ALLOWED_HOSTS: '127.0.0.1',
          DATA_DIR: dataDir,
          DATABASE_URL: databaseUrl,
          WHATSAPP_CLOUD_API_URL: graph.url,
          BRIDGE_PUBLIC_URL: PUBLIC_ORIGIN,
          BRIDGE_HEALTH_INTERVAL_SECONDS: '0',
        });
        try {
          return await runRouting({
            dist: DIST,
            serverUrl: server.url,
            serverPid: server.child.pid!,
            adminToken,
            graph,
            chatwoot,
            warmupS: WARMUP,
            databaseUrl,
            cpuMs,
            rssBytes,
            log: (line) => process.stdout.write(`${line}\n`),
          });
        } finally {
          await stopServer(server);
        }
      } finally {
        chatwoot.stop();
      }
    } finally {
      graph.stop();
    }
  } finally {
    await adminQuery(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** (11)–(13): servers, doubles and databases of their own (bench/capacity.ts), all stopped afterwards. */
function capacityScenarios(serverEnv: Record<string, string>, adminToken: string): Promise<CapacityResult> {
  // Each server of these scenarios is given its own bridge, or none.
  const { BRIDGE_URL: _bridgeUrl, BRIDGE_TOKEN: _bridgeToken, ...env } = serverEnv;
  return runCapacity({
    dist: DIST,
    root: join(BENCH_DIR, '..'),
    adminDatabaseUrl: ADMIN_DATABASE_URL,
    serverEnv: env,
    adminToken,
    freePort,
    startServer,
    stopServer,
    collectGarbage,
    adminQuery,
    rssBytes,
    cpuMs,
    log: (line) => process.stdout.write(`${line}\n`),
  });
}

/** The capacity section of bench/LATEST.md: its own heading, machine and run, as a BENCH_ONLY=capacity run replaces it alone. */
const CAPACITY_HEADING = '## Capacity';

function capacitySection(capacity: CapacityResult, host: ReturnType<typeof machine>, started: Date, loadBefore: number[]): string {
  return [
    `${CAPACITY_HEADING} (\`BENCH_ONLY=capacity\`, also part of a full run)`,
    '',
    `Machine: ${host.nproc} CPUs (${host.cpu}), ${host.memoryGiB} GiB RAM, Node ${host.node}, PostgreSQL on 127.0.0.1; load average before ${loadBefore.join(' ')}, after ${loadavg().join(' ')}.`,
    `Run: ${started.toISOString()}, server LOG_LEVEL=${LOG_LEVEL}.`,
    '',
    capacityTable(capacity),
    '',
    ...capacityNotes(capacity),
    '',
    '| goal | measured | met |',
    '| --- | --- | --- |',
    ...capacity.goals.map((g) => `| ${g.goal} | ${g.value} | ${g.met ? 'yes' : 'no'} |`),
  ].join('\n');
}

/** A capacity-only run: its section of bench/LATEST.md and its key of bench/results.json replaced, the rest kept. */
function writeCapacityOnly(section: string, json: object): void {
  const latestPath = join(BENCH_DIR, 'LATEST.md');
  const latest = existsSync(latestPath) ? readFileSync(latestPath, 'utf8') : '# Latest benchmark (`npm run bench`)\n';
  const cut = latest.indexOf(`\n${CAPACITY_HEADING}`);
  writeFileSync(latestPath, `${(cut >= 0 ? latest.slice(0, cut) : latest).trimEnd()}\n\n${section}\n`);
  const resultsPath = join(BENCH_DIR, 'results.json');
  const results = existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as Record<string, unknown>) : {};
  writeFileSync(resultsPath, `${JSON.stringify({ ...results, capacity: json }, null, 2)}\n`);
}

/** The scale scenario: its own fleet and private PostgreSQL (bench/scale.ts), the doubles in processes of their own. */
async function scaleScenario(): Promise<ScaleResult> {
  const graph = await GraphDoubleProcess.start(DIST);
  try {
    const chatwoot = await ChatwootProcess.start(DIST);
    try {
      return await runScale({ dist: DIST, graph, chatwoot, warmupS: WARMUP, log: (line) => process.stdout.write(`${line}\n`) });
    } finally {
      chatwoot.stop();
    }
  } finally {
    graph.stop();
  }
}

const goalLines = (goals: Array<{ goal: string; value: string; met: boolean }>) => goals.map((g) => `${g.met ? 'met    ' : 'NOT met'} ${g.goal}: ${g.value}`).join('\n');

// ---- report -------------------------------------------------------------------------------------

function table(rows: Measured[]): string {
  const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'non-2xx/err/timeout', 'bridge GETs', 'CPU ms/req', 'server RSS MiB'];
  const lines = rows.map((r) => [
    r.scenario,
    String(r.requestsPerSecond),
    String(r.latencyMs.p50),
    String(r.latencyMs.p99),
    String(r.latencyMs.max),
    `${r.non2xx}/${r.errors}/${r.timeouts}`,
    String(r.bridgeGets),
    String(r.cpuMsPerRequest),
    r.serverRssMiB ? `${r.serverRssMiB.before} → ${r.serverRssMiB.after}` : '—',
  ]);
  return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

// ---- main ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = new Date();
  const host = machine();
  const loadBefore = loadavg();
  const machineBefore = cpuTimes();
  console.log(`machine: ${host.nproc} CPUs (${host.cpu}), ${host.memoryGiB} GiB, Node ${host.node}; load average ${loadBefore.join(' ')}`);
  if (ONLY === 'scale') {
    // Its own fleet and database: neither the shared PostgreSQL nor the fake bridge is needed.
    const scale = await scaleScenario();
    console.log(`\n${scaleTable(scale)}\n\n${scaleNotes(scale).join('\n')}\n`);
    return;
  }
  console.log(`settings: ${CONNECTIONS} connections, ${DURATION} s per scenario after ${WARMUP} s of warm-up, ${ROUNDS} paired rounds of (1) and (4), ${RSS_REQUESTS} requests in the RSS phase, server LOG_LEVEL=${LOG_LEVEL}`);

  const dbName = `bench_${randomBytes(6).toString('hex')}`;
  const databaseUrl = Object.assign(new URL(ADMIN_DATABASE_URL), { pathname: `/${dbName}` }).toString();
  const dataDir = mkdtempSync(join(os.tmpdir(), 'ryze-bench-'));
  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    await adminQuery(`CREATE DATABASE "${dbName}"`);
    cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));

    const bridge = await FakeBridgeProcess.start();
    cleanups.push(() => bridge.stop());
    const adminToken = randomBytes(24).toString('base64url');
    const serverEnv = {
      DATA_DIR: dataDir,
      ROLES: 'api',
      DATABASE_URL: databaseUrl,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ADMIN_TOKEN: adminToken,
      BRIDGE_URL: bridge.url,
      BRIDGE_TOKEN: bridge.token,
      RATE_LIMIT_PER_MINUTE: '10000000',
      RATE_LIMIT_CREATE_PER_MINUTE: '10000000',
      LOG_LEVEL,
    };
    if (ONLY === 'wa') {
      const wa = await whatsappScenarios(serverEnv, adminToken);
      console.log(`\n${whatsappTable(wa)}\n\n${whatsappNotes(wa).join('\n')}\n\n${goalLines(wa.goals)}\n`);
      return;
    }
    if (ONLY === 'routing') {
      const routing = await routingScenarios(serverEnv, adminToken);
      console.log(`\n${routingTable(routing)}\n\n${routingNotes(routing).join('\n')}\n\n${goalLines(routing.goals)}\n`);
      return;
    }
    if (ONLY === 'capacity') {
      const capacity = await capacityScenarios(serverEnv, adminToken);
      const section = capacitySection(capacity, host, started, loadBefore);
      console.log(`\n${section}\n`);
      writeCapacityOnly(section, { started: started.toISOString(), machine: host, ...capacity });
      console.log('wrote the capacity section of bench/LATEST.md and the capacity key of bench/results.json');
      return;
    }
    const server = await startServer(serverEnv);
    cleanups.push(() => stopServer(server));
    const serverPid = server.child.pid!;
    // The same server with its token cache off (README "Token cache"): it reads every token from the
    // database, as the baseline does. Idle until its scenario.
    const uncached = await startServer({ ...serverEnv, AUTH_CACHE_TTL_SECONDS: '0' });
    cleanups.push(() => stopServer(uncached));
    const baseline = await startBaseline({ DATABASE_URL: databaseUrl, BRIDGE_URL: bridge.url, BRIDGE_TOKEN: bridge.token, PORT: String(await freePort()) });
    cleanups.push(() => void (baseline.child.connected && baseline.child.disconnect()));

    console.log(`seeding: 1 account, ${CONNECTIONS} instances with an integration…`);
    const token = await seed(server, adminToken);
    const sample = instanceName(0);
    const [fromServer, fromBaseline] = await Promise.all([
      call(`${server.url}/api/chatwoot/list/${sample}`, 'GET', token),
      call(`${baseline.url}/api/chatwoot/list/${sample}`, 'GET', token),
    ]);
    const same = JSON.stringify(fromServer) === JSON.stringify(fromBaseline);
    console.log(`baseline answers byte-identically to the server: ${same ? 'yes' : `NO\n  server:   ${JSON.stringify(fromServer)}\n  baseline: ${JSON.stringify(fromBaseline)}`}`);
    const rssAtStart = rssBytes(serverPid);

    const list = (url: string): Options => ({
      url,
      connections: CONNECTIONS,
      setupClient: perConnection((instance) => ({ method: 'GET', path: `/api/chatwoot/list/${instance}`, headers: { token } })),
    });
    const set: Options = {
      url: server.url,
      connections: CONNECTIONS,
      setupClient: perConnection((instance) => ({
        method: 'POST',
        path: `/api/chatwoot/set/${instance}`,
        headers: { token, 'content-type': 'application/json' },
        body: JSON.stringify(setBody(instance)),
      })),
    };
    if (ONLY) {
      // One scenario alone (e.g. under BENCH_SERVER_NODE_OPTIONS=--cpu-prof); nothing is written.
      const only = ONLY === '2' ? (await hangScenario(server, bridge, token, list(server.url))).measured
        : ONLY === '2-cold' ? await coldHangScenario(serverEnv, bridge, list)
        : ONLY === '1' ? await scenario('(1) list, live bridge', list(server.url), { bridge, pid: serverPid, rss: true })
        : ONLY === '1-nocache' ? await scenario(UNCACHED, list(uncached.url), { bridge, pid: uncached.child.pid!, rss: true })
        : ONLY === '3' ? await scenario('(3) set (update)', set, { bridge, pid: serverPid, rss: true })
          : await scenario('(4) baseline node:http + pg', list(baseline.url), { bridge, pid: baseline.child.pid!, rss: false });
      console.log(`\n${table([only])}\n`);
      return;
    }
    const results: Measured[] = [];
    console.log('scenarios:');
    const rounds: Array<{ one: Measured; base: Measured }> = [];
    for (let r = 1; r <= ROUNDS; r++) {
      const tag = ROUNDS > 1 ? ` [round ${r}]` : '';
      const one = () => scenario(`(1) list, live bridge${tag}`, list(server.url), { bridge, pid: serverPid, rss: true });
      const base = () => scenario(`(4) baseline node:http + pg${tag}`, list(baseline.url), { bridge, pid: baseline.child.pid!, rss: false });
      // Alternate the order, so that a machine speeding up or slowing down weighs on both alike.
      if (r % 2 === 1) {
        const measuredOne = await one();
        rounds.push({ one: measuredOne, base: await base() });
      } else {
        const measuredBase = await base();
        rounds.push({ one: await one(), base: measuredBase });
      }
    }
    results.push(...rounds.map((r) => r.one), ...rounds.map((r) => r.base));
    const lastBase = rounds[rounds.length - 1].base;
    results.push(await scenario(UNCACHED, list(uncached.url), { bridge, pid: uncached.child.pid!, rss: true }));
    await stopServer(uncached);
    results.push(await scenario('(3) set (update)', set, { bridge, pid: serverPid, rss: true }));

    console.log(`  RSS phase: ${RSS_REQUESTS} requests on (1)…`);
    await collectGarbage(server);
    const rssBefore = rssBytes(serverPid);
    const getsBefore = await bridge.gets();
    const cpuBefore = cpuMs(serverPid);
    const samples = [rssBefore];
    const sampler = setInterval(() => samples.push(rssBytes(serverPid)), RSS_SAMPLE_MS);
    const long = await load({ ...list(server.url), amount: RSS_REQUESTS });
    clearInterval(sampler);
    const rssAtEnd = rssBytes(serverPid);
    samples.push(rssAtEnd);
    await collectGarbage(server);
    const rssPhase = summarise(`(1) list, ${RSS_REQUESTS} requests`, long, (await bridge.gets()) - getsBefore, cpuMs(serverPid) - cpuBefore, {
      before: rssBefore,
      after: rssBytes(serverPid),
    });
    const mib = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;
    const rssRange = { minMiB: mib(Math.min(...samples)), maxMiB: mib(Math.max(...samples)), atEndMiB: mib(rssAtEnd) };

    const coldHang = await coldHangScenario(serverEnv, bridge, list);
    const hang = await hangScenario(server, bridge, token, list(server.url));
    results.splice(rounds.length, 0, hang.measured, coldHang);
    const { warmupS, durationS: hangDuration } = hang;
    const breakerOpened = server.breakerOpened;

    // (5) and (6) on a server of their own: the first one is done (and the bridge answers again).
    await stopServer(server);
    await bridge.behave({ op: 'get', behaviour: { kind: 'ok' } });
    const wa = await whatsappScenarios(serverEnv, adminToken);
    const routing = await routingScenarios(serverEnv, adminToken);
    const scale = await scaleScenario();
    const capacityStarted = new Date();
    const capacityLoad = loadavg();
    const capacity = await capacityScenarios(serverEnv, adminToken);

    const loadAfter = loadavg();
    const steal = stealPercent(machineBefore, cpuTimes());
    const compare = (a: Measured, b: Measured) => ({
      requestsPerSecond: Math.round((a.requestsPerSecond / b.requestsPerSecond) * 100) / 100,
      p99: Math.round((a.latencyMs.p99 / b.latencyMs.p99) * 100) / 100,
    });
    const roundRatios = rounds.map((r) => compare(r.one, r.base));
    const ratio = {
      requestsPerSecond: median(roundRatios.map((r) => r.requestsPerSecond)),
      p99: median(roundRatios.map((r) => r.p99)),
    };
    // The server with its cache off is measured once, right after the last round's baseline.
    const ratioUncached = compare(results.find((r) => r.scenario === UNCACHED)!, lastBase);
    const perRound = (key: 'requestsPerSecond' | 'p99') => roundRatios.map((r) => `${r[key]}×`).join(', ');
    const rssGrowthMiB = Math.round(((rssPhase.serverRssMiB!.after - rssPhase.serverRssMiB!.before) * 10)) / 10;
    const goals = [
      { goal: '(1) req/s ≥ 0.5 × baseline', value: `${ratio.requestsPerSecond}× (median of ${perRound('requestsPerSecond')})`, met: ratio.requestsPerSecond >= 0.5 },
      { goal: '(1) p99 ≤ 1.5 × baseline p99', value: `${ratio.p99}× (median of ${perRound('p99')})`, met: ratio.p99 <= 1.5 },
      { goal: '(2) p99 ≤ 50 ms with the bridge hanging', value: `${hang.measured.latencyMs.p99} ms`, met: hang.measured.latencyMs.p99 <= 50 },
      {
        goal: '(2c) p99 ≤ 50 ms and no request over 1 s from the first second of a hang',
        value: `p99 ${coldHang.latencyMs.p99} ms, max ${coldHang.latencyMs.max} ms`,
        met: coldHang.latencyMs.p99 <= 50 && coldHang.latencyMs.max <= 1_000 && coldHang.timeouts === 0,
      },
      { goal: `RSS growth ≤ 50 MiB over ${RSS_REQUESTS} requests`, value: `${rssGrowthMiB} MiB`, met: rssGrowthMiB <= 50 },
      ...wa.goals,
      ...routing.goals,
    ];

    const hostLine = `${host.nproc} CPUs (${host.cpu}), ${host.memoryGiB} GiB RAM, Node ${host.node}, PostgreSQL on 127.0.0.1; load average before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')}; CPU time stolen by other guests during the run: ${steal} %`;
    const report = [
      `Machine: ${hostLine}.`,
      `Run: ${started.toISOString()}, server LOG_LEVEL=${LOG_LEVEL}, ${CONNECTIONS} connections, ${DURATION} s per scenario after ${WARMUP} s of warm-up ((2): ${hangDuration} s after a ${warmupS.toFixed(1)} s warm-up in which the breaker opened${breakerOpened ? '' : ' — NO breaker log line seen'}; (2c): ${COLD_HANG_DURATION} s from the hang's first second, on a fresh server warmed up ${WARMUP} s against the live bridge).`,
      '',
      table([...results, rssPhase]),
      '',
      `(1) / (4) over ${rounds.length} paired round${rounds.length > 1 ? 's' : ''}: ${perRound('requestsPerSecond')} the requests/s (median ${ratio.requestsPerSecond}×), ${perRound('p99')} the p99 (median ${ratio.p99}×); token cache off, against the last round's baseline: ${ratioUncached.requestsPerSecond}× and ${ratioUncached.p99}×.`,
      `Server RSS: ${Math.round((rssAtStart / MiB) * 10) / 10} MiB after seeding; ${rssPhase.serverRssMiB!.before} → ${rssPhase.serverRssMiB!.after} MiB over the ${RSS_REQUESTS}-request phase, each after a full garbage collection (${signed(rssGrowthMiB)} MiB); during it, sampled every ${RSS_SAMPLE_MS} ms, ${rssRange.minMiB}–${rssRange.maxMiB} MiB, and ${rssRange.atEndMiB} MiB as the last request was answered.`,
      '',
      whatsappTable(wa),
      '',
      ...whatsappNotes(wa),
      '',
      routingTable(routing),
      '',
      ...routingNotes(routing),
      '',
      scaleTable(scale),
      '',
      ...scaleNotes(scale),
      '',
      '| goal | measured | met |',
      '| --- | --- | --- |',
      ...goals.map((g) => `| ${g.goal} | ${g.value} | ${g.met ? 'yes' : 'no'} |`),
      '',
      capacitySection(capacity, host, capacityStarted, capacityLoad),
    ].join('\n');

    console.log(`\n${report}\n`);
    writeFileSync(
      join(BENCH_DIR, 'results.json'),
      `${JSON.stringify({ started: started.toISOString(), machine: host, loadAverage: { before: loadBefore, after: loadAfter }, stealPercent: steal, settings: { logLevel: LOG_LEVEL, connections: CONNECTIONS, durationS: DURATION, warmupS: WARMUP, rounds: ROUNDS, rssRequests: RSS_REQUESTS, hangWarmupS: warmupS, hangDurationS: hangDuration }, baselineIdentical: same, breakerOpened, results, rssPhase, rssRange, roundRatios, ratio, ratioUncached, rssGrowthMiB, whatsapp: wa, routing, scale, goals, capacity: { started: capacityStarted.toISOString(), machine: host, ...capacity } }, null, 2)}\n`,
    );
    writeFileSync(
      join(BENCH_DIR, 'LATEST.md'),
      `# Latest benchmark (\`npm run bench\`)\n\nWritten by bench/run.ts; the raw figures are in bench/results.json (not committed).\n\n${report}\n`,
    );
    console.log('wrote bench/results.json and bench/LATEST.md');
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        console.error(`cleanup: ${(err as Error).message}`);
      }
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
