/**
 * The Graph API double of the tests (test/fakes/graph-api.ts) in a process of its own, so that its
 * CPU is neither the server's nor the load generator's (as bench/fake-bridge-process.ts does for
 * the fake bridge). Driven by its parent over IPC (`fork`): `phones` registers phone numbers (each
 * with its own access token and app secret) and returns them, `counts` returns how many requests
 * of each kind it has answered.
 */
import { GraphApiDouble, type PhoneNumber } from '../test/fakes/graph-api.js';

export type GraphCommand =
  | { cmd: 'phones'; n: number }
  | { cmd: 'counts' };

export type GraphMessage =
  | { type: 'ready'; url: string }
  | { type: 'phones'; phones: PhoneNumber[] }
  | { type: 'counts'; counts: Record<string, number> };

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

process.on('message', (message: GraphCommand) => {
  switch (message.cmd) {
    case 'phones':
      return send({ type: 'phones', phones: Array.from({ length: message.n }, () => double.addPhoneNumber()) });
    case 'counts':
      drain();
      return send({ type: 'counts', counts: { ...counts } });
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', url: double.url });
