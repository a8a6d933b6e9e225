import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';
import { BridgeIntegration } from './integration.entity.js';

/**
 * `pending` until routing sent it to WhatsApp (`sent`) or WhatsApp refused it (`failed`);
 * `deleted` when the agent deleted it before it was sent.
 */
export type OutboundMessageStatus = 'pending' | 'sent' | 'failed' | 'deleted';

/** After the agent deleted it: `pending` until revoked on WhatsApp (`done`) or refused (`failed`). */
export type OutboundRevoke = 'pending' | 'done' | 'failed';

/** An agent's reply from Chatwoot's webhook, kept for routing; unique per message id, so that a replay is not routed twice. */
@Entity('bridge_outbound_messages')
@Unique('UQ_bridge_outbound_messages_message', ['integrationId', 'chatwootMessageId'])
@Index('IDX_bridge_outbound_messages_status', ['status', 'receivedAt'])
export class BridgeOutboundMessage {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'integration_id', type: 'varchar', length: 40 })
  integrationId: string;

  @ManyToOne(() => BridgeIntegration, { onDelete: 'CASCADE', createForeignKeyConstraints: true })
  @JoinColumn({ name: 'integration_id', foreignKeyConstraintName: 'FK_bridge_outbound_messages_integration' })
  integration?: BridgeIntegration;

  /** Chatwoot's message id, as a string: node-postgres reads bigint as a string, PGlite as a number. */
  @Column({ name: 'chatwoot_message_id', type: 'bigint', transformer: { to: (v: unknown) => v, from: (v: unknown) => (v === null ? v : String(v)) } })
  chatwootMessageId: string;

  /** The conversation's display_id in the account. */
  @Column({ name: 'chatwoot_conversation_id', type: 'integer' })
  chatwootConversationId: number;

  @Column({ type: 'text', nullable: true })
  content: string | null;

  /** The whole `message_created` event, as received, for the routing step. */
  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ type: 'varchar', length: 20, default: 'pending' })
  status: OutboundMessageStatus;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;

  /** Part of the Idempotency-Key: the agent's Retry is a new attempt (SPEC-MESSAGING §11). */
  @Column({ type: 'integer', default: 1 })
  attempt: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  /** The WhatsApp message it became; with media, the first one. */
  @Column({ name: 'wa_message_id', type: 'varchar', length: 200, nullable: true })
  waMessageId: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  revoke: OutboundRevoke | null;
}
