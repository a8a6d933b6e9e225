/**
 * `npm run bench:express`: why the server's Express requests are born with Express's prototypes
 * (src/common/http/express-adapter.ts). The same bare Express application (one JSON route, no
 * framework above it) served twice, each in a process of its own:
 * - `re-parented`: `http.createServer(app)`, as Nest's ExpressAdapter does; Express then calls
 *   `Object.setPrototypeOf` on every request and response;
 * - `born`: through PrebornExpressAdapter, so that call changes nothing.
 * autocannon loads each in turn, 32 connections; prints requests/s, latency, and the server's
 * young-generation figures from V8 (bytes that survived a scavenge, bytes promoted per scavenge).
 * Figures only: nothing asserts a timing.
 *
 * Environment: BENCH_DURATION (s per variant, 8).
 */
import autocannon, { type Result } from 'autocannon';
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { PrebornExpressAdapter } from '../src/common/http/express-adapter.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 8);
type Variant = 're-parented' | 'born';

/** The child: one variant's server; reports its port, then its scavenge pauses when asked. */
async function serve(variant: Variant): Promise<void> {
  let server: http.Server;
  let app: express.Express;
  if (variant === 'born') {
    const adapter = new PrebornExpressAdapter();
    adapter.initHttpServer({});
    app = adapter.getInstance<express.Express>();
    server = adapter.getHttpServer() as http.Server;
  } else {
    app = express();
    server = http.createServer(app);
  }
  app.disable('etag');
  app.get('/things/:id', (req, res) => void res.json({ id: req.params.id, at: new Date().toISOString() }));

  const scavenges = { count: 0, ms: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (((entry as { detail?: { kind?: number } }).detail)?.kind === 1) {
        scavenges.count += 1;
        scavenges.ms += entry.duration;
      }
    }
  }).observe({ entryTypes: ['gc'] });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.send!({ port: (server.address() as AddressInfo).port });
  process.on('message', (message: string) => {
    if (message === 'reset') {
      scavenges.count = 0;
      scavenges.ms = 0;
      process.send!({ reset: true });
    } else if (message === 'report') {
      process.send!({ scavenges: { ...scavenges } });
    }
  });
}

const load = (url: string, duration: number) =>
  new Promise<Result>((resolve, reject) => {
    autocannon({ url, connections: 32, duration }, (err, result) => (err ? reject(err) : resolve(result)));
  });

function ask<T>(child: ReturnType<typeof fork>, message: string, key: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (reply: Record<string, unknown>) => {
      if (key in reply) {
        child.off('message', onMessage);
        resolve(reply as T);
      }
    };
    child.on('message', onMessage);
    if (message) child.send(message);
  });
}

async function measure(variant: Variant): Promise<string> {
  const child = fork(fileURLToPath(import.meta.url), [variant], { execArgv: ['--trace-gc-nvp'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  // V8's per-scavenge record (--trace-gc-nvp): what survived and what was promoted.
  const figures = { survived: 0, promoted: 0, scavenges: 0 };
  let measuring = false;
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    if (!measuring) return;
    for (const line of chunk.split('\n')) {
      if (!line.includes('gc=s ')) continue;
      figures.scavenges += 1;
      figures.survived += Number(/ new_space_survived=(\d+)/.exec(line)?.[1] ?? 0);
      figures.promoted += Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0);
    }
  });
  const { port } = await ask<{ port: number }>(child, '', 'port');
  const url = `http://127.0.0.1:${port}/things/42`;
  await load(url, 2); // warm-up
  await ask(child, 'reset', 'reset');
  measuring = true;
  const result = await load(url, DURATION);
  measuring = false;
  const { scavenges } = await ask<{ scavenges: { count: number; ms: number } }>(child, 'report', 'scavenges');
  child.kill();
  const perScavenge = (bytes: number) => (figures.scavenges ? (bytes / figures.scavenges / 2 ** 20).toFixed(2) : '—');
  return `| ${variant} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${scavenges.count} | ${(scavenges.ms / Math.max(1, scavenges.count)).toFixed(2)} | ${perScavenge(figures.survived)} | ${perScavenge(figures.promoted)} |`;
}

async function main(): Promise<void> {
  const variant = process.argv[2] as Variant | undefined;
  if (variant) return serve(variant);
  console.log(`bare Express 5, one JSON route, 32 connections, ${DURATION} s per variant (Node ${process.version})\n`);
  console.log('| requests and responses | req/s | p50 ms | p99 ms | scavenges | ms per scavenge | MiB survived per scavenge | MiB promoted per scavenge |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const v of ['re-parented', 'born', 're-parented', 'born'] as const) console.log(await measure(v));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
