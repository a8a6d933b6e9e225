import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';
import { Account } from '../accounts/account.entity.js';
import { BIGINT_AS_NUMBER } from '../database/bigint.js';

/** SPEC-MESSAGING §8. */
export type InstanceStatus = 'disconnected' | 'connecting' | 'qr_ready' | 'connected';
export const INSTANCE_STATUSES: readonly InstanceStatus[] = ['disconnected', 'connecting', 'qr_ready', 'connected'];

/** SPEC-MESSAGING §8: chosen at creation, fixed for the instance's life. */
export type Provider = 'baileys' | 'cloud';
export const PROVIDERS: readonly Provider[] = ['baileys', 'cloud'];

@Entity('instances')
@Unique('UQ_instances_account_name', ['accountId', 'name'])
@Unique('UQ_instances_token_hash', ['tokenHash'])
@Unique('UQ_instances_cloud_phone_number_id', ['cloudPhoneNumberId'])
export class Instance {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  @ManyToOne(() => Account, { onDelete: 'CASCADE', createForeignKeyConstraints: true })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'FK_instances_account' })
  account?: Account;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  /** SHA-256 (hex) of the TokenInstance. */
  @Column({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash: string;

  @Column({ type: 'varchar', length: 20, default: 'disconnected' })
  status: InstanceStatus;

  @Column({ type: 'varchar', length: 10, default: 'baileys' })
  provider: Provider;

  @Column({ name: 'cloud_phone_number_id', type: 'varchar', length: 32, nullable: true })
  cloudPhoneNumberId: string | null;

  /** SecretCipher ciphertext (SPEC §6). */
  @Column({ name: 'cloud_access_token', type: 'text', nullable: true })
  cloudAccessToken: string | null;

  /** SecretCipher ciphertext (SPEC §6): the key of Meta's webhook signatures. */
  @Column({ name: 'cloud_app_secret', type: 'text', nullable: true })
  cloudAppSecret: string | null;

  /** SHA-256 (hex) of the webhook verify token. */
  @Index('IDX_instances_cloud_verify_token_hash')
  @Column({ name: 'cloud_verify_token_hash', type: 'char', length: 64, nullable: true })
  cloudVerifyTokenHash: string | null;

  /**
   * While a Baileys instance waits to be paired: SecretCipher ciphertext of `{"qrCode"}` or
   * `{"pairingCode"}`, so that any process answers `/connect` with the current one (a QR code holds
   * the device's pairing secret: never in clear, never in an event).
   */
  @Column({ type: 'text', nullable: true })
  pairing: string | null;

  /** The `seq` of the instance's newest event (SPEC-MESSAGING §10); never goes back. */
  @Column({ name: 'last_event_seq', type: 'bigint', default: 0, transformer: BIGINT_AS_NUMBER })
  lastEventSeq: number;

  /** Every event up to this `seq` has been pruned (retention); 0 while none was. */
  @Column({ name: 'pruned_through_seq', type: 'bigint', default: 0, transformer: BIGINT_AS_NUMBER })
  prunedThroughSeq: number;

  /**
   * Cloud API: when a webhook of Meta naming this instance's number last arrived (kept to the
   * minute). A send whose process died is sent again for want of a status only when Meta's
   * webhooks are known to reach this server (docs/whatsapp.md, Idempotency-Key).
   */
  @Column({ name: 'cloud_webhook_at', type: 'timestamptz', nullable: true })
  cloudWebhookAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
