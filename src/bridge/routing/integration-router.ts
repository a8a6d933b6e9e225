import type { Logger } from '@nestjs/common';
import { redact } from '../../common/redaction.js';
import { backoffMs } from '../../common/time.js';
import type { ChatwootTarget } from '../chatwoot-client.js';
import { ChatwootHttpError, ChatwootUnreachableError } from '../chatwoot-errors.js';
import type { BridgeIntegration, IntegrationStatus } from '../integration.entity.js';
import type { IntegrationsRepository } from '../integrations.repository.js';
import type { ChatwootConversations, ChatwootConversation, ChatwootMessage } from './chatwoot-conversations.js';
import { chatwootText, contactName, type EventMessage, signed, toWhatsAppMarkdown, withGroupHeader } from './formatting.js';
import type { ReplyRecord, RoutingRepository } from './routing.repository.js';
import { type EventFrame, SourceApi, type SourceTarget, type StreamOpened } from './source-api.js';

/** After this long of failing Chatwoot calls the integration reports `error` (SPEC-MESSAGING §11). */
const ERROR_AFTER_MS = 5 * 60_000;
/** A chat's conversation is re-read from Chatwoot at most this old (an agent may resolve it). */
const CONVERSATION_TTL_MS = 30_000;
/** Refusals of the event stream in a row before the integration reports `error` (about 7 s). */
const REFUSALS_BEFORE_ERROR = 3;
/** During a burst, the stream position is stored at least this often (see IntegrationRouter.done). */
const SEQ_SAVE_MS = 1_000;
/** Frames held in memory at most; past it the stream is closed and resumed from the last one done. */
const MAX_QUEUED = 2_000;
/** Outbound rows looked at per pass (they go one at a time, in the order Chatwoot created them). */
const OUTBOUND_BATCH = 50;
/**
 * How long each reply waits, from its own arrival, for the webhooks of earlier replies: Chatwoot
 * delivers them from concurrent jobs, out of order (CONTRACT §14), usually within tens of
 * milliseconds. Replies go in Chatwoot's id order, and one not yet due holds back those after it.
 */
export const REPLY_REORDER_MS = 100;

export interface RouterDeps {
  store: RoutingRepository;
  integrations: IntegrationsRepository;
  chatwoot: ChatwootConversations;
  logger: Logger;
}

/** What an integration's router needs of its row, secrets decrypted. */
export interface RouteConfig {
  row: BridgeIntegration;
  target: ChatwootTarget;
  source: SourceTarget;
}

class Permanent extends Error {}

/**
 * One integration's routing (SPEC-MESSAGING §11), both ways, in this process:
 * - WhatsApp → Chatwoot: the instance's event stream, one event at a time in `seq` order (so each
 *   chat's messages keep their order), `stream_seq` stored after each event is done; a failure
 *   retries the same event with backoff, so nothing is skipped and nothing is lost.
 * - Chatwoot → WhatsApp: the agent replies recorded by the webhook, oldest first, each sent with
 *   an `Idempotency-Key` of its Chatwoot id and attempt.
 * Integrations never wait for one another: each has its own router and its own loops.
 */
export class IntegrationRouter {
  private readonly source: SourceApi;
  private stream: { close(): void } | null = null;
  private readonly queue: EventFrame[] = [];
  /** The last `seq` received; null after a 4410 from an API that did not say how far it pruned (then: live only). */
  private receivedSeq: number | null;
  private draining: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private streamRefused = false;
  private opened: StreamOpened | null = null;
  private openedState: Promise<void> = Promise.resolve();
  /** The last event finished, and the last `seq` stored (see {@link done}). */
  private doneSeq: number | null = null;
  private savedSeq: number | null = null;
  private seqSavedAt = 0;
  private refusals = 0;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private failingSince: number | null = null;
  private readonly conversations = new Map<string, { conversationId: number; verifiedAt: number }>();
  private outboundRunning: Promise<void> | null = null;
  private outboundAgain = false;
  private outboundTimer: NodeJS.Timeout | null = null;
  private reorderTimer: NodeJS.Timeout | null = null;
  private readonly outboundTries = new Map<string, number>();
  /** Sends to the API in flight: an outgoing event with an unknown id may be one of them. */
  private sending: Promise<unknown> = Promise.resolve();

  constructor(
    private config: RouteConfig,
    private readonly deps: RouterDeps,
  ) {
    this.source = new SourceApi(config.source);
    this.receivedSeq = config.row.streamSeq;
  }

  get id(): string {
    return this.config.row.id;
  }

  start(): void {
    this.connect();
    this.kickOutbound();
  }

  /** Once this resolves nothing of this router runs: a router started next cannot overlap it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stream?.close();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.outboundTimer) clearTimeout(this.outboundTimer);
    if (this.reorderTimer) clearTimeout(this.reorderTimer);
    this.wake?.();
    await Promise.all([this.outboundRunning, this.draining]);
    await this.saveSeq().catch((err: Error) => this.deps.logger.warn(`integration ${this.id}: storing its stream position failed: ${err.message}`));
  }

  /** A reply was recorded, due REPLY_REORDER_MS from now: the pass then sends it and what is due before it. */
  replyArrived(): void {
    if (this.stopped || this.reorderTimer) return;
    this.reorderTimer = setTimeout(() => {
      this.reorderTimer = null;
      this.kickOutbound();
    }, REPLY_REORDER_MS);
  }

  /** Sends what is due now. */
  kickOutbound(): void {
    if (this.stopped) return;
    if (this.outboundRunning) {
      this.outboundAgain = true;
      return;
    }
    this.outboundRunning = this.runOutbound().finally(() => {
      this.outboundRunning = null;
      if (this.outboundAgain && !this.stopped) {
        this.outboundAgain = false;
        this.kickOutbound();
      }
    });
  }

  /**
   * A reply recorded as failed changed in Chatwoot and the event did not say its status (CONTRACT
   * §14): when Chatwoot shows it `sent` again, the agent pressed Retry.
   */
  async checkRetry(chatwootMessageId: number): Promise<void> {
    const conversationId = await this.deps.store.failedReplyConversation(this.id, chatwootMessageId);
    if (conversationId === null) return;
    const latest = await this.deps.chatwoot.latestMessages(this.config.target, conversationId);
    if (latest.find((m) => m.id === chatwootMessageId)?.status !== 'sent') return;
    if (await this.deps.integrations.retryFailedReply(this.id, chatwootMessageId)) this.kickOutbound();
  }

  /** Chatwoot says a conversation changed status: the next message re-reads where it should go. */
  forgetConversation(conversationId: number): void {
    for (const [jid, c] of this.conversations) if (c.conversationId === conversationId) this.conversations.delete(jid);
  }

  // ---- WhatsApp → Chatwoot ---------------------------------------------------------------------

  private connect(): void {
    if (this.stopped) return;
    this.stream = this.source.stream(
      this.receivedSeq,
      (frame) => {
        if (this.receivedSeq !== null && frame.seq <= this.receivedSeq) return;
        this.receivedSeq = frame.seq;
        this.queue.push(frame);
        if (this.queue.length > MAX_QUEUED) this.stream?.close();
        this.draining ??= this.drain().finally(() => (this.draining = null));
      },
      (code, reason) => {
        this.stream = null;
        if (this.stopped) return;
        if (code === 401 || code === 403 || code === 404) {
          // The callback token refused or the instance gone: nothing can be routed (SPEC-MESSAGING
          // §11). Not at once: the API stores a new integration's token only after the bridge
          // answered its create, and the first connection may come before that.
          this.refusals += 1;
          if (this.refusals >= REFUSALS_BEFORE_ERROR) {
            this.streamRefused = true;
            void this.reportError(`the API refused the event stream of ${this.config.source.instance} (HTTP ${code})`, true).catch(() => undefined);
          }
        }
        if (code === 4410) void this.skipPruned(reason);
        if (code !== 1000 && code !== 1001 && this.queue.length <= MAX_QUEUED) {
          this.deps.logger.warn(`integration ${this.id}: event stream closed (${code} ${reason}); reconnecting`);
        }
        this.reconnectLater(this.refusals > 0 ? Math.min(500 * 2 ** this.refusals, 30_000) : backoffMs(Math.min(this.failures, 3)));
      },
      (opened) => {
        this.refusals = 0;
        this.opened = opened;
        // The instance's state now, not only at its next change (SPEC-MESSAGING §11 `paused`).
        if (opened.instanceStatus) {
          this.openedState = this.onInstanceState(opened.instanceStatus).catch(() => undefined);
        }
        if (!this.streamRefused) return;
        this.streamRefused = false;
        void this.deps.integrations.recoverFromError(this.id).catch(() => undefined);
      },
    );
  }

  /**
   * The API no longer keeps the events after our cursor (the bridge was away longer than the API's
   * retention): they cannot be routed. Resume from the oldest kept one, and say what was lost.
   */
  private async skipPruned(reason: string): Promise<void> {
    const from = this.receivedSeq ?? 0;
    // Another API does not say how far it pruned: reading from its last event is all that is left.
    const to = this.opened?.prunedThrough ?? null;
    this.receivedSeq = to;
    const lost = to === null ? `events after ${from}` : `events ${from + 1}–${to}`;
    this.deps.logger.warn(`integration ${this.id}: ${reason}; ${lost} of ${this.config.source.instance} were not routed`);
    try {
      if (to !== null) await this.deps.integrations.saveStreamSeq(this.id, to);
      await this.reportError(`${lost} of ${this.config.source.instance} were pruned by the API before they were routed`, false);
    } catch {
      // Told again at the next 4410.
    }
  }

  /** Frames still queued are kept; reading resumes after the last one received once the queue is short. */
  private reconnectLater(ms: number): void {
    this.retryTimer = setTimeout(() => {
      if (this.queue.length > MAX_QUEUED / 2) this.reconnectLater(1_000);
      else this.connect();
    }, ms);
  }

  /** Never rejects: a failure of its own bookkeeping is logged and the event retried. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped) {
      try {
        await this.drainOne();
      } catch (err) {
        this.deps.logger.warn(`integration ${this.id}: routing bookkeeping failed: ${(err as Error).message}`);
        await this.sleep(backoffMs(Math.max(this.failures, 1)));
      }
    }
  }

  /** A backoff that `stop()` cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /** The first queued event: handled, then its `seq` stored; or retried after a backoff. */
  private async drainOne(): Promise<void> {
    const frame = this.queue[0];
    if (!frame) return;
    try {
      await this.handle(frame);
    } catch (err) {
      if (err instanceof Permanent) {
        // Chatwoot refuses this one message for good (a validation error): say so, go on.
        await this.reportError(`event ${frame.seq} not routed: ${err.message}`, false);
        await this.done(frame.seq);
        return;
      }
      await this.failed(err);
      await this.sleep(backoffMs(this.failures - 1));
      return;
    }
    await this.done(frame.seq);
    await this.succeeded();
  }

  /**
   * The event is finished. Its `seq` is stored once the queue is empty, and at least once a second
   * during a burst rather than after every event: an event handled again after a crash finds its
   * link and posts nothing, and a write per message was a sixth of routing's database work.
   */
  private async done(seq: number): Promise<void> {
    this.queue.shift();
    this.doneSeq = seq;
    if (this.queue.length === 0 || Date.now() - this.seqSavedAt >= SEQ_SAVE_MS) await this.saveSeq();
  }

  private async saveSeq(): Promise<void> {
    const seq = this.doneSeq;
    if (seq === null || seq === this.savedSeq) return;
    this.seqSavedAt = Date.now();
    await this.deps.integrations.saveStreamSeq(this.id, seq);
    this.savedSeq = seq;
  }

  private async handle(frame: EventFrame): Promise<void> {
    if (frame.event === 'instance.state') {
      // After the status the stream opened with is written, or that older one could land last.
      await this.openedState;
      return this.onInstanceState(String(frame.data.status));
    }
    if (frame.event === 'message.status') return this.onStatus(frame.data as { id: string; status: string; error: string | null });
    if (frame.event !== 'message.exchange') return;
    const m = frame.data.message as EventMessage;
    try {
      await this.onMessage(m);
    } catch (err) {
      if (err instanceof ChatwootHttpError && err.status === 404) {
        // The contact or the conversation was deleted in Chatwoot: the retry finds or makes new ones.
        this.conversations.delete(m.chat.jid);
        await this.deps.store.forgetChat(this.id, m.chat.jid);
      }
      throw err;
    }
  }

  private async onInstanceState(status: string): Promise<void> {
    const wanted: IntegrationStatus = status === 'connected' ? 'active' : 'paused';
    // `error` is the health check's and the failure counter's to clear.
    await this.deps.integrations.setConnectionStatus(this.id, wanted);
  }

  private async onMessage(m: EventMessage): Promise<void> {
    const { row } = this.config;
    if (m.chat.type === 'group' && row.ignoreGroups) return;
    const { store } = this.deps;
    // The common case, a customer's new message in a chat whose conversation is known: the link is
    // written, unless it exists, in the round trip that looks for it.
    const known = !m.fromMe && m.type !== 'revoke' ? this.knownConversation(m.chat.jid) : null;
    const begun = known !== null && (await store.postBeginsIfNew(this.id, m.id, known));
    let link = begun ? null : await store.link(this.id, m.id);
    if (!link && m.fromMe) {
      // The bridge's own sends come back as events too, sometimes before the send's answer, and
      // after a restart before the reply is re-sent (its Idempotency-Key then returns this id).
      await this.sending;
      link = await store.link(this.id, m.id);
      if (!link && (await store.hasPendingReplies(this.id))) {
        this.kickOutbound();
        await this.outboundRunning;
        link = await store.link(this.id, m.id);
      }
    }
    if (link?.chatwootMessageId) return;

    if (m.type === 'revoke') {
      const target = m.target ? await store.link(this.id, m.target) : null;
      // The echo of a revoke the bridge asked for: the agent already deleted it in Chatwoot.
      if (target?.chatwootMessageId && m.fromMe && (await store.deletedByAgent(this.id, target.chatwootMessageId))) return;
      if (target?.chatwootMessageId && target.chatwootConversationId) {
        try {
          await this.call(() => this.deps.chatwoot.deleteMessage(this.config.target, target.chatwootConversationId!, target.chatwootMessageId!));
        } catch (err) {
          // Already deleted there (or its conversation was): what the revoke asks for.
          if (!(err instanceof ChatwootHttpError && err.status === 404)) throw err;
        }
      }
      return;
    }

    const conversationId = begun ? known : await this.conversationFor(m);
    const sourceId = `WAID:${m.id}`;
    if (link) {
      // A post of this message began before (a crash, an ambiguous failure): it may be there.
      const posted = link.chatwootConversationId ?? conversationId;
      const found = (await this.latestOrNone(posted)).find((x) => x.sourceId === sourceId);
      if (found) return this.linked(m.id, found.id, posted);
      // Where the next post goes is written first, so that a crash after it searches there.
      if (posted !== conversationId) await store.postBegins(this.id, m.id, conversationId, { again: true });
    } else if (!begun) {
      await store.postBegins(this.id, m.id, conversationId);
    }

    const about = m.type === 'reaction' || m.type === 'edit' ? m.target : m.replyTo;
    const quoted = about ? await store.link(this.id, about) : null;
    const inReplyTo = quoted?.chatwootMessageId && quoted.chatwootConversationId === conversationId ? quoted.chatwootMessageId : undefined;
    const attachments = m.media?.url ? await this.attachment(m) : [];
    const created = await this.call(() =>
      this.deps.chatwoot.createMessage(this.config.target, conversationId, {
        content: withGroupHeader(m, chatwootText(m)),
        messageType: m.fromMe ? 'outgoing' : 'incoming',
        sourceId,
        ...(inReplyTo ? { inReplyTo } : {}),
        attachments,
      }),
    );
    await this.linked(m.id, created.id, conversationId);
  }

  /** A conversation's latest messages; none when Chatwoot no longer has it (deleted there). */
  private async latestOrNone(conversationId: number): Promise<ChatwootMessage[]> {
    try {
      return await this.call(() => this.deps.chatwoot.latestMessages(this.config.target, conversationId));
    } catch (err) {
      if (err instanceof ChatwootHttpError && err.status === 404) return [];
      throw err;
    }
  }

  private linked(waMessageId: string, chatwootMessageId: number, conversationId: number): Promise<void> {
    return this.deps.store.posted(this.id, waMessageId, chatwootMessageId, conversationId);
  }

  private async attachment(m: EventMessage): Promise<Array<{ fileName: string; contentType: string; data: Buffer }>> {
    const media = await this.source.media(m.media!.url!);
    if (!media) return [];
    const ext = media.contentType.split('/')[1]?.split(';')[0] ?? 'bin';
    return [{ fileName: m.media!.fileName ?? `${m.type}-${m.id.slice(-8)}.${ext}`, contentType: media.contentType, data: media.data }];
  }

  /** The chat's conversation when it was checked against the routing rules less than CONVERSATION_TTL_MS ago. */
  private knownConversation(jid: string): number | null {
    const cached = this.conversations.get(jid);
    return cached && Date.now() - cached.verifiedAt < CONVERSATION_TTL_MS ? cached.conversationId : null;
  }

  /** SPEC-MESSAGING §11 "Contact", "Contact inbox" and "Conversation". */
  private async conversationFor(m: EventMessage): Promise<number> {
    const jid = m.chat.jid;
    const known = this.knownConversation(jid);
    if (known !== null) return known;

    const { target, row } = this.config;
    const { store } = this.deps;
    let chat = await store.chat(this.id, jid);
    if (!chat) {
      chat = { contactId: await this.contactFor(m), conversationId: null };
      await store.saveChatContact(this.id, jid, chat.contactId);
    }
    const contactId = chat.contactId;
    const all = (await this.call(() => this.deps.chatwoot.contactConversations(target, contactId))).filter((c) => c.inboxId === row.inboxId);
    let conversation: ChatwootConversation | undefined = all.find((c) => c.status !== 'resolved');
    if (!conversation && all[0] && row.reopenResolved) {
      await this.call(() => this.deps.chatwoot.setStatus(target, all[0].id, 'open'));
      conversation = all[0];
    }
    if (!conversation) {
      conversation = await this.call(() =>
        this.deps.chatwoot.createConversation(target, row.inboxId, contactId, jid, row.startAsPending ? 'pending' : 'open'),
      );
    }
    await store.saveChatConversation(this.id, jid, conversation.id);
    this.conversations.set(jid, { conversationId: conversation.id, verifiedAt: Date.now() });
    return conversation.id;
  }

  /** Reuses the contact of this chat's JID, else the one with exactly its phone number, else creates one. */
  private async contactFor(m: EventMessage): Promise<number> {
    const { target, row } = this.config;
    const jid = m.chat.jid;
    const phone = m.chat.type === 'private' ? m.chat.phone : null;
    let contactId = await this.call(() => this.deps.chatwoot.findContact(target, 'identifier', jid));
    if (contactId === null && phone) {
      contactId = await this.call(() => this.deps.chatwoot.findContact(target, 'phone_number', phone));
      if (contactId !== null) await this.call(() => this.deps.chatwoot.setIdentifier(target, contactId!, jid));
    }
    if (contactId === null) {
      try {
        return await this.call(() => this.deps.chatwoot.createContact(target, row.inboxId, jid, { identifier: jid, phoneNumber: phone, name: contactName(m) }));
      } catch (err) {
        // Another writer created it between the look-up and the create.
        const again = await this.call(() => this.deps.chatwoot.findContact(target, 'identifier', jid));
        if (again === null) throw err;
        contactId = again;
      }
    }
    await this.call(() => this.deps.chatwoot.ensureContactInbox(target, contactId!, row.inboxId, jid));
    return contactId;
  }

  /** SPEC-MESSAGING §11 "Statuses": of the messages the bridge sent. */
  private async onStatus(s: { id: string; status: string; error: string | null }): Promise<void> {
    const status = s.status === 'played' ? 'read' : s.status;
    if (status !== 'delivered' && status !== 'read' && status !== 'failed') return;
    const link = await this.deps.store.link(this.id, s.id);
    if (!link?.chatwootMessageId || !link.chatwootConversationId || link.origin !== 'agent') return;
    try {
      await this.call(() =>
        this.deps.chatwoot.setMessageStatus(this.config.target, link.chatwootConversationId!, link.chatwootMessageId!, status, s.error ?? undefined),
      );
    } catch (err) {
      // The message or its conversation was deleted in Chatwoot: nothing left to update.
      if (!(err instanceof ChatwootHttpError && err.status === 404)) throw err;
    }
    if (status === 'failed') await this.reportError(`WhatsApp could not deliver message ${s.id}: ${s.error ?? 'failed'}`, false);
  }

  // ---- Chatwoot → WhatsApp ---------------------------------------------------------------------

  private async runOutbound(): Promise<void> {
    if (this.outboundTimer) clearTimeout(this.outboundTimer);
    this.outboundTimer = null;
    let nextDue: number | null = null;
    try {
      // Chatwoot's ids grow with creation: their order is the agents' order, whatever order the
      // webhooks arrived in (CONTRACT §14: deliveries are not ordered).
      const rows = await this.deps.store.pendingReplies(this.id, OUTBOUND_BATCH);
      for (const row of rows) {
        if (this.stopped) return;
        if (row.nextAttemptAt.getTime() > Date.now()) {
          // In order: later replies wait for this one's retry.
          nextDue = row.nextAttemptAt.getTime();
          break;
        }
        const done = row.revoke === 'pending' ? this.revokeReply(row) : this.sendReply(row);
        this.sending = done.catch(() => undefined);
        if (!(await done)) {
          nextDue = Date.now() + backoffMs((this.outboundTries.get(row.id) ?? 1) - 1);
          break;
        }
      }
      if (rows.length === OUTBOUND_BATCH && nextDue === null) this.outboundAgain = true;
    } catch (err) {
      this.deps.logger.warn(`integration ${this.id}: routing replies failed: ${(err as Error).message}`);
      nextDue = Date.now() + 5_000;
    }
    if (nextDue !== null && !this.stopped) this.outboundTimer = setTimeout(() => this.kickOutbound(), Math.max(0, nextDue - Date.now()));
  }

  /** True when the reply is settled (sent, or refused for good); false to retry it later. */
  private async sendReply(row: ReplyRecord): Promise<boolean> {
    const p = row.payload as unknown as ReplyPayload;
    const contact = p.conversation?.meta?.sender;
    const number = contact?.identifier || contact?.phone_number;
    if (!number) return this.refuse(row, 'the conversation contact has neither a WhatsApp JID nor a phone number');
    if (number.endsWith('@g.us') && this.config.row.ignoreGroups) return this.refuse(row, 'this integration ignores groups');

    const agent = (p.conversation?.messages ?? []).find((x) => x.id === p.id)?.sender?.available_name ?? p.sender?.name ?? null;
    const text = signed(toWhatsAppMarkdown(row.content ?? ''), agent, this.config.row.signMessages);
    const quotedId = p.content_attributes?.in_reply_to;
    const quoted = typeof quotedId === 'number' ? await this.deps.store.linkOfChatwoot(this.id, quotedId) : null;
    const replyTo = quoted?.waMessageId;
    const key = `chatwoot-${this.id}-${row.chatwootMessageId}-${row.attempt}`;
    const attachments = p.attachments ?? [];

    const sent: string[] = [];
    if (attachments.length === 0) {
      const outcome = await this.source.sendText({ number, message: text, ...(replyTo ? { replyTo } : {}) }, key);
      if (!outcome.ok) return this.unsent(row, outcome);
      sent.push(outcome.messageId);
    } else {
      // Each part is linked as soon as it is sent: its own event coming back is recognised, and a
      // later try (a failure of a later part, the agent's Retry) starts at the first part not sent.
      // Parts go out one at a time, in order, so the links count the parts sent.
      sent.push(...(await this.deps.store.waIdsOfChatwoot(this.id, row.chatwootMessageId)));
      for (const [i, a] of attachments.entries()) {
        if (i < sent.length) continue;
        const outcome = await this.source.sendMedia(
          {
            number,
            type: a.file_type === 'image' || a.file_type === 'video' || a.file_type === 'audio' ? a.file_type : 'document',
            mediaUrl: a.data_url,
            ...(i === 0 && text ? { caption: text } : {}),
            ...(a.file_type !== 'image' && a.file_type !== 'video' && a.file_type !== 'audio' ? { fileName: decodeURIComponent(a.data_url.split('/').pop() ?? 'file') } : {}),
            ...(i === 0 && replyTo ? { replyTo } : {}),
          },
          `${key}-${i}`,
        );
        if (!outcome.ok) return this.unsent(row, outcome);
        sent.push(outcome.messageId);
        await this.deps.store.replyLinked(this.id, [outcome.messageId], row.chatwootMessageId, row.chatwootConversationId);
      }
    }
    await this.deps.store.replyLinked(this.id, sent, row.chatwootMessageId, row.chatwootConversationId);
    await this.deps.store.replySent(row.id, sent[0]);
    this.outboundTries.delete(row.id);
    await this.clearLastError();
    return true;
  }

  /**
   * The agent deleted a reply (SPEC-MESSAGING §11): revoked on WhatsApp when it was sent, never sent
   * when it was not. True when settled; false to retry later.
   */
  private async revokeReply(row: ReplyRecord): Promise<boolean> {
    const { store } = this.deps;
    const waIds = await store.waIdsOfChatwoot(this.id, row.chatwootMessageId);
    if (row.status === 'pending' && waIds.length === 0) {
      await store.replyDeletedUnsent(row.id);
      this.outboundTries.delete(row.id);
      this.deps.logger.log(`integration ${this.id}: reply ${row.chatwootMessageId} deleted by an agent before it was sent; not sent`);
      return true;
    }
    // Linked but not marked sent: it was sent just before a crash.
    if (row.status === 'pending') await store.replySent(row.id, waIds[0]);
    for (const waId of waIds) {
      const outcome = await this.source.revoke(waId);
      if (outcome.ok) continue;
      if (outcome.retry) {
        const tries = (this.outboundTries.get(row.id) ?? 0) + 1;
        this.outboundTries.set(row.id, tries);
        await store.replyPostponed(row.id, new Date(Date.now() + backoffMs(tries - 1)), outcome.message, row.attempt);
        return false;
      }
      // The provider cannot (the Cloud API), or the message is gone: the agent's deletion stays in Chatwoot only.
      const reason = this.redacted(outcome.message);
      await store.revokeSettled(row.id, 'failed', reason);
      this.outboundTries.delete(row.id);
      await this.reportError(`reply ${row.chatwootMessageId} deleted in Chatwoot but not revoked on WhatsApp: ${reason}`, false);
      return true;
    }
    await store.revokeSettled(row.id, 'done', null);
    this.outboundTries.delete(row.id);
    this.deps.logger.log(`integration ${this.id}: reply ${row.chatwootMessageId} revoked on WhatsApp`);
    return true;
  }

  private async unsent(row: ReplyRecord, outcome: { retry: boolean; status: number; message: string }): Promise<boolean> {
    if (!outcome.retry) return this.refuse(row, outcome.message);
    const tries = (this.outboundTries.get(row.id) ?? 0) + 1;
    this.outboundTries.set(row.id, tries);
    // The API keeps an answer under its Idempotency-Key for 24 h (SPEC-MESSAGING §9): after a
    // failure it answered, the same key would only replay it. No answer at all (a timeout) keeps
    // the key, so that a send that did happen is not made twice.
    const attempt = outcome.status !== 0 ? row.attempt + 1 : row.attempt;
    await this.deps.store.replyPostponed(row.id, new Date(Date.now() + backoffMs(tries - 1)), outcome.message, attempt);
    return false;
  }

  /** WhatsApp refused the reply: the Chatwoot message shows it (`failed`, external_error). */
  private async refuse(row: ReplyRecord, given: string): Promise<boolean> {
    // Shown in Chatwoot and stored: redacted before either cuts it.
    const reason = this.redacted(given);
    await this.deps.store.replyRefused(row.id, reason);
    this.outboundTries.delete(row.id);
    await this.reportError(`reply ${row.chatwootMessageId} not sent: ${reason}`, false);
    try {
      await this.deps.chatwoot.setMessageStatus(this.config.target, row.chatwootConversationId, row.chatwootMessageId, 'failed', reason);
    } catch (err) {
      this.deps.logger.warn(`integration ${this.id}: marking reply ${row.chatwootMessageId} failed in Chatwoot: ${(err as Error).message}`);
    }
    return true;
  }

  // ---- failures and status ---------------------------------------------------------------------

  /** A Chatwoot call; its 4xx other than 401/403/404/429 is this message's problem, not Chatwoot's. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      // 422 "Too many messages" is Chatwoot's 200-per-minute limit of a conversation (CONTRACT §15): wait.
      const rateLimited = err instanceof ChatwootHttpError && err.status === 422 && err.body.includes('Too many messages');
      if (err instanceof ChatwootHttpError && !err.unexpectedBody && !rateLimited && err.status >= 400 && err.status < 500 && ![401, 403, 404, 429].includes(err.status)) {
        throw new Permanent(err.message);
      }
      throw err;
    }
  }

  private async failed(err: unknown): Promise<void> {
    this.failures += 1;
    this.failingSince ??= Date.now();
    const reason = err instanceof ChatwootHttpError || err instanceof ChatwootUnreachableError ? `Chatwoot: ${err.message}` : (err as Error).message;
    this.deps.logger.warn(`integration ${this.id}: routing failed (try ${this.failures}): ${reason}`);
    if (Date.now() - this.failingSince >= ERROR_AFTER_MS) await this.reportError(reason, true);
  }

  private async succeeded(): Promise<void> {
    if (this.failures === 0) return;
    const wasError = this.failingSince !== null && Date.now() - this.failingSince >= ERROR_AFTER_MS;
    this.failures = 0;
    this.failingSince = null;
    if (wasError) {
      await this.deps.integrations.recoverFromError(this.id);
    }
  }

  /**
   * `last_error` says the latest reason; `status` becomes `error` only for lasting failures. It
   * reaches the tenant (SPEC §5 status), and the store cuts it: redacted here, before any cut.
   */
  private async reportError(reason: string, asStatus: boolean): Promise<void> {
    const shown = this.redacted(reason);
    this.deps.logger.warn(`integration ${this.id}: ${shown}`);
    await this.deps.integrations.reportRoutingError(this.id, shown, asStatus);
  }

  /** A text without this integration's Chatwoot token or callback token. */
  private redacted(text: string): string {
    return redact(text, [this.config.target.apiToken, this.config.source.token]);
  }

  private async clearLastError(): Promise<void> {
    await this.deps.integrations.clearLastError(this.id);
  }
}

/** The parts of Chatwoot's `message_created` (CONTRACT §6) that a reply needs. */
interface ReplyPayload {
  id: number;
  sender?: { name?: string };
  content_attributes?: { in_reply_to?: unknown };
  attachments?: Array<{ file_type: string; data_url: string }>;
  conversation?: {
    meta?: { sender?: { identifier?: string | null; phone_number?: string | null } };
    messages?: Array<{ id: number; sender?: { available_name?: string } }>;
  };
}
