/**
 * `npm run bench:http-clients`: why the bridge gateway sends its calls with undici rather than
 * axios (the design card's client). The same keep-alive GET of a BRIDGE-API integration, made by
 * each client against one loopback server in this process, 32 at a time; prints the CPU time per
 * call (client and server together, the server's share being the same for all) and the wall time.
 * Figures only: nothing asserts a timing.
 *
 * Environment: BENCH_CALLS (calls per client and round, 20000).
 */
import axios from 'axios';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';

const CALLS = Number(process.env.BENCH_CALLS ?? 20_000);
const CONCURRENCY = 32;
const HEADERS = { authorization: 'Bearer bench-token', accept: 'application/json' };
const BODY = JSON.stringify({
  id: '0b7f7a52-7d4c-4c8e-9d55-2b8c3f1e6a10', external_id: 'ryze:6f1c2a9e', status: 'active', last_error: '',
  chatwoot_inbox_id: 12, inbox_name: 'WhatsApp - bench',
});

async function main(): Promise<void> {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(BODY));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const path = '/v1/integrations/0b7f7a52-7d4c-4c8e-9d55-2b8c3f1e6a10';

  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  const viaAxios = axios.create({ httpAgent: agent, proxy: false });
  const dispatcher = new Agent({ connections: 128, connect: { timeout: 5_000 } });

  /** Each as the gateway would call it: a 10 s deadline, the body read as text, no redirects. */
  const clients: Record<string, () => Promise<string>> = {
    'node:http (floor)': () =>
      new Promise((resolve, reject) => {
        const req = http.get(`${origin}${path}`, { agent, headers: HEADERS, timeout: 10_000 }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
      }),
    'axios 1.x (AbortSignal.timeout)': async () => {
      const res = await viaAxios.request<string>({
        method: 'GET', url: `${origin}${path}`, headers: HEADERS, signal: AbortSignal.timeout(10_000), responseType: 'text',
        transformResponse: (d: unknown) => d, validateStatus: () => true, maxRedirects: 0, maxContentLength: 1024 * 1024,
      });
      return res.data;
    },
    'undici (AbortSignal.timeout)': async () => {
      const res = await dispatcher.request({ origin, path, method: 'GET', headers: HEADERS, signal: AbortSignal.timeout(10_000) });
      return res.body.text();
    },
    'undici (controller + timer, as the gateway)': async () => {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), 10_000);
      try {
        const res = await dispatcher.request({ origin, path, method: 'GET', headers: HEADERS, signal: abort.signal });
        return await res.body.text();
      } finally {
        clearTimeout(timer);
      }
    },
    'undici (no deadline: the floor of undici)': async () => {
      const res = await dispatcher.request({ origin, path, method: 'GET', headers: HEADERS });
      return res.body.text();
    },
  };

  console.log(`${CALLS} keep-alive GETs per client, ${CONCURRENCY} concurrent, Node ${process.version}; round 1 warms up, round 2 is printed`);
  console.log('| client | CPU µs/call | wall µs/call |\n| --- | --- | --- |');
  for (const round of [1, 2]) {
    for (const [name, call] of Object.entries(clients)) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      let sent = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (sent < CALLS) {
            sent++;
            if ((await call()) !== BODY) throw new Error(`${name}: unexpected body`);
          }
        }),
      );
      const used = process.cpuUsage(cpu);
      if (round === 2) {
        const perCall = (x: number) => (x / CALLS).toFixed(0);
        console.log(`| ${name} | ${perCall(used.user + used.system)} | ${perCall((performance.now() - started) * 1000)} |`);
      }
    }
  }
  await dispatcher.close();
  agent.destroy();
  server.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
