/**
 * The scale scenario of `npm run bench` (BENCH_ONLY=scale runs it alone): how routing's
 * throughput and cost change with the number of bridge processes sharing the integrations.
 * Figures only: nothing here asserts a timing.
 *
 * The fleet is the scale test's (test/support/scale-cluster.ts): one API process (ROLES=api) and
 * three bridge processes (ROLES=bridge) on a private PostgreSQL, each role behind its round-robin
 * balancer; the Graph API double and the Chatwoot double in processes of their own, as for
 * (7)–(10). One API throughout, so that only the bridges change between the rows. Setup:
 * BENCH_SCALE_INTEGRATIONS Cloud API instances (50), each with an integration in an inbox of its
 * own; BENCH_SCALE_CUSTOMERS customers (100), customer c writing to instance c mod 50; each
 * customer's first message routed before anything is measured (contacts and conversations made),
 * then a third of a burst (below), unmeasured, for the fresh processes' code to be optimised.
 *
 * Rows, in this order: 3 bridges; one stopped with SIGTERM (it hands its leases over), 2; another, 1;
 * then a new process, 2; another, 3 (each gets its share as the others give back what they hold
 * above ⌈1.2 × total / N⌉): the VM's drift over the run weighs on both directions. Before each row:
 * until every integration's lease is held by a running bridge and no bridge holds more than that
 * cap (bounded, the time reported), then BENCH_SCALE_IDLE seconds (10) without load, the bridges'
 * idle CPU (leases, streams); then BENCH_WARMUP seconds at 100/s, unmeasured. Measured: a burst of BENCH_SCALE_MESSAGES (3000)
 * webhooks offered open-loop at BENCH_SCALE_RATE (600/s), more than the fleet keeps up with on
 * this machine: routed/s is the rate between the first and the last message created in Chatwoot
 * (as (9) measures the embedded bridge's), latency from the webhook sent to the message created,
 * lost and duplicated by `WAID:` source id, and CPU ms per message of the bridges (all of them),
 * the API, PostgreSQL and the Chatwoot double, from the burst's start until its last message.
 *
 * Environment (all optional): BENCH_SCALE_INTEGRATIONS, BENCH_SCALE_CUSTOMERS, BENCH_SCALE_MESSAGES,
 * BENCH_SCALE_RATE, BENCH_SCALE_IDLE, BENCH_SCALE_GRACE (seconds to wait for late messages, 60).
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { wamid } from '../test/fakes/graph-api.js';
import { BRIDGE_PUBLIC_URL, createAccount, provisionCloudIntegrations, ScaleCluster, type RoutedInstance } from '../test/support/scale-cluster.js';
import { latency, num, openLoop, round, sentRateOf, signedTextWebhook, sleep, WEBHOOK_PATH, type Latency } from './load.js';
import { ChatwootProcess, meter, PostgresCpu, processCpuMs } from './routing.js';
import type { GraphDoubleProcess } from './whatsapp.js';

const INTEGRATIONS = Math.round(num('BENCH_SCALE_INTEGRATIONS', 50));
const CUSTOMERS = Math.round(num('BENCH_SCALE_CUSTOMERS', 100));
const MESSAGES = Math.round(num('BENCH_SCALE_MESSAGES', 3000));
const RATE = num('BENCH_SCALE_RATE', 600);
const IDLE_S = num('BENCH_SCALE_IDLE', 10);
const GRACE_S = num('BENCH_SCALE_GRACE', 60);
/** Down by graceful stops, then up again by new processes: the VM's drift over the run weighs on both directions. */
const BRIDGES = [3, 2, 1, 2, 3];
const ACCOUNT_ID = 1;
const CONNECTIONS = 128;

const clock = () => performance.timeOrigin + performance.now();

export interface ScaleRow {
  bridges: number;
  apis: number;
  integrations: number;
  messages: number;
  targetRate: number;
  sentRate: number;
  routed: number;
  /** Created per second between the first and the last message created. */
  routedPerSecond: number;
  latencyMs: Latency;
  lost: number;
  duplicates: number;
  non200: number;
  /** CPU ms per message offered, from the burst's start until its last message was created. */
  cpuMsPerMessage: { bridges: number; api: number; postgres: number; chatwoot: number };
  machineBusyPercent: number;
  /** The bridges' CPU without load, ms per second (all of them). */
  bridgesIdleCpuMsPerSecond: number;
  /** How long after the previous row's end every integration was held again (the first row: after setup). */
  leasesSettledMs: number | null;
}

export interface ScaleResult {
  settings: { integrations: number; customers: number; messages: number; rate: number; idleS: number; warmupS: number; graceS: number };
  rows: ScaleRow[];
}

export interface ScaleContext {
  /** dist/, where the compiled server and bench/ are. */
  dist: string;
  graph: GraphDoubleProcess;
  chatwoot: ChatwootProcess;
  warmupS: number;
  log(line: string): void;
}

interface Customer {
  from: string;
  name: string;
  instance: RoutedInstance;
}

export async function runScale(ctx: ScaleContext): Promise<ScaleResult> {
  ctx.log(`scale: 1 API and ${BRIDGES.join(', then ')} bridge processes on a private PostgreSQL, ${INTEGRATIONS} integrations, ${CUSTOMERS} customers…`);
  const cluster = await ScaleCluster.start({ build: ctx.dist, apis: 1, bridges: BRIDGES[0], graphUrl: ctx.graph.url, bridgeEnv: { LOG_LEVEL: 'warn' } });
  const postgres = await PostgresCpu.open(cluster.pg.url);
  try {
    await ctx.chatwoot.route(BRIDGE_PUBLIC_URL, cluster.bridgeLb.url);
    const chatwootToken = await ctx.chatwoot.setup(ACCOUNT_ID, 'Ana');
    const api = cluster.apiLb.url;
    const accountToken = await createAccount(api, cluster.adminToken, 'bench-scale', INTEGRATIONS + 10);
    const instances = await provisionCloudIntegrations(
      api, accountToken, await ctx.graph.phones(INTEGRATIONS), { baseUrl: ctx.chatwoot.url, accountId: ACCOUNT_ID, apiToken: chatwootToken },
      { prefix: 'scale', concurrency: 4 },
    );
    const customers = Array.from({ length: CUSTOMERS }, (_, c): Customer => ({
      from: `55119${String(60_000_000 + c).padStart(8, '0')}`, name: `Cliente ${c}`, instance: instances[c % instances.length],
    }));
    const integrationIds = instances.map((i) => i.integrationId);
    const seen = new Map<string, { sentAt: number; status?: number; createdAt?: number; copies: number }>();
    const pool = new Pool(api, { connections: CONNECTIONS, pipelining: 1, headersTimeout: 120_000, bodyTimeout: 120_000 });

    const collect = async () => {
      for (const m of await ctx.chatwoot.created()) {
        const r = seen.get(m.sourceId);
        if (!r) continue;
        r.copies += 1;
        r.createdAt ??= m.at;
      }
    };
    /** `total` webhooks at `rate`, open-loop; resolves with their records once all were created (or the grace ran out). */
    const burst = async (label: string, total: number, rate: number, pick: (i: number) => Customer) => {
      const mine: Array<{ sentAt: number; status?: number; createdAt?: number; copies: number }> = [];
      const schedule = await openLoop(total, rate, (i) => {
        const customer = pick(i);
        const id = wamid(customer.from, 'in');
        const { raw, headers } = signedTextWebhook(customer.instance.phone, `${label} ${i}`, { id, from: customer.from, name: customer.name });
        const record = { sentAt: clock(), copies: 0 } as { sentAt: number; status?: number; createdAt?: number; copies: number };
        seen.set(`WAID:${id}`, record);
        mine.push(record);
        pool.request({ origin: api, path: WEBHOOK_PATH, method: 'POST', headers, body: raw })
          .then(async (res) => {
            await res.body.text();
            record.status = res.statusCode;
          })
          .catch(() => void (record.status = 0));
      });
      const deadline = clock() + GRACE_S * 1000;
      for (;;) {
        await collect();
        if (mine.every((r) => r.createdAt !== undefined || (r.status !== undefined && r.status !== 200)) || clock() > deadline) break;
        await sleep(50);
      }
      await ctx.chatwoot.settled();
      await collect();
      return { mine, schedule };
    };
    /**
     * Until every integration's lease is held, unexpired, by a running bridge, and the shares are
     * even: each running bridge holds some, none more than ⌈1.2 × total / N⌉ (the fleet's cap).
     */
    const leasesSettled = async (boundMs: number): Promise<number | null> => {
      const started = clock();
      while (clock() - started < boundMs) {
        const live = cluster.live('bridge');
        const held = (await cluster.leases()).filter((l) => l.live && l.owner && live.includes(l.owner) && integrationIds.some((id) => l.resource.includes(id)));
        const counts = live.map((b) => held.filter((l) => l.owner === b).length);
        const cap = Math.ceil((1.2 * integrationIds.length) / live.length);
        if (integrationIds.every((id) => held.some((l) => l.resource.includes(id))) && counts.every((n) => n > 0 && n <= cap)) return round(clock() - started, 0);
        await sleep(250);
      }
      return null;
    };

    const first = await burst('hello', CUSTOMERS, 50, (i) => customers[i]);
    if (first.mine.some((r) => r.createdAt === undefined)) throw new Error('scale: not every customer\'s first message reached Chatwoot');
    // Fresh processes are slower until their code is optimised: a third of a burst, unmeasured, first.
    await burst('warm-up', Math.round(MESSAGES / 3), RATE, (i) => customers[i % customers.length]);

    const rows: ScaleRow[] = [];
    for (const [step, bridges] of BRIDGES.entries()) {
      // Slot n is the one to stop going down to n bridges, and to start again going up to n + 1.
      if (step > 0 && bridges < BRIDGES[step - 1]) await cluster.stop('bridge', bridges);
      if (step > 0 && bridges > BRIDGES[step - 1]) await cluster.restart('bridge', bridges - 1);
      const leasesSettledMs = await leasesSettled(60_000);
      const pids = () => ({ bridges: cluster.live('bridge').map((b) => b.pid), api: cluster.live('api')[0].pid });
      const cpu = (pid: number[]) => pid.reduce((sum, p) => sum + processCpuMs(p), 0);
      const idleFrom = cpu(pids().bridges);
      await sleep(IDLE_S * 1000);
      const bridgesIdleCpuMsPerSecond = round((cpu(pids().bridges) - idleFrom) / IDLE_S, 1);
      await burst(`warm-up ${bridges}`, Math.round(ctx.warmupS * 100), 100, (i) => customers[i % customers.length]);

      ctx.log(`  ${bridges} bridge${bridges > 1 ? 's' : ''}: ${MESSAGES} webhooks at ${RATE}/s…`);
      const before = { bridges: cpu(pids().bridges), api: cpu([pids().api]), chatwoot: processCpuMs(ctx.chatwoot.child.pid!) };
      const machine = await meter(postgres);
      const { mine, schedule } = await burst(`burst ${bridges}`, MESSAGES, RATE, (i) => customers[i % customers.length]);
      const used = await machine.stop();
      const created = mine.filter((r) => r.createdAt !== undefined);
      const times = created.map((r) => r.createdAt!);
      const firstAt = Math.min(...times);
      const lastAt = Math.max(...times);
      const per = (ms: number) => round(ms / MESSAGES, 3);
      rows.push({
        bridges,
        apis: 1,
        integrations: INTEGRATIONS,
        messages: MESSAGES,
        targetRate: RATE,
        sentRate: sentRateOf(MESSAGES, schedule),
        routed: created.length,
        routedPerSecond: created.length > 1 ? round((created.length - 1) / ((lastAt - firstAt) / 1000), 0) : 0,
        latencyMs: latency(created.map((r) => r.createdAt! - r.sentAt)),
        lost: mine.filter((r) => r.status === 200 && r.createdAt === undefined).length,
        duplicates: mine.reduce((n, r) => n + Math.max(0, r.copies - 1), 0),
        non200: mine.filter((r) => r.status !== 200).length,
        cpuMsPerMessage: {
          bridges: per(cpu(pids().bridges) - before.bridges),
          api: per(cpu([pids().api]) - before.api),
          postgres: per(used.postgresMs),
          chatwoot: per(processCpuMs(ctx.chatwoot.child.pid!) - before.chatwoot),
        },
        machineBusyPercent: used.busyPercent,
        bridgesIdleCpuMsPerSecond,
        leasesSettledMs,
      });
      await sleep(500);
    }
    await pool.close();
    return { settings: { integrations: INTEGRATIONS, customers: CUSTOMERS, messages: MESSAGES, rate: RATE, idleS: IDLE_S, warmupS: ctx.warmupS, graceS: GRACE_S }, rows };
  } finally {
    await postgres.close();
    await cluster.destroy();
  }
}

export function scaleTable(result: ScaleResult): string {
  const header = ['bridges (API)', 'offered → sent /s', 'routed /s', 'p50 ms', 'p99 ms', 'lost/dup/non-200', 'CPU ms/msg: bridges / API / PostgreSQL / Chatwoot double', 'machine busy %', 'bridges idle CPU ms/s'];
  const lines = result.rows.map((r) => [
    `${r.bridges} (${r.apis})`,
    `${r.targetRate} → ${r.sentRate}`,
    `${r.routedPerSecond}${r.routed < r.messages ? ` (${r.routed} of ${r.messages})` : ''}`,
    String(r.latencyMs.p50),
    String(r.latencyMs.p99),
    `${r.lost}/${r.duplicates}/${r.non200}`,
    `${r.cpuMsPerMessage.bridges} / ${r.cpuMsPerMessage.api} / ${r.cpuMsPerMessage.postgres} / ${r.cpuMsPerMessage.chatwoot}`,
    String(r.machineBusyPercent),
    String(r.bridgesIdleCpuMsPerSecond),
  ]);
  return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

export function scaleNotes(result: ScaleResult): string[] {
  const s = result.settings;
  const settled = result.rows.map((r) => `${r.bridges} bridge${r.bridges > 1 ? 's' : ''} ${r.leasesSettledMs === null ? 'NOT within 60 s' : `${r.leasesSettledMs} ms`}`).join(', ');
  return [
    `Scale: 1 API process and ${result.rows.map((r) => r.bridges).join(', ')} bridge processes in that order (a removal is a SIGTERM, which hands the leases over; an addition a new process, which gets its share as the others give back what they hold above the cap) on a private PostgreSQL, each role behind a round-robin balancer (the scale test's fleet, test/support/scale-cluster.ts); ${s.integrations} Cloud API instances each with an integration in its own inbox of the Chatwoot double, ${s.customers} customers; per row a burst of ${s.messages} webhooks offered at ${s.rate}/s after ${s.idleS} s idle and ${s.warmupS} s at 100/s. routed/s: between the first and the last message created in Chatwoot; latency from the webhook sent to the message created; CPU ms per message offered, from the burst's start until its last message; idle: the bridges' CPU over the ${s.idleS} s without load. Every integration's lease held by a running bridge, and no bridge above ⌈1.2 × ${s.integrations} / N⌉: ${settled} after the change of the row.`,
  ];
}
