import { BridgeError, type UpstreamReason } from './bridge.errors.js';

/** How much of Chatwoot's own JSON error a message quotes (SPEC §5). */
export const MAX_QUOTED_CHARS = 300;

/**
 * What a message may show of an answer (SPEC §5): Chatwoot's own JSON error, quoted; anything
 * else only described (type and size), so that the server cannot be used to read other services.
 */
export type ShownAnswer = { quoted: string } | { described: string };

/** Chatwoot's own JSON errors (SPEC §5): `{"error": …}`, `{"errors": […]}`, `{"message": …, "attributes": …}`. */
export function isChatwootJsonError(text: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return false;
  const o = parsed as Record<string, unknown>;
  return 'error' in o || Array.isArray(o.errors) || ('message' in o && 'attributes' in o);
}

/**
 * The answer as a message shows it. `text` must be redacted already: the quote is cut after
 * redaction, so that no part of a secret survives the cut (SPEC §5).
 */
export function showAnswer(text: string, contentType: string | undefined, bytes: number, notChatwoot: boolean): ShownAnswer {
  if (!notChatwoot && isChatwootJsonError(text)) {
    return { quoted: text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text };
  }
  const type = contentType?.split(';')[0].trim().toLowerCase() ?? '';
  // Only a well-formed media type is echoed: the header is the answering service's text too.
  const shownType = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/.test(type) ? `${type}, ` : type === '' ? '' : 'an unknown type, ';
  return { described: `${shownType}${bytes} bytes${notChatwoot ? ", not Chatwoot's API" : ''}` };
}

/** A Chatwoot call that got an answer outside 2xx (or a 2xx that is not Chatwoot's API). */
export class ChatwootHttpError extends Error {
  /** Chatwoot's JSON error, redacted (uncut, for the classification), or '' when the answer was not one. */
  readonly body: string;

  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    shown: ShownAnswer,
    /** Set when a 2xx answer was not the JSON Chatwoot sends (e.g. a web page at that URL). */
    readonly unexpectedBody = false,
    chatwootError = '',
  ) {
    super('quoted' in shown ? `${url} HTTP ${status}: ${shown.quoted}` : `${url} HTTP ${status} ${shown.described}`);
    this.body = chatwootError;
    this.name = 'ChatwootHttpError';
  }
}

/** A Chatwoot call that got no answer: DNS, refused, reset, timeout, TLS, or the URL policy. */
export class ChatwootUnreachableError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    /** The Node error code (ECONNREFUSED, ENOTFOUND, ETIMEDOUT, EADDRNOTALLOWED, a TLS code…). */
    readonly errorCode: string,
    detail: string,
  ) {
    super(`${goMethod(method)} "${url}": ${detail}`);
    this.name = 'ChatwootUnreachableError';
  }
}

/** A 2xx whose JSON is not Chatwoot's, described by shape only: an inbox carries secrets that must not reach a message. */
export function unexpectedJson(method: string, url: string, what: string): ChatwootHttpError {
  return new ChatwootHttpError(method, url, 200, { described: `${what}, not Chatwoot's API` }, true);
}

export type ChatwootCallError = ChatwootHttpError | ChatwootUnreachableError;

export function isChatwootCallError(err: unknown): err is ChatwootCallError {
  return err instanceof ChatwootHttpError || err instanceof ChatwootUnreachableError;
}

/** `Post "<url>": …`: the form BRIDGE-API §4's examples use, which SPEC §5's patterns match. */
function goMethod(method: string): string {
  return method.charAt(0).toUpperCase() + method.slice(1).toLowerCase();
}

/**
 * BRIDGE-API §4's `reason` of a Chatwoot HTTP answer. Chatwoot answers 401 both for a bad token
 * and for a valid one that may not do this (CONTRACT §1), so the body decides between them.
 */
export function reasonOfHttpFailure(status: number, body: string, unexpectedBody = false): UpstreamReason {
  // A 2xx that is not Chatwoot's JSON, or a redirect (the API never redirects): the base URL
  // does not point at Chatwoot's API, which is what "account or endpoint not found" tells a user.
  if (unexpectedBody || (status >= 300 && status < 400)) return 'not_found';
  if (status === 401) {
    const error = errorText(body);
    if (error === 'Invalid Access Token') return 'token_rejected';
    // The token is valid but may not act here: not an admin, not a member of the account, a bot
    // token on a user endpoint, or a suspended account. All ask for a token with other rights.
    if (
      error !== null &&
      (error.startsWith('You are not authorized to') ||
        error === 'Access to this endpoint is not authorized for bots' ||
        error === 'Bot is not authorized to access this account' ||
        error === 'Account is suspended')
    ) {
      return 'forbidden';
    }
    return 'token_rejected';
  }
  if (status === 403) return 'forbidden';
  if (status === 404 || status === 405 || status === 410) return 'not_found';
  if (status === 422) return 'invalid';
  // 429 is rack-attack's throttling: Chatwoot is up but not serving us now, like a 5xx.
  if (status >= 500 || status === 429) return 'upstream_error';
  // Other 4xx (400, 402 "Account limit exceeded", 409, 413): Chatwoot refused the request as made.
  return 'invalid';
}

function errorText(body: string): string | null {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && typeof (parsed as { error?: unknown }).error === 'string') {
      return (parsed as { error: string }).error;
    }
  } catch {
    // not JSON
  }
  return null;
}

/** The BRIDGE-API §4 error of a failed Chatwoot call. */
export function toBridgeError(err: ChatwootCallError): BridgeError {
  if (err instanceof ChatwootHttpError) {
    return new BridgeError('upstream_http', err.message, reasonOfHttpFailure(err.status, err.body, err.unexpectedBody), err.status);
  }
  return new BridgeError('upstream_unreachable', err.message, err.errorCode === 'EADDRNOTALLOWED' ? 'blocked_address' : 'unreachable');
}

interface NodeNetworkError {
  code?: unknown;
  message?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
}

/**
 * The text after `<Method> "<url>": ` for a network failure: Go's wording, which SPEC §5's text
 * patterns know (`dial tcp`, `connection refused`…), followed by the Node code.
 */
export function describeNetworkError(err: unknown, host: string, port: number, timeoutMs: number): { code: string; detail: string } {
  const e = (err ?? {}) as NodeNetworkError;
  const code = typeof e.code === 'string' ? e.code : 'UNKNOWN';
  const target = `${typeof e.address === 'string' ? bracket(e.address) : bracket(host)}:${typeof e.port === 'number' ? e.port : port}`;
  const message = typeof e.message === 'string' ? e.message : String(err);
  switch (code) {
    case 'ECONNREFUSED':
      return { code, detail: `dial tcp ${target}: connect: connection refused (ECONNREFUSED)` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return { code, detail: `dial tcp: lookup ${host}: no such host (${code})` };
    case 'ETIMEDOUT':
      // With an address, the kernel gave up connecting; without, the call's own deadline passed.
      return typeof e.address === 'string'
        ? { code, detail: `dial tcp ${target}: i/o timeout (ETIMEDOUT)` }
        : { code, detail: `i/o timeout: no answer within ${timeoutMs}ms (ETIMEDOUT)` };
    case 'ECONNRESET':
      return { code, detail: `read tcp ${target}: connection reset by peer (ECONNRESET)` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { code, detail: `dial tcp ${target}: connect: no route to host (${code})` };
    case 'EADDRNOTALLOWED':
      return { code, detail: message };
    default:
      if (isTlsError(code, message)) {
        // OpenSSL's `…:error:0A00010B:SSL routines:<function>:<reason>:<file>:<line>:` → the reason.
        const reason = /SSL routines:[^:]*:([^:]+)/.exec(message)?.[1] ?? message;
        return { code, detail: `tls: handshake with ${bracket(host)}:${port} failed: ${reason} (${code})` };
      }
      return { code, detail: `${message} (${code})` };
  }
}

function bracket(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

function isTlsError(code: string, message: string): boolean {
  return (
    code.startsWith('ERR_SSL') ||
    code.startsWith('ERR_TLS') ||
    code === 'EPROTO' ||
    /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH/.test(code) ||
    /ssl|tls|certificate/i.test(message)
  );
}
