/** The `code` of every BRIDGE-API §4 error. */
export type BridgeErrorCode =
  | 'invalid_request'
  | 'unauthorized'
  | 'not_found'
  | 'upstream_http'
  | 'upstream_unreachable'
  | 'inbox_in_use'
  | 'internal';

/** What Chatwoot meant (BRIDGE-API §4), since its status codes are ambiguous. */
export type UpstreamReason =
  | 'token_rejected'
  | 'forbidden'
  | 'not_found'
  | 'invalid'
  | 'upstream_error'
  | 'unreachable'
  /** Nothing was sent: the address policy (CHATWOOT_ALLOWED_HOSTS) refused the host. */
  | 'blocked_address';

export interface BridgeErrorBody {
  error: {
    code: BridgeErrorCode;
    reason?: UpstreamReason;
    upstream_status?: number;
    message: string;
  };
}

/**
 * A failure the bridge answers with the BRIDGE-API §4 body. `message` is client-visible: for the
 * upstream codes it is the raw root cause and has already been redacted of the Chatwoot token.
 */
export class BridgeError extends Error {
  constructor(
    readonly code: BridgeErrorCode,
    message: string,
    readonly reason?: UpstreamReason,
    readonly upstreamStatus?: number,
  ) {
    super(message);
    this.name = 'BridgeError';
  }
}

/** BRIDGE-API §4's HTTP status of each code. */
export function bridgeErrorStatus(code: BridgeErrorCode): number {
  switch (code) {
    case 'invalid_request':
      return 400;
    case 'unauthorized':
      return 401;
    case 'not_found':
      return 404;
    case 'upstream_http':
    case 'upstream_unreachable':
      return 502;
    case 'inbox_in_use':
      return 409;
    case 'internal':
      return 500;
  }
}

export function bridgeErrorBody(error: BridgeError): BridgeErrorBody {
  return {
    error: {
      code: error.code,
      ...(error.reason !== undefined ? { reason: error.reason } : {}),
      ...(error.upstreamStatus !== undefined ? { upstream_status: error.upstreamStatus } : {}),
      message: error.message,
    },
  };
}

export const integrationNotFound = (id: string): BridgeError => new BridgeError('not_found', `integration ${id} not found`);
