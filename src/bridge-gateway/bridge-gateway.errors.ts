/**
 * What Chatwoot meant, as the bridge reported it (BRIDGE-API §4 `reason`), or as the text patterns
 * of SPEC §5 reveal it for a bridge that answers only text.
 */
export type ChatwootFailure = 'token_rejected' | 'forbidden' | 'not_found' | 'invalid' | 'unreachable';

/**
 * Every way a bridge call can fail, decided once, here (STYLE.md "Outbound HTTP"):
 * - `chatwoot`: the bridge reached (or tried to reach) Chatwoot, and Chatwoot failed;
 * - `unreachable`: the bridge itself could not be reached (refused, DNS, connect timeout);
 * - `timeout`: the caller's time budget ran out while waiting for the bridge;
 * - `credentials`: the bridge rejected this server's BRIDGE_TOKEN (401/403);
 * - `failed`: the bridge answered outside its contract (internal, invalid_request, garbage).
 * `detail` is the raw root-cause text meant for `Detail:`; it never holds the Chatwoot token.
 */
export type GatewayFailure =
  | { kind: 'chatwoot'; failure: ChatwootFailure; detail: string }
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
