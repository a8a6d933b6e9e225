import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';
import { Instance } from '../instances/instance.entity.js';
import type { MessageData, MediaSource } from '../whatsapp/whatsapp.port.js';

export type MessageDirection = 'incoming' | 'outgoing';
/** `pending` until the bytes are stored (or the provider no longer has them: `gone`). */
export type MediaState = 'pending' | 'stored' | 'gone';

/**
 * Every message of an instance, inbound and outbound (SPEC-MESSAGING §9–§10), once per provider id:
 * a provider that delivers a message twice finds it here and changes nothing.
 */
@Entity('messages')
@Unique('UQ_messages_provider_id', ['instanceId', 'providerMessageId'])
@Index('IDX_messages_created_at', ['createdAt'])
@Index('IDX_messages_media_state', ['mediaState'])
export class Message {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'instance_id', type: 'uuid' })
  instanceId: string;

  @ManyToOne(() => Instance, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id', foreignKeyConstraintName: 'FK_messages_instance' })
  instance?: Instance;

  /** The provider's id (a Cloud API `wamid`, a WhatsApp Web key id): the API's `messageId`. */
  @Column({ name: 'provider_message_id', type: 'varchar', length: 255 })
  providerMessageId: string;

  @Column({ type: 'varchar', length: 10 })
  direction: MessageDirection;

  @Column({ name: 'chat_jid', type: 'varchar', length: 255 })
  chatJid: string;

  @Column({ type: 'varchar', length: 20 })
  type: string;

  @Column({ name: 'sent_at', type: 'timestamptz' })
  sentAt: Date;

  /** The `message` object of `message.exchange`, without the media URL (built on PUBLIC_URL when sent). */
  @Column({ type: 'jsonb' })
  data: MessageData;

  /** Where the provider keeps the media bytes (never shown to clients). */
  @Column({ name: 'media_source', type: 'jsonb', nullable: true })
  mediaSource: MediaSource | null;

  @Column({ name: 'media_state', type: 'varchar', length: 10, nullable: true })
  mediaState: MediaState | null;

  /** What the provider needs to quote this message later (Baileys: its key and content). */
  @Column({ type: 'jsonb', nullable: true })
  raw: Record<string, unknown> | null;

  /** Outgoing: the latest delivery status (`sent`, `delivered`, `read`, `played`, `failed`). */
  @Column({ type: 'varchar', length: 10, nullable: true })
  status: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** The bytes of a message's media, in chunks, so that a download streams with bounded memory. */
@Entity('message_media_chunks')
export class MessageMediaChunk {
  @PrimaryColumn({ name: 'message_id', type: 'uuid' })
  messageId: string;

  @PrimaryColumn({ type: 'integer' })
  seq: number;

  @ManyToOne(() => Message, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'message_id', foreignKeyConstraintName: 'FK_message_media_chunks_message' })
  message?: Message;

  @Column({ type: 'bytea' })
  bytes: Buffer;
}
