/**
 * What the open-loop scenarios share (bench/whatsapp.ts, bench/routing.ts): the environment's
 * numbers, the schedule, percentiles, the setup calls of the API, Cloud API instances on the Graph
 * API double and Meta's signed text webhooks.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { inbound, serializeLikeMeta, signMeta, webhookOf, type PhoneNumber } from '../test/fakes/graph-api.js';

export const num = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

/** How often the schedule looks for requests that are due. */
const TICK_MS = 2;
const MiB = 1024 * 1024;

export const WEBHOOK_PATH = '/webhooks/whatsapp-cloud';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
export const mib = (bytes: number) => round(bytes / MiB, 1);

export interface Latency {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  average: number;
}

export function latency(samples: number[]): Latency {
  if (samples.length === 0) return { p50: NaN, p90: NaN, p99: NaN, max: NaN, average: NaN };
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]);
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: round(sorted[sorted.length - 1]), average: round(sorted.reduce((a, b) => a + b, 0) / sorted.length) };
}

export async function call(url: string, method: string, token: string, body?: unknown): Promise<any> {
  const res = await fetch(url, {
    method,
    headers: { token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} -> ${res.status} ${text}`);
  return JSON.parse(text);
}

/**
 * Calls `fire(i)` for i = 0 … total-1 at start + i/rate, on a timer: an open loop (a request never
 * waits for an answer). Returns the worst lag behind the schedule and when the last one went out.
 */
export function openLoop(total: number, rate: number, fire: (i: number) => void): Promise<{ maxLagMs: number; startedAt: number; lastAt: number }> {
  return new Promise((resolve) => {
    const startedAt = performance.now();
    let next = 0;
    let maxLagMs = 0;
    let lastAt = startedAt;
    const tick = () => {
      const now = performance.now();
      while (next < total && startedAt + (next * 1000) / rate <= now) {
        maxLagMs = Math.max(maxLagMs, now - (startedAt + (next * 1000) / rate));
        fire(next++);
        lastAt = now;
      }
      if (next >= total) {
        clearInterval(timer);
        resolve({ maxLagMs: round(maxLagMs), startedAt, lastAt });
      }
    };
    const timer = setInterval(tick, TICK_MS);
    tick();
  });
}

/** Requests per second a schedule actually sent. */
export const sentRateOf = (total: number, schedule: { startedAt: number; lastAt: number }) =>
  round((total - 1) / Math.max(0.001, (schedule.lastAt - schedule.startedAt) / 1000), 0);

/** Resolves once `done()` holds, or after `ms`. */
export async function until(done: () => boolean, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done() && performance.now() < deadline) await sleep(20);
}

// ---- Cloud API instances and Meta's webhooks ----------------------------------------------------

export interface CloudInstance {
  name: string;
  token: string;
  phone: PhoneNumber;
}

/** One connected Cloud API instance per phone number of the double, named `<prefix>-000`, … */
export async function cloudInstances(serverUrl: string, accountToken: string, phones: PhoneNumber[], prefix: string): Promise<CloudInstance[]> {
  const instances: CloudInstance[] = [];
  for (const [i, phone] of phones.entries()) {
    const name = `${prefix}-${String(i).padStart(3, '0')}`;
    const created = await call(`${serverUrl}/api/instance/new`, 'POST', accountToken, {
      name,
      provider: 'cloud',
      cloudPhoneNumberId: phone.id,
      cloudAccessToken: phone.token,
      cloudAppSecret: phone.appSecret,
      cloudVerifyToken: `verify-${randomBytes(8).toString('hex')}`,
    });
    const connected = await call(`${serverUrl}/api/instance/connect/${name}`, 'GET', accountToken);
    if (connected.status !== 'connected') throw new Error(`${name}: ${JSON.stringify(connected)}`);
    instances.push({ name, token: created.instance.token, phone });
  }
  return instances;
}

/** Meta's webhook of one inbound text to `phone`, as Meta sends it: its bytes and its signed headers. */
export function signedTextWebhook(phone: PhoneNumber, text: string, o: { id: string; from: string; name: string }): { raw: string; headers: Record<string, string> } {
  const raw = serializeLikeMeta(webhookOf(phone, inbound.text(text, o)));
  return { raw, headers: { 'content-type': 'application/json', 'user-agent': 'facebookexternalua', 'x-hub-signature-256': signMeta(raw, phone.appSecret) } };
}
