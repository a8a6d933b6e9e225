import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Chatwoot v4.13 Application API double on 127.0.0.1 following CONTRACT.md for what the bridge uses
 * (auth and its error bodies, inboxes, signed webhooks), with switches for Chatwoot's failures.
 */

export type Role = 'administrator' | 'agent';

export interface SimUser {
  id: number;
  token: string;
  /** Account id → role in it. */
  accounts: Map<number, Role>;
}

export interface SimInbox {
  id: number;
  accountId: number;
  name: string;
  channelType: string;
  webhookUrl: string | null;
  /** The webhook signing key (4.13); null models a Chatwoot before 4.13. */
  secret: string | null;
  hmacToken: string;
  inboxIdentifier: string;
  /** Agents who are members (admins see everything). */
  members: Set<number>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  /** The api_access_token the request presented (any header spelling Rails accepts). */
  token: string | undefined;
}

export interface InjectedFailure {
  status: number;
  /** Sent as is; an object is sent as JSON. */
  body: string | object;
  contentType?: string;
  /** Only requests matching these; all requests when omitted. */
  method?: string;
  path?: RegExp;
  /** How many matching requests fail (default 1; Infinity for all until cleared). */
  times?: number;
}

export interface WebhookOptions {
  /** Sign with this key instead of the inbox's secret. */
  signWith?: string;
  /** Send this signature header instead of computing one. */
  signature?: string;
  /** Unix seconds; default now. */
  timestamp?: number;
  /** Send neither X-Chatwoot-Timestamp nor X-Chatwoot-Signature (Chatwoot < 4.13). */
  unsigned?: boolean;
  /** Deliver to this URL instead of the inbox's webhook_url. */
  url?: string;
  /** Send (and sign) this text instead of the serialised payload. */
  rawBody?: string;
}

const CHANNEL_TYPES: Record<string, string> = {
  web_widget: 'Channel::WebWidget',
  api: 'Channel::Api',
  email: 'Channel::Email',
  line: 'Channel::Line',
  telegram: 'Channel::Telegram',
  whatsapp: 'Channel::Whatsapp',
  sms: 'Channel::Sms',
};

/** CONTRACT §1's exact bodies. */
export const ChatwootErrors = {
  signIn: { errors: ['You need to sign in or sign up before continuing.'] },
  invalidToken: { error: 'Invalid Access Token' },
  notFound: { error: 'Resource could not be found' },
  notMember: { error: 'You are not authorized to access this account' },
  notAllowed: { error: 'You are not authorized to do this action' },
  internal: { status: 500, error: 'Internal Server Error' },
  railsNotFound: { status: 404, error: 'Not Found' },
} as const;

/** Rails' to_json escapes these (ActiveSupport's escape_html_entities_in_json). */
export function railsJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export class ChatwootSimulator {
  readonly requests: RecordedRequest[] = [];
  private readonly accountIds = new Set<number>();
  private readonly users = new Map<string, SimUser>();
  private readonly revoked = new Set<string>();
  private readonly inboxById = new Map<number, SimInbox>();
  private failures: InjectedFailure[] = [];
  private hanging = false;
  private readonly held: http.ServerResponse[] = [];
  private nextId = { user: 1, inbox: 1, message: 1000 };
  private readonly webhookRoutes = new Map<string, string>();

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  /** On 127.0.0.1, a free port unless one is given (`npm run simulators`). */
  static async start(listenPort = 0): Promise<ChatwootSimulator> {
    let sim!: ChatwootSimulator;
    const server = http.createServer((req, res) => void sim.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listenPort, '127.0.0.1', resolve);
    });
    const { port } = server.address() as AddressInfo;
    sim = new ChatwootSimulator(server, `http://127.0.0.1:${port}`);
    return sim;
  }

  async close(): Promise<void> {
    for (const res of this.held.splice(0)) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- state -------------------------------------------------------------------------------

  addAccount(id?: number): number {
    const accountId = id ?? this.accountIds.size + 1;
    this.accountIds.add(accountId);
    return accountId;
  }

  removeAccount(id: number): void {
    this.accountIds.delete(id);
  }

  /** A user with a fresh 24-char token, member of the account with the role. */
  addUser(accountId: number, role: Role = 'administrator'): SimUser {
    const user: SimUser = { id: this.nextId.user++, token: randomBytes(18).toString('base64url'), accounts: new Map([[accountId, role]]) };
    this.users.set(user.token, user);
    return user;
  }

  setRole(token: string, accountId: number, role: Role): void {
    this.userOf(token).accounts.set(accountId, role);
  }

  /** Takes the user out of the account (then: 401 "…access this account"). */
  removeMembership(token: string, accountId: number): void {
    this.userOf(token).accounts.delete(accountId);
  }

  revokeToken(token: string): void {
    this.revoked.add(token);
  }

  restoreToken(token: string): void {
    this.revoked.delete(token);
  }

  addInbox(accountId: number, init: { name: string; channelType?: string; webhookUrl?: string | null; secret?: string | null; members?: number[] }): SimInbox {
    const inbox: SimInbox = {
      id: this.nextId.inbox++,
      accountId,
      name: init.name,
      channelType: init.channelType ?? 'Channel::Api',
      webhookUrl: init.webhookUrl ?? null,
      secret: init.secret === undefined ? randomBytes(18).toString('base64url') : init.secret,
      hmacToken: randomBytes(18).toString('base64url'),
      inboxIdentifier: randomBytes(18).toString('base64url'),
      members: new Set(init.members ?? []),
    };
    this.inboxById.set(inbox.id, inbox);
    return inbox;
  }

  inbox(id: number): SimInbox | undefined {
    return this.inboxById.get(id);
  }

  inboxes(accountId: number): SimInbox[] {
    return [...this.inboxById.values()].filter((i) => i.accountId === accountId).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Deletes an inbox as an admin would in Chatwoot's UI. */
  deleteInbox(id: number): void {
    this.inboxById.delete(id);
  }

  /** POST /inboxes/{id}/reset_secret (4.13). */
  resetSecret(id: number): string {
    const inbox = this.inboxById.get(id)!;
    inbox.secret = randomBytes(18).toString('base64url');
    return inbox.secret;
  }

  // ---- switches ----------------------------------------------------------------------------

  failNext(failure: InjectedFailure): void {
    this.failures.push({ times: 1, ...failure });
  }

  clearFailures(): void {
    this.failures = [];
  }

  /** Accept requests and never answer (until `hang(false)` or close). */
  hang(on = true): void {
    this.hanging = on;
    if (!on) for (const res of this.held.splice(0)) res.destroy();
  }

  requestsMatching(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  // ---- webhooks ----------------------------------------------------------------------------

  /**
   * Deliveries to `publicOrigin` go to `actualOrigin`: the bridge's public URL is configured before
   * the test app has its port, as a DNS name would point at it in a deployment.
   */
  routeWebhooks(publicOrigin: string, actualOrigin: string): void {
    this.webhookRoutes.set(publicOrigin, actualOrigin);
  }

  /** Posts an event to the inbox's webhook_url the way lib/webhooks/trigger.rb does (CONTRACT §6). */
  async deliverWebhook(inboxId: number, payload: object, opts: WebhookOptions = {}): Promise<{ status: number; body: any; ms: number }> {
    const inbox = this.inboxById.get(inboxId);
    let url = opts.url ?? inbox?.webhookUrl;
    if (!url) throw new Error(`inbox ${inboxId} has no webhook_url`);
    for (const [from, to] of this.webhookRoutes) if (url.startsWith(`${from}/`)) url = to + url.slice(from.length);
    const body = opts.rawBody ?? railsJson(payload);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'User-Agent': 'rest-client/2.1.0',
      'X-Chatwoot-Delivery': randomUUID(),
    };
    const key = opts.signWith ?? inbox?.secret ?? null;
    if (!opts.unsigned && key) {
      const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
      headers['X-Chatwoot-Timestamp'] = timestamp;
      headers['X-Chatwoot-Signature'] = opts.signature ?? `sha256=${createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex')}`;
    }
    const started = Date.now();
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(5_000) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Keep the text.
    }
    return { status: res.status, body: parsed, ms: Date.now() - started };
  }

  /** A `message_created` event (Message#webhook_data + event, CONTRACT §6). */
  messageCreated(inbox: SimInbox, init: {
    id?: number;
    content?: string | null;
    messageType?: 'incoming' | 'outgoing' | 'template';
    private?: boolean;
    conversationId?: number;
    event?: string;
  } = {}): Record<string, unknown> {
    const id = init.id ?? this.nextId.message++;
    const conversationId = init.conversationId ?? 12;
    const messageType = init.messageType ?? 'outgoing';
    const content = init.content === undefined ? 'Olá Maria' : init.content;
    const now = Math.floor(Date.now() / 1000);
    const agent = { id: 2, name: 'Ana', available_name: 'Ana', avatar_url: '', type: 'user', availability_status: 'online', thumbnail: '' };
    const contact = {
      additional_attributes: {}, custom_attributes: {}, email: null, id: 42, identifier: '5511988887777@s.whatsapp.net',
      name: 'Maria', phone_number: '+5511988887777', thumbnail: '', blocked: false, type: 'contact',
    };
    return {
      account: { id: inbox.accountId, name: 'Acme' },
      additional_attributes: {},
      content_attributes: {},
      content_type: 'text',
      content,
      conversation: {
        additional_attributes: {},
        can_reply: true,
        channel: 'Channel::Api',
        contact_inbox: {
          id: 55, contact_id: 42, inbox_id: inbox.id, source_id: '1f0c2d4e-uuid', created_at: '2026-04-16T10:00:00.000Z',
          updated_at: '2026-04-16T10:00:00.000Z', hmac_verified: false, pubsub_token: 'pubsub',
        },
        id: conversationId,
        inbox_id: inbox.id,
        messages: [{
          id, content, account_id: inbox.accountId, inbox_id: inbox.id, conversation_id: conversationId,
          message_type: messageType === 'incoming' ? 0 : messageType === 'outgoing' ? 1 : 3, created_at: now,
          updated_at: new Date().toISOString(), private: init.private ?? false, status: 'sent', source_id: null,
          content_type: 'text', content_attributes: {}, sender_type: 'User', sender_id: 2, external_source_ids: {},
          additional_attributes: {}, processed_message_content: content, sentiment: {},
          conversation: { assignee_id: 2, unread_count: 0, last_activity_at: now, contact_inbox: { source_id: '1f0c2d4e-uuid' } },
          sender: agent,
        }],
        labels: [],
        meta: { sender: contact, assignee: agent, assignee_type: 'User', team: null, hmac_verified: false },
        status: 'open', custom_attributes: {}, snoozed_until: null, unread_count: 0,
        first_reply_created_at: new Date().toISOString(), priority: null, waiting_since: 0,
        agent_last_seen_at: now, contact_last_seen_at: 0, last_activity_at: now, timestamp: now,
        created_at: now - 100, updated_at: now + 0.12,
      },
      created_at: new Date().toISOString(),
      id,
      inbox: { id: inbox.id, name: inbox.name },
      message_type: messageType,
      private: init.private ?? false,
      sender: messageType === 'incoming' ? { ...contact, type: undefined } : { id: 2, name: 'Ana', email: 'ana@acme.com', type: 'user' },
      source_id: null,
      event: init.event ?? 'message_created',
    };
  }

  // ---- HTTP --------------------------------------------------------------------------------

  private userOf(token: string): SimUser {
    const user = this.users.get(token);
    if (!user) throw new Error('unknown token');
    return user;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = undefined;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const path = new URL(req.url ?? '/', this.url).pathname;
    const method = req.method ?? 'GET';
    // Rack maps `api_access_token` and `Api-Access-Token` to the same HTTP_API_ACCESS_TOKEN.
    const rawToken = req.headers['api_access_token'] ?? req.headers['api-access-token'];
    const token = typeof rawToken === 'string' ? rawToken : undefined;
    this.requests.push({ method, path, body, token });

    if (this.hanging) {
      this.held.push(res);
      return;
    }
    const failure = this.failures.find((f) => (!f.method || f.method === method) && (!f.path || f.path.test(path)));
    if (failure) {
      failure.times = (failure.times ?? 1) - 1;
      if (failure.times <= 0) this.failures = this.failures.filter((f) => f !== failure);
      return send(res, failure.status, failure.body, failure.contentType);
    }
    this.route(method, path, token, body, res);
  }

  private route(method: string, path: string, token: string | undefined, body: unknown, res: http.ServerResponse): void {
    const m = /^\/api\/v1\/accounts\/([^/]+)\/inboxes(?:\/([^/]+))?\/?$/.exec(path);
    if (!m) return send(res, 404, ChatwootErrors.railsNotFound);

    // Callback order of CONTRACT §1: token → account → membership → per-action check.
    if (!token || token.trim() === '') return send(res, 401, ChatwootErrors.signIn);
    const user = this.users.get(token);
    if (!user || this.revoked.has(token)) return send(res, 401, ChatwootErrors.invalidToken);
    const accountId = /^\d+$/.test(m[1]) ? Number(m[1]) : NaN;
    if (!this.accountIds.has(accountId)) return send(res, 404, ChatwootErrors.notFound);
    const role = user.accounts.get(accountId);
    if (!role) return send(res, 401, ChatwootErrors.notMember);
    const admin = role === 'administrator';

    if (m[2] === undefined) {
      if (method === 'GET') {
        const visible = this.inboxes(accountId).filter((i) => admin || i.members.has(user.id));
        return send(res, 200, { payload: visible.map((i) => inboxJson(i, admin)) });
      }
      if (method === 'POST') {
        if (!admin) return send(res, 401, ChatwootErrors.notAllowed);
        return this.createInbox(accountId, body, res);
      }
      return send(res, 404, ChatwootErrors.railsNotFound);
    }

    const inbox = this.inboxById.get(Number(m[2]));
    if (!inbox || inbox.accountId !== accountId || !/^\d+$/.test(m[2])) return send(res, 404, ChatwootErrors.notFound);
    if (method === 'GET') {
      if (!admin && !inbox.members.has(user.id)) return send(res, 401, ChatwootErrors.notAllowed);
      return send(res, 200, inboxJson(inbox, admin));
    }
    if (method === 'PATCH' || method === 'PUT') {
      if (!admin) return send(res, 401, ChatwootErrors.notAllowed);
      const b = (body ?? {}) as { name?: unknown; channel?: { webhook_url?: unknown } };
      if (typeof b.name === 'string') {
        if (b.name.trim() === '') return send(res, 422, { message: "Name can't be blank", attributes: ['name'] });
        inbox.name = b.name;
      }
      if (b.channel && typeof b.channel.webhook_url === 'string' && inbox.channelType === 'Channel::Api') {
        inbox.webhookUrl = b.channel.webhook_url;
      }
      return send(res, 200, inboxJson(inbox, admin));
    }
    if (method === 'DELETE') {
      if (!admin) return send(res, 401, ChatwootErrors.notAllowed);
      this.inboxById.delete(inbox.id);
      return send(res, 200, { message: 'Your inbox deletion request will be processed in some time.' });
    }
    return send(res, 404, ChatwootErrors.railsNotFound);
  }

  private createInbox(accountId: number, body: unknown, res: http.ServerResponse): void {
    const b = (body ?? {}) as { name?: unknown; channel?: { type?: unknown; webhook_url?: unknown } };
    // A missing channel is an uncaught error in Chatwoot (CONTRACT §2).
    if (!b.channel || typeof b.channel !== 'object') return send(res, 500, ChatwootErrors.internal);
    const channelType = typeof b.channel.type === 'string' ? CHANNEL_TYPES[b.channel.type] : undefined;
    if (!channelType) return send(res, 422, { message: 'Channel must exist', attributes: ['channel'] });
    if (typeof b.name !== 'string' || b.name.trim() === '') return send(res, 422, { message: "Name can't be blank", attributes: ['name'] });
    const webhookUrl = typeof b.channel.webhook_url === 'string' ? b.channel.webhook_url : null;
    if (webhookUrl && webhookUrl.length > 2048) {
      return send(res, 422, { message: 'Webhook url is too long (maximum is 2048 characters)', attributes: ['webhook_url'] });
    }
    const inbox = this.addInbox(accountId, { name: b.name, channelType, webhookUrl });
    send(res, 200, inboxJson(inbox, true));
  }
}

/** api/v1/models/_inbox.json.jbuilder for an API inbox (CONTRACT §2). */
function inboxJson(inbox: SimInbox, admin: boolean): Record<string, unknown> {
  return {
    id: inbox.id,
    avatar_url: '',
    channel_id: inbox.id + 100,
    name: inbox.name,
    channel_type: inbox.channelType,
    greeting_enabled: false,
    greeting_message: null,
    working_hours_enabled: false,
    enable_email_collect: true,
    csat_survey_enabled: false,
    csat_config: {},
    enable_auto_assignment: true,
    auto_assignment_config: {},
    out_of_office_message: null,
    working_hours: [],
    timezone: 'UTC',
    callback_webhook_url: null,
    allow_messages_after_resolved: true,
    lock_to_single_conversation: false,
    sender_name_type: 'friendly',
    business_name: null,
    hmac_mandatory: false,
    ...(admin ? { hmac_token: inbox.hmacToken, ...(inbox.secret !== null ? { secret: inbox.secret } : {}) } : {}),
    webhook_url: inbox.webhookUrl,
    inbox_identifier: inbox.inboxIdentifier,
    additional_attributes: {},
    provider: null,
  };
}

function send(res: http.ServerResponse, status: number, body: string | object, contentType?: string): void {
  const text = typeof body === 'string' ? body : railsJson(body);
  res.writeHead(status, { 'Content-Type': contentType ?? (typeof body === 'string' ? 'text/plain' : 'application/json; charset=utf-8') });
  res.end(text);
}
