import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Chatwoot v4.13 Application API double on 127.0.0.1 following CONTRACT.md for what a
 * WhatsApp↔Chatwoot bridge uses: auth and its error bodies (§1), inboxes (§2), contacts and contact
 * inboxes (§3, §11), conversations (§4, §12), messages with attachments (§5, §10, §13, §14), the
 * webhooks an API inbox receives and how their failures mark messages (§6, §14), and attachment
 * downloads (§16); with switches for Chatwoot's failures and for webhook delivery.
 *
 * It keeps Chatwoot's traps rather than smoothing them: duplicate message `source_id`s are accepted,
 * a conversation without `source_id` makes a new contact inbox row, nothing is retried, and a failed
 * webhook marks the message failed. A bridge that passes against it passes for those reasons.
 */

export type Role = 'administrator' | 'agent';

export interface SimUser {
  id: number;
  token: string;
  /** Account id → role in it. */
  accounts: Map<number, Role>;
  /** Shown as the sender of the user's messages. */
  name: string;
  email: string;
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

export interface SimContact {
  id: number;
  accountId: number;
  name: string | null;
  identifier: string | null;
  phoneNumber: string | null;
  email: string | null;
  blocked: boolean;
  additionalAttributes: Record<string, unknown>;
  customAttributes: Record<string, unknown>;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms of the contact's last incoming message; null for a new contact. */
  lastActivityAt: number | null;
}

/** A `contact_inboxes` row: the (contact, inbox, source_id) triple conversations hang from (§11). */
export interface SimContactInbox {
  id: number;
  accountId: number;
  contactId: number;
  inboxId: number;
  sourceId: string;
  hmacVerified: boolean;
  pubsubToken: string;
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
}

export type ConversationStatus = 'open' | 'resolved' | 'pending' | 'snoozed';

export interface SimConversation {
  /** The display_id: what every route calls the conversation id, a sequence per account. */
  id: number;
  /** The database id (never seen in the API; kept to tell conversations apart across accounts). */
  dbId: number;
  accountId: number;
  inboxId: number;
  contactId: number;
  contactInboxId: number;
  status: ConversationStatus;
  /** Epoch ms; only with status snoozed. */
  snoozedUntil: number | null;
  uuid: string;
  assigneeId: number | null;
  additionalAttributes: Record<string, unknown>;
  customAttributes: Record<string, unknown>;
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
  lastActivityAt: number;
  waitingSince: number | null;
  firstReplyCreatedAt: number | null;
}

export type MessageType = 'incoming' | 'outgoing' | 'activity' | 'template';
export type MessageStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface SimAttachment {
  id: number;
  messageId: number;
  accountId: number;
  fileType: string;
  fileName: string;
  /** The declared Content-Type of the uploaded part. */
  contentType: string;
  data: Buffer;
  /** The ActiveStorage signed blob id in `data_url`. */
  signedId: string;
}

export interface SimMessage {
  id: number;
  accountId: number;
  inboxId: number;
  /** The conversation's display_id. */
  conversationId: number;
  conversationDbId: number;
  content: string | null;
  messageType: MessageType;
  contentType: string;
  private: boolean;
  status: MessageStatus;
  /** Free text, stored as given: not unique (CONTRACT §10). */
  sourceId: string | null;
  contentAttributes: Record<string, unknown>;
  additionalAttributes: Record<string, unknown>;
  /** A user for outgoing, the conversation's contact for every other type sent by the API, none for system messages. */
  sender: { type: 'user' | 'contact'; id: number } | null;
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
  attachments: SimAttachment[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The parsed JSON body, a multipart body's fields and files, or the raw text otherwise. */
  body: unknown;
  /** The api_access_token the request presented (any header spelling Rails accepts). */
  token: string | undefined;
  query: URLSearchParams;
}

/** A multipart/form-data body as recorded and as the message route reads it. */
export interface MultipartBody {
  fields: Record<string, string>;
  files: Array<{ field: string; fileName: string; contentType: string; data: Buffer }>;
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

/** The ambiguous failure: Chatwoot committed (and fired its webhooks), the caller never learns it. */
export interface AfterCommitFailure {
  method?: string;
  path?: RegExp;
  /** How many matching successful requests fail (default 1). */
  times?: number;
  /** 'error500' (default): Rails' 500 body; 'destroy': the socket is closed without an answer. */
  reply?: 'error500' | 'destroy';
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

/**
 * 'normal': one at a time, in the order the events happened. 'duplicate': each event delivered twice
 * (two jobs, two X-Chatwoot-Delivery ids). 'shuffle': events collected for `shuffleWindowMs`, then
 * delivered in a random order (Sidekiq runs 10 jobs at once, CONTRACT §14). 'off': recorded, not sent.
 */
export type WebhookMode = 'normal' | 'duplicate' | 'shuffle' | 'off';

/** One event the double generated for an inbox's webhook_url, with what happened to it. */
export interface WebhookDelivery {
  event: string;
  accountId: number;
  inboxId: number;
  conversationId: number | null;
  messageId: number | null;
  /** The payload as sent (built when the event happened). */
  payload: Record<string, unknown>;
  /** 'skipped': no webhook_url, or not an API inbox; 'off': webhookMode was off. */
  state: 'pending' | 'delivered' | 'failed' | 'off' | 'skipped';
  attempts: Array<{ deliveryId: string; status: number | null; error: string | null }>;
}

export interface AgentAttachment {
  fileName: string;
  contentType: string;
  data: Buffer;
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
  badRequest: { status: 400, error: 'Bad Request' },
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

const MESSAGE_TYPES: MessageType[] = ['incoming', 'outgoing', 'activity', 'template'];
const MESSAGE_STATUSES: MessageStatus[] = ['sent', 'delivered', 'read', 'failed'];
const CONVERSATION_STATUSES: ConversationStatus[] = ['open', 'resolved', 'pending', 'snoozed'];
const CONTENT_TYPES = [
  'text', 'input_text', 'input_textarea', 'input_email', 'input_select', 'cards', 'form', 'article', 'incoming_email',
  'input_csat', 'integrations', 'sticker', 'voice_call',
];
/** `CONVERSATION_MESSAGE_PER_MINUTE_LIMIT` (CONTRACT §5, §15). */
const MESSAGES_PER_MINUTE = 200;
/** The `/\+[1-9]\d{1,14}\z/` of contact.rb (CONTRACT §1); note it is not anchored at the start. */
const E164 = /\+[1-9]\d{1,14}$/;
/** Devise.email_regexp. */
const EMAIL = /^[^@\s]+@[^@\s]+$/;
/** Rails' `service_urls_expire_in` (CONTRACT §16). */
const DISK_URL_TTL_MS = 5 * 60_000;

/** An answer a route computed; `handle` writes it unless a failure switch replaces it. */
interface Reply {
  status: number;
  body: string | object | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A Chatwoot error answer thrown from deep inside a route. */
class HttpError extends Error {
  constructor(readonly status: number, readonly body: object) {
    super(`${status}`);
  }
}

/** `ActiveRecord::RecordNotUnique` from the contact_inboxes (inbox_id, source_id) unique index. */
class RecordNotUnique extends Error {}

/** Any StandardError in message create: its text becomes `{"error": …}` (CONTRACT §1, §10). */
class MessageError extends Error {}

interface RouteContext {
  method: string;
  accountId: number;
  user: SimUser;
  admin: boolean;
  /** The JSON body, or a multipart body's fields (Rails merges both into `params`). */
  body: any;
  /** A multipart body's file parts. */
  files: MultipartBody['files'];
  query: URLSearchParams;
  params: string[];
}

type Handler = (ctx: RouteContext) => Reply;

interface MessageInit {
  content?: unknown;
  message_type?: unknown;
  private?: unknown;
  content_type?: unknown;
  content_attributes?: unknown;
  source_id?: unknown;
  external_created_at?: unknown;
  campaign_id?: unknown;
  template_params?: unknown;
  files?: AgentAttachment[];
}

export class ChatwootSimulator {
  readonly requests: RecordedRequest[] = [];
  /** Every webhook event generated by the double's own state changes, in the order they happened. */
  readonly webhookLog: WebhookDelivery[] = [];
  webhookMode: WebhookMode = 'normal';
  /** How long 'shuffle' collects events before delivering a batch. */
  shuffleWindowMs = 50;
  /** `WEBHOOK_TIMEOUT` (5 s, CONTRACT §14); lower it to test a slow receiver quickly. */
  webhookTimeoutMs = 5_000;
  /** FRONTEND_URL, the host of attachment `data_url`s; the double itself by default. */
  frontendUrl: string;
  /** The clock of every timestamp and of the message rate limit (epoch ms). */
  now: () => number = () => Date.now();

  private readonly accountIds = new Set<number>();
  private readonly accountNames = new Map<number, string>();
  private readonly users = new Map<string, SimUser>();
  private readonly revoked = new Set<string>();
  private readonly inboxById = new Map<number, SimInbox>();
  private readonly contactById = new Map<number, SimContact>();
  private readonly contactInboxById = new Map<number, SimContactInbox>();
  private readonly conversationByDbId = new Map<number, SimConversation>();
  private readonly messageById = new Map<number, SimMessage>();
  private readonly displayIds = new Map<number, number>();
  /** Signed blob id → attachment; purged with the message's attachments. */
  private readonly blobs = new Map<string, SimAttachment>();
  /** Disk-service keys handed out by the redirect, with their expiry. */
  private readonly diskKeys = new Map<string, { signedId: string; expiresAt: number }>();
  private readonly blobSecret = randomBytes(16).toString('hex');
  private failures: InjectedFailure[] = [];
  private afterCommitFailures: AfterCommitFailure[] = [];
  private hanging = false;
  private readonly held: http.ServerResponse[] = [];
  private nextId = { user: 1, inbox: 1, message: 1000, contact: 1, contactInbox: 1, conversation: 1, attachment: 1 };
  private readonly webhookRoutes = new Map<string, string>();
  private readonly pending: WebhookDelivery[] = [];
  private pump: Promise<void> | null = null;
  private closed = false;
  private readonly closing = new AbortController();
  private readonly startedAt = Date.now();

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {
    this.frontendUrl = url;
  }

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
    this.closed = true;
    this.closing.abort();
    for (const res of this.held.splice(0)) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.pump;
  }

  // ---- state -------------------------------------------------------------------------------

  addAccount(id?: number, name = 'Acme'): number {
    const accountId = id ?? this.accountIds.size + 1;
    this.accountIds.add(accountId);
    this.accountNames.set(accountId, name);
    return accountId;
  }

  removeAccount(id: number): void {
    this.accountIds.delete(id);
  }

  /** A user with a fresh 24-char token, member of the account with the role. */
  addUser(accountId: number, role: Role = 'administrator', init: { name?: string; email?: string } = {}): SimUser {
    const id = this.nextId.user++;
    const user: SimUser = {
      id,
      token: randomBytes(18).toString('base64url'),
      accounts: new Map([[accountId, role]]),
      name: init.name ?? `Agent ${id}`,
      email: init.email ?? `agent${id}@acme.test`,
    };
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

  // ---- inspection --------------------------------------------------------------------------

  /** The account's contacts, by id. The objects are the stored ones. */
  contacts(accountId: number): SimContact[] {
    return [...this.contactById.values()].filter((c) => c.accountId === accountId);
  }

  /** The account's contact inbox rows, by id (orphans included). */
  contactInboxes(accountId: number): SimContactInbox[] {
    return [...this.contactInboxById.values()].filter((ci) => ci.accountId === accountId);
  }

  /** The account's conversations, by display_id. */
  conversations(accountId: number): SimConversation[] {
    return [...this.conversationByDbId.values()].filter((c) => c.accountId === accountId).sort((a, b) => a.id - b.id);
  }

  conversation(accountId: number, conversationId: number): SimConversation | undefined {
    return this.conversations(accountId).find((c) => c.id === conversationId);
  }

  /** Every message of the conversation (activity and private ones too), oldest first. */
  messages(accountId: number, conversationId: number): SimMessage[] {
    const conversation = this.conversation(accountId, conversationId);
    return conversation ? this.messagesOf(conversation) : [];
  }

  message(id: number): SimMessage | undefined {
    return this.messageById.get(id);
  }

  /** The payloads of logged webhook events, optionally of one event name. */
  webhookEvents(event?: string): Record<string, unknown>[] {
    return this.webhookLog.filter((d) => !event || d.event === event).map((d) => d.payload);
  }

  // ---- the agent's side --------------------------------------------------------------------

  /**
   * An agent's reply from Chatwoot's UI: an outgoing message from a user (the account's first by
   * default), with its `message_created` webhook. Throws what the API would answer with a 422.
   */
  agentReply(accountId: number, conversationId: number, init: {
    content?: string | null;
    private?: boolean;
    userId?: number;
    attachments?: AgentAttachment[];
    /** A Chatwoot message id of the same conversation (content_attributes.in_reply_to, CONTRACT §10). */
    inReplyTo?: number;
    contentAttributes?: Record<string, unknown>;
  }): SimMessage {
    const conversation = this.mustConversation(accountId, conversationId);
    const user = this.agentOf(accountId, init.userId);
    const contentAttributes = { ...(init.contentAttributes ?? {}), ...(init.inReplyTo !== undefined ? { in_reply_to: init.inReplyTo } : {}) };
    const message = this.createMessage(conversation, user, {
      content: init.content ?? null,
      message_type: 'outgoing',
      private: init.private ?? false,
      content_attributes: contentAttributes,
      files: init.attachments,
    });
    this.kickWebhooks();
    return message;
  }

  /** An agent's status change (toggle_status from the UI), with its webhooks and activity message. */
  setConversationStatus(accountId: number, conversationId: number, status: ConversationStatus, opts: { userId?: number; snoozedUntil?: number } = {}): SimConversation {
    const conversation = this.mustConversation(accountId, conversationId);
    const user = this.agentOf(accountId, opts.userId);
    this.changeStatus(conversation, status, { user, snoozedUntil: opts.snoozedUntil ?? null, agentAssigns: user.accounts.get(accountId) === 'agent' });
    this.kickWebhooks();
    return conversation;
  }

  /** The agent's Retry button: POST …/messages/{id}/retry (CONTRACT §14). */
  agentRetry(accountId: number, conversationId: number, messageId: number): SimMessage {
    const message = this.mustMessage(this.mustConversation(accountId, conversationId), messageId);
    this.retryMessage(message);
    this.kickWebhooks();
    return message;
  }

  /** An agent deleting a message: DELETE …/messages/{id} (CONTRACT §14). */
  agentDelete(accountId: number, conversationId: number, messageId: number): SimMessage {
    const message = this.mustMessage(this.mustConversation(accountId, conversationId), messageId);
    this.deleteMessage(message);
    this.kickWebhooks();
    return message;
  }

  // ---- switches ----------------------------------------------------------------------------

  failNext(failure: InjectedFailure): void {
    this.failures.push({ times: 1, ...failure });
  }

  /**
   * The next matching request that succeeds is applied (rows written, webhooks fired) but answered
   * with a 500, or its socket destroyed: the caller cannot tell whether it took effect.
   */
  failAfterCommit(failure: AfterCommitFailure = {}): void {
    this.afterCommitFailures.push({ times: 1, reply: 'error500', ...failure });
  }

  clearFailures(): void {
    this.failures = [];
    this.afterCommitFailures = [];
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
    const url = opts.url ?? inbox?.webhookUrl;
    if (!url) throw new Error(`inbox ${inboxId} has no webhook_url`);
    const started = Date.now();
    const res = await this.postWebhook(url, inbox, opts.rawBody ?? railsJson(payload), opts, { redirect: 'follow', timeoutMs: 5_000 });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Keep the text.
    }
    return { status: res.status, body: parsed, ms: Date.now() - started };
  }

  /** Resolves once every generated webhook (and the `message_updated`s its failure causes) is settled. */
  async webhooksSettled(): Promise<void> {
    while (this.pump) await this.pump;
  }

  /** A synthetic `message_created` event (Message#webhook_data + event, CONTRACT §6) for no stored message. */
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

  /**
   * RestClient's POST as Trigger#perform_request sends it: JSON, the delivery id, and the signature
   * when the inbox has a secret (CONTRACT §6).
   */
  private postWebhook(
    rawUrl: string, inbox: SimInbox | undefined, body: string, opts: WebhookOptions, how: { redirect: 'follow' | 'manual'; timeoutMs: number },
  ): Promise<Response> {
    let url = rawUrl;
    for (const [from, to] of this.webhookRoutes) if (url.startsWith(`${from}/`)) url = to + url.slice(from.length);
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
    const signal = AbortSignal.any([AbortSignal.timeout(how.timeoutMs), this.closing.signal]);
    return fetch(url, { method: 'POST', headers, body, signal, redirect: how.redirect });
  }

  /** Queues an event for the inbox's webhook_url; the payload is built now (CONTRACT §14 builds it at job time). */
  private emit(event: string, conversation: SimConversation, payload: Record<string, unknown>, messageId: number | null = null): void {
    const delivery: WebhookDelivery = {
      event,
      accountId: conversation.accountId,
      inboxId: conversation.inboxId,
      conversationId: conversation.id,
      messageId,
      payload: { ...payload, event },
      state: 'pending',
      attempts: [],
    };
    this.webhookLog.push(delivery);
    this.pending.push(delivery);
  }

  /** Starts delivering queued events; called once the API answer is written (deliveries are jobs). */
  private kickWebhooks(): void {
    if (this.pump || this.pending.length === 0 || this.closed) return;
    this.pump = this.runPump().finally(() => {
      this.pump = null;
      this.kickWebhooks();
    });
  }

  private async runPump(): Promise<void> {
    while (this.pending.length > 0 && !this.closed) {
      const mode = this.webhookMode;
      await new Promise((resolve) => (mode === 'shuffle' ? setTimeout(resolve, this.shuffleWindowMs) : setImmediate(resolve)));
      const batch = this.pending.splice(0);
      if (mode === 'shuffle') {
        for (let i = batch.length - 1; i > 0; i--) {
          const j = Math.floor(Math.random() * (i + 1));
          [batch[i], batch[j]] = [batch[j], batch[i]];
        }
      }
      for (const delivery of batch) {
        if (this.closed) return;
        if (mode === 'off') {
          delivery.state = 'off';
          continue;
        }
        await this.attempt(delivery);
        if (mode === 'duplicate') await this.attempt(delivery);
      }
    }
  }

  /**
   * One WebhookJob: a single attempt, no retry; success is 200–207 (rest-client), anything else marks
   * the message failed with the exception text and fires `message_updated` (CONTRACT §6, §14).
   */
  private async attempt(delivery: WebhookDelivery): Promise<void> {
    const inbox = this.inboxById.get(delivery.inboxId);
    // deliver_api_inbox_webhooks: only API inboxes with a webhook_url.
    if (!inbox || inbox.channelType !== 'Channel::Api' || !inbox.webhookUrl) {
      delivery.state = 'skipped';
      return;
    }
    let error: string | null = null;
    let status: number | null = null;
    const deliveryId = randomUUID();
    try {
      let res = await this.postWebhook(inbox.webhookUrl, inbox, railsJson(delivery.payload), {}, { redirect: 'manual', timeoutMs: this.webhookTimeoutMs });
      // rest-client follows a 303 with a GET; 301, 302 and 307 on a POST are failures.
      const location = res.headers.get('location');
      if (res.status === 303 && location) {
        await res.body?.cancel();
        res = await fetch(new URL(location, inbox.webhookUrl), { signal: AbortSignal.any([AbortSignal.timeout(this.webhookTimeoutMs), this.closing.signal]) });
      }
      await res.arrayBuffer();
      status = res.status;
      if (status < 200 || status > 207) error = `${status} ${http.STATUS_CODES[status] ?? 'Unknown'}`;
    } catch (err) {
      if (this.closed) return;
      error = restClientError(err, inbox.webhookUrl);
    }
    delivery.attempts.push({ deliveryId, status, error });
    // A duplicate's failed attempt counts: it is the one with consequences.
    delivery.state = delivery.attempts.some((a) => a.error !== null) ? 'failed' : 'delivered';
    if (!error) return;
    // Trigger#handle_error: only these two events, and only a message that still exists.
    if (delivery.event !== 'message_created' && delivery.event !== 'message_updated') return;
    const message = delivery.messageId !== null ? this.messageById.get(delivery.messageId) : undefined;
    if (message) this.setMessageStatus(message, 'failed', error);
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
    const raw = Buffer.concat(chunks);
    const contentType = req.headers['content-type'] ?? '';
    let body: unknown = undefined;
    if (contentType.startsWith('multipart/form-data')) {
      body = await parseMultipart(raw, contentType);
    } else if (raw.length > 0) {
      const text = raw.toString('utf8');
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname;
    const method = req.method ?? 'GET';
    // Rack maps `api_access_token` and `Api-Access-Token` to the same HTTP_API_ACCESS_TOKEN.
    const rawToken = req.headers['api_access_token'] ?? req.headers['api-access-token'];
    const token = typeof rawToken === 'string' ? rawToken : undefined;
    this.requests.push({ method, path, body, token, query: url.searchParams });

    if (this.hanging) {
      this.held.push(res);
      return;
    }
    const failure = this.failures.find((f) => matches(f, method, path));
    if (failure) {
      failure.times = (failure.times ?? 1) - 1;
      if (failure.times <= 0) this.failures = this.failures.filter((f) => f !== failure);
      return send(res, failure.status, failure.body, failure.contentType);
    }

    let reply: Reply;
    try {
      reply = this.route(method, path, url.searchParams, token, body, req.headers.host);
    } catch (err) {
      reply = err instanceof HttpError ? { status: err.status, body: err.body } : { status: 500, body: ChatwootErrors.internal };
      if (!(err instanceof HttpError)) process.stderr.write(`chatwoot simulator: ${(err as Error).stack}\n`);
    }

    const afterCommit = reply.status < 300 ? this.afterCommitFailures.find((f) => matches(f, method, path)) : undefined;
    if (afterCommit) {
      afterCommit.times = (afterCommit.times ?? 1) - 1;
      if (afterCommit.times <= 0) this.afterCommitFailures = this.afterCommitFailures.filter((f) => f !== afterCommit);
      if (afterCommit.reply === 'destroy') req.socket.destroy();
      else send(res, 500, ChatwootErrors.internal);
    } else {
      send(res, reply.status, reply.body, reply.contentType, reply.headers);
    }
    this.kickWebhooks();
  }

  /** Rails routing first (an unknown route is a 404 before any auth), then the callbacks of CONTRACT §1. */
  private route(method: string, path: string, query: URLSearchParams, token: string | undefined, body: unknown, host: string | undefined): Reply {
    const storage = this.activeStorage(method, path, query, host);
    if (storage) return storage;

    const m = /^\/api\/v1\/accounts\/([^/]+)\/(.*?)\/?$/.exec(path);
    if (!m) return { status: 404, body: ChatwootErrors.railsNotFound };
    const rest = m[2];
    const inboxes = /^inboxes(?:\/([^/]+))?$/.exec(rest);
    let handler: Handler | undefined;
    let params: string[] = [];
    if (!inboxes) {
      for (const [methods, pattern, h] of this.routes) {
        const hit = pattern.exec(rest);
        if (hit && methods.includes(method)) {
          handler = h;
          params = hit.slice(1);
          break;
        }
      }
      if (!handler) return { status: 404, body: ChatwootErrors.railsNotFound };
    }

    // Callback order of CONTRACT §1: token → account → membership → per-action check.
    if (!token || token.trim() === '') return { status: 401, body: ChatwootErrors.signIn };
    const user = this.users.get(token);
    if (!user || this.revoked.has(token)) return { status: 401, body: ChatwootErrors.invalidToken };
    const accountId = /^\d+$/.test(m[1]) ? Number(m[1]) : NaN;
    if (!this.accountIds.has(accountId)) return { status: 404, body: ChatwootErrors.notFound };
    const role = user.accounts.get(accountId);
    if (!role) return { status: 401, body: ChatwootErrors.notMember };
    const admin = role === 'administrator';

    if (inboxes) return this.inboxRoute(method, accountId, user, admin, inboxes[1], body);
    // Rails params: a body that is not JSON never reaches the action.
    if (typeof body === 'string') return { status: 400, body: ChatwootErrors.badRequest };
    const multipart = isMultipart(body);
    return handler!({ method, accountId, user, admin, body: multipart ? body.fields : (body ?? {}), files: multipart ? body.files : [], query, params });
  }

  private readonly routes: Array<[string[], RegExp, Handler]> = [
    [['POST'], /^contacts$/, (c) => this.createContactRoute(c)],
    [['POST'], /^contacts\/filter$/, (c) => this.filterContactsRoute(c)],
    [['GET'], /^contacts\/([^/]+)$/, (c) => this.showContactRoute(c)],
    [['POST'], /^contacts\/([^/]+)\/contact_inboxes$/, (c) => this.createContactInboxRoute(c)],
    [['GET'], /^contacts\/([^/]+)\/conversations$/, (c) => this.contactConversationsRoute(c)],
    [['POST'], /^conversations$/, (c) => this.createConversationRoute(c)],
    [['GET'], /^conversations\/([^/]+)$/, (c) => this.showConversationRoute(c)],
    [['POST'], /^conversations\/([^/]+)\/toggle_status$/, (c) => this.toggleStatusRoute(c)],
    [['POST'], /^conversations\/([^/]+)\/messages$/, (c) => this.createMessageRoute(c)],
    [['GET'], /^conversations\/([^/]+)\/messages$/, (c) => this.listMessagesRoute(c)],
    [['PATCH', 'PUT'], /^conversations\/([^/]+)\/messages\/([^/]+)$/, (c) => this.updateMessageRoute(c)],
    [['DELETE'], /^conversations\/([^/]+)\/messages\/([^/]+)$/, (c) => this.deleteMessageRoute(c)],
    [['POST'], /^conversations\/([^/]+)\/messages\/([^/]+)\/retry$/, (c) => this.retryMessageRoute(c)],
  ];

  // ---- inboxes (CONTRACT §2) ---------------------------------------------------------------

  private inboxRoute(method: string, accountId: number, user: SimUser, admin: boolean, id: string | undefined, body: unknown): Reply {
    if (id === undefined) {
      if (method === 'GET') {
        const visible = this.inboxes(accountId).filter((i) => admin || i.members.has(user.id));
        return { status: 200, body: { payload: visible.map((i) => inboxJson(i, admin)) } };
      }
      if (method === 'POST') {
        if (!admin) return { status: 401, body: ChatwootErrors.notAllowed };
        return this.createInbox(accountId, body);
      }
      return { status: 404, body: ChatwootErrors.railsNotFound };
    }

    const inbox = this.inboxById.get(Number(id));
    if (!inbox || inbox.accountId !== accountId || !/^\d+$/.test(id)) return { status: 404, body: ChatwootErrors.notFound };
    if (method === 'GET') {
      if (!admin && !inbox.members.has(user.id)) return { status: 401, body: ChatwootErrors.notAllowed };
      return { status: 200, body: inboxJson(inbox, admin) };
    }
    if (method === 'PATCH' || method === 'PUT') {
      if (!admin) return { status: 401, body: ChatwootErrors.notAllowed };
      const b = (body ?? {}) as { name?: unknown; channel?: { webhook_url?: unknown } };
      if (typeof b.name === 'string') {
        if (b.name.trim() === '') return { status: 422, body: { message: "Name can't be blank", attributes: ['name'] } };
        inbox.name = b.name;
      }
      if (b.channel && typeof b.channel.webhook_url === 'string' && inbox.channelType === 'Channel::Api') {
        inbox.webhookUrl = b.channel.webhook_url;
      }
      return { status: 200, body: inboxJson(inbox, admin) };
    }
    if (method === 'DELETE') {
      if (!admin) return { status: 401, body: ChatwootErrors.notAllowed };
      this.inboxById.delete(inbox.id);
      return { status: 200, body: { message: 'Your inbox deletion request will be processed in some time.' } };
    }
    return { status: 404, body: ChatwootErrors.railsNotFound };
  }

  private createInbox(accountId: number, body: unknown): Reply {
    const b = (body ?? {}) as { name?: unknown; channel?: { type?: unknown; webhook_url?: unknown } };
    // A missing channel is an uncaught error in Chatwoot (CONTRACT §2).
    if (!b.channel || typeof b.channel !== 'object') return { status: 500, body: ChatwootErrors.internal };
    const channelType = typeof b.channel.type === 'string' ? CHANNEL_TYPES[b.channel.type] : undefined;
    if (!channelType) return { status: 422, body: { message: 'Channel must exist', attributes: ['channel'] } };
    if (typeof b.name !== 'string' || b.name.trim() === '') return { status: 422, body: { message: "Name can't be blank", attributes: ['name'] } };
    const webhookUrl = typeof b.channel.webhook_url === 'string' ? b.channel.webhook_url : null;
    if (webhookUrl && webhookUrl.length > 2048) {
      return { status: 422, body: { message: 'Webhook url is too long (maximum is 2048 characters)', attributes: ['webhook_url'] } };
    }
    const inbox = this.addInbox(accountId, { name: b.name, channelType, webhookUrl });
    return { status: 200, body: inboxJson(inbox, true) };
  }

  // ---- contacts (CONTRACT §3, §11) ---------------------------------------------------------

  private createContactRoute({ accountId, body }: RouteContext): Reply {
    const b = body as Record<string, unknown>;
    // One transaction: the contact is validated and saved first, then a missing inbox (404) or a
    // taken source_id (500: not rescued here, unlike in POST /conversations, CONTRACT §11) rolls it back.
    const contact = this.validContact(accountId, b);
    let contactInbox: SimContactInbox | undefined;
    if (present(b.inbox_id)) {
      const inbox = this.findInbox(accountId, b.inbox_id);
      this.contactById.set(contact.id, contact);
      try {
        contactInbox = this.buildContactInbox(contact, inbox, b.source_id);
      } catch (err) {
        this.contactById.delete(contact.id);
        if (err instanceof RecordNotUnique) return { status: 500, body: ChatwootErrors.internal };
        throw err;
      }
    }
    this.contactById.set(contact.id, contact);
    return {
      status: 200,
      body: {
        payload: {
          contact: this.contactJson(contact, true),
          contact_inbox: contactInbox
            ? { inbox: this.rawInboxRow(this.inboxById.get(contactInbox.inboxId)!), source_id: contactInbox.sourceId }
            : { inbox: null, source_id: null },
        },
      },
    };
  }

  /** contact.rb's validations, in its order; all errors joined as RecordInvalid renders them (CONTRACT §1). */
  private validContact(accountId: number, b: Record<string, unknown>): SimContact {
    const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
    const name = b.name === undefined ? '' : str(b.name);
    const email = present(b.email) ? String(b.email).toLowerCase() : null;
    const identifier = str(b.identifier);
    const phoneNumber = str(b.phone_number);
    const others = this.contacts(accountId);
    const errors: Array<[string, string]> = [];
    if (name !== null && name.length > 255) errors.push(['name', 'Name is too long (maximum is 255 characters)']);
    if (email !== null) {
      if (others.some((c) => c.email !== null && c.email.toLowerCase() === email)) errors.push(['email', 'Email has already been taken']);
      if (!EMAIL.test(email)) errors.push(['email', 'Email Invalid email']);
    }
    // Case-sensitive: `identifier` has a plain uniqueness validation (CONTRACT §3).
    if (present(identifier) && others.some((c) => c.identifier === identifier)) errors.push(['identifier', 'Identifier has already been taken']);
    if (present(phoneNumber)) {
      if (others.some((c) => c.phoneNumber === phoneNumber)) errors.push(['phone_number', 'Phone number has already been taken']);
      if (!E164.test(phoneNumber!)) errors.push(['phone_number', 'Phone number should be in e164 format']);
    }
    if (errors.length > 0) {
      throw new HttpError(422, { message: errors.map((e) => e[1]).join(', '), attributes: [...new Set(errors.map((e) => e[0]))] });
    }
    const now = this.now();
    return {
      id: this.nextId.contact++,
      accountId,
      name,
      identifier,
      phoneNumber,
      email,
      blocked: b.blocked === true || b.blocked === 'true',
      additionalAttributes: isObject(b.additional_attributes) ? { ...b.additional_attributes } : {},
      customAttributes: isObject(b.custom_attributes) ? { ...b.custom_attributes } : {},
      createdAt: now,
      lastActivityAt: null,
    };
  }

  /**
   * ContactInboxBuilder (CONTRACT §11): `where(contact, inbox, source_id).first_or_create!`. Without a
   * source_id an API inbox gets a fresh uuid, so every call makes a new row. A pair owned by another
   * contact raises RecordNotUnique; only email, sms and whatsapp inboxes rename the old row first.
   */
  private buildContactInbox(contact: SimContact, inbox: SimInbox, rawSourceId: unknown): SimContactInbox {
    let sourceId = present(rawSourceId) ? String(rawSourceId) : null;
    if (sourceId === null) {
      if (inbox.channelType === 'Channel::Whatsapp' || inbox.channelType === 'Channel::Sms') sourceId = (contact.phoneNumber ?? '').replace(/^\+/, '');
      else if (inbox.channelType === 'Channel::Email') sourceId = contact.email ?? '';
      else sourceId = randomUUID();
    }
    const rows = [...this.contactInboxById.values()].filter((ci) => ci.inboxId === inbox.id && ci.sourceId === sourceId);
    const own = rows.find((ci) => ci.contactId === contact.id);
    if (own) return own;
    const taken = rows[0];
    if (taken) {
      if (!['Channel::Email', 'Channel::Sms', 'Channel::Whatsapp'].includes(inbox.channelType)) throw new RecordNotUnique();
      taken.sourceId = randomUUID();
    }
    const now = this.now();
    const row: SimContactInbox = {
      id: this.nextId.contactInbox++,
      accountId: inbox.accountId,
      contactId: contact.id,
      inboxId: inbox.id,
      sourceId,
      hmacVerified: false,
      pubsubToken: randomBytes(18).toString('base64url'),
      createdAt: now,
      updatedAt: now,
    };
    this.contactInboxById.set(row.id, row);
    return row;
  }

  /** Contacts::FilterService with `equal_to` on standard attributes (CONTRACT §3). */
  private filterContactsRoute({ accountId, body, query }: RouteContext): Reply {
    const conditions = (body as { payload?: unknown }).payload;
    // `params[:payload].each` on nil: an uncaught NoMethodError.
    if (!Array.isArray(conditions)) return { status: 500, body: ChatwootErrors.internal };
    const columns: Record<string, (c: SimContact) => string | null> = {
      identifier: (c) => c.identifier,
      phone_number: (c) => c.phoneNumber,
      email: (c) => c.email,
      name: (c) => c.name,
    };
    // OR of AND-groups: SQL's precedence over the joined `query_operator`s.
    const groups: Array<Array<(c: SimContact) => boolean>> = [[]];
    for (const raw of conditions as Array<Record<string, unknown>>) {
      const key = String(raw?.attribute_key);
      const column = columns[key];
      if (!column) return { status: 422, body: { error: `Invalid attribute key - [${key}]` } };
      if (raw.filter_operator !== 'equal_to') return { status: 422, body: { error: `the simulator supports only equal_to, not ${String(raw.filter_operator)}` } };
      const values = Array.isArray(raw.values) ? raw.values : [raw.values];
      // filter_values: only values[0]; a phone gets one leading '+', the rest is lowercased and the column LOWER()ed.
      const first = values[0];
      const value = key === 'phone_number' ? `+${String(first ?? '').replace(/\+/g, '')}` : typeof first === 'string' ? first.toLowerCase() : String(first);
      groups[groups.length - 1].push((c) => (column(c) ?? '').toLowerCase() === value);
      if (String(raw.query_operator ?? '').toLowerCase() === 'or') groups.push([]);
    }
    const found = this.contacts(accountId).filter((c) => groups.some((g) => g.length > 0 && g.every((test) => test(c))));
    const page = Math.max(1, Number(query.get('page') ?? body.page ?? 1) || 1);
    return {
      status: 200,
      body: { meta: { count: found.length, current_page: query.get('page') ?? body.page ?? 1 }, payload: found.slice((page - 1) * 15, page * 15).map((c) => this.contactJson(c, true)) },
    };
  }

  private showContactRoute({ accountId, params }: RouteContext): Reply {
    return { status: 200, body: { payload: this.contactJson(this.findContact(accountId, params[0]), true) } };
  }

  private createContactInboxRoute({ accountId, user, admin, body, params }: RouteContext): Reply {
    const contact = this.findContact(accountId, params[0]);
    const inbox = this.findInbox(accountId, body.inbox_id);
    if (!admin && !inbox.members.has(user.id)) return { status: 401, body: ChatwootErrors.notAllowed };
    let row: SimContactInbox;
    try {
      row = this.buildContactInbox(contact, inbox, body.source_id);
    } catch (err) {
      if (err instanceof RecordNotUnique) return { status: 500, body: ChatwootErrors.internal };
      throw err;
    }
    return { status: 200, body: { source_id: row.sourceId, inbox: shortInboxJson(inbox) } };
  }

  private contactConversationsRoute({ accountId, user, admin, params }: RouteContext): Reply {
    const contact = this.findContact(accountId, params[0]);
    const list = this.conversations(accountId)
      .filter((c) => c.contactId === contact.id && (admin || this.inboxById.get(c.inboxId)?.members.has(user.id)))
      .sort((a, b) => b.lastActivityAt - a.lastActivityAt || b.id - a.id)
      .slice(0, 20);
    return { status: 200, body: { payload: list.map((c) => this.conversationJson(c)) } };
  }

  // ---- conversations (CONTRACT §4, §11, §12) -----------------------------------------------

  private createConversationRoute({ accountId, user, admin, body }: RouteContext): Reply {
    const b = body as Record<string, unknown>;
    const inbox = present(b.inbox_id) ? this.findInbox(accountId, b.inbox_id) : undefined;
    if (inbox && !admin && !inbox.members.has(user.id)) return { status: 401, body: ChatwootErrors.notAllowed };
    const contact = present(b.contact_id) ? this.findContact(accountId, b.contact_id) : undefined;
    let contactInbox: SimContactInbox | undefined;
    if (inbox && contact) {
      try {
        contactInbox = this.buildContactInbox(contact, inbox, b.source_id);
      } catch (err) {
        if (err instanceof RecordNotUnique) return { status: 422, body: { error: 'source_id should be unique' } };
        throw err;
      }
    } else {
      // The old fallback: `ContactInbox.find_by!(source_id:)` over every account.
      contactInbox = [...this.contactInboxById.values()].find((ci) => ci.sourceId === (b.source_id ?? null));
      if (!contactInbox) return { status: 404, body: ChatwootErrors.notFound };
      const rowInbox = this.inboxById.get(contactInbox.inboxId);
      if (!admin && !rowInbox?.members.has(user.id)) return { status: 401, body: ChatwootErrors.notAllowed };
    }
    // The contact inbox row above is already written (a before_action): an invalid status below leaves it.
    const status = present(b.status) ? conversationStatusOf(b.status) : 'open';
    if (!status) return { status: 500, body: ChatwootErrors.internal };
    const owner = this.contactById.get(contactInbox.contactId)!;
    const conversation = this.newConversation(accountId, contactInbox, owner.blocked ? 'resolved' : status, b);
    let first: SimMessage | undefined;
    if (isObject(b.message)) {
      try {
        first = this.createMessage(conversation, user, b.message as MessageInit, { quiet: true });
      } catch {
        // Not rescued in the create transaction: everything rolls back (the display_id stays used).
        for (const m of this.messagesOf(conversation)) this.messageById.delete(m.id);
        this.conversationByDbId.delete(conversation.dbId);
        return { status: 500, body: ChatwootErrors.internal };
      }
    }
    // Commit callbacks in the order the records were saved: the conversation's, then its message's.
    this.emit('conversation_created', conversation, this.conversationWebhookData(conversation));
    if (first) this.afterMessageCreate(conversation, first);
    return { status: 200, body: this.conversationJson(conversation) };
  }

  private newConversation(accountId: number, contactInbox: SimContactInbox, status: ConversationStatus, b: Record<string, unknown>): SimConversation {
    const displayId = (this.displayIds.get(accountId) ?? 0) + 1;
    this.displayIds.set(accountId, displayId);
    const now = this.now();
    const conversation: SimConversation = {
      id: displayId,
      dbId: this.nextId.conversation++,
      accountId,
      inboxId: contactInbox.inboxId,
      contactId: contactInbox.contactId,
      contactInboxId: contactInbox.id,
      status,
      snoozedUntil: status === 'snoozed' && typeof b.snoozed_until === 'number' ? b.snoozed_until * 1000 : null,
      uuid: randomUUID(),
      assigneeId: typeof b.assignee_id === 'number' ? b.assignee_id : null,
      additionalAttributes: isObject(b.additional_attributes) ? { ...b.additional_attributes } : {},
      customAttributes: isObject(b.custom_attributes) ? { ...b.custom_attributes } : {},
      createdAt: now,
      updatedAt: now,
      lastActivityAt: now,
      waitingSince: now,
      firstReplyCreatedAt: null,
    };
    this.conversationByDbId.set(conversation.dbId, conversation);
    return conversation;
  }

  private showConversationRoute(ctx: RouteContext): Reply {
    return { status: 200, body: this.conversationJson(this.findConversation(ctx, ctx.params[0])) };
  }

  /** conversations_controller#toggle_status (CONTRACT §4, §12). */
  private toggleStatusRoute(ctx: RouteContext): Reply {
    const conversation = this.findConversation(ctx, ctx.params[0]);
    const b = ctx.body as Record<string, unknown>;
    let status: ConversationStatus;
    let snoozedUntil: number | null = conversation.snoozedUntil;
    if (present(b.status)) {
      // The enum's ArgumentError and strptime's are not rescued: 500.
      const parsed = conversationStatusOf(b.status);
      if (!parsed) return { status: 500, body: ChatwootErrors.internal };
      status = parsed;
      if (b.snoozed_until !== undefined && b.snoozed_until !== null) {
        if (!/^-?\d+$/.test(String(b.snoozed_until))) return { status: 500, body: ChatwootErrors.internal };
        snoozedUntil = Number(b.snoozed_until) * 1000;
      }
    } else {
      status = conversation.status === 'open' ? 'resolved' : 'open';
    }
    this.changeStatus(conversation, status, { user: ctx.user, snoozedUntil, agentAssigns: !ctx.admin });
    return {
      status: 200,
      body: {
        meta: {},
        payload: {
          success: true,
          conversation_id: conversation.id,
          current_status: conversation.status,
          snoozed_until: iso(conversation.snoozedUntil),
        },
      },
    };
  }

  /**
   * A status change as Conversation's callbacks make it: `conversation_status_changed` (with
   * changed_attributes null) and `conversation_updated`, then the activity message (CONTRACT §6, §12).
   */
  private changeStatus(
    conversation: SimConversation,
    status: ConversationStatus,
    by: { user?: SimUser; system?: boolean; snoozedUntil?: number | null; agentAssigns?: boolean },
  ): void {
    const previous = conversation.status;
    const previousSnooze = conversation.snoozedUntil;
    const previousAssignee = conversation.assigneeId;
    conversation.status = status;
    conversation.snoozedUntil = status === 'snoozed' ? (by.snoozedUntil ?? null) : null;
    // handle_human_open: a role-agent user who opens a conversation becomes its assignee.
    if (status === 'open' && by.user && by.agentAssigns) conversation.assigneeId = by.user.id;
    const changes: Array<Record<string, unknown>> = [];
    if (previous !== status) changes.push({ status: { previous_value: previous, current_value: status } });
    if (previousSnooze !== conversation.snoozedUntil) changes.push({ snoozed_until: { previous_value: iso(previousSnooze), current_value: iso(conversation.snoozedUntil) } });
    if (previousAssignee !== conversation.assigneeId) changes.push({ assignee_id: { previous_value: previousAssignee, current_value: conversation.assigneeId } });
    if (changes.length === 0) return;
    conversation.updatedAt = this.now();
    if (previous !== status) this.emit('conversation_status_changed', conversation, { ...this.conversationWebhookData(conversation), changed_attributes: null });
    this.emit('conversation_updated', conversation, { ...this.conversationWebhookData(conversation), changed_attributes: changes });
    if (previous === status) return;
    // Conversations::ActivityMessageJob; wording from Chatwoot's en.yml (the system one from CONTRACT §12).
    const activity = by.system
      ? 'System reopened the conversation due to a new incoming message.'
      : by.user
        ? {
          open: `Conversation was reopened by ${by.user.name}`,
          resolved: `Conversation was marked resolved by ${by.user.name}`,
          pending: `Conversation was marked as pending by ${by.user.name}`,
          snoozed: `Conversation was snoozed by ${by.user.name}`,
        }[status]
        : null;
    if (activity) this.insertMessage(conversation, { content: activity, messageType: 'activity', sender: null });
  }

  // ---- messages (CONTRACT §5, §10, §12, §13, §14) ------------------------------------------

  private createMessageRoute(ctx: RouteContext): Reply {
    const conversation = this.findConversation(ctx, ctx.params[0]);
    // JSON `attachments` (signed ids from direct_uploads) are not modelled: only multipart file parts.
    const init: MessageInit = { ...ctx.body, files: ctx.files.filter((f) => f.field === 'attachments[]' || f.field === 'attachments') };
    const echoId: unknown = ctx.body.echo_id;
    let message: SimMessage;
    try {
      message = this.createMessage(conversation, ctx.user, init);
    } catch (err) {
      // messages_controller#create rescues StandardError into 422 {"error": e.message}.
      if (err instanceof MessageError) return { status: 422, body: { error: err.message } };
      throw err;
    }
    // echo_id is an attr_accessor: echoed here only, never stored nor in webhooks (CONTRACT §10).
    return { status: 200, body: this.messageJson(message, present(echoId) ? String(echoId) : undefined) };
  }

  /**
   * Messages::MessageBuilder + Message's validations and after_create_commit callbacks. Throws
   * MessageError with the text Chatwoot's controller would put in its 422.
   */
  private createMessage(conversation: SimConversation, user: SimUser, init: MessageInit, opts: { quiet?: boolean } = {}): SimMessage {
    const inbox = this.inboxById.get(conversation.inboxId)!;
    const rawType = init.message_type ?? 'outgoing';
    // The builder compares the raw param: only the string 'incoming' is refused outside API inboxes,
    // and only the string 'outgoing' gets the user as sender (an integer goes through the enum).
    if (rawType === 'incoming' && inbox.channelType !== 'Channel::Api') throw new MessageError('Incoming messages are only allowed in Api inboxes');
    const messageType = messageTypeOf(rawType);
    if (!messageType) throw new MessageError(`'${String(rawType)}' is not a valid message_type`);
    const contentType = init.content_type === undefined || init.content_type === null ? 'text' : String(init.content_type);
    if (!CONTENT_TYPES.includes(contentType)) throw new MessageError(`'${contentType}' is not a valid content_type`);

    const contentAttributes = parseContentAttributes(init.content_attributes);
    if (present(init.external_created_at)) contentAttributes.external_created_at = init.external_created_at;
    const additionalAttributes: Record<string, unknown> = {};
    if (present(init.campaign_id)) additionalAttributes.campaign_id = init.campaign_id;
    if (present(init.template_params)) additionalAttributes.template_params = init.template_params;
    const content = init.content === undefined || init.content === null ? null : String(init.content);

    const invalid: string[] = [];
    // prevent_message_flooding counts every message of the conversation in the last minute (CONTRACT §15).
    const since = this.now() - 60_000;
    if (this.messagesOf(conversation).filter((m) => m.createdAt >= since).length >= MESSAGES_PER_MINUTE) invalid.push('Too many messages');
    if (content !== null && content.length > 150_000) invalid.push('Content is too long (maximum is 150000 characters)');
    if (invalid.length > 0) throw new MessageError(`Validation failed: ${invalid.join(', ')}`);

    // ensure_in_reply_to (CONTRACT §10): same conversation only; no match nulls both keys.
    if (present(contentAttributes.in_reply_to) || present(contentAttributes.in_reply_to_external_id)) {
      const own = this.messagesOf(conversation);
      const target = present(contentAttributes.in_reply_to)
        ? own.find((m) => String(m.id) === String(contentAttributes.in_reply_to))
        : own.find((m) => m.sourceId !== null && m.sourceId === String(contentAttributes.in_reply_to_external_id));
      contentAttributes.in_reply_to_external_id = target?.sourceId ?? null;
      contentAttributes.in_reply_to = target?.id ?? null;
    }

    const message = this.insertMessage(conversation, {
      content,
      messageType,
      contentType,
      private: railsBoolean(init.private),
      sourceId: init.source_id === undefined || init.source_id === null ? null : String(init.source_id),
      contentAttributes,
      additionalAttributes,
      sender: rawType === 'outgoing' ? { type: 'user', id: user.id } : { type: 'contact', id: conversation.contactId },
      files: init.files ?? [],
    });
    if (!opts.quiet) this.afterMessageCreate(conversation, message);
    return message;
  }

  /** Message#execute_after_create_commit_callbacks, in its order. */
  private afterMessageCreate(conversation: SimConversation, message: SimMessage): void {
    const contact = this.contactById.get(conversation.contactId);
    // reopen_conversation (CONTRACT §12): incoming only (private too), never for a blocked contact.
    if (message.messageType === 'incoming' && !contact?.blocked) {
      if (conversation.status === 'snoozed') this.changeStatus(conversation, 'open', {});
      else if (conversation.status === 'resolved') this.changeStatus(conversation, 'open', { system: true });
    }
    if (['incoming', 'outgoing', 'template'].includes(message.messageType)) {
      this.emit('message_created', conversation, this.messageWebhookData(message), message.id);
    }
    if (message.messageType === 'incoming') {
      if (conversation.waitingSince === null) conversation.waitingSince = message.createdAt;
      if (contact) contact.lastActivityAt = message.createdAt;
    }
    if (message.messageType === 'outgoing' && !message.private && message.sender?.type === 'user') {
      conversation.firstReplyCreatedAt ??= message.createdAt;
      conversation.waitingSince = null;
    }
  }

  /** Writes a message row (and its blobs) and moves the conversation's last_activity_at. */
  private insertMessage(conversation: SimConversation, init: {
    content: string | null;
    messageType: MessageType;
    sender: SimMessage['sender'];
    contentType?: string;
    private?: boolean;
    sourceId?: string | null;
    contentAttributes?: Record<string, unknown>;
    additionalAttributes?: Record<string, unknown>;
    files?: AgentAttachment[];
  }): SimMessage {
    const now = this.now();
    const message: SimMessage = {
      id: this.nextId.message++,
      accountId: conversation.accountId,
      inboxId: conversation.inboxId,
      conversationId: conversation.id,
      conversationDbId: conversation.dbId,
      content: init.content,
      messageType: init.messageType,
      contentType: init.contentType ?? 'text',
      private: init.private ?? false,
      status: 'sent',
      sourceId: init.sourceId ?? null,
      contentAttributes: init.contentAttributes ?? {},
      additionalAttributes: init.additionalAttributes ?? {},
      sender: init.sender,
      createdAt: now,
      updatedAt: now,
      attachments: [],
    };
    for (const file of init.files ?? []) {
      const id = this.nextId.attachment++;
      const attachment: SimAttachment = {
        id,
        messageId: message.id,
        accountId: conversation.accountId,
        fileType: fileTypeOf(file.contentType),
        fileName: file.fileName,
        contentType: file.contentType,
        data: file.data,
        signedId: this.signedBlobId(id),
      };
      message.attachments.push(attachment);
      this.blobs.set(attachment.signedId, attachment);
    }
    this.messageById.set(message.id, message);
    conversation.lastActivityAt = now;
    conversation.updatedAt = now;
    return message;
  }

  /** MessageFinder (CONTRACT §5): the last 20 oldest first; `before` 20 older; `after` 100 newer. */
  private listMessagesRoute(ctx: RouteContext): Reply {
    const conversation = this.findConversation(ctx, ctx.params[0]);
    const all = this.messagesOf(conversation);
    const before = present(ctx.query.get('before')) ? Number(ctx.query.get('before')) : null;
    const after = present(ctx.query.get('after')) ? Number(ctx.query.get('after')) : null;
    let list: SimMessage[];
    if (before !== null && after !== null) list = all.filter((m) => m.id >= after && m.id < before).slice(0, 1000);
    else if (before !== null) list = all.filter((m) => m.id < before).slice(-20);
    else if (after !== null) list = all.filter((m) => m.id > after).slice(0, 100);
    else list = all.slice(-20);
    const contact = this.contactById.get(conversation.contactId)!;
    const assignee = conversation.assigneeId !== null ? this.userById(conversation.assigneeId) : undefined;
    return {
      status: 200,
      body: {
        meta: {
          labels: [],
          additional_attributes: conversation.additionalAttributes,
          contact: contactPushData(contact),
          ...(assignee ? { assignee: userPushData(assignee) } : {}),
          agent_last_seen_at: 0,
          assignee_last_seen_at: 0,
        },
        payload: list.map((m) => this.messageJson(m)),
      },
    };
  }

  /** messages#update + Messages::StatusUpdateService (CONTRACT §13). */
  private updateMessageRoute(ctx: RouteContext): Reply {
    const conversation = this.findConversation(ctx, ctx.params[0]);
    // ensure_api_inbox is a before_action: it answers before the message is looked up.
    if (this.inboxById.get(conversation.inboxId)?.channelType !== 'Channel::Api') {
      return { status: 403, body: { error: 'Message status update is only allowed for API inboxes' } };
    }
    const message = this.mustMessage(conversation, ctx.params[1]);
    const status = ctx.body.status;
    const ignored = typeof status !== 'string' || !MESSAGE_STATUSES.includes(status as MessageStatus) || (message.status === 'read' && status === 'delivered');
    if (!ignored) this.setMessageStatus(message, status as MessageStatus, ctx.body.external_error === undefined ? null : ctx.body.external_error);
    return { status: 200, body: this.messageJson(message) };
  }

  /** `update!(status:, external_error: failed ? error : nil)`: external_error lives in content_attributes. */
  private setMessageStatus(message: SimMessage, status: MessageStatus, externalError: unknown): void {
    this.updateMessage(message, {
      status,
      contentAttributes: { ...message.contentAttributes, external_error: status === 'failed' ? (externalError ?? null) : null },
    });
  }

  /** An `update!` whose `message_updated` fires only on a real change (dispatch_update_event, CONTRACT §13). */
  private updateMessage(message: SimMessage, change: { status?: MessageStatus; content?: string | null; contentType?: string; contentAttributes?: Record<string, unknown> }): boolean {
    const before = JSON.stringify([message.status, message.content, message.contentType, message.contentAttributes]);
    if (change.status !== undefined) message.status = change.status;
    if (change.content !== undefined) message.content = change.content;
    if (change.contentType !== undefined) message.contentType = change.contentType;
    if (change.contentAttributes !== undefined) message.contentAttributes = change.contentAttributes;
    if (before === JSON.stringify([message.status, message.content, message.contentType, message.contentAttributes])) return false;
    message.updatedAt = this.now();
    const conversation = this.conversationByDbId.get(message.conversationDbId)!;
    if (['incoming', 'outgoing', 'template'].includes(message.messageType)) {
      this.emit('message_updated', conversation, this.messageWebhookData(message), message.id);
    }
    return true;
  }

  /** v4.13's retry: status `sent`, then content_attributes `{}` — up to two `message_updated` (CONTRACT §14). */
  private retryMessageRoute(ctx: RouteContext): Reply {
    const conversation = this.findConversation(ctx, ctx.params[0]);
    const message = this.messagesOf(conversation).find((m) => String(m.id) === ctx.params[1]);
    // `retry` rescues StandardError, RecordNotFound included: a 422, not the usual 404 (inferred).
    if (!message) {
      return { status: 422, body: { error: `Couldn't find Message with 'id'=${ctx.params[1]} [WHERE "messages"."conversation_id" = $1]` } };
    }
    this.retryMessage(message);
    return { status: 200, body: this.messageJson(message) };
  }

  private retryMessage(message: SimMessage): void {
    this.setMessageStatus(message, 'sent', null);
    this.updateMessage(message, { contentAttributes: {} });
  }

  private deleteMessageRoute(ctx: RouteContext): Reply {
    const conversation = this.findConversation(ctx, ctx.params[0]);
    const message = this.mustMessage(conversation, ctx.params[1]);
    this.deleteMessage(message);
    return { status: 200, body: this.messageJson(message) };
  }

  /** messages#destroy (CONTRACT §14): the attachments are destroyed before the webhook is built. */
  private deleteMessage(message: SimMessage): void {
    if (message.contentAttributes.deleted) return;
    for (const attachment of message.attachments) this.blobs.delete(attachment.signedId);
    message.attachments = [];
    this.updateMessage(message, { content: 'This message was deleted', contentType: 'text', contentAttributes: { deleted: true } });
  }

  // ---- attachments (CONTRACT §16) ----------------------------------------------------------

  /**
   * ActiveStorage's public routes: the redirect controller (no auth) → the disk service URL, valid
   * for 5 minutes, which serves the bytes with their content type.
   */
  private activeStorage(method: string, path: string, query: URLSearchParams, host: string | undefined): Reply | null {
    if (!path.startsWith('/rails/active_storage/')) return null;
    const notFound: Reply = { status: 404, body: '<html><body>The page you were looking for doesn\'t exist.</body></html>', contentType: 'text/html; charset=UTF-8' };
    if (method !== 'GET' && method !== 'HEAD') return notFound;
    const redirect = /^\/rails\/active_storage\/(?:blobs\/redirect|representations\/redirect)\/([^/]+)\/(?:[^/]+\/)?([^/]+)$/.exec(path);
    if (redirect) {
      const attachment = this.blobs.get(decodeURIComponent(redirect[1]));
      if (!attachment) return notFound;
      const key = randomBytes(20).toString('base64url');
      this.diskKeys.set(key, { signedId: attachment.signedId, expiresAt: this.now() + DISK_URL_TTL_MS });
      const origin = host ? `http://${host}` : this.url;
      const target = `${origin}/rails/active_storage/disk/${key}/${encodeURIComponent(attachment.fileName)}?content_type=${encodeURIComponent(attachment.contentType)}&disposition=inline`;
      return { status: 302, body: '', contentType: 'text/html; charset=utf-8', headers: { Location: target } };
    }
    const disk = /^\/rails\/active_storage\/disk\/([^/]+)\/([^/]+)$/.exec(path);
    if (disk) {
      const entry = this.diskKeys.get(disk[1]);
      const attachment = entry && entry.expiresAt > this.now() ? this.blobs.get(entry.signedId) : undefined;
      if (!attachment) return notFound;
      return {
        status: 200,
        body: attachment.data,
        contentType: query.get('content_type') ?? attachment.contentType,
        headers: { 'Content-Disposition': `inline; filename="${attachment.fileName.replace(/"/g, '%22')}"; filename*=UTF-8''${encodeURIComponent(attachment.fileName)}` },
      };
    }
    return notFound;
  }

  /** Shaped like Rails' signed ids (base64 JSON `--` digest), URL-safe so it is one path segment. */
  private signedBlobId(blobId: number): string {
    const data = Buffer.from(JSON.stringify({ _rails: { data: blobId, pur: 'blob_id' } })).toString('base64url');
    return `${data}--${createHmac('sha256', this.blobSecret).update(data).digest('hex')}`;
  }

  // ---- lookups -----------------------------------------------------------------------------

  private findInbox(accountId: number, id: unknown): SimInbox {
    const inbox = isId(id) ? this.inboxById.get(Number(id)) : undefined;
    if (!inbox || inbox.accountId !== accountId) throw new HttpError(404, ChatwootErrors.notFound);
    return inbox;
  }

  private findContact(accountId: number, id: unknown): SimContact {
    const contact = isId(id) ? this.contactById.get(Number(id)) : undefined;
    if (!contact || contact.accountId !== accountId) throw new HttpError(404, ChatwootErrors.notFound);
    return contact;
  }

  /** `find_by!(display_id:)` then ConversationPolicy#show? (agents: inbox members only). */
  private findConversation(ctx: RouteContext, id: string): SimConversation {
    const conversation = isId(id) ? this.conversation(ctx.accountId, Number(id)) : undefined;
    if (!conversation) throw new HttpError(404, ChatwootErrors.notFound);
    if (!ctx.admin && !this.inboxById.get(conversation.inboxId)?.members.has(ctx.user.id)) throw new HttpError(401, ChatwootErrors.notAllowed);
    return conversation;
  }

  private mustConversation(accountId: number, conversationId: number): SimConversation {
    const conversation = this.conversation(accountId, conversationId);
    if (!conversation) throw new Error(`no conversation ${conversationId} in account ${accountId}`);
    return conversation;
  }

  /** `@conversation.messages.find(id)`: a message of another conversation is a 404. */
  private mustMessage(conversation: SimConversation, id: unknown): SimMessage {
    const message = isId(id) ? this.messageById.get(Number(id)) : undefined;
    if (!message || message.conversationDbId !== conversation.dbId) throw new HttpError(404, ChatwootErrors.notFound);
    return message;
  }

  private messagesOf(conversation: SimConversation): SimMessage[] {
    return [...this.messageById.values()]
      .filter((m) => m.conversationDbId === conversation.dbId)
      .sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
  }

  private userById(id: number): SimUser | undefined {
    for (const user of this.users.values()) if (user.id === id) return user;
    return undefined;
  }

  private agentOf(accountId: number, userId?: number): SimUser {
    for (const user of this.users.values()) {
      if ((userId === undefined || user.id === userId) && user.accounts.has(accountId)) return user;
    }
    throw new Error(`no user ${userId ?? ''} in account ${accountId}`);
  }

  // ---- presenters --------------------------------------------------------------------------

  /** api/v1/models/_contact (CONTRACT §3): epoch times, null timestamps left out. */
  private contactJson(contact: SimContact, withInboxes: boolean): Record<string, unknown> {
    return {
      additional_attributes: contact.additionalAttributes,
      availability_status: 'offline',
      email: contact.email,
      id: contact.id,
      name: contact.name,
      phone_number: contact.phoneNumber,
      blocked: contact.blocked,
      identifier: contact.identifier,
      thumbnail: '',
      custom_attributes: contact.customAttributes,
      created_at: epoch(contact.createdAt),
      ...(contact.lastActivityAt !== null ? { last_activity_at: epoch(contact.lastActivityAt) } : {}),
      ...(withInboxes
        ? {
          contact_inboxes: [...this.contactInboxById.values()]
            .filter((ci) => ci.contactId === contact.id && this.inboxById.has(ci.inboxId))
            .map((ci) => ({ source_id: ci.sourceId, inbox: shortInboxJson(this.inboxById.get(ci.inboxId)!) })),
        }
        : {}),
    };
  }

  /** The raw `inboxes` row POST /contacts puts in `contact_inbox.inbox` (CONTRACT §3). */
  private rawInboxRow(inbox: SimInbox): Record<string, unknown> {
    const at = new Date(this.startedAt).toISOString();
    return {
      id: inbox.id, channel_id: inbox.id + 100, account_id: inbox.accountId, name: inbox.name, created_at: at, updated_at: at,
      channel_type: inbox.channelType, enable_auto_assignment: true, greeting_enabled: false, greeting_message: null,
      email_address: null, enable_email_collect: true, csat_survey_enabled: false, allow_messages_after_resolved: true,
      auto_assignment_config: {}, lock_to_single_conversation: false, portal_id: null, sender_name_type: 'friendly', business_name: null,
    };
  }

  /** api/v1/conversations/partials/_conversation (CONTRACT §4). */
  private conversationJson(conversation: SimConversation): Record<string, unknown> {
    const contact = this.contactById.get(conversation.contactId)!;
    const assignee = conversation.assigneeId !== null ? this.userById(conversation.assigneeId) : undefined;
    const all = this.messagesOf(conversation);
    const last = all.at(-1);
    const lastNonActivity = all.filter((m) => m.messageType !== 'activity').at(-1);
    return {
      meta: {
        sender: this.contactJson(contact, false),
        channel: this.inboxById.get(conversation.inboxId)?.channelType ?? 'Channel::Api',
        ...(assignee ? { assignee: userPushData(assignee), assignee_type: 'User' } : {}),
        hmac_verified: false,
      },
      id: conversation.id,
      messages: last ? [this.messagePushData(last)] : [],
      account_id: conversation.accountId,
      uuid: conversation.uuid,
      additional_attributes: conversation.additionalAttributes,
      agent_last_seen_at: 0,
      assignee_last_seen_at: 0,
      can_reply: true,
      contact_last_seen_at: 0,
      custom_attributes: conversation.customAttributes,
      inbox_id: conversation.inboxId,
      labels: [],
      muted: contact.blocked,
      snoozed_until: iso(conversation.snoozedUntil),
      status: conversation.status,
      created_at: epoch(conversation.createdAt),
      updated_at: conversation.updatedAt / 1000,
      timestamp: epoch(conversation.lastActivityAt),
      first_reply_created_at: conversation.firstReplyCreatedAt === null ? 0 : epoch(conversation.firstReplyCreatedAt),
      unread_count: this.unreadCount(conversation),
      last_non_activity_message: lastNonActivity ? this.messagePushData(lastNonActivity) : null,
      last_activity_at: epoch(conversation.lastActivityAt),
      priority: null,
      waiting_since: conversation.waitingSince === null ? 0 : epoch(conversation.waitingSince),
      sla_policy_id: null,
    };
  }

  /** Conversation#webhook_data (CONTRACT §6): `messages` holds the last public non-activity message. */
  private conversationWebhookData(conversation: SimConversation): Record<string, unknown> {
    const contact = this.contactById.get(conversation.contactId)!;
    const contactInbox = this.contactInboxById.get(conversation.contactInboxId)!;
    const assignee = conversation.assigneeId !== null ? this.userById(conversation.assigneeId) : undefined;
    const chat = this.messagesOf(conversation).filter((m) => m.messageType !== 'activity' && !m.private).at(-1);
    return {
      additional_attributes: conversation.additionalAttributes,
      can_reply: true,
      channel: this.inboxById.get(conversation.inboxId)?.channelType ?? 'Channel::Api',
      contact_inbox: {
        id: contactInbox.id, contact_id: contactInbox.contactId, inbox_id: contactInbox.inboxId, source_id: contactInbox.sourceId,
        created_at: iso(contactInbox.createdAt), updated_at: iso(contactInbox.updatedAt), hmac_verified: contactInbox.hmacVerified,
        pubsub_token: contactInbox.pubsubToken,
      },
      id: conversation.id,
      inbox_id: conversation.inboxId,
      messages: chat ? [this.messagePushData(chat)] : [],
      labels: [],
      meta: {
        sender: contactPushData(contact),
        assignee: assignee ? userPushData(assignee) : null,
        ...(assignee ? { assignee_type: 'User' } : {}),
        team: null,
        hmac_verified: contactInbox.hmacVerified,
      },
      status: conversation.status,
      custom_attributes: conversation.customAttributes,
      snoozed_until: iso(conversation.snoozedUntil),
      unread_count: this.unreadCount(conversation),
      first_reply_created_at: iso(conversation.firstReplyCreatedAt),
      priority: null,
      waiting_since: conversation.waitingSince === null ? 0 : epoch(conversation.waitingSince),
      agent_last_seen_at: 0,
      contact_last_seen_at: 0,
      last_activity_at: epoch(conversation.lastActivityAt),
      timestamp: epoch(conversation.lastActivityAt),
      created_at: epoch(conversation.createdAt),
      updated_at: conversation.updatedAt / 1000,
    };
  }

  /** Message#webhook_data (CONTRACT §6): string message_type, ISO created_at, sender by type. */
  private messageWebhookData(message: SimMessage): Record<string, unknown> {
    const conversation = this.conversationByDbId.get(message.conversationDbId)!;
    const inbox = this.inboxById.get(message.inboxId);
    let sender: unknown = null;
    if (message.sender?.type === 'user') {
      const user = this.userById(message.sender.id);
      if (user) sender = { id: user.id, name: user.name, email: user.email, type: 'user' };
    } else if (message.sender?.type === 'contact') {
      const contact = this.contactById.get(message.sender.id);
      if (contact) sender = this.contactWebhookData(contact);
    }
    return {
      account: { id: message.accountId, name: this.accountNames.get(message.accountId) ?? 'Acme' },
      additional_attributes: message.additionalAttributes,
      content_attributes: message.contentAttributes,
      content_type: message.contentType,
      // v4.13's webhook content: markdown hard breaks become plain newlines.
      content: message.content === null ? null : message.content.replace(/\\\r?\n/g, '\n'),
      conversation: this.conversationWebhookData(conversation),
      created_at: iso(message.createdAt),
      id: message.id,
      inbox: { id: message.inboxId, name: inbox?.name ?? null },
      message_type: message.messageType,
      private: message.private,
      sender,
      source_id: message.sourceId,
      ...(message.attachments.length > 0 ? { attachments: message.attachments.map((a) => this.attachmentJson(a)) } : {}),
    };
  }

  /** Contact#webhook_data: no `type` (CONTRACT §6). */
  private contactWebhookData(contact: SimContact): Record<string, unknown> {
    return {
      account: { id: contact.accountId, name: this.accountNames.get(contact.accountId) ?? 'Acme' },
      additional_attributes: contact.additionalAttributes,
      avatar: '',
      custom_attributes: contact.customAttributes,
      email: contact.email,
      id: contact.id,
      identifier: contact.identifier,
      name: contact.name,
      phone_number: contact.phoneNumber,
      thumbnail: '',
      blocked: contact.blocked,
    };
  }

  /** Message#push_event_data: integer message_type, epoch created_at (CONTRACT §6). */
  private messagePushData(message: SimMessage): Record<string, unknown> {
    const conversation = this.conversationByDbId.get(message.conversationDbId)!;
    return {
      id: message.id,
      content: message.content,
      account_id: message.accountId,
      inbox_id: message.inboxId,
      conversation_id: message.conversationId,
      message_type: MESSAGE_TYPES.indexOf(message.messageType),
      created_at: epoch(message.createdAt),
      updated_at: iso(message.updatedAt),
      private: message.private,
      status: message.status,
      source_id: message.sourceId,
      content_type: message.contentType,
      content_attributes: message.contentAttributes,
      sender_type: message.sender ? (message.sender.type === 'user' ? 'User' : 'Contact') : null,
      sender_id: message.sender?.id ?? null,
      external_source_ids: {},
      additional_attributes: message.additionalAttributes,
      processed_message_content: message.content,
      sentiment: {},
      conversation: {
        assignee_id: conversation.assigneeId,
        unread_count: this.unreadCount(conversation),
        last_activity_at: epoch(conversation.lastActivityAt),
        contact_inbox: { source_id: this.contactInboxById.get(conversation.contactInboxId)?.sourceId ?? null },
      },
      ...(message.attachments.length > 0 ? { attachments: message.attachments.map((a) => this.attachmentJson(a)) } : {}),
      ...this.senderPush(message),
    };
  }

  /** api/v1/models/_message (CONTRACT §5). */
  private messageJson(message: SimMessage, echoId?: string): Record<string, unknown> {
    return {
      id: message.id,
      content: message.content,
      inbox_id: message.inboxId,
      ...(echoId !== undefined ? { echo_id: echoId } : {}),
      conversation_id: message.conversationId,
      message_type: MESSAGE_TYPES.indexOf(message.messageType),
      content_type: message.contentType,
      status: message.status,
      content_attributes: message.contentAttributes,
      created_at: epoch(message.createdAt),
      private: message.private,
      source_id: message.sourceId,
      ...this.senderPush(message),
      ...(message.attachments.length > 0 ? { attachments: message.attachments.map((a) => this.attachmentJson(a)) } : {}),
    };
  }

  private senderPush(message: SimMessage): { sender?: Record<string, unknown> } {
    if (message.sender?.type === 'user') {
      const user = this.userById(message.sender.id);
      return user ? { sender: userPushData(user) } : {};
    }
    if (message.sender?.type === 'contact') {
      const contact = this.contactById.get(message.sender.id);
      return contact ? { sender: contactPushData(contact) } : {};
    }
    return {};
  }

  /** Attachment#push_event_data (CONTRACT §14): width/height come from async analysis, so null. */
  private attachmentJson(attachment: SimAttachment): Record<string, unknown> {
    const name = encodeURIComponent(attachment.fileName);
    const dot = attachment.fileName.lastIndexOf('.');
    return {
      id: attachment.id,
      message_id: attachment.messageId,
      file_type: attachment.fileType,
      account_id: attachment.accountId,
      extension: dot > 0 ? attachment.fileName.slice(dot + 1) : null,
      content_type: attachment.contentType,
      data_url: `${this.frontendUrl}/rails/active_storage/blobs/redirect/${attachment.signedId}/${name}`,
      thumb_url: attachment.fileType === 'image' ? `${this.frontendUrl}/rails/active_storage/representations/redirect/${attachment.signedId}/thumb/${name}` : '',
      file_size: attachment.data.length,
      width: null,
      height: null,
      ...(attachment.fileType === 'audio' ? { transcribed_text: '' } : {}),
    };
  }

  private unreadCount(conversation: SimConversation): number {
    return this.messagesOf(conversation).filter((m) => m.messageType === 'incoming').length;
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

/** The inbox inside `contact_inboxes[]` and the contact_inboxes create answer (CONTRACT §3). */
function shortInboxJson(inbox: SimInbox): Record<string, unknown> {
  return { id: inbox.id, avatar_url: '', channel_id: inbox.id + 100, name: inbox.name, channel_type: inbox.channelType, provider: null };
}

/** Contact#push_event_data (`meta.sender`, an incoming message's `sender`). */
function contactPushData(contact: SimContact): Record<string, unknown> {
  return {
    additional_attributes: contact.additionalAttributes,
    custom_attributes: contact.customAttributes,
    email: contact.email,
    id: contact.id,
    identifier: contact.identifier,
    name: contact.name,
    phone_number: contact.phoneNumber,
    thumbnail: '',
    blocked: contact.blocked,
    type: 'contact',
  };
}

function userPushData(user: SimUser): Record<string, unknown> {
  return { id: user.id, name: user.name, available_name: user.name, avatar_url: '', type: 'user', availability_status: 'online', thumbnail: '' };
}

/** FileTypeHelper (CONTRACT §10): from the declared Content-Type, exact matches only. */
function fileTypeOf(contentType: string): string {
  if (['image/jpeg', 'image/png', 'image/gif', 'image/bmp', 'image/webp'].includes(contentType)) return 'image';
  if (['video/ogg', 'video/mp4', 'video/webm', 'video/quicktime'].includes(contentType)) return 'video';
  if (contentType.includes('audio/')) return 'audio';
  return 'file';
}

/** The enum's cast: the names, or their integers (the string '1' is not one). */
function messageTypeOf(value: unknown): MessageType | null {
  if (typeof value === 'string') return MESSAGE_TYPES.includes(value as MessageType) ? (value as MessageType) : null;
  if (typeof value === 'number' && Number.isInteger(value)) return MESSAGE_TYPES[value] ?? null;
  return null;
}

function conversationStatusOf(value: unknown): ConversationStatus | null {
  if (typeof value === 'string') return CONVERSATION_STATUSES.includes(value as ConversationStatus) ? (value as ConversationStatus) : null;
  if (typeof value === 'number' && Number.isInteger(value)) return CONVERSATION_STATUSES[value] ?? null;
  return null;
}

/** ActiveModel::Type::Boolean: multipart's "false"/"0"/"off" are false (CONTRACT §10). */
function railsBoolean(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  return ![false, 0, '0', 'f', 'F', 'false', 'FALSE', 'off', 'OFF'].includes(value as never);
}

/** An object, or a JSON string (multipart); an unparsable string silently becomes {} (CONTRACT §10). */
function parseContentAttributes(value: unknown): Record<string, unknown> {
  if (isObject(value)) return { ...value };
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      if (isObject(parsed)) return parsed;
    } catch {
      // {} below
    }
  }
  return {};
}

/** rest-client's exception texts, which become `external_error` (CONTRACT §14). */
function restClientError(err: unknown, url: string): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'Timed out reading data from server';
  if (e.cause?.code === 'ECONNREFUSED') {
    const { hostname, port } = new URL(url);
    return `Failed to open TCP connection to ${hostname}:${port} (Connection refused - connect(2) for "${hostname}" port ${port})`;
  }
  return e.cause?.message ?? e.message ?? String(err);
}

/** multipart/form-data, parsed by the platform's own parser (undici's, behind `Response`). */
async function parseMultipart(raw: Buffer, contentType: string): Promise<MultipartBody | string> {
  try {
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
    const out: MultipartBody = { fields: {}, files: [] };
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') out.fields[field] = value;
      else out.files.push({ field, fileName: value.name, contentType: value.type, data: Buffer.from(await value.arrayBuffer()) });
    }
    return out;
  } catch {
    return raw.toString('latin1');
  }
}

function isMultipart(body: unknown): body is MultipartBody {
  return isObject(body) && isObject(body.fields) && Array.isArray(body.files);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** Ruby's `present?`: not nil, not false, not a blank string, not an empty collection. */
function present(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
}

function isId(value: unknown): boolean {
  return (typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && /^\d+$/.test(value));
}

function matches(f: { method?: string; path?: RegExp }, method: string, path: string): boolean {
  return (!f.method || f.method === method) && (!f.path || f.path.test(path));
}

function epoch(ms: number): number {
  return Math.floor(ms / 1000);
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function send(res: http.ServerResponse, status: number, body: string | object | Buffer, contentType?: string, headers: Record<string, string> = {}): void {
  const payload = Buffer.isBuffer(body) ? body : typeof body === 'string' ? body : railsJson(body);
  const type = contentType ?? (typeof body === 'string' || Buffer.isBuffer(body) ? 'text/plain' : 'application/json; charset=utf-8');
  res.writeHead(status, { 'Content-Type': type, ...headers });
  res.end(payload);
}
