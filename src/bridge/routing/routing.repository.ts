import type { DataSource } from 'typeorm';
import { type DriverPool, driverPool } from '../../database/driver-pool.js';
import type { LinkOrigin } from './routing.entities.js';

/** A WhatsApp message id ↔ Chatwoot message id pair (`bridge_message_links`). */
export interface MessageLink {
  waMessageId: string;
  /** Null while its post is in progress (or was, when the bridge stopped). */
  chatwootMessageId: number | null;
  chatwootConversationId: number | null;
  origin: LinkOrigin;
}

/** A chat's Chatwoot contact and current conversation (`bridge_chats`). */
export interface ChatRecord {
  contactId: number;
  conversationId: number | null;
}

/** An agent's reply waiting to be sent, or settled (`bridge_outbound_messages`). */
export interface ReplyRecord {
  id: string;
  chatwootMessageId: number;
  chatwootConversationId: number;
  content: string | null;
  payload: Record<string, unknown>;
  attempt: number;
  nextAttemptAt: Date;
  status: 'pending' | 'sent';
  /** `pending`: the agent deleted it; revoke it (sent) or do not send it (pending). */
  revoke: 'pending' | null;
}

const LINK_COLUMNS = `"wa_message_id", "chatwoot_message_id", "chatwoot_conversation_id", "origin"`;

/**
 * The routers' own tables, in SQL on the driver's pool: the hot path of routing runs these a few
 * times per message, and TypeORM's repositories cost as much CPU as the rest of the work
 * (`npm run bench`, routing). bigint columns come back as strings (pg) or numbers (PGlite).
 */
export class RoutingRepository {
  private readonly pool: DriverPool;

  constructor(dataSource: DataSource) {
    this.pool = driverPool(dataSource);
  }

  // ---- links ----

  async link(integrationId: string, waMessageId: string): Promise<MessageLink | null> {
    const { rows } = await this.pool.query(
      `SELECT ${LINK_COLUMNS} FROM "bridge_message_links" WHERE "integration_id" = $1 AND "wa_message_id" = $2`,
      [integrationId, waMessageId],
    );
    return rows.length ? toLink(rows[0]) : null;
  }

  /** The first WhatsApp message sent for a Chatwoot message (a reply quoted by an agent). */
  async linkOfChatwoot(integrationId: string, chatwootMessageId: number): Promise<MessageLink | null> {
    const { rows } = await this.pool.query(
      `SELECT ${LINK_COLUMNS} FROM "bridge_message_links" WHERE "integration_id" = $1 AND "chatwoot_message_id" = $2 LIMIT 1`,
      [integrationId, chatwootMessageId],
    );
    return rows.length ? toLink(rows[0]) : null;
  }

  /**
   * Written before the post: after a crash, the conversation is searched before posting again.
   * `again`: a post that began in a conversation Chatwoot no longer has goes to another one.
   */
  async postBegins(integrationId: string, waMessageId: string, conversationId: number, opts: { again?: boolean } = {}): Promise<void> {
    await this.pool.query(
      `INSERT INTO "bridge_message_links" ("integration_id", "wa_message_id", "chatwoot_message_id", "chatwoot_conversation_id", "origin")
       VALUES ($1, $2, NULL, $3, 'whatsapp')
       ${opts.again ? `ON CONFLICT ("integration_id", "wa_message_id") DO UPDATE SET "chatwoot_conversation_id" = EXCLUDED."chatwoot_conversation_id"` : ''}`,
      [integrationId, waMessageId, conversationId],
    );
  }

  /** {@link postBegins} unless the link exists; true when it was written now. */
  async postBeginsIfNew(integrationId: string, waMessageId: string, conversationId: number): Promise<boolean> {
    const { rows } = await this.pool.query(
      `INSERT INTO "bridge_message_links" ("integration_id", "wa_message_id", "chatwoot_message_id", "chatwoot_conversation_id", "origin")
       VALUES ($1, $2, NULL, $3, 'whatsapp') ON CONFLICT ("integration_id", "wa_message_id") DO NOTHING RETURNING 1 AS "written"`,
      [integrationId, waMessageId, conversationId],
    );
    return rows.length > 0;
  }

  async posted(integrationId: string, waMessageId: string, chatwootMessageId: number, conversationId: number): Promise<void> {
    await this.pool.query(
      `UPDATE "bridge_message_links" SET "chatwoot_message_id" = $3, "chatwoot_conversation_id" = $4 WHERE "integration_id" = $1 AND "wa_message_id" = $2`,
      [integrationId, waMessageId, chatwootMessageId, conversationId],
    );
  }

  /** The WhatsApp messages an agent's reply became. */
  async replyLinked(integrationId: string, waMessageIds: string[], chatwootMessageId: number, conversationId: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO "bridge_message_links" ("integration_id", "wa_message_id", "chatwoot_message_id", "chatwoot_conversation_id", "origin")
       SELECT $1, unnest($2::varchar[]), $3, $4, 'agent'
       ON CONFLICT ("integration_id", "wa_message_id")
       DO UPDATE SET "chatwoot_message_id" = EXCLUDED."chatwoot_message_id", "chatwoot_conversation_id" = EXCLUDED."chatwoot_conversation_id", "origin" = 'agent'`,
      [integrationId, waMessageIds, chatwootMessageId, conversationId],
    );
  }

  // ---- chats ----

  async chat(integrationId: string, chatJid: string): Promise<ChatRecord | null> {
    const { rows } = await this.pool.query(
      `SELECT "contact_id", "conversation_id" FROM "bridge_chats" WHERE "integration_id" = $1 AND "chat_jid" = $2`,
      [integrationId, chatJid],
    );
    if (!rows.length) return null;
    return { contactId: Number(rows[0].contact_id), conversationId: nullableNumber(rows[0].conversation_id) };
  }

  async saveChatContact(integrationId: string, chatJid: string, contactId: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO "bridge_chats" ("integration_id", "chat_jid", "contact_id", "conversation_id") VALUES ($1, $2, $3, NULL)
       ON CONFLICT ("integration_id", "chat_jid") DO UPDATE SET "contact_id" = EXCLUDED."contact_id", "conversation_id" = NULL, "updated_at" = now()`,
      [integrationId, chatJid, contactId],
    );
  }

  async saveChatConversation(integrationId: string, chatJid: string, conversationId: number): Promise<void> {
    await this.pool.query(
      `UPDATE "bridge_chats" SET "conversation_id" = $3, "updated_at" = now() WHERE "integration_id" = $1 AND "chat_jid" = $2`,
      [integrationId, chatJid, conversationId],
    );
  }

  async forgetChat(integrationId: string, chatJid: string): Promise<void> {
    await this.pool.query(`DELETE FROM "bridge_chats" WHERE "integration_id" = $1 AND "chat_jid" = $2`, [integrationId, chatJid]);
  }

  // ---- agents' replies ----

  /** The replies to send, in the order Chatwoot created them (CONTRACT §14: webhooks are not ordered). */
  async pendingReplies(integrationId: string, limit: number): Promise<ReplyRecord[]> {
    const { rows } = await this.pool.query(
      `SELECT "id", "chatwoot_message_id", "chatwoot_conversation_id", "content", "payload", "attempt", "next_attempt_at", "status", "revoke"
       FROM "bridge_outbound_messages"
       WHERE "integration_id" = $1 AND ("status" = 'pending' OR ("status" = 'sent' AND "revoke" = 'pending'))
       ORDER BY "chatwoot_message_id" LIMIT $2`,
      [integrationId, limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      chatwootMessageId: Number(r.chatwoot_message_id),
      chatwootConversationId: Number(r.chatwoot_conversation_id),
      content: r.content === null ? null : String(r.content),
      payload: r.payload as Record<string, unknown>,
      attempt: Number(r.attempt),
      nextAttemptAt: new Date(r.next_attempt_at as string | Date),
      status: r.status === 'sent' ? ('sent' as const) : ('pending' as const),
      revoke: r.revoke === 'pending' ? ('pending' as const) : null,
    }));
  }

  async hasPendingReplies(integrationId: string): Promise<boolean> {
    const { rows } = await this.pool.query(
      `SELECT 1 FROM "bridge_outbound_messages" WHERE "integration_id" = $1 AND "status" = 'pending' LIMIT 1`,
      [integrationId],
    );
    return rows.length > 0;
  }

  /** The conversation of a reply recorded as failed, or null when there is no such reply. */
  async failedReplyConversation(integrationId: string, chatwootMessageId: number): Promise<number | null> {
    const { rows } = await this.pool.query(
      `SELECT "chatwoot_conversation_id" FROM "bridge_outbound_messages" WHERE "integration_id" = $1 AND "chatwoot_message_id" = $2 AND "status" = 'failed'`,
      [integrationId, chatwootMessageId],
    );
    return rows.length ? Number(rows[0].chatwoot_conversation_id) : null;
  }

  async replySent(id: string, waMessageId: string): Promise<void> {
    await this.pool.query(`UPDATE "bridge_outbound_messages" SET "status" = 'sent', "wa_message_id" = $2, "last_error" = NULL WHERE "id" = $1`, [id, waMessageId]);
  }

  async replyPostponed(id: string, nextAttemptAt: Date, lastError: string, attempt: number): Promise<void> {
    await this.pool.query(
      `UPDATE "bridge_outbound_messages" SET "next_attempt_at" = $2, "last_error" = $3, "attempt" = $4 WHERE "id" = $1`,
      [id, nextAttemptAt, lastError, attempt],
    );
  }

  /** Every WhatsApp message a reply became (one per attachment). */
  async waIdsOfChatwoot(integrationId: string, chatwootMessageId: number): Promise<string[]> {
    const { rows } = await this.pool.query(
      `SELECT "wa_message_id" FROM "bridge_message_links" WHERE "integration_id" = $1 AND "chatwoot_message_id" = $2 ORDER BY "wa_message_id"`,
      [integrationId, chatwootMessageId],
    );
    return rows.map((r) => String(r.wa_message_id));
  }

  /** The agent deleted the reply before it was sent: it never will be. */
  async replyDeletedUnsent(id: string): Promise<void> {
    await this.pool.query(`UPDATE "bridge_outbound_messages" SET "status" = 'deleted', "revoke" = 'done' WHERE "id" = $1 AND "status" = 'pending'`, [id]);
  }

  async revokeSettled(id: string, outcome: 'done' | 'failed', lastError: string | null): Promise<void> {
    await this.pool.query(`UPDATE "bridge_outbound_messages" SET "revoke" = $2, "last_error" = $3 WHERE "id" = $1`, [id, outcome, lastError]);
  }

  /** True when the agent deleted this Chatwoot message: WhatsApp's echo of its revoke needs no delete in Chatwoot. */
  async deletedByAgent(integrationId: string, chatwootMessageId: number): Promise<boolean> {
    const { rows } = await this.pool.query(
      `SELECT 1 FROM "bridge_outbound_messages" WHERE "integration_id" = $1 AND "chatwoot_message_id" = $2 AND "revoke" IS NOT NULL`,
      [integrationId, chatwootMessageId],
    );
    return rows.length > 0;
  }

  async replyRefused(id: string, reason: string): Promise<void> {
    await this.pool.query(`UPDATE "bridge_outbound_messages" SET "status" = 'failed', "last_error" = $2 WHERE "id" = $1`, [id, reason]);
  }
}

function toLink(r: Record<string, unknown>): MessageLink {
  return {
    waMessageId: String(r.wa_message_id),
    chatwootMessageId: nullableNumber(r.chatwoot_message_id),
    chatwootConversationId: nullableNumber(r.chatwoot_conversation_id),
    origin: r.origin as LinkOrigin,
  };
}

function nullableNumber(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
