import { Column, CreateDateColumn, Entity, PrimaryColumn, Unique } from 'typeorm';

/** BRIDGE-API §1 `status`. */
export type IntegrationStatus = 'active' | 'paused' | 'error';

/** One integration of the bridge (BRIDGE-API §1); secret columns hold SecretCipher ciphertext. */
@Entity('bridge_integrations')
@Unique('UQ_bridge_integrations_external_id', ['externalId'])
export class BridgeIntegration {
  /** `int_…`, public: it names the integration in BRIDGE-API paths and in the webhook URL. */
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id: string;

  /** The caller's stable id; create is idempotent on it. */
  @Column({ name: 'external_id', type: 'varchar', length: 200 })
  externalId: string;

  @Column({ type: 'varchar', length: 200 })
  instance: string;

  @Column({ name: 'chatwoot_base_url', type: 'varchar', length: 2048 })
  chatwootBaseUrl: string;

  @Column({ name: 'chatwoot_account_id', type: 'integer' })
  chatwootAccountId: number;

  @Column({ name: 'chatwoot_api_token', type: 'text' })
  chatwootApiTokenEncrypted: string;

  @Column({ name: 'inbox_name', type: 'varchar', length: 255 })
  inboxName: string;

  /** 0 while unknown (BRIDGE-API §1). */
  @Column({ name: 'inbox_id', type: 'integer', default: 0 })
  inboxId: number;

  /** Chatwoot's webhook signing key of the inbox (CONTRACT §6); null before 4.13. */
  @Column({ name: 'inbox_signing_secret', type: 'text', nullable: true })
  inboxSigningSecretEncrypted: string | null;

  /** The random last segment of the inbox's webhook_url. */
  @Column({ name: 'webhook_secret', type: 'text' })
  webhookSecretEncrypted: string;

  @Column({ name: 'sign_messages', type: 'boolean', default: false })
  signMessages: boolean;

  @Column({ name: 'ignore_groups', type: 'boolean', default: false })
  ignoreGroups: boolean;

  @Column({ name: 'start_as_pending', type: 'boolean', default: false })
  startAsPending: boolean;

  @Column({ name: 'reopen_resolved', type: 'boolean', default: false })
  reopenResolved: boolean;

  @Column({ name: 'source_api_url', type: 'varchar', length: 2048 })
  sourceApiUrl: string;

  @Column({ name: 'source_instance', type: 'varchar', length: 200 })
  sourceInstance: string;

  /** The callback token the server minted for this integration. */
  @Column({ name: 'source_token', type: 'text' })
  sourceTokenEncrypted: string;

  /** The last event of the instance's stream that routing finished (SPEC-MESSAGING §11). */
  @Column({ name: 'stream_seq', type: 'bigint', default: 0, transformer: { to: (v: unknown) => v, from: (v: unknown) => Number(v) } })
  streamSeq: number;

  @Column({ type: 'varchar', length: 20, default: 'active' })
  status: IntegrationStatus;

  @Column({ name: 'last_error', type: 'text', default: '' })
  lastError: string;

  /** Bumped by every configuration change, so that an older health check cannot store its stale verdict. */
  @Column({ type: 'integer', default: 1 })
  revision: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
