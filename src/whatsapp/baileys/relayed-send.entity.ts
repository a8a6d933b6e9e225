import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A Baileys send asked on an API replica that does not hold the instance's connection, passed to
 * the one that does (BaileysSendRelay). Kept only while the asking replica waits.
 */
@Entity('whatsapp_relayed_sends')
export class RelayedSend {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'instance_id', type: 'uuid' })
  instanceId: string;

  /** The OutgoingMessage, as Baileys' BufferJSON writes it (media bytes inside). */
  @Column({ type: 'text' })
  request: string;

  /** The holder that took it: set once, so that two never send it. */
  @Column({ name: 'claimed_by', type: 'varchar', length: 100, nullable: true })
  claimedBy: string | null;

  /** The SentMessage (BufferJSON), or the WhatsAppError, once the holder sent it. */
  @Column({ type: 'text', nullable: true })
  result: string | null;

  @Column({ type: 'jsonb', nullable: true })
  error: { code: string; detail: string; reason: string } | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
