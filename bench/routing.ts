/**
 * The routing scenarios of `npm run bench` (SPEC-MESSAGING §11, docs/routing.md): WhatsApp →
 * Chatwoot and back, through the server's embedded bridge. bench/run.ts runs them on a server of
 * their own (ROLES=api,bridge, a fresh database, WHATSAPP_CLOUD_API_URL = the Graph API double,
 * BRIDGE_PUBLIC_URL = PUBLIC_ORIGIN), with the Graph API double (bench/graph-api-process.ts) and
 * the Chatwoot double (bench/chatwoot-process.ts) each in a process of its own; this file sets
 * them up through the API, starts the baseline (bench/forwarder-baseline.ts) and measures.
 * Figures only: nothing here asserts a timing.
 *
 * Setup: one account, BENCH_ROUTING_INSTANCES Cloud API instances (10), each connected and with an
 * active integration (`POST /api/chatwoot/set`) in an inbox of its own of one Chatwoot account;
 * BENCH_ROUTING_CUSTOMERS customer numbers (100), customer c writing to instance c mod 10. Chatwoot's
 * webhooks to BRIDGE_PUBLIC_URL are routed by the double to the server. Warm-up, unmeasured: one
 * message per customer (the bridge creates the contacts and conversations), then BENCH_WARMUP
 * seconds at the latency rate.
 *
 * Inbound: Meta's signed webhooks of one text each (bench/load.ts, as bench/whatsapp.ts sends
 * them), round-robin over the customers, open-loop; each measured from the moment its webhook was
 * sent to the moment the Chatwoot double created its message (the double's clock and ours are the
 * same high-resolution epoch clock; the skew is measured and printed). Messages are matched by
 * source_id `WAID:<wamid>`: one never created is lost, one created twice a duplicate.
 *   7. latency at BENCH_ROUTING_LATENCY_RATE (100/s) for the measured duration;
 *   8. sustained: BENCH_ROUTING_RATE (300/s) for the measured duration. Created/s is the rate
 *      between the first and the last message created; it kept up when nothing was lost and the last
 *      message was created at most KEPT_UP_MS after the last webhook was sent;
 *   9. maximum: a burst of BENCH_ROUTING_MAX_MESSAGES (5000) webhooks offered at
 *      BENCH_ROUTING_MAX_RATE (1000/s), more than the server keeps up with: created/s is the rate it
 *      routes the burst at, taking the webhooks in meanwhile; how many were created while the burst
 *      was being sent, and the rate after it, are printed too. The baseline comes close to 1000/s,
 *      where the Chatwoot double's single thread runs out.
 * Each one first for the server, then for the baseline: a bare node:http forwarder that checks the
 * signature and posts one message per WhatsApp message to conversations created beforehand (its own
 * inboxes, without webhooks). The server's figures include what Chatwoot sends back: a
 * `message_created` webhook per message, which the bridge receives and ignores (the double
 * delivers them one at a time, as the phase goes; a phase ends once they are all delivered).
 *
 * Outbound:
 *  10. agents' replies created in the Chatwoot double (`agentReply`) in the customers'
 *      conversations, open-loop at BENCH_ROUTING_REPLY_RATE (50/s): from the moment a reply was
 *      created to the moment the Graph API double received its send (matched by text); lost and
 *      duplicated sends; Chatwoot messages posted back (the bridge's own echo) are counted too.
 *
 * CPU ms/msg: the process under test's CPU time (server or forwarder) from the start of the
 * phase until its last message was created and Chatwoot's webhooks were delivered, per message
 * offered; the doubles' and the load generator's are given apart.
 *
 * Environment (all optional): BENCH_ROUTING_DURATION (measured seconds of (7), (8), (10); default
 * BENCH_DURATION when that is set, else 20), BENCH_ROUTING_RATE (300), BENCH_ROUTING_LATENCY_RATE
 * (100), BENCH_ROUTING_MAX_RATE (1000), BENCH_ROUTING_MAX_MESSAGES (5000), BENCH_ROUTING_REPLY_RATE
 * (50), BENCH_ROUTING_INSTANCES (10), BENCH_ROUTING_CUSTOMERS (100), BENCH_ROUTING_GRACE (seconds to
 * wait for late messages after the last one was sent, 30). Chatwoot refuses a conversation's 200th
 * message within a minute (CONTRACT §15): the defaults stay far below it; a long duration at a high
 * rate over few customers does not (the run says so).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Pool } from 'undici';
import { wamid } from '../test/fakes/graph-api.js';
import type { ChatwootAnswer, ChatwootCommand, CreatedMessage } from './chatwoot-process.js';
import type { ForwarderConfig, ForwarderMessage } from './forwarder-baseline.js';
import {
  call, cloudInstances, latency, mib, num, openLoop, round, sentRateOf, signedTextWebhook, sleep, until, WEBHOOK_PATH,
  type CloudInstance, type Latency,
} from './load.js';
import type { GraphDoubleProcess } from './whatsapp.js';

// ---- configuration ------------------------------------------------------------------------------

const DURATION = num('BENCH_ROUTING_DURATION', process.env.BENCH_DURATION ? num('BENCH_DURATION', 20) : 20);
const RATE = num('BENCH_ROUTING_RATE', 300);
const LATENCY_RATE = num('BENCH_ROUTING_LATENCY_RATE', 100);
const MAX_RATE = num('BENCH_ROUTING_MAX_RATE', 1000);
const MAX_MESSAGES = Math.round(num('BENCH_ROUTING_MAX_MESSAGES', 5000));
const REPLY_RATE = num('BENCH_ROUTING_REPLY_RATE', 50);
const INSTANCES = Math.round(num('BENCH_ROUTING_INSTANCES', 10));
const CUSTOMERS = Math.round(num('BENCH_ROUTING_CUSTOMERS', 100));
const GRACE_S = num('BENCH_ROUTING_GRACE', 30);
/** Connections of the load generator to the server or the forwarder (an open loop needs room for a backlog). */
const CONNECTIONS = 128;
/** Kept up: the last message created at most this long after the last webhook was sent, and at this share of the rate sent at least. */
const KEPT_UP_MS = 1_000;
const KEPT_UP_RATE = 0.95;
/** The Chatwoot account of the run. */
const ACCOUNT_ID = 1;
/** BRIDGE_PUBLIC_URL of the server: the Chatwoot double sends this origin's webhooks to the server. */
export const PUBLIC_ORIGIN = 'http://bridge.bench';

const clock = () => performance.timeOrigin + performance.now();

/**
 * Arrivals per second between the first and the last arrival: for a phase that kept up, the rate
 * offered; for one that did not, the rate its backlog was worked off at (a burst's ingestion
 * included: the server takes the webhooks in while it routes).
 */
function arrivalRate(times: number[]): number {
  if (times.length < 2) return 0;
  let first = Infinity;
  let last = -Infinity;
  for (const t of times) {
    first = Math.min(first, t);
    last = Math.max(last, t);
  }
  return round((times.length - 1) / ((last - first) / 1000), 0);
}

/** How many had arrived when the last one was sent, and the rate of the arrivals after that. */
function afterSending(times: number[], lastSentAt: number): { arrivedWhileSending: number; afterSendingPerSecond: number } {
  const after = times.filter((t) => t > lastSentAt);
  const last = after.length ? Math.max(...after) : lastSentAt;
  return {
    arrivedWhileSending: times.length - after.length,
    afterSendingPerSecond: after.length > 1 && last - lastSentAt >= 500 ? round(after.length / ((last - lastSentAt) / 1000), 0) : NaN,
  };
}

// ---- the machine ----------------------------------------------------------------------------------

/** CPU time (user + system, ms) of a process, 0 once it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/**
 * The PostgreSQL processes that work for the run: the backends of its database and the server's
 * own background processes (pg_stat_activity), not other databases' backends nor other clusters.
 */
export class PostgresCpu {
  private constructor(private readonly client: pg.Client | null, private readonly database: string) {}

  static async open(databaseUrl: string | undefined): Promise<PostgresCpu> {
    if (!databaseUrl) return new PostgresCpu(null, '');
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    return new PostgresCpu(client, new URL(databaseUrl).pathname.slice(1));
  }

  /** pid → CPU ms so far. */
  async sample(): Promise<Map<number, number>> {
    if (!this.client) return new Map();
    const { rows } = await this.client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = $1 OR (datname IS NULL AND backend_type <> 'client backend')`,
      [this.database],
    );
    return new Map(rows.map((r) => [r.pid, processCpuMs(r.pid)]));
  }

  /** CPU ms between two samples (a process started meanwhile counts whole; one gone meanwhile, not at all). */
  static between(before: Map<number, number>, after: Map<number, number>): number {
    let total = 0;
    for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
    return total;
  }

  get known(): boolean {
    return this.client !== null;
  }

  async close(): Promise<void> {
    await this.client?.end();
  }
}

/** The machine's busy CPU time so far (ms, all CPUs; steal not counted), and the wall clock. */
function machineBusy(): { busyMs: number; at: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  // user nice system idle iowait irq softirq steal
  return { busyMs: (f[0] + f[1] + f[2] + f[5] + f[6]) * 10, at: clock() };
}

export interface Meter {
  stop(): Promise<{ postgresMs: number; busyPercent: number; busyMs: number }>;
}

/** The database's CPU and the whole machine's busy share (percent of all its CPUs) over a phase. */
export async function meter(postgres: PostgresCpu): Promise<Meter> {
  const pgBefore = await postgres.sample();
  const m = machineBusy();
  return {
    async stop() {
      const now = machineBusy();
      const busyMs = now.busyMs - m.busyMs;
      const postgresMs = postgres.known ? PostgresCpu.between(pgBefore, await postgres.sample()) : NaN;
      return { postgresMs, busyMs, busyPercent: round((busyMs / ((now.at - m.at) * os.availableParallelism())) * 100, 0) };
    },
  };
}

// ---- the Chatwoot double's process and the forwarder --------------------------------------------

type Command = ChatwootCommand extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never;

export class ChatwootProcess {
  private next = 1;
  private readonly waiting = new Map<number, (answer: ChatwootAnswer) => void>();

  private constructor(
    readonly child: ChildProcess,
    /** The double's base URL (chatwootBaseUrl). */
    readonly url: string,
  ) {
    child.on('message', (answer: ChatwootAnswer) => {
      const resolve = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      resolve?.(answer);
    });
  }

  static async start(dist: string): Promise<ChatwootProcess> {
    const child = fork(join(dist, 'bench', 'chatwoot-process.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = await new Promise<Extract<ChatwootAnswer, { type: 'ready' }>>((resolve, reject) => {
      child.once('message', (m: ChatwootAnswer) => (m.type === 'ready' ? resolve(m) : reject(new Error('unexpected message'))));
      child.once('exit', (code) => reject(new Error(`Chatwoot double exited (${code})`)));
    });
    return new ChatwootProcess(child, ready.url);
  }

  private async ask<T extends ChatwootAnswer['type']>(command: Command, type: T): Promise<Extract<ChatwootAnswer, { type: T }>> {
    const id = this.next++;
    const answer = await new Promise<ChatwootAnswer>((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ ...command, id });
    });
    if (answer.type === 'error') throw new Error(`Chatwoot double: ${answer.message}`);
    if (answer.type !== type) throw new Error(`Chatwoot double: ${answer.type} instead of ${type}`);
    return answer as Extract<ChatwootAnswer, { type: T }>;
  }

  async setup(accountId: number, agentName: string): Promise<string> {
    return (await this.ask({ cmd: 'setup', accountId, agentName }, 'setup')).token;
  }

  async route(publicOrigin: string, actualOrigin: string): Promise<void> {
    await this.ask({ cmd: 'route', publicOrigin, actualOrigin }, 'ok');
  }

  async inboxes(): Promise<Array<{ id: number; name: string }>> {
    return (await this.ask({ cmd: 'inboxes' }, 'inboxes')).inboxes;
  }

  async addInboxes(names: string[]): Promise<Array<{ id: number; name: string }>> {
    return (await this.ask({ cmd: 'addInboxes', names }, 'inboxes')).inboxes;
  }

  async conversations(): Promise<Array<{ id: number; inboxId: number; contactId: number }>> {
    return (await this.ask({ cmd: 'conversations' }, 'conversations')).conversations;
  }

  /** An agent's reply: its Chatwoot id and the moment it was created. */
  async reply(conversationId: number, content: string): Promise<{ messageId: number; at: number }> {
    const answer = await this.ask({ cmd: 'reply', conversationId, content }, 'reply');
    return { messageId: answer.messageId, at: answer.at };
  }

  /** Messages with a `WAID:` source_id created since the last call. */
  async created(): Promise<CreatedMessage[]> {
    return (await this.ask({ cmd: 'created' }, 'created')).messages;
  }

  /** Once every webhook generated so far is delivered: the deliveries so far, by outcome, and the messages stored. */
  async settled(): Promise<{ webhooks: Record<string, number>; storedMessages: number }> {
    const { webhooks, storedMessages } = await this.ask({ cmd: 'settled' }, 'settled');
    return { webhooks, storedMessages };
  }

  /** Inbox reads (`GET …/inboxes/{id}`) answered so far: a health check's request. */
  async inboxReads(): Promise<number> {
    return (await this.ask({ cmd: 'counts' }, 'counts')).inboxReads;
  }

  /** The double's clock minus ours, and how precisely that is known (half the round trip). */
  async skew(): Promise<{ skewMs: number; withinMs: number }> {
    let best = { skewMs: NaN, withinMs: Infinity };
    for (let i = 0; i < 5; i++) {
      const before = clock();
      const { at } = await this.ask({ cmd: 'clock' }, 'clock');
      const after = clock();
      if ((after - before) / 2 < best.withinMs) best = { skewMs: round(at - (before + after) / 2, 2), withinMs: round((after - before) / 2, 2) };
    }
    return best;
  }

  stop(): void {
    if (this.child.connected) this.child.disconnect();
  }
}

async function startForwarder(dist: string, config: Omit<ForwarderConfig, 'type'>): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(join(dist, 'bench', 'forwarder-baseline.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise<ForwarderMessage>((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`forwarder exited (${code})`)));
  });
  child.send({ type: 'config', ...config } satisfies ForwarderConfig);
  return { child, url: (await ready).url };
}

// ---- results ------------------------------------------------------------------------------------

export interface RoutingRow {
  scenario: string;
  /** Who routed: the server, or the forwarder baseline. */
  target: 'server' | 'baseline';
  targetRate: number;
  /** Webhooks (or replies) per second the schedule actually sent. */
  sentRate: number;
  /** Messages offered (webhooks, or replies). */
  messages: number;
  /** Created in Chatwoot (inbound), or received by the Graph API double (outbound). */
  arrived: number;
  /** Arrivals per second, between the first and the last one (arrivalRate). */
  arrivedPerSecond: number;
  /** The last arrival after the last send. */
  drainMs: number;
  /** Arrived by the moment the last one was sent; and per second after it (a backlog being worked off, once nothing new comes in). */
  arrivedWhileSending: number;
  afterSendingPerSecond: number;
  keptUp: boolean;
  /** Send → arrival. */
  latencyMs: Latency;
  /** Inbound: the webhook's answer. */
  ackMs?: Latency;
  non200: number;
  errors: number;
  lost: number;
  duplicates: number;
  cpuMsPerMessage: number;
  serverRssMiB?: { before: number; after: number };
  /** The Chatwoot double's CPU per message, the Graph API double's (outbound), the load generator's. */
  chatwootCpuMsPerMessage: number;
  graphCpuMsPerMessage?: number;
  loadGeneratorCpuMsPerMessage: number;
  /** PostgreSQL's CPU per message: the run database's backends and the server's background processes. */
  postgresCpuMsPerMessage: number;
  /** The machine's busy share over the phase, in percent of all its CPUs, and the busy time no process above accounts for. */
  machineBusyPercent: number;
  otherCpuMsPerMessage: number;
  maxScheduleLagMs: number;
  /** How long after the last arrival the Chatwoot double's webhooks of the phase were all delivered. */
  webhooksSettledMs: number;
}

export interface RoutingGoal {
  goal: string;
  value: string;
  met: boolean;
}

export interface RoutingResult {
  settings: {
    instances: number; customers: number; durationS: number; warmupS: number; rate: number; latencyRate: number;
    maxRate: number; maxMessages: number; replyRate: number; graceS: number; connections: number; keptUpMs: number;
  };
  rows: RoutingRow[];
  /** Over every inbound message of the run, warm-ups included. */
  inboundTotals: { messages: number; lost: number; duplicates: number; notOurs: number };
  /** Chatwoot messages with a `WAID:` source_id of an agent's reply's WhatsApp message: the bridge posting its own echo. */
  echoesPosted: number;
  /** server / baseline created per second. */
  ratios: { sustained: number; max: number };
  clock: { skewMs: number; withinMs: number };
  /** The Chatwoot double's webhook deliveries over the run, by outcome ('failed' marks a message failed). */
  webhooks: Record<string, number>;
  /** The doubles' RSS at the end (their records are emptied as they go), and the messages the Chatwoot double still stores. */
  doublesRssMiB: { chatwoot: number; graph: number };
  chatwootStoredMessages: number;
  goals: RoutingGoal[];
}

export interface RoutingContext {
  /** dist/, where the compiled bench/ is. */
  dist: string;
  serverUrl: string;
  serverPid: number;
  adminToken: string;
  graph: GraphDoubleProcess;
  chatwoot: ChatwootProcess;
  warmupS: number;
  /** The server's database: PostgreSQL's CPU is counted for it. */
  databaseUrl?: string;
  /** bench/run.ts's readers of /proc. */
  cpuMs(pid: number): number;
  rssBytes(pid: number): number;
  log(line: string): void;
}

type PhaseContext = RoutingContext & { postgres: PostgresCpu };

// ---- inbound ------------------------------------------------------------------------------------

interface Customer {
  from: string;
  name: string;
  jid: string;
  instance: CloudInstance;
}

interface InboundRecord {
  sentAt: number;
  status?: number;
  ackMs?: number;
  createdAt?: number;
  copies: number;
}

interface Target {
  kind: 'server' | 'baseline';
  url: string;
  pid: number;
}

/** Every inbound message of the run by source_id, and what the Chatwoot double created. */
class Inbound {
  readonly records = new Map<string, InboundRecord>();
  notOurs = 0;
  echoes = 0;

  constructor(private readonly chatwoot: ChatwootProcess) {}

  async collect(): Promise<void> {
    for (const m of await this.chatwoot.created()) {
      const record = this.records.get(m.sourceId);
      if (!record) {
        if (m.messageType === 'outgoing') this.echoes++;
        else this.notOurs++;
        continue;
      }
      record.copies++;
      record.createdAt ??= m.at;
    }
  }
}

interface Phase {
  label: string;
  scenario: string;
  rate: number;
  total: number;
  /** Reported as a row. */
  measured: boolean;
}

async function inboundPhase(ctx: PhaseContext, inbound: Inbound, customers: Customer[], target: Target, phase: Phase): Promise<RoutingRow> {
  const pool = new Pool(target.url, { connections: CONNECTIONS, pipelining: 1, headersTimeout: 120_000, bodyTimeout: 120_000 });
  const mine: InboundRecord[] = [];
  let inFlight = 0;
  const fire = (i: number) => {
    const customer = customers[i % customers.length];
    const id = wamid(customer.from, 'in');
    const { raw, headers } = signedTextWebhook(customer.instance.phone, `${phase.label} ${i}`, { id, from: customer.from, name: customer.name });
    const record: InboundRecord = { sentAt: clock(), copies: 0 };
    inbound.records.set(`WAID:${id}`, record);
    mine.push(record);
    inFlight++;
    pool
      .request({ origin: target.url, path: WEBHOOK_PATH, method: 'POST', headers, body: raw })
      .then(async (res) => {
        await res.body.text();
        record.ackMs = clock() - record.sentAt;
        record.status = res.statusCode;
      })
      .catch(() => void (record.status = 0))
      .finally(() => inFlight--);
  };

  if (phase.measured) ctx.log(`  ${phase.scenario}: ${phase.total} webhooks at ${phase.rate}/s…`);
  const rssBefore = ctx.rssBytes(target.pid);
  const cpuBefore = ctx.cpuMs(target.pid);
  const chatwootCpuBefore = ctx.cpuMs(ctx.chatwoot.child.pid!);
  const graphCpuBefore = ctx.cpuMs(ctx.graph.child.pid!);
  const genBefore = process.cpuUsage();
  const machine = await meter(ctx.postgres);
  try {
    const schedule = await openLoop(phase.total, phase.rate, fire);
    const lastSentAt = performance.timeOrigin + schedule.lastAt;
    const settled = (r: InboundRecord) => r.createdAt !== undefined || (r.status !== undefined && r.status !== 200);
    const deadline = lastSentAt + GRACE_S * 1000;
    for (;;) {
      await inbound.collect();
      if ((inFlight === 0 && mine.every(settled)) || clock() > deadline) break;
      await sleep(50);
    }
    await until(() => inFlight === 0, 60_000);
    await ctx.chatwoot.settled();
    const settledAt = clock();
    await inbound.collect();
    const cpu = ctx.cpuMs(target.pid) - cpuBefore;
    const chatwootCpu = ctx.cpuMs(ctx.chatwoot.child.pid!) - chatwootCpuBefore;
    const graphCpu = ctx.cpuMs(ctx.graph.child.pid!) - graphCpuBefore;
    const gen = process.cpuUsage(genBefore);
    const used = await machine.stop();
    const rssAfter = ctx.rssBytes(target.pid);
    const genMs = (gen.user + gen.system) / 1000;

    const created = mine.filter((r) => r.createdAt !== undefined);
    const times = created.map((r) => r.createdAt!);
    const last = Math.max(...times);
    const lost = mine.filter((r) => r.status === 200 && r.createdAt === undefined).length;
    const duplicates = mine.reduce((n, r) => n + Math.max(0, r.copies - 1), 0);
    const non200 = mine.filter((r) => r.status !== undefined && r.status !== 0 && r.status !== 200).length;
    const errors = mine.filter((r) => r.status === 0).length;
    const drainMs = created.length ? round(last - lastSentAt) : NaN;
    const sentRate = sentRateOf(phase.total, schedule);
    const arrivedPerSecond = arrivalRate(times);
    return {
      scenario: phase.scenario,
      target: target.kind,
      targetRate: phase.rate,
      sentRate,
      messages: phase.total,
      arrived: created.length,
      arrivedPerSecond,
      drainMs,
      ...afterSending(times, lastSentAt),
      keptUp: lost === 0 && non200 + errors === 0 && created.length === phase.total && drainMs <= KEPT_UP_MS && arrivedPerSecond >= KEPT_UP_RATE * sentRate,
      latencyMs: latency(created.map((r) => r.createdAt! - r.sentAt)),
      ackMs: latency(mine.filter((r) => r.ackMs !== undefined).map((r) => r.ackMs!)),
      non200,
      errors,
      lost,
      duplicates,
      cpuMsPerMessage: round(cpu / phase.total, 3),
      serverRssMiB: target.kind === 'server' ? { before: mib(rssBefore), after: mib(rssAfter) } : undefined,
      chatwootCpuMsPerMessage: round(chatwootCpu / phase.total, 3),
      loadGeneratorCpuMsPerMessage: round(genMs / phase.total, 3),
      postgresCpuMsPerMessage: round(used.postgresMs / phase.total, 3),
      machineBusyPercent: used.busyPercent,
      otherCpuMsPerMessage: round((used.busyMs - cpu - chatwootCpu - graphCpu - genMs - (used.postgresMs || 0)) / phase.total, 3),
      maxScheduleLagMs: schedule.maxLagMs,
      webhooksSettledMs: created.length ? round(settledAt - last) : NaN,
    };
  } finally {
    await pool.close();
  }
}

// ---- outbound -----------------------------------------------------------------------------------

interface ReplyRecord {
  createdAt?: number;
  sendAt?: number;
  sends: number;
  failed?: boolean;
}

async function outboundPhase(
  ctx: PhaseContext,
  conversations: Array<{ id: number }>,
  phase: { label: string; scenario: string; rate: number; total: number; measured: boolean },
): Promise<RoutingRow> {
  const records = new Map<string, ReplyRecord>();
  let inFlight = 0;
  const fire = (i: number) => {
    const content = `${phase.label} ${i}`;
    const record: ReplyRecord = { sends: 0 };
    records.set(content, record);
    inFlight++;
    ctx.chatwoot
      .reply(conversations[i % conversations.length].id, content)
      .then((r) => void (record.createdAt = r.at))
      .catch(() => void (record.failed = true))
      .finally(() => inFlight--);
  };
  const take = async () => {
    for (const s of await ctx.graph.takeSent()) {
      const record = s.text === null ? undefined : records.get(s.text);
      if (!record) continue;
      record.sends++;
      record.sendAt ??= s.at;
    }
  };

  if (phase.measured) ctx.log(`  ${phase.scenario}: ${phase.total} replies at ${phase.rate}/s…`);
  await take();
  const rssBefore = ctx.rssBytes(ctx.serverPid);
  const cpuBefore = ctx.cpuMs(ctx.serverPid);
  const chatwootCpuBefore = ctx.cpuMs(ctx.chatwoot.child.pid!);
  const graphCpuBefore = ctx.cpuMs(ctx.graph.child.pid!);
  const genBefore = process.cpuUsage();
  const machine = await meter(ctx.postgres);
  const schedule = await openLoop(phase.total, phase.rate, fire);
  const lastSentAt = performance.timeOrigin + schedule.lastAt;
  await until(() => inFlight === 0, 60_000);
  const all = [...records.values()];
  const deadline = lastSentAt + GRACE_S * 1000;
  for (;;) {
    await take();
    if (all.every((r) => r.failed || r.sendAt !== undefined) || clock() > deadline) break;
    await sleep(50);
  }
  const beforeWebhooks = clock();
  await ctx.chatwoot.settled();
  const settledAt = clock();
  await sleep(300); // a late second send
  await take();
  const cpu = ctx.cpuMs(ctx.serverPid) - cpuBefore;
  const chatwootCpu = ctx.cpuMs(ctx.chatwoot.child.pid!) - chatwootCpuBefore;
  const graphCpu = ctx.cpuMs(ctx.graph.child.pid!) - graphCpuBefore;
  const gen = process.cpuUsage(genBefore);
  const used = await machine.stop();
  const rssAfter = ctx.rssBytes(ctx.serverPid);
  const genMs = (gen.user + gen.system) / 1000;

  const sent = all.filter((r) => r.sendAt !== undefined && r.createdAt !== undefined);
  const times = sent.map((r) => r.sendAt!);
  const last = Math.max(...times);
  const lost = all.filter((r) => !r.failed && r.sendAt === undefined).length;
  const errors = all.filter((r) => r.failed).length;
  const drainMs = sent.length ? round(last - lastSentAt) : NaN;
  const sentRate = sentRateOf(phase.total, schedule);
  const arrivedPerSecond = arrivalRate(times);
  return {
    scenario: phase.scenario,
    target: 'server',
    targetRate: phase.rate,
    sentRate,
    messages: phase.total,
    arrived: sent.length,
    arrivedPerSecond,
    drainMs,
    ...afterSending(times, lastSentAt),
    keptUp: lost === 0 && errors === 0 && drainMs <= KEPT_UP_MS && arrivedPerSecond >= KEPT_UP_RATE * sentRate,
    latencyMs: latency(sent.map((r) => r.sendAt! - r.createdAt!)),
    non200: 0,
    errors,
    lost,
    duplicates: all.reduce((n, r) => n + Math.max(0, r.sends - 1), 0),
    cpuMsPerMessage: round(cpu / phase.total, 3),
    serverRssMiB: { before: mib(rssBefore), after: mib(rssAfter) },
    chatwootCpuMsPerMessage: round(chatwootCpu / phase.total, 3),
    graphCpuMsPerMessage: round(graphCpu / phase.total, 3),
    loadGeneratorCpuMsPerMessage: round(genMs / phase.total, 3),
    postgresCpuMsPerMessage: round(used.postgresMs / phase.total, 3),
    machineBusyPercent: used.busyPercent,
    otherCpuMsPerMessage: round((used.busyMs - cpu - chatwootCpu - graphCpu - genMs - (used.postgresMs || 0)) / phase.total, 3),
    maxScheduleLagMs: schedule.maxLagMs,
    webhooksSettledMs: round(settledAt - beforeWebhooks),
  };
}

// ---- setup --------------------------------------------------------------------------------------

async function setup(ctx: RoutingContext): Promise<{ customers: Customer[]; inboxIds: Set<number>; chatwootToken: string; instances: CloudInstance[] }> {
  const chatwootToken = await ctx.chatwoot.setup(ACCOUNT_ID, 'Ana');
  await ctx.chatwoot.route(PUBLIC_ORIGIN, ctx.serverUrl);
  const phones = await ctx.graph.phones(INSTANCES);
  const { account } = await call(`${ctx.serverUrl}/api/admin/account/new`, 'POST', ctx.adminToken, { name: 'bench-routing' });
  const instances = await cloudInstances(ctx.serverUrl, account.token, phones, 'rt');
  for (const instance of instances) {
    await call(`${ctx.serverUrl}/api/chatwoot/set/${instance.name}`, 'POST', account.token, {
      chatwootBaseUrl: ctx.chatwoot.url,
      chatwootAccountId: ACCOUNT_ID,
      chatwootApiToken: chatwootToken,
      inboxName: `WhatsApp ${instance.name}`,
      signMessages: false,
      reopenResolved: true,
    });
  }
  const names = new Set(instances.map((i) => `WhatsApp ${i.name}`));
  const inboxIds = new Set((await ctx.chatwoot.inboxes()).filter((i) => names.has(i.name)).map((i) => i.id));
  if (inboxIds.size !== instances.length) throw new Error(`${inboxIds.size} inboxes for ${instances.length} integrations`);
  const customers = Array.from({ length: CUSTOMERS }, (_, c): Customer => {
    const from = `55119${String(70_000_000 + c).padStart(8, '0')}`;
    return { from, name: `Cliente ${c}`, jid: `${from}@s.whatsapp.net`, instance: instances[c % instances.length] };
  });
  return { customers, inboxIds, chatwootToken, instances };
}

/** The baseline's own inboxes, contacts and conversations, made through the double's API. */
async function baselineConversations(ctx: RoutingContext, token: string, customers: Customer[], instances: CloudInstance[]): Promise<Record<string, number>> {
  const inboxes = await ctx.chatwoot.addInboxes(instances.map((i) => `Baseline ${i.name}`));
  const inboxOf = new Map(instances.map((instance, i) => [instance.name, inboxes[i].id]));
  const api = async (path: string, body: object) => {
    const res = await fetch(`${ctx.chatwoot.url}/api/v1/accounts/${ACCOUNT_ID}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', api_access_token: token },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`Chatwoot double: POST ${path} -> ${res.status} ${await res.text()}`);
    return (await res.json()) as any;
  };
  const conversations: Record<string, number> = {};
  for (const c of customers) {
    const inboxId = inboxOf.get(c.instance.name)!;
    // Identifiers and phone numbers are unique in an account, and the bridge's contacts have these.
    const contact = await api('/contacts', { inbox_id: inboxId, source_id: c.jid, identifier: `baseline:${c.jid}`, name: c.name });
    const conversation = await api('/conversations', { inbox_id: inboxId, contact_id: contact.payload.contact.id, source_id: c.jid, status: 'open' });
    conversations[`${c.instance.phone.id}:${c.from}`] = conversation.id;
  }
  return conversations;
}

// ---- entry --------------------------------------------------------------------------------------

export async function runRouting(context: RoutingContext): Promise<RoutingResult> {
  const ctx: PhaseContext = { ...context, postgres: await PostgresCpu.open(context.databaseUrl) };
  try {
    return await routing(ctx);
  } finally {
    await ctx.postgres.close();
  }
}

async function routing(ctx: PhaseContext): Promise<RoutingResult> {
  ctx.log(`routing: ${INSTANCES} Cloud API instances with an integration each, ${CUSTOMERS} customers; Chatwoot and Graph API doubles in processes of their own…`);
  const perConversationPerMinute = (RATE * Math.min(DURATION, 60)) / CUSTOMERS + (MAX_MESSAGES / CUSTOMERS) * Math.min(1, 60 / Math.max(1, MAX_MESSAGES / MAX_RATE));
  if (perConversationPerMinute > 150) {
    ctx.log(`  warning: about ${Math.round(perConversationPerMinute)} messages per conversation within a minute; Chatwoot refuses the 200th (CONTRACT §15)`);
  }
  const { customers, inboxIds, chatwootToken, instances } = await setup(ctx);
  const inbound = new Inbound(ctx.chatwoot);
  const server: Target = { kind: 'server', url: ctx.serverUrl, pid: ctx.serverPid };
  const clockSkew = await ctx.chatwoot.skew();

  // Warm-up: each customer's first message (contacts and conversations are created), then the latency rate.
  const first = await inboundPhase(ctx, inbound, customers, server, { label: 'hello', scenario: 'first messages', rate: 50, total: CUSTOMERS, measured: false });
  if (first.arrived !== CUSTOMERS) throw new Error(`routing warm-up: ${first.arrived} of ${CUSTOMERS} first messages reached Chatwoot`);
  await inboundPhase(ctx, inbound, customers, server, { label: 'warm-up', scenario: 'warm-up', rate: LATENCY_RATE, total: Math.round(ctx.warmupS * LATENCY_RATE), measured: false });

  const forwarder = await startForwarder(ctx.dist, {
    chatwootUrl: ctx.chatwoot.url,
    accountId: ACCOUNT_ID,
    apiToken: chatwootToken,
    appSecrets: Object.fromEntries(instances.map((i) => [i.phone.id, i.phone.appSecret])),
    conversations: await baselineConversations(ctx, chatwootToken, customers, instances),
  });
  try {
    const baseline: Target = { kind: 'baseline', url: forwarder.url, pid: forwarder.child.pid! };
    await inboundPhase(ctx, inbound, customers, baseline, { label: 'baseline warm-up', scenario: 'warm-up', rate: LATENCY_RATE, total: Math.round(ctx.warmupS * LATENCY_RATE), measured: false });

    const rows: RoutingRow[] = [];
    const pair = async (phase: Omit<Phase, 'scenario' | 'measured'>, name: string) => {
      for (const target of [server, baseline]) {
        const scenario = `${name}, ${target.kind === 'server' ? 'server' : 'baseline forwarder'}`;
        rows.push(await inboundPhase(ctx, inbound, customers, target, { ...phase, label: `${phase.label} ${target.kind}`, scenario, measured: true }));
        await sleep(500);
      }
    };
    await pair({ label: 'latency', rate: LATENCY_RATE, total: Math.round(DURATION * LATENCY_RATE) }, `(7) WA → Chatwoot at ${LATENCY_RATE}/s`);
    await pair({ label: 'sustained', rate: RATE, total: Math.round(DURATION * RATE) }, `(8) WA → Chatwoot at ${RATE}/s`);
    await pair({ label: 'max', rate: MAX_RATE, total: MAX_MESSAGES }, `(9) WA → Chatwoot, ${MAX_MESSAGES} offered at ${MAX_RATE}/s`);

    // Outbound: agents reply in the server's conversations.
    const conversations = (await ctx.chatwoot.conversations()).filter((c) => inboxIds.has(c.inboxId));
    await ctx.graph.track(true);
    await outboundPhase(ctx, conversations, { label: 'warm-up reply', scenario: 'warm-up', rate: REPLY_RATE, total: Math.round(ctx.warmupS * REPLY_RATE), measured: false });
    await sleep(500);
    rows.push(await outboundPhase(ctx, conversations, {
      label: 'bench reply', scenario: `(10) Chatwoot reply → Graph API send at ${REPLY_RATE}/s`, rate: REPLY_RATE, total: Math.round(DURATION * REPLY_RATE), measured: true,
    }));
    await ctx.graph.track(false);
    const { webhooks, storedMessages } = await ctx.chatwoot.settled();
    await inbound.collect();

    const records = [...inbound.records.values()];
    const inboundTotals = {
      messages: records.length,
      lost: records.filter((r) => r.status === 200 && r.createdAt === undefined).length,
      duplicates: records.reduce((n, r) => n + Math.max(0, r.copies - 1), 0),
      notOurs: inbound.notOurs,
    };
    const find = (prefix: string, kind: Target['kind']) => rows.find((r) => r.scenario.startsWith(prefix) && r.target === kind)!;
    const [lat, sus, max] = ['(7)', '(8)', '(9)'].map((p) => find(p, 'server'));
    const [susBase, maxBase] = ['(8)', '(9)'].map((p) => find(p, 'baseline'));
    const out = rows.find((r) => r.scenario.startsWith('(10)'))!;
    const ratios = {
      sustained: round(sus.arrivedPerSecond / Math.max(1, susBase.arrivedPerSecond), 2),
      max: round(max.arrivedPerSecond / Math.max(1, maxBase.arrivedPerSecond), 2),
    };
    const goals: RoutingGoal[] = [
      {
        goal: `(8) routing sustains ≥ ${RATE} messages/s into Chatwoot`,
        value: `${sus.arrivedPerSecond}/s created (${sus.sentRate}/s sent); last one ${sus.drainMs} ms after the last webhook; ${sus.keptUp ? 'kept up' : 'did NOT keep up'}; (9) drains at ${max.arrivedPerSecond}/s`,
        met: sus.keptUp && sus.arrivedPerSecond >= 0.98 * RATE,
      },
      {
        goal: `(7) webhook sent → Chatwoot message created p99 ≤ 500 ms at ${LATENCY_RATE}/s`,
        value: `${lat.latencyMs.p99} ms (p50 ${lat.latencyMs.p50}, max ${lat.latencyMs.max})`,
        met: lat.latencyMs.p99 <= 500,
      },
      {
        goal: '(7)–(9) no inbound message lost or duplicated (source_id WAID:<wamid>)',
        value: `${inboundTotals.lost} lost, ${inboundTotals.duplicates} duplicated of ${inboundTotals.messages} (warm-ups and baseline included)`,
        met: inboundTotals.lost === 0 && inboundTotals.duplicates === 0 && rows.every((r) => r.non200 + r.errors === 0),
      },
      {
        goal: `(10) reply created → send at the Graph API double p99 ≤ 300 ms at ${REPLY_RATE}/s`,
        value: `${out.latencyMs.p99} ms (p50 ${out.latencyMs.p50}, max ${out.latencyMs.max})`,
        met: out.latencyMs.p99 <= 300,
      },
      {
        goal: '(10) no reply lost or sent twice, no echo posted back',
        value: `${out.lost} lost, ${out.duplicates} sent twice of ${out.messages}; ${inbound.echoes} echoes`,
        met: out.lost === 0 && out.duplicates === 0 && out.errors === 0 && inbound.echoes === 0,
      },
      {
        goal: '(9) routing throughput ≥ 0.5 × the baseline forwarder\'s',
        value: `${ratios.max}× (${max.arrivedPerSecond}/s vs ${maxBase.arrivedPerSecond}/s); at ${RATE}/s: ${ratios.sustained}×`,
        met: ratios.max >= 0.5,
      },
    ];
    return {
      settings: {
        instances: INSTANCES, customers: CUSTOMERS, durationS: DURATION, warmupS: ctx.warmupS, rate: RATE, latencyRate: LATENCY_RATE,
        maxRate: MAX_RATE, maxMessages: MAX_MESSAGES, replyRate: REPLY_RATE, graceS: GRACE_S, connections: CONNECTIONS, keptUpMs: KEPT_UP_MS,
      },
      rows,
      inboundTotals,
      echoesPosted: inbound.echoes,
      ratios,
      clock: clockSkew,
      webhooks,
      doublesRssMiB: { chatwoot: mib(ctx.rssBytes(ctx.chatwoot.child.pid!)), graph: mib(ctx.rssBytes(ctx.graph.child.pid!)) },
      chatwootStoredMessages: storedMessages,
      goals,
    };
  } finally {
    if (forwarder.child.connected) forwarder.child.disconnect();
  }
}

// ---- report -------------------------------------------------------------------------------------

export function routingTable(result: RoutingResult): string {
  const header = ['scenario', 'target → sent /s', 'msgs', 'arrived /s', 'drain ms', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'non-200/err', 'lost/dup', 'CPU ms/msg', 'server RSS MiB'];
  const lines = result.rows.map((r) => [
    r.scenario,
    `${r.targetRate} → ${r.sentRate}`,
    String(r.messages),
    `${r.arrivedPerSecond}${r.keptUp ? '' : ' (behind)'}`,
    String(r.drainMs),
    String(r.latencyMs.p50),
    String(r.latencyMs.p90),
    String(r.latencyMs.p99),
    String(r.latencyMs.max),
    `${r.non200}/${r.errors}`,
    `${r.lost}/${r.duplicates}`,
    String(r.cpuMsPerMessage),
    r.serverRssMiB ? `${r.serverRssMiB.before} → ${r.serverRssMiB.after}` : '—',
  ]);
  return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** The lines under the table: settings, the checks behind the figures, the doubles' costs. */
export function routingNotes(result: RoutingResult): string[] {
  const s = result.settings;
  const t = result.inboundTotals;
  const w = Object.entries(result.webhooks).map(([k, v]) => `${v} ${k}`).join(', ');
  const inRows = result.rows.filter((r) => !r.scenario.startsWith('(10)'));
  const out = result.rows.find((r) => r.scenario.startsWith('(10)'));
  const maxBaseline = result.rows.find((r) => r.scenario.startsWith('(9)') && r.target === 'baseline');
  // The Chatwoot double's one thread: CPU ms per message × messages per second = its busy share.
  const doubleBusy = maxBaseline ? round((maxBaseline.chatwootCpuMsPerMessage * maxBaseline.arrivedPerSecond) / 10, 0) : NaN;
  const baselineLimit = !maxBaseline
    ? ''
    : maxBaseline.keptUp
      ? ` (the baseline kept up with ${s.maxRate}/s: its maximum is higher, the ratio at most this)`
      : doubleBusy >= 90
        ? ` (during the baseline's burst the Chatwoot double's one thread was ~${doubleBusy} % busy: ${maxBaseline.arrivedPerSecond}/s is the double's limit rather than the forwarder's, so the ratio is at most this)`
        : '';
  return [
    `Routing: the server with its embedded bridge (ROLES=api,bridge), ${s.instances} Cloud API instances on the Graph API double, each with an integration in its own inbox of the Chatwoot double (both doubles in processes of their own), ${s.customers} customers round-robin; ${s.durationS} s measured for (7), (8) and (10), after warm-ups (one message per customer, then ${s.warmupS} s at ${s.latencyRate}/s; ${s.warmupS} s of replies). Latency from the moment a webhook (a reply) was sent (created) to the moment the Chatwoot message was created (the Graph API double received the send); the doubles' clock is ours ${result.clock.skewMs >= 0 ? '+' : ''}${result.clock.skewMs} ms (± ${result.clock.withinMs} ms). arrived/s: between the first and the last arrival; "(behind)": not kept up (something lost, the last one more than ${s.keptUpMs} ms after the last send (drain ms), or arrived/s below 95 % of the rate sent). CPU ms/msg: the server's (or the forwarder's) from the phase's start until its last message arrived and Chatwoot's webhooks were delivered, per message offered; below, the same for PostgreSQL (the run database's backends and the server's background processes), the doubles and the load generator, and "anything else": the machine's busy time none of these accounts for (the kernel, other processes on the machine).`,
    `Baseline forwarder (bench/forwarder-baseline.ts): node:http, checks the signature, posts each message to a conversation created beforehand (inboxes without webhooks), answers once Chatwoot has; no database, no stream, no retry, no exactly-once. Server / baseline arrived/s: ${result.ratios.sustained}× at ${s.rate}/s, ${result.ratios.max}× at ${s.maxMessages} offered at ${s.maxRate}/s${baselineLimit}.`,
    ...inRows.map(
      (r) => `${r.scenario}: ${r.keptUp ? '' : `${r.arrivedWhileSending} of ${r.messages} created while the webhooks were being sent, the rest at ${r.afterSendingPerSecond}/s after; `}webhook answer p50 ${r.ackMs?.p50} ms, p99 ${r.ackMs?.p99} ms, max ${r.ackMs?.max} ms; CPU ms/msg elsewhere: PostgreSQL ${r.postgresCpuMsPerMessage}, Chatwoot double ${r.chatwootCpuMsPerMessage}, load generator ${r.loadGeneratorCpuMsPerMessage}, anything else ${r.otherCpuMsPerMessage}; machine ${r.machineBusyPercent} % busy; schedule lag ≤ ${r.maxScheduleLagMs} ms; Chatwoot's webhooks delivered ${r.webhooksSettledMs} ms after the last message.`,
    ),
    ...(out
      ? [`${out.scenario}: ${out.arrived} of ${out.messages} replies reached the Graph API double, ${out.lost} lost, ${out.duplicates} sent twice, ${result.echoesPosted} echoes posted back to Chatwoot; CPU ms/reply elsewhere: PostgreSQL ${out.postgresCpuMsPerMessage}, Chatwoot double ${out.chatwootCpuMsPerMessage}, Graph API double ${out.graphCpuMsPerMessage}, anything else ${out.otherCpuMsPerMessage}; machine ${out.machineBusyPercent} % busy; schedule lag ≤ ${out.maxScheduleLagMs} ms.`]
      : []),
    `Inbound over the run (warm-ups and baseline included): ${t.messages} webhooks, ${t.lost} lost, ${t.duplicates} duplicated, ${t.notOurs} other WAID: messages; the Chatwoot double's webhooks: ${w || 'none'}; RSS at the end: Chatwoot double ${result.doublesRssMiB.chatwoot} MiB (${result.chatwootStoredMessages} messages still stored: those of the last 65 s), Graph API double ${result.doublesRssMiB.graph} MiB.`,
  ];
}
