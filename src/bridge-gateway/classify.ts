import type { ChatwootFailure, GatewayFailure } from './bridge-gateway.errors.js';

/** The structured error of BRIDGE-API §4. */
interface StructuredError {
  code: string;
  reason?: string;
  upstream_status?: number;
  message: string;
}

const REASONS: Record<string, ChatwootFailure> = {
  token_rejected: 'token_rejected',
  forbidden: 'forbidden',
  not_found: 'not_found',
  invalid: 'invalid',
  upstream_error: 'unreachable',
  unreachable: 'unreachable',
  blocked_address: 'blocked_address',
};

function parseStructured(body: string): StructuredError | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  const error = (parsed as { error?: unknown } | null)?.error as Record<string, unknown> | undefined;
  if (!error || typeof error !== 'object' || typeof error.code !== 'string' || typeof error.message !== 'string') return null;
  return {
    code: error.code,
    message: error.message,
    reason: typeof error.reason === 'string' ? error.reason : undefined,
    upstream_status: typeof error.upstream_status === 'number' ? error.upstream_status : undefined,
  };
}

function byStatus(status: number | undefined): ChatwootFailure | null {
  if (status === undefined) return null;
  if (status === 401) return 'token_rejected';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 422) return 'invalid';
  if (status >= 500 && status <= 599) return 'unreachable';
  return null;
}

/** SPEC §5's text patterns, for a bridge that answers only text. */
export function byTextPattern(text: string): ChatwootFailure | null {
  if (/HTTP 401\b/.test(text)) return 'token_rejected';
  if (/HTTP 403\b/.test(text)) return 'forbidden';
  if (/HTTP 404\b/.test(text)) return 'not_found';
  if (/HTTP 422\b/.test(text)) return 'invalid';
  if (/HTTP 5\d\d\b|dial tcp|connection refused|i\/o timeout|no such host|ECONNREFUSED|ENOTFOUND|ETIMEDOUT/.test(text)) {
    return 'unreachable';
  }
  return null;
}

/**
 * Classifies a non-2xx answer of the bridge (SPEC §5 "Classification of a bridge error",
 * BRIDGE-API §4): 401/403 are this server's credentials; a structured error goes by `code`, then
 * for the upstream codes by `reason`, then `upstream_status`; any other body by the text patterns.
 */
export function classifyBridgeAnswer(status: number, body: string): GatewayFailure {
  const structured = parseStructured(body);
  const detail = structured ? structured.message : body.trim() === '' ? `HTTP ${status} with an empty body` : body.trim();
  if (status === 401 || status === 403) return { kind: 'credentials', detail };
  if (structured) {
    if (structured.code === 'upstream_http' || structured.code === 'upstream_unreachable') {
      const failure =
        (structured.reason !== undefined ? REASONS[structured.reason] : undefined) ??
        byStatus(structured.upstream_status) ??
        (structured.code === 'upstream_unreachable' ? 'unreachable' : null);
      if (failure) return { kind: 'chatwoot', failure, detail };
    }
    if (structured.code === 'inbox_in_use' && status === 409) return { kind: 'inbox_in_use', detail };
    return { kind: 'failed', detail };
  }
  const failure = byTextPattern(body);
  return failure ? { kind: 'chatwoot', failure, detail } : { kind: 'failed', detail };
}
