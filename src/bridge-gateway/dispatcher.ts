import { Agent, type Dispatcher } from 'undici';

export const BRIDGE_DISPATCHER = Symbol('BRIDGE_DISPATCHER');

/** A TCP connect to the bridge that takes longer is "unreachable" (502), not "slow" (504). */
const CONNECT_TIMEOUT_MS = 5_000;

/** Largest bridge answer read (an integration or a list of them is a few KB). */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** Keep-alive: a new TCP connection per status read would dominate its latency. The gateway keeps its own deadline. */
export function createBridgeDispatcher(): Dispatcher {
  return new Agent({
    connections: 128,
    connect: { timeout: CONNECT_TIMEOUT_MS },
    maxResponseSize: MAX_ANSWER_BYTES,
  });
}
