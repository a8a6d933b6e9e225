import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Instance } from '../instances/instance.entity.js';

/**
 * A send's `Idempotency-Key` (SPEC-MESSAGING §9): `pending` while the first request runs, then
 * `done` with the answer it got, replayed to every repeat for 24 h.
 */
@Entity('idempotency_keys')
@Index('IDX_idempotency_keys_created_at', ['createdAt'])
export class IdempotencyKey {
  @PrimaryColumn({ name: 'instance_id', type: 'uuid' })
  instanceId: string;

  @PrimaryColumn({ type: 'varchar', length: 128 })
  key: string;

  @ManyToOne(() => Instance, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id', foreignKeyConstraintName: 'FK_idempotency_keys_instance' })
  instance?: Instance;

  /** SHA-256 of the route and body: the same key with another request is a 409. */
  @Column({ type: 'char', length: 64 })
  fingerprint: string;

  @Column({ type: 'varchar', length: 10 })
  state: 'pending' | 'done';

  @Column({ type: 'integer', nullable: true })
  status: number | null;

  @Column({ type: 'jsonb', nullable: true })
  body: Record<string, unknown> | null;

  /** The process running the first request (LeasesService.holder); null for keys of older versions. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  holder: string | null;

  /** Set just before the provider is called: from then on, a lost first request's outcome is unknown. */
  @Column({ type: 'boolean', default: false })
  sending: boolean;

  /** When `sending` was set: a Cloud API send unconfirmed for CLOUD_SEND_SETTLE_SECONDS after it was not accepted. */
  @Column({ name: 'sending_at', type: 'timestamptz', nullable: true })
  sendingAt: Date | null;

  /** The current claim's nonce, in the send's tag: a status of an earlier claim's send (24 h ago, or before a takeover) settles nothing. */
  @Column({ name: 'tag_nonce', type: 'varchar', length: 16, nullable: true })
  tagNonce: string | null;

  /** What the provider's first status webhook naming this key reported (see AcceptedSend): the send was accepted. */
  @Column({ type: 'jsonb', nullable: true })
  accepted: Record<string, unknown> | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
