import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { BridgeIntegration } from '../integration.entity.js';

/** A WhatsApp chat's Chatwoot contact and its current conversation, per integration. */
@Entity('bridge_chats')
export class BridgeChat {
  @PrimaryColumn({ name: 'integration_id', type: 'varchar', length: 40 })
  integrationId: string;

  /** The chat JID: also the contact's `identifier` and its contact inbox's `source_id` (CONTRACT §11). */
  @ManyToOne(() => BridgeIntegration, { onDelete: 'CASCADE', createForeignKeyConstraints: true })
  @JoinColumn({ name: 'integration_id', foreignKeyConstraintName: 'FK_bridge_chats_integration' })
  integration?: BridgeIntegration;

  @PrimaryColumn({ name: 'chat_jid', type: 'varchar', length: 200 })
  chatJid: string;

  @Column({ name: 'contact_id', type: 'integer' })
  contactId: number;

  /** The conversation new messages go to; re-checked against the routing rules before use. */
  @Column({ name: 'conversation_id', type: 'integer', nullable: true })
  conversationId: number | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

/** Who created the Chatwoot side of a link. */
export type LinkOrigin = 'whatsapp' | 'agent';

const idString = { to: (v: unknown) => v, from: (v: unknown) => (v === null ? v : String(v)) };

/**
 * WhatsApp message id ↔ Chatwoot message id: Chatwoot dedupes nothing (CONTRACT §10), so this map
 * is what makes each message exactly one on the other side. A row whose Chatwoot id is null is a
 * post in progress: after a crash, the conversation is searched for it before posting again.
 */
@Entity('bridge_message_links')
@Index('IDX_bridge_message_links_chatwoot', ['integrationId', 'chatwootMessageId'])
export class BridgeMessageLink {
  @PrimaryColumn({ name: 'integration_id', type: 'varchar', length: 40 })
  integrationId: string;

  @ManyToOne(() => BridgeIntegration, { onDelete: 'CASCADE', createForeignKeyConstraints: true })
  @JoinColumn({ name: 'integration_id', foreignKeyConstraintName: 'FK_bridge_message_links_integration' })
  integration?: BridgeIntegration;

  @PrimaryColumn({ name: 'wa_message_id', type: 'varchar', length: 200 })
  waMessageId: string;

  @Column({ name: 'chatwoot_message_id', type: 'bigint', nullable: true, transformer: idString })
  chatwootMessageId: string | null;

  @Column({ name: 'chatwoot_conversation_id', type: 'integer', nullable: true })
  chatwootConversationId: number | null;

  @Column({ type: 'varchar', length: 20 })
  origin: LinkOrigin;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
