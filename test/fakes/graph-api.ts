import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A double of Meta's Graph API for the WhatsApp Cloud API (SPEC-MESSAGING §8–§10), after the
 * research notes in /tmp/research/cloud-api.md: a real HTTP server on 127.0.0.1, under a version
 * prefix (`http://127.0.0.1:<port>/v26.0` is WHATSAPP_CLOUD_API_URL), with Meta's exact answer and
 * error shapes, switches for the failures a test needs (Meta errors per recipient or for every send,
 * 5xx, hang, delay, garbage), a record of every request, and webhook bodies built and signed the
 * way Meta sends them.
 *
 * Routes:
 * - `GET /{phone-number-id}[?fields=a,b]` — the phone number node;
 * - `POST /{phone-number-id}/messages` — text, image/video/audio/document/sticker by id or link,
 *   reaction (`context.message_id` for replies); other types are accepted without checks;
 * - `POST /{phone-number-id}/media` — multipart upload → `{"id"}`;
 * - `GET /{media-id}[?phone_number_id=]` — `{url, mime_type, sha256, file_size, id, messaging_product}`;
 * - `GET /whatsapp_business/attachments/?mid=…` (no version prefix: Meta's lookaside host) — the bytes.
 *
 * With `reportStatusesTo(url)`, every accepted send is followed by its signed `sent` status
 * webhook (carrying the send's `biz_opaque_callback_data`), retried until acknowledged.
 */

// ---- Meta's errors ---------------------------------------------------------------------------

/** An error as a test asks for it: the code, and anything that differs from Meta's usual answer. */
export interface MetaErrorSpec {
  code: number;
  /** HTTP status; default: the one Meta uses for the code (400 when unknown). */
  status?: number;
  /** `error.message`; default `(#<code>) <title>`, or Meta's plain text for Graph-level codes. */
  message?: string;
  /** `error.error_data.details`; null leaves `error_data` out. */
  details?: string | null;
  subcode?: number;
  type?: string;
}

interface KnownError {
  status: number;
  message: string;
  details: string | null;
  type?: string;
  title?: string;
}

/** Meta's table (research notes §6.2): HTTP status, message and details per code. */
export const META_ERRORS: Record<number, KnownError> = {
  0: { status: 401, message: '(#0) AuthException', details: 'We were unable to authenticate the app user.' },
  4: { status: 400, message: '(#4) Application request limit reached', details: 'The app has reached its API call rate limit.' },
  10: { status: 403, message: '(#10) Application does not have permission for this action', details: 'Permission is either not granted or has been removed.' },
  100: { status: 400, message: '(#100) Invalid parameter', details: 'The request included one or more unsupported or misspelled parameters.' },
  104: { status: 400, message: 'An access token is required to request this resource.', details: null },
  190: { status: 401, message: 'Invalid OAuth access token - Cannot parse access token', details: null },
  200: {
    status: 403,
    message: '(#200) You do not have the necessary permissions required to send messages on behalf of this WhatsApp Business Account',
    details: 'Permission is either not granted or has been removed.',
  },
  80007: { status: 400, message: '(#80007) Rate limit issues', details: 'The WhatsApp Business Account has reached its rate limit.' },
  130429: { status: 400, message: '(#130429) Rate limit hit', details: 'Cloud API message throughput has been reached.' },
  131000: { status: 500, message: '(#131000) Something went wrong', details: 'Message failed to send due to an unknown error.' },
  131005: { status: 403, message: '(#131005) Access denied', details: 'Permission is either not granted or has been removed.' },
  131008: { status: 400, message: '(#131008) Required parameter is missing', details: 'The request is missing a required parameter.' },
  131009: { status: 400, message: '(#131009) Parameter value is not valid', details: 'One or more parameter values are invalid.' },
  131021: { status: 400, message: '(#131021) Recipient cannot be sender', details: 'Sender and recipient phone number is the same.' },
  131026: {
    status: 400,
    message: '(#131026) Message undeliverable',
    details: "Unable to deliver message. Reasons can include: The recipient phone number is not a WhatsApp phone number; The recipient has not accepted our new Terms of Service and Privacy Policy; The recipient is using an old WhatsApp version.",
  },
  131030: { status: 400, message: '(#131030) Recipient phone number not in allowed list', details: 'Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again.' },
  131031: { status: 403, message: '(#131031) Business Account locked', details: 'The WhatsApp Business Account associated with the app has been restricted or disabled for violating a platform policy.' },
  131047: {
    status: 400,
    message: '(#131047) Re-engagement message',
    details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  },
  131048: {
    status: 400,
    message: '(#131048) Spam rate limit hit',
    details: 'Message failed to send because there are restrictions on how many messages can be sent from this phone number. This may be because too many previous messages were blocked or flagged as spam.',
  },
  131049: {
    status: 400,
    message: '(#131049) This message was not delivered to maintain healthy ecosystem engagement.',
    details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.',
  },
  131053: { status: 400, message: '(#131053) Media upload error', details: 'Unable to upload the media used in the message.' },
  131056: {
    status: 400,
    message: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
    details: 'Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.',
  },
  133010: { status: 400, message: '(#133010) Account not registered', details: 'Phone number not registered on the WhatsApp Business Platform.' },
};

/** The `{"error": …}` body and HTTP status Meta answers for a code. */
export function metaError(spec: MetaErrorSpec | number): { status: number; body: { error: Record<string, unknown> } } {
  const s = typeof spec === 'number' ? { code: spec } : spec;
  const known = META_ERRORS[s.code];
  const details = s.details !== undefined ? s.details : (known?.details ?? null);
  const error: Record<string, unknown> = {
    message: s.message ?? known?.message ?? `(#${s.code}) Error`,
    type: s.type ?? known?.type ?? 'OAuthException',
    code: s.code,
  };
  if (details !== null) error.error_data = { messaging_product: 'whatsapp', details };
  if (s.subcode !== undefined) error.error_subcode = s.subcode;
  error.fbtrace_id = fbtraceId();
  return { status: s.status ?? known?.status ?? 400, body: { error } };
}

/** `errors[]` of a failed status or an unsupported message, as webhooks carry them. */
export function webhookError(spec: MetaErrorSpec | number): Record<string, unknown> {
  const s = typeof spec === 'number' ? { code: spec } : spec;
  const known = META_ERRORS[s.code];
  // Webhooks carry the title without the `(#code) ` prefix of the synchronous answer.
  const title = s.message ?? (known ? known.message.replace(/^\(#\d+\) /, '') : 'Error');
  const details = s.details !== undefined ? s.details : (known?.details ?? null);
  const error: Record<string, unknown> = { code: s.code, title, message: title };
  if (details !== null) error.error_data = { details };
  error.href = '/documentation/business-messaging/whatsapp/support/error-codes';
  return error;
}

function fbtraceId(): string {
  return randomBytes(15).toString('base64url').slice(0, 20);
}

// ---- ids ---------------------------------------------------------------------------------------

/**
 * A wamid as Meta makes them: `wamid.` + base64 of a small protobuf-like record holding the user's
 * number and a hex id (`HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=`).
 */
export function wamid(userDigits = '16505551234', direction: 'in' | 'out' = 'out'): string {
  const digits = Buffer.from(userDigits.replace(/\D/g, '').slice(0, 20) || '0');
  const hex = Buffer.from(randomBytes(direction === 'out' ? 9 : 10).toString('hex').toUpperCase());
  return `wamid.${Buffer.concat([
    Buffer.from([0x1c, 0x18, digits.length]), digits,
    Buffer.from([0x15, 0x02, 0x00, direction === 'out' ? 0x11 : 0x12, 0x18, hex.length]), hex, Buffer.from([0x00]),
  ]).toString('base64')}`;
}

/** A numeric Graph id (phone numbers, WABAs, media): 15–16 digits. */
export function graphId(): string {
  return String(randomInt(1, 9)) + Array.from({ length: 15 }, () => randomInt(0, 10)).join('');
}

// ---- the server ------------------------------------------------------------------------------

export interface PhoneNumber {
  id: string;
  /** Digits without `+`, as webhooks' `metadata.display_phone_number` carries it. */
  displayPhoneNumber: string;
  verifiedName: string;
  wabaId: string;
  /** The access token that authorises this number. */
  token: string;
  /** The app secret that signs this number's webhooks. */
  appSecret: string;
}

export interface StoredMedia {
  id: string;
  phoneNumberId: string;
  bytes: Buffer;
  mimeType: string;
  fileName: string | null;
  /** Hex SHA-256, as `GET /{media-id}` reports it. */
  sha256: string;
}

export interface SentRecord {
  phoneNumberId: string;
  wamid: string;
  to: string;
  waId: string;
  type: string;
  body: Record<string, any>;
}

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export interface RecordedGraphRequest {
  method: string;
  /** The path as sent, without the query. */
  path: string;
  query: URLSearchParams;
  /** Lower-cased names. */
  headers: http.IncomingHttpHeaders;
  /** JSON → the parsed value; multipart → its fields and files; anything else → the text. */
  body: unknown;
  rawBody: Buffer;
}

export type GraphRoute = 'phone' | 'messages' | 'upload' | 'media' | 'download';

/** What the double does with the next requests of a route (instead of its normal answer). */
export type GraphBehaviour =
  | { kind: 'error'; error: MetaErrorSpec }
  | { kind: 'respond'; status: number; body: string; contentType?: string }
  | { kind: 'hang' }
  /** Handled as usual (a send is recorded, its status reported) but never answered: Meta acted, the caller never heard. */
  | { kind: 'acceptThenHang' }
  | { kind: 'delay'; ms: number }
  | { kind: 'destroy' };

interface Scheduled {
  route: GraphRoute | '*';
  behaviour: GraphBehaviour;
  /** Only sends to this recipient (digits), for `messages`. */
  to?: string;
  remaining: number;
}

interface TokenState {
  phoneNumberIds: Set<string>;
  expired: boolean;
}

/** Meta's per-type limits of uploads (research notes §4.3). */
const UPLOAD_TYPES: Record<string, number> = {
  'audio/aac': 16 << 20, 'audio/amr': 16 << 20, 'audio/mpeg': 16 << 20, 'audio/mp4': 16 << 20, 'audio/ogg': 16 << 20,
  'text/plain': 100 << 20, 'application/pdf': 100 << 20, 'application/msword': 100 << 20,
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 100 << 20,
  'application/vnd.ms-excel': 100 << 20, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 100 << 20,
  'application/vnd.ms-powerpoint': 100 << 20, 'application/vnd.openxmlformats-officedocument.presentationml.presentation': 100 << 20,
  'image/jpeg': 5 << 20, 'image/png': 5 << 20, 'image/webp': 500 << 10,
  'video/mp4': 16 << 20, 'video/3gpp': 16 << 20,
};

/** The keys Meta accepts inside each message object of a send. */
const MESSAGE_KEYS: Record<string, string[]> = {
  text: ['body', 'preview_url'],
  image: ['id', 'link', 'caption'],
  video: ['id', 'link', 'caption'],
  document: ['id', 'link', 'caption', 'filename'],
  audio: ['id', 'link', 'voice'],
  sticker: ['id', 'link'],
  reaction: ['message_id', 'emoji'],
};
const MEDIA_TYPES = ['image', 'video', 'document', 'audio', 'sticker'];

export class GraphApiDouble {
  readonly requests: RecordedGraphRequest[] = [];
  readonly sent: SentRecord[] = [];
  readonly phoneNumbers = new Map<string, PhoneNumber>();
  readonly media = new Map<string, StoredMedia>();
  /**
   * What a valid token without access to a number gets: Meta answers `(#10)` (403) on most nodes,
   * `(#200)` (403) on sends of some apps, and `100`/33 (400) where it cannot tell "missing" from
   * "not allowed" — a test picks.
   */
  permissionDenial: 10 | 200 | 100 = 10;
  /** How long a media URL works (Meta: 5 minutes). */
  mediaUrlTtlMs = 5 * 60_000;
  /** Recipient digits → the `wa_id` Meta answers (e.g. Brazil's ninth digit); default: the digits. */
  readonly waIds = new Map<string, string>();
  private readonly tokens = new Map<string, TokenState>();
  /** Issued media URLs: hash → media id and expiry. */
  private readonly mediaUrls = new Map<string, { mediaId: string; expiresAt: number }>();
  private scheduled: Scheduled[] = [];
  /** Status webhooks of sends (reportStatusesTo): POSTs made, answered 200, given up. */
  readonly statusReports = { posted: 0, acknowledged: 0, abandoned: 0 };
  private statusTarget: { url: string; delayMs: number; retryForMs: number } | null = null;
  private readonly statusTimers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private readonly sockets = new Set<Socket>();
  private readonly server: http.Server;
  /** `http://127.0.0.1:<port>`. */
  origin = '';

  constructor(readonly version = 'v26.0') {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** On 127.0.0.1, a free port unless one is given (`npm run simulators`). */
  static async start(version?: string, port = 0): Promise<GraphApiDouble> {
    const double = new GraphApiDouble(version);
    await new Promise<void>((resolve, reject) => {
      double.server.once('error', reject);
      double.server.listen(port, '127.0.0.1', resolve);
    });
    double.origin = `http://127.0.0.1:${(double.server.address() as AddressInfo).port}`;
    return double;
  }

  /** WHATSAPP_CLOUD_API_URL for this double. */
  get url(): string {
    return `${this.origin}/${this.version}`;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.statusTimers) clearTimeout(t);
    this.statusTimers.clear();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- state ---------------------------------------------------------------------------------

  /** A registered phone number with its own token and app secret. */
  addPhoneNumber(init: Partial<PhoneNumber> = {}): PhoneNumber {
    const phone: PhoneNumber = {
      id: init.id ?? graphId(),
      displayPhoneNumber: init.displayPhoneNumber ?? `1555${String(randomInt(0, 10_000_000)).padStart(7, '0')}`,
      verifiedName: init.verifiedName ?? 'Lucky Shrub',
      wabaId: init.wabaId ?? graphId(),
      token: init.token ?? `EAA${randomBytes(48).toString('base64url').replace(/[-_]/g, 'Z')}`,
      appSecret: init.appSecret ?? randomBytes(16).toString('hex'),
    };
    this.phoneNumbers.set(phone.id, phone);
    this.grant(phone.token, phone.id);
    return phone;
  }

  /** A valid token, allowed on the given numbers only (none: valid but useless). */
  addToken(...phoneNumberIds: string[]): string {
    const token = `EAA${randomBytes(48).toString('base64url').replace(/[-_]/g, 'Z')}`;
    this.tokens.set(token, { phoneNumberIds: new Set(), expired: false });
    for (const id of phoneNumberIds) this.grant(token, id);
    return token;
  }

  grant(token: string, phoneNumberId: string): void {
    const state = this.tokens.get(token) ?? { phoneNumberIds: new Set<string>(), expired: false };
    state.phoneNumberIds.add(phoneNumberId);
    this.tokens.set(token, state);
  }

  /** The token now gets Meta's "Session has expired" (190, subcode 463). */
  expireToken(token: string): void {
    const state = this.tokens.get(token);
    if (state) state.expired = true;
  }

  /** Media a user sent (what a webhook's media id names), downloadable with the number's token. */
  addMedia(phoneNumberId: string, bytes: Buffer, mimeType: string, fileName: string | null = null): StoredMedia {
    const stored: StoredMedia = { id: graphId(), phoneNumberId, bytes, mimeType, fileName, sha256: sha256Hex(bytes) };
    this.media.set(stored.id, stored);
    return stored;
  }

  /** Meta no longer has the media: `GET /{media-id}` → 400 100/33, issued URLs → 404. */
  forgetMedia(mediaId: string): void {
    this.media.delete(mediaId);
  }

  /** Every media URL issued so far answers 404 (as after Meta's 5 minutes). */
  expireMediaUrls(): void {
    for (const entry of this.mediaUrls.values()) entry.expiresAt = 0;
  }

  // ---- switches ------------------------------------------------------------------------------

  /** The next `times` requests of a route (all of them by default) get this behaviour. */
  behave(route: GraphRoute | '*', behaviour: GraphBehaviour, times = Infinity): void {
    this.scheduled.push({ route, behaviour, remaining: times });
  }

  /** Sends (to `to`'s digits only, when given) are refused with Meta's error. */
  failSends(error: MetaErrorSpec | number, opts: { to?: string; times?: number } = {}): void {
    const spec = typeof error === 'number' ? { code: error } : error;
    this.scheduled.push({
      route: 'messages', behaviour: { kind: 'error', error: spec }, to: opts.to?.replace(/\D/g, ''), remaining: opts.times ?? Infinity,
    });
  }

  /** Clears switches and the records (not the registered numbers, tokens and media). */
  reset(): void {
    this.scheduled = [];
    this.requests.length = 0;
    this.sent.length = 0;
    this.permissionDenial = 10;
    this.mediaUrlTtlMs = 5 * 60_000;
    this.waIds.clear();
    this.statusTarget = null;
  }

  requestsTo(route: GraphRoute): RecordedGraphRequest[] {
    return this.requests.filter((r) => this.routeOf(r.method, r.path)?.route === route);
  }

  // ---- webhooks ------------------------------------------------------------------------------

  /**
   * From now on, each accepted send is followed by its `sent` status webhook to `url`, as Meta
   * does: after `delayMs`, signed with the number's app secret, carrying the send's
   * `biz_opaque_callback_data`, and posted again (250 ms, doubling to 4 s) until answered 200 or
   * `retryForMs` ran out (Meta retries for days). Without this call the double posts nothing.
   */
  reportStatusesTo(url: string, opts: { delayMs?: number; retryForMs?: number } = {}): void {
    this.statusTarget = { url, delayMs: opts.delayMs ?? 200, retryForMs: opts.retryForMs ?? 10 * 60_000 };
  }

  private reportSent(phoneNumberId: string, id: string, recipient: string, callbackData: string | undefined): void {
    const target = this.statusTarget;
    const phone = this.phoneNumbers.get(phoneNumberId);
    if (!target || !phone) return;
    const body = webhookOf(phone, statuses.sent(id, { recipient: digitsOf(recipient) ?? null, ...(callbackData !== undefined ? { callbackData } : {}) }));
    const deadline = Date.now() + target.delayMs + target.retryForMs;
    const attempt = (delay: number) => {
      const timer = setTimeout(() => {
        this.statusTimers.delete(timer);
        if (this.stopped) return;
        this.statusReports.posted += 1;
        void this.postWebhook(target.url, body, { timeoutMs: 15_000 })
          .then((res) => res.status === 200, () => false)
          .then((ok) => {
            if (ok) this.statusReports.acknowledged += 1;
            else if (Date.now() >= deadline || this.stopped) this.statusReports.abandoned += 1;
            else attempt(Math.min(Math.max(delay * 2, 250), 4_000));
          });
      }, delay);
      this.statusTimers.add(timer);
    };
    attempt(target.delayMs);
  }

  /**
   * POSTs a webhook body as Meta does: the exact bytes signed with `X-Hub-Signature-256`
   * (HMAC-SHA256 with the app secret of the first number the body names, unless told otherwise).
   */
  async postWebhook(url: string, body: MetaWebhookBody | string, opts: PostWebhookOptions = {}): Promise<WebhookResponse> {
    const raw = typeof body === 'string' ? body : serializeLikeMeta(body);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'facebookexternalua' };
    if (opts.signature !== undefined) {
      if (opts.signature !== null) headers['x-hub-signature-256'] = opts.signature;
    } else {
      const secret = opts.appSecret ?? this.appSecretOf(raw);
      if (!secret) throw new Error('postWebhook: the body names no registered phone number; pass appSecret or signature');
      headers['x-hub-signature-256'] = signMeta(raw, secret);
      // Graph webhooks still send the legacy SHA-1 header too.
      headers['x-hub-signature'] = `sha1=${createHmac('sha1', secret).update(raw).digest('hex')}`;
    }
    const res = await fetch(url, { method: 'POST', headers, body: raw, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
    return { status: res.status, body: await res.text(), headers: res.headers };
  }

  /** Meta's verification handshake (`GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`). */
  async verifyWebhook(url: string, verifyToken: string, challenge = String(randomInt(1e9, 2e9))): Promise<WebhookResponse & { challenge: string }> {
    const u = new URL(url);
    u.searchParams.set('hub.mode', 'subscribe');
    u.searchParams.set('hub.challenge', challenge);
    u.searchParams.set('hub.verify_token', verifyToken);
    const res = await fetch(u, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: await res.text(), headers: res.headers, challenge };
  }

  private appSecretOf(raw: string): string | null {
    try {
      const parsed = JSON.parse(raw) as MetaWebhookBody;
      for (const e of parsed.entry ?? []) {
        for (const c of e.changes ?? []) {
          const id = (c.value as { metadata?: { phone_number_id?: string } })?.metadata?.phone_number_id;
          const phone = id ? this.phoneNumbers.get(id) : undefined;
          if (phone) return phone.appSecret;
        }
      }
    } catch {
      // not JSON: the caller must say which secret
    }
    return null;
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private routeOf(method: string, path: string): { route: GraphRoute; id: string } | null {
    if (method === 'GET' && path === '/whatsapp_business/attachments/') return { route: 'download', id: '' };
    const prefix = `/${this.version}/`;
    if (!path.startsWith(prefix)) return null;
    const parts = path.slice(prefix.length).split('/');
    if (parts.length === 1 && method === 'GET' && parts[0]) {
      return { route: this.phoneNumbers.has(parts[0]) || !this.media.has(parts[0]) ? 'phone' : 'media', id: parts[0] };
    }
    if (parts.length === 2 && method === 'POST' && parts[1] === 'messages') return { route: 'messages', id: parts[0] };
    if (parts.length === 2 && method === 'POST' && parts[1] === 'media') return { route: 'upload', id: parts[0] };
    return null;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.origin || 'http://double');
    const method = req.method ?? 'GET';
    const contentType = req.headers['content-type'] ?? '';
    let body: unknown = rawBody.length ? rawBody.toString('utf8') : undefined;
    if (contentType.startsWith('application/json')) {
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        // kept as text: the route answers Meta's parse error
      }
    } else if (contentType.startsWith('multipart/form-data')) {
      body = await parseMultipart(rawBody, contentType);
    }
    this.requests.push({ method, path: url.pathname, query: url.searchParams, headers: req.headers, body, rawBody });

    const route = this.routeOf(method, url.pathname);
    if (!route) {
      return this.sendError(res, { code: 2500, status: 400, message: `Unknown path components: ${url.pathname}`, details: null });
    }

    // Switches first, except that a per-recipient refusal needs the body's `to`.
    const to = route.route === 'messages' ? digitsOf((body as { to?: unknown } | undefined)?.to) : undefined;
    const behaviour = this.takeBehaviour(route.route, to);
    let out = res;
    if (behaviour?.kind === 'acceptThenHang') {
      // The route's answer goes nowhere; the socket stays open until the caller or stop() ends it.
      const nowhere = { writeHead: () => nowhere, end: () => nowhere, destroyed: false };
      out = nowhere as unknown as http.ServerResponse;
    } else if (behaviour) {
      switch (behaviour.kind) {
        case 'hang':
          return; // never answered; stop() destroys the socket
        case 'destroy':
          return void req.socket.destroy();
        case 'respond':
          res.writeHead(behaviour.status, { 'content-type': behaviour.contentType ?? 'application/json; charset=UTF-8' }).end(behaviour.body);
          return;
        case 'error': {
          // Meta checks the token before anything else: a scheduled refusal still needs one.
          const denied = this.authenticate(req, res, route.route === 'download' ? null : route.id);
          if (denied) return;
          return this.sendError(res, behaviour.error);
        }
        case 'delay':
          await new Promise((resolve) => setTimeout(resolve, behaviour.ms));
          if (res.destroyed) return;
          break;
      }
    }

    switch (route.route) {
      case 'phone':
        return this.getPhoneNumber(req, out, route.id, url.searchParams);
      case 'messages':
        return this.postMessage(req, out, route.id, body);
      case 'upload':
        return this.postMedia(req, out, route.id, body);
      case 'media':
        return this.getMedia(req, out, route.id, url.searchParams);
      case 'download':
        return this.download(req, out, url.searchParams);
    }
  }

  private takeBehaviour(route: GraphRoute, to: string | undefined): GraphBehaviour | null {
    // Per-recipient refusals win over general switches, in the order they were set.
    const candidates = [...this.scheduled.filter((s) => s.to !== undefined), ...this.scheduled.filter((s) => s.to === undefined)];
    for (const s of candidates) {
      if (s.remaining <= 0) continue;
      if (s.route !== '*' && s.route !== route) continue;
      if (s.to !== undefined && s.to !== to) continue;
      s.remaining -= 1;
      return s.behaviour;
    }
    return null;
  }

  /**
   * Meta's order: a missing token (104), an unparsable or expired one (190, 401), then the object
   * (100/33 for an unknown id), then the permission. Answers and returns true when refused.
   */
  private authenticate(req: http.IncomingMessage, res: http.ServerResponse, objectId: string | null): boolean {
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : null;
    if (!token) {
      this.sendError(res, { code: 104, status: 400, details: null });
      return true;
    }
    const state = this.tokens.get(token);
    if (!state) {
      this.sendError(res, { code: 190, status: 401, details: null });
      return true;
    }
    if (state.expired) {
      this.sendError(res, {
        code: 190, status: 401, subcode: 463, details: null,
        message: `Error validating access token: Session has expired on Friday, 20-Mar-26 10:00:00 PDT. The current time is ${new Date().toUTCString()}.`,
      });
      return true;
    }
    if (objectId === null) return false;
    const owner = this.phoneNumbers.get(objectId)?.id ?? this.media.get(objectId)?.phoneNumberId;
    if (!owner) {
      this.sendError(res, unknownObject(req.method ?? 'GET', objectId));
      return true;
    }
    if (!state.phoneNumberIds.has(owner)) {
      this.sendError(res, this.permissionDenial === 100 ? unknownObject(req.method ?? 'GET', objectId) : { code: this.permissionDenial });
      return true;
    }
    return false;
  }

  private getPhoneNumber(req: http.IncomingMessage, res: http.ServerResponse, id: string, query: URLSearchParams): void {
    if (this.authenticate(req, res, id)) return;
    const phone = this.phoneNumbers.get(id)!;
    const all: Record<string, unknown> = {
      verified_name: phone.verifiedName,
      code_verification_status: 'VERIFIED',
      display_phone_number: formatDisplay(phone.displayPhoneNumber),
      quality_rating: 'GREEN',
      platform_type: 'CLOUD_API',
      throughput: { level: 'STANDARD' },
      webhook_configuration: { application: 'https://example.com/webhooks/whatsapp-cloud' },
      id: phone.id,
      name_status: 'APPROVED',
      status: 'CONNECTED',
      account_mode: 'LIVE',
      is_official_business_account: false,
    };
    const fields = query.get('fields');
    if (!fields) {
      const { name_status: _n, status: _s, account_mode: _a, is_official_business_account: _o, ...defaults } = all;
      return this.sendJson(res, 200, defaults);
    }
    const out: Record<string, unknown> = {};
    for (const f of fields.split(',').map((s) => s.trim()).filter(Boolean)) {
      if (!(f in all)) {
        return this.sendError(res, { code: 100, message: `(#100) Tried accessing nonexisting field (${f}) on node type (WhatsAppBusinessPhoneNumber)`, details: null });
      }
      out[f] = all[f];
    }
    out.id = phone.id;
    this.sendJson(res, 200, out);
  }

  private postMessage(req: http.IncomingMessage, res: http.ServerResponse, phoneNumberId: string, body: unknown): void {
    if (this.authenticate(req, res, phoneNumberId)) return;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return this.sendError(res, { code: 100, message: '(#100) The parameter messaging_product is required.', details: null });
    }
    const b = body as Record<string, any>;
    if (b.messaging_product !== 'whatsapp') {
      return this.sendError(res, { code: 100, message: '(#100) The parameter messaging_product is required.', details: null });
    }
    // Mark as read / typing indicator.
    if (b.status === 'read') {
      if (typeof b.message_id !== 'string') return this.sendError(res, { code: 131009, details: 'Parameter message_id is required.' });
      return this.sendJson(res, 200, { success: true });
    }
    const recipient = typeof b.to === 'string' ? b.to : typeof b.recipient === 'string' ? b.recipient : null;
    if (!recipient) return this.sendError(res, { code: 100, message: '(#100) The parameter to is required.', details: null });
    const type = typeof b.type === 'string' ? b.type : 'text';
    const payload = b[type];
    if (typeof payload !== 'object' || payload === null) {
      return this.sendError(res, { code: 100, message: `(#100) The parameter ${type} is required.`, details: null });
    }
    const allowed = MESSAGE_KEYS[type];
    if (allowed) {
      const unexpected = Object.keys(payload).find((k) => !allowed.includes(k));
      if (unexpected) return this.sendError(res, { code: 100, message: `(#100) Unexpected key "${unexpected}" on param "${type}".`, details: null });
    }
    if (b.context !== undefined && (typeof b.context !== 'object' || typeof b.context?.message_id !== 'string')) {
      return this.sendError(res, { code: 100, message: '(#100) Param context[\'message_id\'] must be a valid message id.', details: null });
    }
    if (type === 'text') {
      if (typeof payload.body !== 'string' || payload.body.length === 0) {
        return this.sendError(res, { code: 100, message: '(#100) The parameter text[\'body\'] is required.', details: null });
      }
      if (payload.body.length > 4096) return this.sendError(res, { code: 100, message: '(#100) Param text[\'body\'] must be at most 4096 characters long.', details: null });
      if (payload.preview_url !== undefined && typeof payload.preview_url !== 'boolean') {
        return this.sendError(res, { code: 100, message: '(#100) Param text[\'preview_url\'] must be a boolean.', details: null });
      }
    } else if (MEDIA_TYPES.includes(type)) {
      const hasId = typeof payload.id === 'string';
      const hasLink = typeof payload.link === 'string';
      if (hasId === hasLink) {
        return this.sendError(res, { code: 131009, details: `Please specify exactly one of ${type}['id'] or ${type}['link'].` });
      }
      if (hasId) {
        const media = this.media.get(payload.id);
        if (!media || media.phoneNumberId !== phoneNumberId) {
          return this.sendError(res, { code: 131009, details: `Invalid media id ${payload.id}.` });
        }
      }
      if (hasLink && !/^https?:\/\//.test(payload.link)) return this.sendError(res, { code: 131009, details: `Invalid ${type}['link'].` });
      if (payload.caption !== undefined && (typeof payload.caption !== 'string' || payload.caption.length > 1024)) {
        return this.sendError(res, { code: 131009, details: `Param ${type}['caption'] must be a string of at most 1024 characters.` });
      }
    } else if (type === 'reaction') {
      if (typeof payload.message_id !== 'string') {
        return this.sendError(res, { code: 100, message: '(#100) The parameter reaction[\'message_id\'] is required.', details: null });
      }
      if (typeof payload.emoji !== 'string') {
        return this.sendError(res, { code: 100, message: '(#100) The parameter reaction[\'emoji\'] is required.', details: null });
      }
    }
    const callbackData = b.biz_opaque_callback_data;
    if (callbackData !== undefined && (typeof callbackData !== 'string' || callbackData.length > 512)) {
      return this.sendError(res, { code: 100, message: '(#100) Param biz_opaque_callback_data must be a string of at most 512 characters.', details: null });
    }
    if (b.recipient_type === 'group') {
      // Groups API: the answer names the group, not a contact.
      const id = wamid('0', 'out');
      this.sent.push({ phoneNumberId, wamid: id, to: recipient, waId: recipient, type, body: b });
      this.reportSent(phoneNumberId, id, recipient, callbackData);
      return this.sendJson(res, 200, { messaging_product: 'whatsapp', messages: [{ id, group_id: recipient }] });
    }
    const digits = digitsOf(recipient) ?? recipient;
    const isBsuid = typeof b.to !== 'string';
    const waId = isBsuid ? recipient : (this.waIds.get(digits) ?? digits);
    const id = wamid(isBsuid ? '0' : waId, 'out');
    this.sent.push({ phoneNumberId, wamid: id, to: recipient, waId, type, body: b });
    this.reportSent(phoneNumberId, id, waId, callbackData);
    this.sendJson(res, 200, {
      messaging_product: 'whatsapp',
      contacts: [isBsuid ? { input: recipient, user_id: recipient } : { input: recipient, wa_id: waId }],
      messages: [{ id }],
    });
  }

  private postMedia(req: http.IncomingMessage, res: http.ServerResponse, phoneNumberId: string, body: unknown): void {
    if (this.authenticate(req, res, phoneNumberId)) return;
    const form = body as MultipartBody | undefined;
    if (!form || typeof form !== 'object' || !('fields' in form)) {
      return this.sendError(res, { code: 100, message: '(#100) The parameter file is required.', details: null });
    }
    if (form.fields.messaging_product !== 'whatsapp') {
      return this.sendError(res, { code: 100, message: '(#100) The parameter messaging_product is required.', details: null });
    }
    const file = form.files.find((f) => f.field === 'file');
    if (!file) return this.sendError(res, { code: 100, message: '(#100) The parameter file is required.', details: null });
    // Meta validates the part's Content-Type (research notes §4.2); parameters such as codecs aside.
    const mime = file.contentType.split(';')[0].trim().toLowerCase();
    const limit = UPLOAD_TYPES[mime];
    if (limit === undefined) {
      return this.sendError(res, { code: 131053, details: `Param file must be a file with one of the following types: ${Object.keys(UPLOAD_TYPES).join(', ')}. Received file of type '${mime}'.` });
    }
    if (file.bytes.length > limit) {
      return this.sendError(res, { code: 131053, details: `File size ${file.bytes.length} exceeds the limit of ${limit} bytes for ${mime}.` });
    }
    const stored: StoredMedia = {
      id: graphId(), phoneNumberId, bytes: file.bytes, mimeType: file.contentType, fileName: file.filename || null, sha256: sha256Hex(file.bytes),
    };
    this.media.set(stored.id, stored);
    this.sendJson(res, 200, { id: stored.id });
  }

  private getMedia(req: http.IncomingMessage, res: http.ServerResponse, mediaId: string, query: URLSearchParams): void {
    if (this.authenticate(req, res, mediaId)) return;
    const media = this.media.get(mediaId)!;
    const asked = query.get('phone_number_id');
    if (asked !== null && asked !== media.phoneNumberId) {
      return this.sendError(res, { code: 100, details: `Media ${mediaId} does not belong to phone number ${asked}.` });
    }
    const hash = randomBytes(24).toString('base64url');
    const ext = Math.floor(Date.now() / 1000) + 300;
    this.mediaUrls.set(hash, { mediaId, expiresAt: Date.now() + this.mediaUrlTtlMs });
    this.sendJson(res, 200, {
      messaging_product: 'whatsapp',
      url: `${this.origin}/whatsapp_business/attachments/?mid=${mediaId}&ext=${ext}&hash=${hash}`,
      mime_type: media.mimeType,
      sha256: media.sha256,
      file_size: media.bytes.length,
      id: media.id,
    });
  }

  private download(req: http.IncomingMessage, res: http.ServerResponse, query: URLSearchParams): void {
    const entry = this.mediaUrls.get(query.get('hash') ?? '');
    const media = entry && entry.mediaId === query.get('mid') && entry.expiresAt > Date.now() ? this.media.get(entry.mediaId) : undefined;
    // Lookaside answers an expired or unknown URL with an HTML 404.
    if (!media) {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' }).end('<html><body>Not Found</body></html>');
      return;
    }
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    const state = this.tokens.get(token);
    if (!state || state.expired || !state.phoneNumberIds.has(media.phoneNumberId)) {
      res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' }).end('<html><body>Unauthorized</body></html>');
      return;
    }
    res.writeHead(200, { 'content-type': media.mimeType, 'content-length': String(media.bytes.length) }).end(media.bytes);
  }

  private sendJson(res: http.ServerResponse, status: number, payload: unknown): void {
    res.writeHead(status, {
      'content-type': 'application/json; charset=UTF-8',
      'facebook-api-version': this.version,
      'x-fb-trace-id': fbtraceId(),
    }).end(JSON.stringify(payload));
  }

  private sendError(res: http.ServerResponse, spec: MetaErrorSpec): void {
    const { status, body } = metaError(spec);
    const message = String(body.error.message);
    res.writeHead(status, {
      'content-type': 'application/json; charset=UTF-8',
      'www-authenticate': `OAuth "Facebook Platform" "${spec.code === 190 ? 'invalid_token' : 'invalid_request'}" "${message.replace(/"/g, "'")}"`,
      'facebook-api-version': this.version,
      'x-fb-trace-id': String(body.error.fbtrace_id),
    }).end(JSON.stringify(body));
  }
}

function unknownObject(method: string, id: string): MetaErrorSpec {
  return {
    code: 100, subcode: 33, status: 400, type: 'GraphMethodException', details: null,
    message: `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
  };
}

function digitsOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const digits = value.replace(/\D/g, '');
  return digits || undefined;
}

/** The node's `display_phone_number` is human-formatted (`+1 555-078-3881`); webhooks carry digits. */
function formatDisplay(digits: string): string {
  if (digits.length === 11 && digits.startsWith('1')) return `+1 ${digits.slice(1, 4)}-${digits.slice(4, 7)}-${digits.slice(7)}`;
  return `+${digits.slice(0, 2)} ${digits.slice(2)}`;
}

function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface MultipartBody {
  fields: Record<string, string>;
  files: UploadedFile[];
}

/** multipart/form-data, parsed by the platform's own parser (undici's, behind `Response`). */
async function parseMultipart(raw: Buffer, contentType: string): Promise<MultipartBody | string> {
  try {
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
    const out: MultipartBody = { fields: {}, files: [] };
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') out.fields[field] = value;
      else out.files.push({ field, filename: value.name, contentType: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
    }
    return out;
  } catch {
    return raw.toString('latin1');
  }
}

// ---- webhook bodies --------------------------------------------------------------------------

export interface PostWebhookOptions {
  /** Sign with this secret instead of the named number's. */
  appSecret?: string;
  /** Send this header value instead of computing one; null sends no signature header at all. */
  signature?: string | null;
  timeoutMs?: number;
}

export interface WebhookResponse {
  status: number;
  body: string;
  headers: Headers;
}

export interface MetaWebhookBody {
  object: string;
  entry: Array<{ id: string; changes: Array<{ field: string; value: Record<string, unknown> }> }>;
}

/** `X-Hub-Signature-256` for a body: `sha256=<hex HMAC-SHA256 of the raw bytes>`. */
export function signMeta(raw: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`;
}

/**
 * The bytes Meta sends: JSON with every non-ASCII character escaped (`\u00e4`, emoji as surrogate
 * pairs), so that a receiver that re-serialises the parsed body before checking the HMAC fails.
 */
export function serializeLikeMeta(body: unknown): string {
  return JSON.stringify(body).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One item of a change's `value`: an inbound message (with its sender's contact) or a status. */
export type WebhookItem =
  | { kind: 'message'; message: Record<string, unknown>; contact: Record<string, unknown> | null }
  | { kind: 'status'; status: Record<string, unknown>; contact: Record<string, unknown> | null };

/** Who sends an inbound message, and the common keys of every message. */
export interface InboundOptions {
  /** The user's number, digits (default `16505551234`); null omits `from` and `wa_id` (BSUID era, phone withheld). */
  from?: string | null;
  /** `contacts[].profile.name` (default `Sheena Nelson`); null leaves `profile` out. */
  name?: string | null;
  /** BSUID (`US.13491208655302741918`): adds `contacts[].user_id` and `messages[].from_user_id`. */
  userId?: string;
  username?: string;
  id?: string;
  /** Unix seconds (sent as a string, as Meta does); default now. */
  timestamp?: number | string;
  /** A quoted message: `context {from: <business number>, id}`; or a forwarded marker. */
  context?: { id: string; from?: string } | { forwarded: true } | { frequently_forwarded: true };
  /** A group message (Groups API). */
  groupId?: string;
  /** No `contacts` entry for this message (as for `system` messages). */
  noContact?: boolean;
}

const DEFAULT_USER = '16505551234';
const BUSINESS_NUMBER = '15550783881';

function inboundMessage(type: string, payload: Record<string, unknown> | undefined, o: InboundOptions): WebhookItem {
  const from = o.from === undefined ? DEFAULT_USER : o.from;
  const message: Record<string, unknown> = {};
  if (o.context) message.context = 'id' in o.context ? { from: o.context.from ?? BUSINESS_NUMBER, id: o.context.id } : o.context;
  if (from !== null) message.from = from;
  if (o.userId) message.from_user_id = o.userId;
  if (o.groupId) message.group_id = o.groupId;
  message.id = o.id ?? wamid(from ?? '0', 'in');
  message.timestamp = String(o.timestamp ?? Math.floor(Date.now() / 1000));
  message.type = type;
  if (payload !== undefined) message[type] = payload;
  let contact: Record<string, unknown> | null = null;
  if (!o.noContact) {
    contact = {};
    const name = o.name === undefined ? 'Sheena Nelson' : o.name;
    if (name !== null || o.username) contact.profile = { ...(name !== null ? { name } : {}), ...(o.username ? { username: o.username } : {}) };
    if (from !== null) contact.wa_id = from;
    if (o.userId) contact.user_id = o.userId;
  }
  return { kind: 'message', message, contact };
}

export interface MediaOptions extends InboundOptions {
  /** The media id (e.g. `double.addMedia(...).id`). */
  mediaId?: string;
  mimeType?: string;
  sha256?: string;
  /** Since 2025-11 webhooks may carry the download URL already. */
  url?: string;
}

function mediaPayload(o: MediaOptions, dflt: string, extra: Record<string, unknown>): Record<string, unknown> {
  const payload: Record<string, unknown> = { ...extra };
  payload.mime_type = o.mimeType ?? dflt;
  payload.sha256 = o.sha256 ?? randomBytes(32).toString('base64');
  payload.id = o.mediaId ?? graphId();
  if (o.url) payload.url = o.url;
  return payload;
}

/** Inbound messages, one builder per type, shaped as Meta's examples (research notes §2.1). */
export const inbound = {
  text(body: string, o: InboundOptions = {}): WebhookItem {
    return inboundMessage('text', { body }, o);
  },
  image(o: MediaOptions & { caption?: string } = {}): WebhookItem {
    return inboundMessage('image', mediaPayload(o, 'image/jpeg', o.caption !== undefined ? { caption: o.caption } : {}), o);
  },
  /** `voice: true` is a recorded voice note; false an attached audio file. */
  audio(o: MediaOptions & { voice?: boolean } = {}): WebhookItem {
    return inboundMessage('audio', { ...mediaPayload(o, o.voice ? 'audio/ogg; codecs=opus' : 'audio/mpeg', {}), voice: o.voice ?? false }, o);
  },
  video(o: MediaOptions & { caption?: string } = {}): WebhookItem {
    return inboundMessage('video', mediaPayload(o, 'video/mp4', o.caption !== undefined ? { caption: o.caption } : {}), o);
  },
  document(o: MediaOptions & { caption?: string; filename?: string } = {}): WebhookItem {
    const extra: Record<string, unknown> = {};
    if (o.caption !== undefined) extra.caption = o.caption;
    if (o.filename !== undefined) extra.filename = o.filename;
    return inboundMessage('document', mediaPayload(o, 'application/pdf', extra), o);
  },
  sticker(o: MediaOptions & { animated?: boolean } = {}): WebhookItem {
    return inboundMessage('sticker', { ...mediaPayload(o, 'image/webp', {}), animated: o.animated ?? false }, o);
  },
  /** `place.name` is the place's (`name` of the options is the sender's). */
  location(place: { latitude: number; longitude: number; name?: string; address?: string; url?: string }, o: InboundOptions = {}): WebhookItem {
    const payload: Record<string, unknown> = {};
    if (place.address !== undefined) payload.address = place.address;
    payload.latitude = place.latitude;
    payload.longitude = place.longitude;
    if (place.name !== undefined) payload.name = place.name;
    if (place.url !== undefined) payload.url = place.url;
    return inboundMessage('location', payload, o);
  },
  /** Contact cards (Meta's full schema; any sub-field may be missing). */
  contacts(cards: Array<Record<string, unknown>>, o: InboundOptions = {}): WebhookItem {
    const item = inboundMessage('contacts', undefined, o) as Extract<WebhookItem, { kind: 'message' }>;
    item.message.contacts = cards;
    return item;
  },
  /** A reaction; `emoji: undefined` is a removal as Meta sends it now (key omitted), `''` the older form. */
  reaction(messageId: string, emoji: string | undefined, o: InboundOptions = {}): WebhookItem {
    return inboundMessage('reaction', emoji === undefined ? { message_id: messageId } : { message_id: messageId, emoji }, o);
  },
  buttonReply(contextId: string, reply: { id: string; title: string }, o: InboundOptions = {}): WebhookItem {
    return inboundMessage('interactive', { type: 'button_reply', button_reply: reply }, { ...o, context: { id: contextId } });
  },
  listReply(contextId: string, reply: { id: string; title: string; description?: string }, o: InboundOptions = {}): WebhookItem {
    return inboundMessage('interactive', { type: 'list_reply', list_reply: reply }, { ...o, context: { id: contextId } });
  },
  /** A Flow completion (`nfm_reply`). */
  flowReply(contextId: string, responseJson: Record<string, unknown>, o: InboundOptions = {}): WebhookItem {
    return inboundMessage('interactive', { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: JSON.stringify(responseJson) } }, { ...o, context: { id: contextId } });
  },
  /** A quick-reply button of a template. */
  button(contextId: string, button: { payload: string; text: string }, o: InboundOptions = {}): WebhookItem {
    return inboundMessage('button', button, { ...o, context: { id: contextId } });
  },
  /** A type the Cloud API does not support (polls, view-once, …), with its 131051 error. */
  unsupported(unsupportedType = 'poll_creation', o: InboundOptions = {}): WebhookItem {
    const item = inboundMessage('unsupported', { type: unsupportedType }, o) as Extract<WebhookItem, { kind: 'message' }>;
    item.message.errors = [webhookError({ code: 131051, message: 'Message type unknown', details: 'Message type is currently not supported.' })];
    return item;
  },
  /** The user changed number (no `contacts` entry). */
  system(newWaId = '12195555358', o: InboundOptions = {}): WebhookItem {
    const from = o.from === undefined ? DEFAULT_USER : o.from;
    return inboundMessage('system', { body: `User Sheena Nelson changed from ${from} to ${newWaId}`, wa_id: newWaId, type: 'user_changed_number' }, { ...o, noContact: true });
  },
  /** Coexistence numbers only: an edit of a text (or of a media caption, with `mediaType`). */
  edit(originalId: string, text: string, o: InboundOptions & { mediaType?: 'image' | 'video' | 'document' } = {}): WebhookItem {
    const message = o.mediaType
      ? { context: { id: 'M0' }, type: o.mediaType, [o.mediaType]: { caption: text, mime_type: 'image/jpeg', sha256: randomBytes(32).toString('base64'), id: graphId() } }
      : { context: { id: 'M0' }, type: 'text', text: { body: text } };
    return inboundMessage('edit', { original_message_id: originalId, message }, o);
  },
  revoke(originalId: string, o: InboundOptions = {}): WebhookItem {
    return inboundMessage('revoke', { original_message_id: originalId }, o);
  },
  /** Any other type (`order`, `request_welcome`, a future one). */
  other(type: string, payload: Record<string, unknown> | undefined, o: InboundOptions = {}): WebhookItem {
    return inboundMessage(type, payload, o);
  },
};

export interface StatusOptions {
  recipient?: string | null;
  timestamp?: number | string;
  /** `errors[]` (failed), as webhooks carry them. */
  errors?: Array<MetaErrorSpec | number>;
  /** A BSUID `contacts` entry (2026). */
  userId?: string;
  /** The send's `biz_opaque_callback_data`, which Meta repeats in each of its statuses. */
  callbackData?: string;
}

function statusItem(id: string, status: string, o: StatusOptions): WebhookItem {
  const s: Record<string, unknown> = { id, status, timestamp: String(o.timestamp ?? Math.floor(Date.now() / 1000)) };
  const recipient = o.recipient === undefined ? DEFAULT_USER : o.recipient;
  if (recipient !== null) s.recipient_id = recipient;
  if (o.userId) s.recipient_user_id = o.userId;
  if (status === 'sent') s.pricing = { billable: true, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' };
  if (o.errors) s.errors = o.errors.map(webhookError);
  if (o.callbackData !== undefined) s.biz_opaque_callback_data = o.callbackData;
  const contact = o.userId && status !== 'failed' ? { profile: { name: 'Sheena Nelson' }, ...(recipient ? { wa_id: recipient } : {}), user_id: o.userId } : null;
  return { kind: 'status', status: s, contact };
}

/** Statuses of messages the business sent (research notes §3). */
export const statuses = {
  sent: (id: string, o: StatusOptions = {}) => statusItem(id, 'sent', o),
  delivered: (id: string, o: StatusOptions = {}) => statusItem(id, 'delivered', o),
  read: (id: string, o: StatusOptions = {}) => statusItem(id, 'read', o),
  played: (id: string, o: StatusOptions = {}) => statusItem(id, 'played', o),
  failed: (id: string, errors: Array<MetaErrorSpec | number> = [131026], o: StatusOptions = {}) => statusItem(id, 'failed', { ...o, errors }),
  /** Any other value (`deleted` of the old On-Premises API, `warning`). */
  other: (id: string, status: string, o: StatusOptions = {}) => statusItem(id, status, o),
};

/** The number a change is about: a registered {@link PhoneNumber}, or just its ids. */
export interface PhoneRef {
  id: string;
  displayPhoneNumber: string;
}

/** One `changes[]` element (field `messages`) for a number, with its items and their contacts. */
export function change(phone: PhoneRef, items: WebhookItem[], extra: { errors?: Array<MetaErrorSpec | number>; field?: string } = {}) {
  const value: Record<string, unknown> = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: phone.displayPhoneNumber, phone_number_id: phone.id },
  };
  const contacts: Array<Record<string, unknown>> = [];
  for (const item of items) {
    if (!item.contact) continue;
    const key = JSON.stringify([item.contact.wa_id, item.contact.user_id]);
    if (!contacts.some((c) => JSON.stringify([c.wa_id, c.user_id]) === key)) contacts.push(item.contact);
  }
  if (contacts.length) value.contacts = contacts;
  const messages = items.filter((i) => i.kind === 'message').map((i) => (i as Extract<WebhookItem, { kind: 'message' }>).message);
  const sts = items.filter((i) => i.kind === 'status').map((i) => (i as Extract<WebhookItem, { kind: 'status' }>).status);
  if (messages.length) value.messages = messages;
  if (sts.length) value.statuses = sts;
  if (extra.errors) value.errors = extra.errors.map(webhookError);
  return { field: extra.field ?? 'messages', value };
}

export function entry(wabaId: string, ...changes: Array<ReturnType<typeof change>>): MetaWebhookBody['entry'][number] {
  return { id: wabaId, changes };
}

export function webhookBody(...entries: Array<MetaWebhookBody['entry'][number]>): MetaWebhookBody {
  return { object: 'whatsapp_business_account', entry: entries };
}

/** The usual delivery: one entry, one change, for one number. */
export function webhookOf(phone: PhoneRef & { wabaId?: string }, ...items: WebhookItem[]): MetaWebhookBody {
  return webhookBody(entry(phone.wabaId ?? '102290129340398', change(phone, items)));
}
