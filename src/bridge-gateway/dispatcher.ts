import { Agent, type Dispatcher } from 'undici';

/** The injection token of the HTTP client the {@link BridgeGateway} sends its calls through. */
export const BRIDGE_DISPATCHER = Symbol('BRIDGE_DISPATCHER');

/** A TCP connect to the bridge that takes longer is "unreachable" (502), not "slow" (504). */
const CONNECT_TIMEOUT_MS = 5_000;

/** Largest bridge answer read (an integration or a list of them is a few KB). */
const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * undici (Node.js's own HTTP client library) with keep-alive connections: every status read does a
 * bridge GET, and a new TCP connection each time would dominate its latency. Redirects are not
 * followed and no proxy is used (undici does neither unless told). The per-call deadline is the
 * gateway's own; undici's header and body timeouts (300 s) are only backstops.
 */
export function createBridgeDispatcher(): Dispatcher {
  return new Agent({
    connections: 128,
    connect: { timeout: CONNECT_TIMEOUT_MS },
    maxResponseSize: MAX_ANSWER_BYTES,
  });
}
