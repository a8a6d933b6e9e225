/**
 * The loopback BRIDGE-API fake of the tests (test/fakes/fake-bridge.ts) in a process of its own,
 * so that it shares an event loop with neither the server under test nor the load generator.
 * Driven by its parent over IPC (`fork`): `behave` sets an operation's behaviour, `counts` returns
 * how many requests of each method it has answered.
 */
import { FakeBridge, type Behaviour, type Operation } from '../test/fakes/fake-bridge.js';

export type BridgeCommand =
  | { cmd: 'behave'; op: Operation; behaviour: Behaviour }
  | { cmd: 'counts' };

export type BridgeMessage =
  | { type: 'ready'; url: string; token: string }
  | { type: 'ok' }
  | { type: 'counts'; counts: Record<string, number> };

const send = (message: BridgeMessage) => process.send?.(message);
const fake = await new FakeBridge().start();
const counts: Record<string, number> = {};

// The fake records every request; over a long run that record would be the fake's own leak.
const drain = () => {
  for (const r of fake.requests) counts[r.method] = (counts[r.method] ?? 0) + 1;
  fake.requests.length = 0;
};
setInterval(drain, 250).unref();

process.on('message', (message: BridgeCommand) => {
  switch (message.cmd) {
    case 'behave':
      fake.behave(message.op, message.behaviour);
      return send({ type: 'ok' });
    case 'counts':
      drain();
      return send({ type: 'counts', counts: { ...counts } });
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', url: fake.url, token: fake.token });
