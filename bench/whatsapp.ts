/**
 * The WhatsApp scenarios of `npm run bench` (bench/run.ts runs them, on a server of their own whose
 * WHATSAPP_CLOUD_API_URL is the Graph API double, itself in a process of its own:
 * bench/graph-api-process.ts). Figures only: nothing here asserts a timing.
 *
 * Setup through the API: one account, BENCH_WA_INSTANCES Cloud API instances (each on its own
 * phone number of the double, with its own access token and app secret), connected; one WebSocket
 * reader per instance on `GET /ws/:instance` (the instance's token in the `token` header).
 *
 *   5. Meta's webhooks, one text message each, POSTed to /webhooks/whatsapp-cloud signed with the
 *      instance's app secret (`X-Hub-Signature-256`), round-robin over the instances, open-loop at
 *      BENCH_WA_RATE per second: the 200's latency, and the latency from the moment the webhook was
 *      sent to the moment its `message.exchange` frame arrived on the instance's stream (matched by
 *      wamid). An event that has not arrived BENCH_WA_GRACE seconds after the last 200 is lost; a
 *      wamid seen twice is a duplicate; the frames' `seq` is also checked for gaps and repeats.
 *   6. `POST /api/message/text/:instance` with the instance's token, round-robin, open-loop at the
 *      same rate, against the double: the client's latency on loopback; and, for information, the
 *      latency to the outgoing `message.exchange` frame on the stream.
 *
 * Open loop: requests go out on a timer schedule (request i at start + i/rate), whatever the answers
 * are doing; the latency of each is measured from the moment it was actually sent, and the
 * schedule's worst lag is reported. Each scenario runs BENCH_WARMUP seconds unmeasured first, then
 * the answers in flight are awaited, then BENCH_WA_DURATION seconds are measured. The server's
 * CPU time per request (measured window plus the drain of its answers and frames) and its own
 * view, the `http_request_duration_seconds` histogram of /metrics (the measured window's delta),
 * are reported next to the client's figures.
 *
 * Environment (all optional): BENCH_WA_RATE (requests per second, 200), BENCH_WA_INSTANCES (50),
 * BENCH_WA_DURATION (measured seconds per scenario; default BENCH_DURATION when that is set, else 20),
 * BENCH_WA_GRACE (seconds to wait for late frames, 10).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { WebSocket } from 'ws';
import { wamid, type PhoneNumber } from '../test/fakes/graph-api.js';
import type { GraphCommand, GraphMessage, TrackedSend } from './graph-api-process.js';
import {
  call, cloudInstances, latency, mib, num, openLoop, round, sentRateOf, signedTextWebhook, sleep, until, WEBHOOK_PATH,
  type CloudInstance, type Latency,
} from './load.js';

export { WEBHOOK_PATH, type Latency };

// ---- configuration ------------------------------------------------------------------------------

const RATE = num('BENCH_WA_RATE', 200);
const INSTANCES = Math.round(num('BENCH_WA_INSTANCES', 50));
const DURATION = num('BENCH_WA_DURATION', process.env.BENCH_DURATION ? num('BENCH_DURATION', 20) : 20);
const GRACE_S = num('BENCH_WA_GRACE', 10);
/** Connections of the load generator to the server (an open loop needs room for a backlog). */
const CONNECTIONS = 128;
export const SEND_ROUTE = '/api/message/text/:instance';

// ---- the Graph API double's process -------------------------------------------------------------

export class GraphDoubleProcess {
  private constructor(
    readonly child: ChildProcess,
    /** WHATSAPP_CLOUD_API_URL for the server. */
    readonly url: string,
  ) {}

  static async start(dist: string): Promise<GraphDoubleProcess> {
    const child = fork(join(dist, 'bench', 'graph-api-process.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = await new Promise<Extract<GraphMessage, { type: 'ready' }>>((resolve, reject) => {
      child.once('message', (m: GraphMessage) => (m.type === 'ready' ? resolve(m) : reject(new Error('unexpected message'))));
      child.once('exit', (code) => reject(new Error(`Graph API double exited (${code})`)));
    });
    return new GraphDoubleProcess(child, ready.url);
  }

  private ask(command: GraphCommand): Promise<GraphMessage> {
    return new Promise((resolve) => {
      this.child.once('message', resolve);
      this.child.send(command);
    });
  }

  async phones(n: number): Promise<PhoneNumber[]> {
    const answer = await this.ask({ cmd: 'phones', n });
    if (answer.type !== 'phones') throw new Error('unexpected answer');
    return answer.phones;
  }

  /** Sends (`POST /{id}/messages`) answered so far. */
  async sends(): Promise<number> {
    const answer = await this.ask({ cmd: 'counts' });
    return answer.type === 'counts' ? (answer.counts.messages ?? 0) : 0;
  }

  /** Starts (or stops) noting each send with the moment it arrived (bench/routing.ts). */
  async track(on: boolean): Promise<void> {
    await this.ask({ cmd: 'track', on });
  }

  /** The sends noted since the last call. */
  async takeSent(): Promise<TrackedSend[]> {
    const answer = await this.ask({ cmd: 'sent' });
    return answer.type === 'sent' ? answer.sent : [];
  }

  stop(): void {
    if (this.child.connected) this.child.disconnect();
  }
}

// ---- results ------------------------------------------------------------------------------------

export interface WaRow {
  scenario: string;
  targetRate: number;
  /** Requests per second the schedule actually sent in the measured window. */
  sentRate: number;
  /** Measured samples (answers, or frames). */
  count: number;
  latencyMs: Latency;
  /** Answers other than 200, and requests that failed (no answer). */
  non200: number;
  errors: number;
  lost?: number;
  duplicates?: number;
  cpuMsPerRequest?: number;
  serverRssMiB?: { before: number; after: number };
}

/** The server's own `http_request_duration_seconds` over the measured window (bucket bounds). */
export interface ServerHistogram {
  route: string;
  requests: number;
  meanMs: number;
  /** The upper bound of the bucket holding the quantile (Prometheus buckets 5, 10, 25, 50, 100… ms). */
  p50AtMostMs: number;
  p99AtMostMs: number;
}

export interface Goal {
  goal: string;
  value: string;
  met: boolean;
}

export interface WhatsAppResult {
  settings: { rate: number; instances: number; durationS: number; warmupS: number; graceS: number; connections: number };
  rows: WaRow[];
  serverHistograms: ServerHistogram[];
  inbound: {
    webhooks: number;
    lost: number;
    duplicates: number;
    /** Frames on a stream other than the webhook's instance. */
    misrouted: number;
    seqGaps: number;
    seqRepeats: number;
    maxScheduleLagMs: number;
    loadGeneratorCpuMsPerRequest: number;
  };
  outbound: {
    sends: number;
    graphSends: number;
    lostEvents: number;
    duplicateEvents: number;
    maxScheduleLagMs: number;
    loadGeneratorCpuMsPerRequest: number;
    graphDoubleCpuMsPerSend: number;
  };
  goals: Goal[];
}

export interface WhatsAppContext {
  serverUrl: string;
  serverPid: number;
  adminToken: string;
  graph: GraphDoubleProcess;
  warmupS: number;
  /** bench/run.ts's readers of /proc. */
  cpuMs(pid: number): number;
  rssBytes(pid: number): number;
  log(line: string): void;
}

// ---- helpers ------------------------------------------------------------------------------------

type Histograms = Map<string, { buckets: Array<[number, number]>; sum: number; count: number }>;

/** `http_request_duration_seconds` of /metrics, by `method route status`. */
async function scrape(serverUrl: string): Promise<Histograms> {
  const text = await (await fetch(`${serverUrl}/metrics`)).text();
  const out: Histograms = new Map();
  for (const line of text.split('\n')) {
    const m = /^http_request_duration_seconds_(bucket|sum|count)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    const key = `${labels.method} ${labels.route} ${labels.status}`;
    let h = out.get(key);
    if (!h) out.set(key, (h = { buckets: [], sum: 0, count: 0 }));
    const value = Number(m[3]);
    if (m[1] === 'bucket') h.buckets.push([labels.le === '+Inf' ? Infinity : Number(labels.le), value]);
    else if (m[1] === 'sum') h.sum = value;
    else h.count = value;
  }
  return out;
}

function histogramDelta(before: Histograms, after: Histograms, method: string, route: string): ServerHistogram {
  const key = `${method} ${route} 200`;
  const a = after.get(key);
  const b = before.get(key);
  const count = (a?.count ?? 0) - (b?.count ?? 0);
  const sum = (a?.sum ?? 0) - (b?.sum ?? 0);
  const buckets = (a?.buckets ?? []).map(([le, n]) => [le, n - (b?.buckets.find(([l]) => l === le)?.[1] ?? 0)] as const);
  const bound = (q: number) => {
    const hit = buckets.find(([, n]) => n >= q * count);
    return hit ? hit[0] * 1000 : NaN;
  };
  return { route: `${method} ${route} 200`, requests: count, meanMs: count ? round((sum / count) * 1000, 2) : NaN, p50AtMostMs: bound(0.5), p99AtMostMs: bound(0.99) };
}

// ---- the streams --------------------------------------------------------------------------------

type Instance = CloudInstance;

interface Frame {
  event: string;
  seq: number;
  data: { id?: string; message?: { direction?: string } };
  instanceData: { instance: string };
}

/** One reader per instance; every frame goes to `onFrame` with its arrival time. */
class Streams {
  readonly sockets: WebSocket[] = [];
  seqGaps = 0;
  seqRepeats = 0;
  onFrame: (instance: string, frame: Frame, at: number) => void = () => undefined;

  static async open(serverUrl: string, instances: Instance[]): Promise<Streams> {
    const streams = new Streams();
    const base = serverUrl.replace(/^http/, 'ws');
    await Promise.all(
      instances.map(
        (instance) =>
          new Promise<void>((resolve, reject) => {
            const ws = new WebSocket(`${base}/ws/${instance.name}?after=0`, { headers: { token: instance.token }, perMessageDeflate: false });
            let lastSeq = 0;
            ws.on('message', (data) => {
              const at = performance.now();
              const frame = JSON.parse(data.toString()) as Frame;
              if (frame.seq <= lastSeq) streams.seqRepeats++;
              else {
                streams.seqGaps += frame.seq - lastSeq - 1;
                lastSeq = frame.seq;
              }
              streams.onFrame(instance.name, frame, at);
            });
            ws.once('open', () => resolve());
            ws.once('unexpected-response', (_req, res) => reject(new Error(`/ws/${instance.name}: ${res.statusCode}`)));
            ws.once('error', reject);
            streams.sockets.push(ws);
          }),
      ),
    );
    return streams;
  }

  close(): void {
    for (const ws of this.sockets) ws.close();
  }
}

// ---- setup --------------------------------------------------------------------------------------

async function setup(ctx: WhatsAppContext): Promise<Instance[]> {
  const phones = await ctx.graph.phones(INSTANCES);
  const { account } = await call(`${ctx.serverUrl}/api/admin/account/new`, 'POST', ctx.adminToken, { name: 'bench-whatsapp' });
  return cloudInstances(ctx.serverUrl, account.token, phones, 'wa');
}

// ---- (5) inbound webhooks -----------------------------------------------------------------------

interface InboundRecord {
  instance: string;
  sentAt: number;
  measured: boolean;
  status?: number;
  eventAt?: number;
}

async function inboundScenario(ctx: WhatsAppContext, instances: Instance[], streams: Streams) {
  const pool = new Pool(ctx.serverUrl, { connections: CONNECTIONS, pipelining: 1, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const records = new Map<string, InboundRecord>();
  const acks: number[] = [];
  const eventLatencies: number[] = [];
  let non200 = 0;
  let errors = 0;
  let duplicates = 0;
  let misrouted = 0;
  let inFlight = 0;
  streams.onFrame = (instance, frame, at) => {
    if (frame.event !== 'message.exchange' || frame.data.message?.direction !== 'incoming') return;
    const record = records.get(frame.data.id ?? '');
    if (!record) return;
    if (record.instance !== instance) misrouted++;
    if (record.eventAt !== undefined) return void (record.measured && duplicates++);
    record.eventAt = at;
    if (record.measured) eventLatencies.push(at - record.sentAt);
  };

  let measured = false;
  const fire = (i: number) => {
    const instance = instances[i % instances.length];
    const from = `5511${String(900_000_000 + (i % 1000))}`;
    const id = wamid(from, 'in');
    const { raw, headers } = signedTextWebhook(instance.phone, `bench message ${i}`, { id, from, name: `Customer ${i % 1000}` });
    const record: InboundRecord = { instance: instance.name, sentAt: performance.now(), measured };
    records.set(id, record);
    inFlight++;
    pool
      .request({ origin: ctx.serverUrl, path: WEBHOOK_PATH, method: 'POST', headers, body: raw })
      .then(async (res) => {
        await res.body.text();
        const at = performance.now();
        record.status = res.statusCode;
        if (!record.measured) return;
        if (res.statusCode === 200) acks.push(at - record.sentAt);
        else non200++;
      })
      .catch(() => void (record.measured && errors++))
      .finally(() => inFlight--);
  };

  try {
    // Warm-up, unmeasured; then the answers and frames in flight are let through.
    if (ctx.warmupS > 0) await openLoop(Math.round(ctx.warmupS * RATE), RATE, fire);
    await until(() => inFlight === 0 && [...records.values()].every((r) => r.eventAt !== undefined || r.status !== 200), GRACE_S * 1000);

    measured = true;
    const total = Math.round(DURATION * RATE);
    ctx.log(`  (5) WhatsApp webhooks: ${RATE}/s over ${instances.length} numbers, measuring ${DURATION} s…`);
    const histBefore = await scrape(ctx.serverUrl);
    const rssBefore = ctx.rssBytes(ctx.serverPid);
    const cpuBefore = ctx.cpuMs(ctx.serverPid);
    const genBefore = process.cpuUsage();
    const schedule = await openLoop(total, RATE, fire);
    await until(() => inFlight === 0, 60_000);
    const ours = [...records.values()].filter((r) => r.measured);
    await until(() => ours.every((r) => r.eventAt !== undefined || r.status !== 200), GRACE_S * 1000);
    const cpu = ctx.cpuMs(ctx.serverPid) - cpuBefore;
    const gen = process.cpuUsage(genBefore);
    const rssAfter = ctx.rssBytes(ctx.serverPid);
    const histAfter = await scrape(ctx.serverUrl);

    const lost = ours.filter((r) => r.status === 200 && r.eventAt === undefined).length;
    const sentRate = sentRateOf(total, schedule);
    const common = { targetRate: RATE, sentRate, non200, errors, cpuMsPerRequest: round(cpu / total, 3), serverRssMiB: { before: mib(rssBefore), after: mib(rssAfter) } };
    return {
      rows: [
        { scenario: '(5) WhatsApp webhook → 200', count: acks.length, latencyMs: latency(acks), ...common },
        { scenario: '(5) WhatsApp webhook → message.exchange on /ws', count: eventLatencies.length, latencyMs: latency(eventLatencies), lost, duplicates, ...common },
      ] satisfies WaRow[],
      histogram: histogramDelta(histBefore, histAfter, 'POST', WEBHOOK_PATH),
      summary: {
        webhooks: total,
        lost,
        duplicates,
        misrouted,
        maxScheduleLagMs: schedule.maxLagMs,
        loadGeneratorCpuMsPerRequest: round((gen.user + gen.system) / 1000 / total, 3),
      },
    };
  } finally {
    streams.onFrame = () => undefined;
    await pool.close();
  }
}

// ---- (6) sends ----------------------------------------------------------------------------------

interface SendRecord {
  sentAt: number;
  measured: boolean;
  id?: string;
}

async function sendScenario(ctx: WhatsAppContext, instances: Instance[], streams: Streams) {
  const pool = new Pool(ctx.serverUrl, { connections: CONNECTIONS, pipelining: 1, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const answered: SendRecord[] = [];
  const latencies: number[] = [];
  /** Outgoing frames by wamid: when the first arrived, and how many did. */
  const frames = new Map<string, { at: number; n: number }>();
  let non200 = 0;
  let errors = 0;
  let inFlight = 0;
  streams.onFrame = (_instance, frame, at) => {
    if (frame.event !== 'message.exchange' || frame.data.message?.direction !== 'outgoing' || !frame.data.id) return;
    const seen = frames.get(frame.data.id);
    if (seen) seen.n++;
    else frames.set(frame.data.id, { at, n: 1 });
  };

  let measured = false;
  const fire = (i: number) => {
    const instance = instances[i % instances.length];
    const body = JSON.stringify({ number: `5511${String(900_000_000 + (i % 1000))}`, message: `bench reply ${i}` });
    const record: SendRecord = { sentAt: performance.now(), measured };
    inFlight++;
    pool
      .request({
        origin: ctx.serverUrl,
        path: `/api/message/text/${instance.name}`,
        method: 'POST',
        headers: { token: instance.token, 'content-type': 'application/json' },
        body,
      })
      .then(async (res) => {
        const text = await res.body.text();
        const at = performance.now();
        if (!record.measured) return;
        if (res.statusCode !== 200) return void non200++;
        latencies.push(at - record.sentAt);
        record.id = (JSON.parse(text) as { data: { messageId: string } }).data.messageId;
        answered.push(record);
      })
      .catch(() => void (record.measured && errors++))
      .finally(() => inFlight--);
  };

  try {
    if (ctx.warmupS > 0) await openLoop(Math.round(ctx.warmupS * RATE), RATE, fire);
    await until(() => inFlight === 0, GRACE_S * 1000);
    await sleep(200); // the warm-up's last frames

    measured = true;
    const total = Math.round(DURATION * RATE);
    ctx.log(`  (6) WhatsApp sends: ${RATE}/s over ${instances.length} instances, measuring ${DURATION} s…`);
    const histBefore = await scrape(ctx.serverUrl);
    const rssBefore = ctx.rssBytes(ctx.serverPid);
    const graphSendsBefore = await ctx.graph.sends();
    const cpuBefore = ctx.cpuMs(ctx.serverPid);
    const graphCpuBefore = ctx.cpuMs(ctx.graph.child.pid!);
    const genBefore = process.cpuUsage();
    const schedule = await openLoop(total, RATE, fire);
    await until(() => inFlight === 0, 60_000);
    await until(() => answered.every((r) => frames.has(r.id!)), GRACE_S * 1000);
    const cpu = ctx.cpuMs(ctx.serverPid) - cpuBefore;
    const graphCpu = ctx.cpuMs(ctx.graph.child.pid!) - graphCpuBefore;
    const gen = process.cpuUsage(genBefore);
    const rssAfter = ctx.rssBytes(ctx.serverPid);
    const histAfter = await scrape(ctx.serverUrl);
    const graphSends = (await ctx.graph.sends()) - graphSendsBefore;

    const eventLatencies = answered.flatMap((r) => (frames.has(r.id!) ? [frames.get(r.id!)!.at - r.sentAt] : []));
    const lostEvents = answered.length - eventLatencies.length;
    const duplicateEvents = answered.reduce((n, r) => n + Math.max(0, (frames.get(r.id!)?.n ?? 0) - 1), 0);
    const sentRate = sentRateOf(total, schedule);
    const common = { targetRate: RATE, sentRate, non200, errors, cpuMsPerRequest: round(cpu / total, 3), serverRssMiB: { before: mib(rssBefore), after: mib(rssAfter) } };
    return {
      rows: [
        { scenario: '(6) WhatsApp POST /api/message/text → 200', count: latencies.length, latencyMs: latency(latencies), ...common },
        { scenario: '(6) WhatsApp send → message.exchange on /ws', count: eventLatencies.length, latencyMs: latency(eventLatencies), lost: lostEvents, duplicates: duplicateEvents, ...common },
      ] satisfies WaRow[],
      histogram: histogramDelta(histBefore, histAfter, 'POST', SEND_ROUTE),
      summary: {
        sends: total,
        graphSends,
        lostEvents,
        duplicateEvents,
        maxScheduleLagMs: schedule.maxLagMs,
        loadGeneratorCpuMsPerRequest: round((gen.user + gen.system) / 1000 / total, 3),
        graphDoubleCpuMsPerSend: round(graphCpu / Math.max(1, graphSends), 3),
      },
    };
  } finally {
    streams.onFrame = () => undefined;
    await pool.close();
  }
}

// ---- entry --------------------------------------------------------------------------------------

/** Sets up the instances and streams, then runs (5) and (6) one after the other. */
export async function runWhatsApp(ctx: WhatsAppContext): Promise<WhatsAppResult> {
  ctx.log(`WhatsApp: ${INSTANCES} Cloud API instances on the Graph API double, one stream reader each…`);
  const instances = await setup(ctx);
  const streams = await Streams.open(ctx.serverUrl, instances);
  try {
    const inb = await inboundScenario(ctx, instances, streams);
    const out = await sendScenario(ctx, instances, streams);
    const [ack, event] = inb.rows;
    const [send] = out.rows;
    const sendOk = send.non200 === 0 && send.errors === 0;
    const at = (row: WaRow) => `at ${row.sentRate}/s sent`;
    const goals: Goal[] = [
      {
        goal: `(5) webhook 200 p99 ≤ 50 ms (${RATE}/s over ${INSTANCES} numbers)`,
        value: `${ack.latencyMs.p99} ms (p50 ${ack.latencyMs.p50}, max ${ack.latencyMs.max}; ${at(ack)}, ${ack.non200 + ack.errors} not 200)`,
        met: ack.latencyMs.p99 <= 50 && ack.non200 + ack.errors === 0,
      },
      {
        goal: '(5) webhook sent → message.exchange on /ws p99 ≤ 100 ms',
        value: `${event.latencyMs.p99} ms (p50 ${event.latencyMs.p50}, max ${event.latencyMs.max})`,
        met: event.latencyMs.p99 <= 100,
      },
      {
        goal: '(5) no event lost',
        value: `${inb.summary.lost} lost, ${inb.summary.duplicates} duplicates of ${inb.summary.webhooks}; seq gaps ${streams.seqGaps}, repeats ${streams.seqRepeats}`,
        met: inb.summary.lost === 0 && ack.non200 + ack.errors === 0,
      },
      {
        goal: `(6) POST /api/message/text p99 ≤ 50 ms (${RATE}/s over ${INSTANCES} instances)`,
        value: `${send.latencyMs.p99} ms client-side (p50 ${send.latencyMs.p50}, max ${send.latencyMs.max}; ${at(send)}, ${send.non200 + send.errors} not 200); server's histogram p99 ≤ ${out.histogram.p99AtMostMs} ms`,
        met: send.latencyMs.p99 <= 50 && sendOk,
      },
    ];
    return {
      settings: { rate: RATE, instances: INSTANCES, durationS: DURATION, warmupS: ctx.warmupS, graceS: GRACE_S, connections: CONNECTIONS },
      rows: [...inb.rows, ...out.rows],
      serverHistograms: [inb.histogram, out.histogram],
      inbound: { ...inb.summary, seqGaps: streams.seqGaps, seqRepeats: streams.seqRepeats },
      outbound: out.summary,
      goals,
    };
  } finally {
    streams.close();
  }
}

// ---- report -------------------------------------------------------------------------------------

export function whatsappTable(result: WhatsAppResult): string {
  const header = ['scenario', 'target → sent /s', 'samples', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'non-200/err', 'lost/dup', 'CPU ms/req', 'server RSS MiB'];
  const lines = result.rows.map((r) => [
    r.scenario,
    `${r.targetRate} → ${r.sentRate}`,
    String(r.count),
    String(r.latencyMs.p50),
    String(r.latencyMs.p90),
    String(r.latencyMs.p99),
    String(r.latencyMs.max),
    `${r.non200}/${r.errors}`,
    r.lost === undefined ? '—' : `${r.lost}/${r.duplicates}`,
    String(r.cpuMsPerRequest ?? '—'),
    r.serverRssMiB ? `${r.serverRssMiB.before} → ${r.serverRssMiB.after}` : '—',
  ]);
  return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** The lines under the table: settings, the server's own histogram, the checks behind the figures. */
export function whatsappNotes(result: WhatsAppResult): string[] {
  const s = result.settings;
  const i = result.inbound;
  const o = result.outbound;
  return [
    `WhatsApp: ${s.instances} Cloud API instances on the Graph API double (its own process), one /ws reader each; open loop at ${s.rate}/s round-robin, ${s.durationS} s measured after ${s.warmupS} s of warm-up per scenario; latencies from the moment each request was sent; a frame not there ${s.graceS} s after the last answer is lost. CPU ms/req: the server's, over the measured window and the drain of its answers and frames.`,
    ...result.serverHistograms.map(
      (h) => `Server's own http_request_duration_seconds, ${h.route}: ${h.requests} requests, mean ${h.meanMs} ms, p50 ≤ ${h.p50AtMostMs} ms, p99 ≤ ${h.p99AtMostMs} ms (bucket bounds).`,
    ),
    `(5): ${i.webhooks} webhooks, ${i.lost} events lost, ${i.duplicates} duplicates, ${i.misrouted} on another instance's stream; stream seq gaps ${i.seqGaps}, repeats ${i.seqRepeats}; schedule lag ≤ ${i.maxScheduleLagMs} ms; load generator ${i.loadGeneratorCpuMsPerRequest} CPU ms/webhook.`,
    `(6): ${o.sends} sends, ${o.graphSends} reached the Graph API double (${o.graphDoubleCpuMsPerSend} CPU ms each there); outgoing frames lost ${o.lostEvents}, duplicated ${o.duplicateEvents}; schedule lag ≤ ${o.maxScheduleLagMs} ms; load generator ${o.loadGeneratorCpuMsPerRequest} CPU ms/send.`,
  ];
}
