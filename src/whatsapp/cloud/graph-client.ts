import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Agent, type Dispatcher } from 'undici';
import type { AppConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { WhatsAppError } from '../whatsapp.port.js';

/** The injection token of the HTTP client the {@link GraphClient} sends its calls through. */
export const GRAPH_DISPATCHER = Symbol('GRAPH_DISPATCHER');
/** Optional: shorter deadlines (tests). */
export const GRAPH_TIMEOUTS = Symbol('GRAPH_TIMEOUTS');

export interface GraphTimeouts {
  /** `POST /<id>/messages`: a send that has not been accepted by then is reported unreachable. */
  sendMs: number;
  /** Uploads and downloads of media (up to MEDIA_MAX_BYTES, 64 MiB by default). */
  mediaMs: number;
  /** `GET /<id>` at connect; default WHATSAPP_CONNECT_TIMEOUT_MS. */
  connectMs?: number;
}

const DEFAULT_TIMEOUTS: GraphTimeouts = { sendMs: 15_000, mediaMs: 120_000 };

/** A TCP/TLS connect to Meta that takes longer is "unreachable"; the per-call deadline is separate. */
const CONNECT_TIMEOUT_MS = 10_000;

/** Largest JSON answer read (Graph answers here are a few hundred bytes). */
const MAX_JSON_BYTES = 1024 * 1024;

/**
 * undici with keep-alive connections to graph.facebook.com (every send is one request; a TLS
 * handshake each time would double its latency). No redirects, no proxy. undici's own header and
 * body timeouts are backstops only: each call carries its own deadline.
 */
export function createGraphDispatcher(): Dispatcher {
  return new Agent({ connections: 64, connect: { timeout: CONNECT_TIMEOUT_MS }, headersTimeout: 300_000, bodyTimeout: 300_000 });
}

export interface GraphCredentials {
  phoneNumberId: string;
  /** Plaintext; sent only in the Authorization header, never logged, redacted from every detail. */
  accessToken: string;
}

/** What a failure means depends on the call (SPEC-MESSAGING §8–§9). */
type Purpose = 'connect' | 'send' | 'media';

export interface PhoneNumberInfo {
  id: string;
  /** Human-formatted by Meta (`+1 555-078-3881`), or null. */
  displayPhoneNumber: string | null;
  verifiedName: string | null;
}

export interface GraphSendResult {
  wamid: string;
  /** The recipient as Meta normalised it (`contacts[0].wa_id`), or null (a BSUID or group send). */
  waId: string | null;
}

export interface GraphMediaUrl {
  url: string;
  mimeType: string | null;
  fileSize: number | null;
}

/** The `error` object of a Graph error body. */
export interface GraphErrorBody {
  message: string | null;
  code: number | null;
  details: string | null;
}

/** SPEC-MESSAGING §9's reasons for the codes it names; any other code's reason is Meta's `error.message`. */
const REASONS: Record<number, string> = {
  131047: 'the 24-hour customer service window is closed (send a template)',
  131026: 'the number is not on WhatsApp',
  130429: 'rate limited by WhatsApp',
  131048: 'rate limited by WhatsApp',
  131056: 'rate limited by WhatsApp',
  80007: 'rate limited by WhatsApp',
  4: 'rate limited by WhatsApp',
};

/**
 * Codes that mean the access token is the problem: 190 (invalid, expired, revoked, SPEC §8) and
 * 104 (no token at all — only reachable with a token of blanks).
 */
const CREDENTIAL_CODES = new Set([190, 104]);

/** A header value must be visible ASCII (Meta's tokens are base64-like); anything else cannot be sent. */
const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

class AnswerTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`answer larger than ${limit} bytes`);
  }
}

interface Answer {
  status: number;
  contentType: string | null;
  body: Buffer;
}

/**
 * The only code that speaks HTTP to Meta's Graph API (research notes: /tmp/research/cloud-api.md).
 * Every call has a deadline and a bounded answer, logs method, path, outcome and duration only,
 * and every failure becomes one {@link WhatsAppError} in the words of SPEC-MESSAGING §8–§9, here.
 */
@Injectable()
export class GraphClient {
  private readonly logger = new Logger('GraphClient');
  private readonly apiOrigin: string;
  private readonly apiPath: string;
  private readonly timeouts: Required<GraphTimeouts>;

  constructor(
    @Inject(GRAPH_DISPATCHER) private readonly dispatcher: Dispatcher,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'whatsappCloudApiUrl' | 'whatsappConnectTimeoutMs' | 'mediaMaxBytes'>,
    @Optional() @Inject(GRAPH_TIMEOUTS) timeouts?: Partial<GraphTimeouts>,
  ) {
    const url = new URL(config.whatsappCloudApiUrl);
    this.apiOrigin = url.origin;
    this.apiPath = url.pathname.replace(/\/+$/, '');
    this.timeouts = { ...DEFAULT_TIMEOUTS, connectMs: config.whatsappConnectTimeoutMs, ...timeouts } as Required<GraphTimeouts>;
  }

  /**
   * `GET /<phone-number-id>` (default fields): the credentials work for this number (SPEC §8
   * connect). With `purpose: 'send'` (a send that needs the number first) a refusal is the send's
   * (REJECTED), within the send deadline.
   */
  async verifyPhoneNumber(creds: GraphCredentials, purpose: 'connect' | 'send' = 'connect'): Promise<PhoneNumberInfo> {
    const timeoutMs = purpose === 'connect' ? this.timeouts.connectMs : this.timeouts.sendMs;
    const answer = await this.call(creds, 'GET', this.apiUrl(`/${encodeURIComponent(creds.phoneNumberId)}`), timeoutMs);
    const body = this.json(purpose, answer, creds) as Record<string, unknown>;
    return {
      id: typeof body.id === 'string' ? body.id : creds.phoneNumberId,
      displayPhoneNumber: typeof body.display_phone_number === 'string' ? body.display_phone_number : null,
      verifiedName: typeof body.verified_name === 'string' ? body.verified_name : null,
    };
  }

  /** `POST /<phone-number-id>/messages`; the body is Meta's, `messaging_product` included. Never retried. */
  async sendMessage(creds: GraphCredentials, message: Record<string, unknown>): Promise<GraphSendResult> {
    const answer = await this.call(creds, 'POST', this.apiUrl(`/${encodeURIComponent(creds.phoneNumberId)}/messages`), this.timeouts.sendMs, {
      payload: { body: Buffer.from(JSON.stringify(message)), contentType: 'application/json' },
    });
    const body = this.json('send', answer, creds) as { messages?: Array<{ id?: unknown }>; contacts?: Array<{ wa_id?: unknown }> };
    const wamid = body.messages?.[0]?.id;
    if (typeof wamid !== 'string' || wamid === '') {
      throw new WhatsAppError('UNREACHABLE', `unexpected answer: HTTP ${answer.status} without a message id`);
    }
    const waId = body.contacts?.[0]?.wa_id;
    return { wamid, waId: typeof waId === 'string' && /^\d+$/.test(waId) ? waId : null };
  }

  /** `POST /<phone-number-id>/media` (multipart): the media id to send by. A refusal is the send's (REJECTED). */
  async uploadMedia(creds: GraphCredentials, media: { bytes: Buffer; mimetype: string; fileName: string | null }): Promise<string> {
    const form = multipart([
      { name: 'messaging_product', value: 'whatsapp' },
      { name: 'type', value: media.mimetype },
      { name: 'file', value: media.bytes, fileName: media.fileName ?? defaultFileName(media.mimetype), contentType: media.mimetype },
    ]);
    const answer = await this.call(creds, 'POST', this.apiUrl(`/${encodeURIComponent(creds.phoneNumberId)}/media`), this.timeouts.mediaMs, { payload: form });
    const id = (this.json('send', answer, creds) as { id?: unknown }).id;
    if (typeof id !== 'string' || id === '') throw new WhatsAppError('UNREACHABLE', `unexpected answer: HTTP ${answer.status} without a media id`);
    return id;
  }

  /** `GET /<media-id>`: where the bytes are for the next 5 minutes. Unknown or expired → MEDIA_GONE. */
  async getMediaUrl(creds: GraphCredentials, mediaId: string): Promise<GraphMediaUrl> {
    const answer = await this.call(creds, 'GET', this.apiUrl(`/${encodeURIComponent(mediaId)}`), this.timeouts.mediaMs);
    const body = this.json('media', answer, creds) as Record<string, unknown>;
    if (typeof body.url !== 'string') throw new WhatsAppError('UNREACHABLE', `unexpected answer: HTTP ${answer.status} without a media url`);
    // Meta's docs render file_size as a string, its answers carry a number: accept both.
    const size = typeof body.file_size === 'number' ? body.file_size : typeof body.file_size === 'string' && /^\d+$/.test(body.file_size) ? Number(body.file_size) : null;
    return { url: body.url, mimeType: typeof body.mime_type === 'string' ? body.mime_type : null, fileSize: size };
  }

  /**
   * `GET <url>` with the bearer token: the bytes, at most MEDIA_MAX_BYTES. The token goes only to
   * an https URL or to the API's own origin (a double in tests), never in clear elsewhere.
   * A 4xx (Meta: 404 once the URL expired) → MEDIA_GONE; the caller may ask for a new URL.
   */
  async downloadMedia(creds: GraphCredentials, url: string, expectedSize: number | null = null): Promise<{ bytes: Buffer; mimetype: string | null }> {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      throw new WhatsAppError('UNREACHABLE', 'unexpected answer: the media url is not a URL');
    }
    if (target.protocol !== 'https:' && target.origin !== this.apiOrigin) {
      throw new WhatsAppError('UNREACHABLE', `unexpected answer: the media url is not https (${target.protocol}//${target.host})`);
    }
    const max = this.config.mediaMaxBytes;
    if (expectedSize !== null && expectedSize > max) throw tooLarge(max);
    const answer = await this.call(creds, 'GET', target, this.timeouts.mediaMs, { maxBytes: max, tooLarge: () => tooLarge(max) });
    if (answer.status < 200 || answer.status > 299) throw this.failure('media', answer, creds);
    return { bytes: answer.body, mimetype: answer.contentType };
  }

  private apiUrl(path: string): URL {
    return new URL(`${this.apiOrigin}${this.apiPath}${path}`);
  }

  /** A 2xx JSON body, or the failure the answer means. */
  private json(purpose: Purpose, answer: Answer, creds: GraphCredentials): unknown {
    if (answer.status < 200 || answer.status > 299) throw this.failure(purpose, answer, creds);
    try {
      const parsed: unknown = JSON.parse(answer.body.toString('utf8'));
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed;
    } catch {
      // below
    }
    throw new WhatsAppError('UNREACHABLE', `unexpected answer: HTTP ${answer.status} with a non-JSON body`);
  }

  private failure(purpose: Purpose, answer: Answer, creds: GraphCredentials): WhatsAppError {
    const error = translateGraphAnswer(purpose, answer.status, answer.body.toString('utf8'));
    return redactError(error, creds.accessToken);
  }

  private async call(
    creds: GraphCredentials,
    method: 'GET' | 'POST',
    url: URL,
    timeoutMs: number,
    opts: { payload?: { body: Buffer; contentType: string }; maxBytes?: number; tooLarge?: () => WhatsAppError } = {},
  ): Promise<Answer> {
    const { payload, maxBytes = MAX_JSON_BYTES } = opts;
    if (!TOKEN_PATTERN.test(creds.accessToken)) {
      throw new WhatsAppError('CREDENTIALS', 'the access token has characters that cannot be sent in an HTTP header');
    }
    // Logged without the query: a media URL's query is the capability to fetch it.
    const logPath = url.pathname;
    const started = performance.now();
    // One deadline for the whole exchange, body included; an EventEmitter signal as in the bridge
    // gateway (cheaper than AbortSignal.timeout per call, bench/http-clients.ts).
    const deadline = new EventEmitter();
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      deadline.emit('abort');
    }, timeoutMs);
    try {
      const res = await this.dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method,
        headers: {
          authorization: `Bearer ${creds.accessToken}`,
          accept: opts.tooLarge ? '*/*' : 'application/json',
          ...(payload ? { 'content-type': payload.contentType } : {}),
        },
        body: payload?.body,
        signal: deadline,
      });
      const body = await readBounded(res, maxBytes);
      const contentType = typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : null;
      this.logCall(method, logPath, String(res.statusCode), started);
      return { status: res.statusCode, contentType, body };
    } catch (err) {
      if (err instanceof AnswerTooLarge) {
        this.logCall(method, logPath, 'too_large', started);
        throw opts.tooLarge?.() ?? new WhatsAppError('UNREACHABLE', `unexpected answer: ${err.message}`);
      }
      const detail = expired ? `no answer within ${timeoutMs} ms` : networkDetail(err);
      this.logCall(method, logPath, expired ? 'timeout' : 'unreachable', started);
      throw redactError(new WhatsAppError('UNREACHABLE', detail), creds.accessToken);
    } finally {
      clearTimeout(timer);
    }
  }

  private logCall(method: string, path: string, outcome: string, started: number): void {
    const line = `${method} ${path} -> ${outcome} in ${Math.round(performance.now() - started)} ms`;
    if (method === 'GET') this.logger.debug(line);
    else this.logger.log(line);
  }
}

/**
 * What a non-2xx answer of the Graph API means (SPEC-MESSAGING §8–§9), decided here once:
 * - 401, or code 190 (104: no token) → CREDENTIALS;
 * - 5xx → UNREACHABLE (`HTTP 503`, with Meta's text when it sent some);
 * - another 4xx carrying a Graph error → PHONE_NUMBER at connect, REJECTED (with SPEC §9's reason)
 *   on sends and uploads, MEDIA_GONE for media;
 * - another 4xx without one is not Meta speaking (a proxy, a wrong URL) → UNREACHABLE;
 * - anything else (a 3xx: redirects are not followed) → UNREACHABLE.
 * `detail` is Meta's `error.message`, then ` (<error_data.details>)` when present.
 */
export function translateGraphAnswer(purpose: Purpose, status: number, body: string): WhatsAppError {
  const error = parseGraphError(body);
  const detail = error ? describeGraphError(error) : null;
  if (status === 401 || (error?.code != null && CREDENTIAL_CODES.has(error.code))) {
    return new WhatsAppError('CREDENTIALS', detail ?? `HTTP ${status}`);
  }
  if (status >= 500 && status <= 599) return new WhatsAppError('UNREACHABLE', detail ? `HTTP ${status}: ${detail}` : `HTTP ${status}`);
  if (status >= 400 && status <= 499) {
    if (purpose === 'media') return new WhatsAppError('MEDIA_GONE', detail ?? `HTTP ${status}`);
    if (!error || !detail) return new WhatsAppError('UNREACHABLE', `HTTP ${status} without a Graph API error`);
    if (purpose === 'connect') return new WhatsAppError('PHONE_NUMBER', detail);
    const reason = (error.code !== null ? REASONS[error.code] : undefined) ?? error.message ?? detail;
    return new WhatsAppError('REJECTED', detail, reason);
  }
  return new WhatsAppError('UNREACHABLE', `HTTP ${status}`);
}

/** The `error` of a Graph error body (`{"error": {"message", "code", "error_data": {"details"}}}`), or null. */
export function parseGraphError(body: string): GraphErrorBody | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  const error = (parsed as { error?: unknown } | null)?.error;
  if (typeof error !== 'object' || error === null) return null;
  const e = error as { message?: unknown; code?: unknown; error_data?: { details?: unknown } | null };
  const message = typeof e.message === 'string' && e.message.trim() !== '' ? e.message.trim() : null;
  const code = typeof e.code === 'number' && Number.isInteger(e.code) ? e.code : null;
  if (message === null && code === null) return null;
  const details = typeof e.error_data?.details === 'string' && e.error_data.details.trim() !== '' ? e.error_data.details.trim() : null;
  return { message, code, details };
}

/** SPEC-MESSAGING §8 `<detail>`: `error.message`, followed by ` (<error_data.details>)` when present. */
export function describeGraphError(error: GraphErrorBody): string {
  const message = error.message ?? `(#${error.code})`;
  return error.details ? `${message} (${error.details})` : message;
}

const TOO_LARGE = 'the media is larger than MEDIA_MAX_BYTES';

function tooLarge(max: number): WhatsAppError {
  return new WhatsAppError('MEDIA_GONE', `${TOO_LARGE} (${max} bytes)`);
}

/** MEDIA_GONE because the media exceeds MEDIA_MAX_BYTES (asking again will not help). */
export function isMediaTooLarge(err: unknown): boolean {
  return err instanceof WhatsAppError && err.code === 'MEDIA_GONE' && err.detail.startsWith(TOO_LARGE);
}

/** A WhatsAppError whose texts cannot carry these secrets (Meta does not echo them; a proxy might). */
export function redactError(error: WhatsAppError, ...secrets: string[]): WhatsAppError {
  const scrub = (text: string) => secrets.reduce((t, s) => (s.length >= 4 ? t.split(s).join('[REDACTED]') : t), text);
  const detail = scrub(error.detail);
  const reason = scrub(error.reason);
  return detail === error.detail && reason === error.reason ? error : new WhatsAppError(error.code, detail, reason);
}

/** Reads a body up to `max` bytes; past it, stops reading (the connection is dropped) and throws. */
async function readBounded(res: Dispatcher.ResponseData, max: number): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    // Destroying a body nobody reads reports an abort to its 'error' listeners: there must be one.
    res.body.on('error', () => {});
    res.body.destroy();
    throw new AnswerTooLarge(max);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    // Leaving the loop destroys the body (the iterator's return()), which drops the connection.
    if (size > max) break;
    chunks.push(chunk as Buffer);
  }
  if (size > max) throw new AnswerTooLarge(max);
  return Buffer.concat(chunks, size);
}

/**
 * A network failure in a few words (`connect ECONNREFUSED 127.0.0.1:9`). Duck-typed: Node's errors
 * may come from another realm (a test sandbox); a refusal by every address of a host is an
 * AggregateError whose own message is empty.
 */
function networkDetail(err: unknown): string {
  const text = errorMessage(err);
  if (text) return text;
  const { code, cause } = (err ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  if (typeof code === 'string') return code;
  return typeof cause?.code === 'string' ? cause.code : 'network error';
}

function errorMessage(err: unknown): string {
  const { message, errors } = (err ?? {}) as { message?: unknown; errors?: unknown };
  if (Array.isArray(errors) && errors.length > 0) return errors.map(errorMessage).filter(Boolean).join('; ');
  return typeof message === 'string' ? message : '';
}

interface FormPart {
  name: string;
  value: string | Buffer;
  fileName?: string;
  contentType?: string;
}

/**
 * multipart/form-data (RFC 7578), built in memory: the file is already a Buffer, and a known
 * Content-Length is what Meta's upload endpoint expects. Quotes and line breaks in a file name are
 * escaped as browsers do (WHATWG: `%22`, `%0D`, `%0A`).
 */
function multipart(parts: FormPart[]): { body: Buffer; contentType: string } {
  const boundary = `----ryze${randomBytes(16).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.fileName !== undefined) head += `; filename="${part.fileName.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}"`;
    head += '\r\n';
    if (part.contentType !== undefined) head += `Content-Type: ${part.contentType.replace(/[\r\n]/g, '')}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`, 'utf8'), typeof part.value === 'string' ? Buffer.from(part.value, 'utf8') : part.value, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Meta wants a file name on the part; a name from the type when the caller has none. */
function defaultFileName(mimetype: string): string {
  const sub = mimetype.split(';')[0].split('/')[1]?.trim().replace(/[^A-Za-z0-9.+-]/g, '') || 'bin';
  return `file.${sub}`;
}
