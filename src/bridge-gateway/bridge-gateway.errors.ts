/** What Chatwoot meant: BRIDGE-API §4's `reason`, or SPEC §5's text patterns for a bridge that answers only text. */
export type ChatwootFailure = 'token_rejected' | 'forbidden' | 'not_found' | 'invalid' | 'unreachable' | 'blocked_address';

/**
 * Every way a bridge call can fail: Chatwoot failed behind the bridge; the inbox of that name
 * routes for another integration (`inbox_in_use`, BRIDGE-API §4); the bridge `unreachable`;
 * the caller's budget ran out (`timeout`); BRIDGE_TOKEN rejected (`credentials`); an answer outside
 * the contract (`failed`). `detail` is the root-cause text for `Detail:`, already redacted.
 */
export type GatewayFailure =
  | { kind: 'chatwoot'; failure: ChatwootFailure; detail: string }
  | { kind: 'inbox_in_use'; detail: string }
  | { kind: 'unreachable'; detail: string }
  | { kind: 'timeout'; detail: string }
  | { kind: 'credentials'; detail: string }
  | { kind: 'failed'; detail: string };

export class BridgeGatewayError extends Error {
  /**
   * @param dropped the connection closed before the answer was complete: the request may not have
   *   reached the bridge, so an idempotent call may be sent again.
   */
  constructor(
    readonly failure: GatewayFailure,
    readonly dropped = false,
  ) {
    super(`bridge gateway: ${failure.kind}: ${failure.detail}`);
    this.name = 'BridgeGatewayError';
  }
}
