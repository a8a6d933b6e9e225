/**
 * The Graph API double of the tests (test/fakes/graph-api.ts) in a process of its own, so that its
 * CPU is neither the server's nor the load generator's (as bench/fake-bridge-process.ts does for
 * the fake bridge). Driven by its parent over IPC (`fork`): `phones` registers phone numbers (each
 * with its own access token and app secret) and returns them, `counts` returns how many requests
 * of each kind it has answered; `track` starts (or stops) noting each send with the moment it
 * arrived (bench/routing.ts), `sent` hands over the sends noted since it last asked.
 */
import { performance } from 'node:perf_hooks';
import { GraphApiDouble, type PhoneNumber } from '../test/fakes/graph-api.js';

export type GraphCommand =
  | { cmd: 'phones'; n: number }
  | { cmd: 'counts' }
  | { cmd: 'track'; on: boolean }
  | { cmd: 'sent' };

/** A send as it arrived: `at` in epoch ms on the high-resolution clock (performance.timeOrigin + now). */
export interface TrackedSend {
  at: number;
  phoneNumberId: string;
  to: string;
  /** `text.body` of a text send. */
  text: string | null;
}

export type GraphMessage =
  | { type: 'ready'; url: string }
  | { type: 'phones'; phones: PhoneNumber[] }
  | { type: 'counts'; counts: Record<string, number> }
  | { type: 'ok' }
  | { type: 'sent'; sent: TrackedSend[] };

const send = (message: GraphMessage) => process.send?.(message);
const double = await GraphApiDouble.start();
const counts: Record<string, number> = {};

/** `POST /{id}/messages` → `messages`, `GET /{id}` → `phone`, anything else by method. */
const kindOf = (method: string, path: string) =>
  method === 'POST' && path.endsWith('/messages') ? 'messages' : method === 'GET' && path.split('/').length === 3 ? 'phone' : method;

// The double records every request and send; over a long run that record would be its own leak.
const drain = () => {
  for (const r of double.requests) {
    const kind = kindOf(r.method, r.path);
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  double.requests.length = 0;
  double.sent.length = 0;
};
setInterval(drain, 250).unref();

/** Sends noted while tracking, until the parent takes them (at most MAX_TRACKED). */
let tracked: TrackedSend[] | null = null;
const MAX_TRACKED = 500_000;
const push = double.sent.push.bind(double.sent);
double.sent.push = (...items) => {
  if (tracked && tracked.length < MAX_TRACKED) {
    const at = performance.timeOrigin + performance.now();
    for (const s of items) tracked.push({ at, phoneNumberId: s.phoneNumberId, to: s.to, text: typeof s.body?.text?.body === 'string' ? s.body.text.body : null });
  }
  return push(...items);
};

process.on('message', (message: GraphCommand) => {
  switch (message.cmd) {
    case 'phones':
      return send({ type: 'phones', phones: Array.from({ length: message.n }, () => double.addPhoneNumber()) });
    case 'counts':
      drain();
      return send({ type: 'counts', counts: { ...counts } });
    case 'track':
      tracked = message.on ? (tracked ?? []) : null;
      return send({ type: 'ok' });
    case 'sent': {
      const sent = tracked ?? [];
      if (tracked) tracked = [];
      return send({ type: 'sent', sent });
    }
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', url: double.url });
