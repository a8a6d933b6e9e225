import { Column, CreateDateColumn, Entity, Index, JoinColumn, OneToOne, PrimaryColumn, Unique, UpdateDateColumn } from 'typeorm';
import type { IntegrationObject } from '../bridge-gateway/bridge-gateway.types.js';
import type { ChatwootFlag } from './chatwoot-settings.js';
import { Instance } from '../instances/instance.entity.js';

/**
 * Table `chatwoot_integrations` (SPEC §6). Never returned as is: `toChatwootStatus` maps it, so
 * that the encrypted token column cannot leak by accident.
 */
@Entity('chatwoot_integrations')
@Unique('UQ_chatwoot_integrations_instance', ['instanceId'])
export class ChatwootIntegration implements Record<ChatwootFlag, boolean> {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'instance_id', type: 'uuid' })
  instanceId: string;

  @OneToOne(() => Instance, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id', foreignKeyConstraintName: 'FK_chatwoot_integrations_instance' })
  instance?: Instance;

  @Column({ name: 'bridge_integration_id', type: 'varchar', length: 200 })
  bridgeIntegrationId: string;

  @Column({ name: 'chatwoot_base_url', type: 'varchar', length: 2048 })
  chatwootBaseUrl: string;

  @Column({ name: 'chatwoot_account_id', type: 'integer' })
  chatwootAccountId: number;

  /** Ciphertext `v1.<keyId>.<nonce>.<tag>.<data>` (SPEC §6). */
  @Column({ name: 'chatwoot_api_token', type: 'text' })
  chatwootApiToken: string;

  /** 0 until the bridge reports it. */
  @Column({ name: 'chatwoot_inbox_id', type: 'integer', default: 0 })
  chatwootInboxId: number;

  @Column({ name: 'chatwoot_inbox_name', type: 'varchar', length: 100 })
  chatwootInboxName: string;

  @Column({ name: 'sign_messages', type: 'boolean', default: false })
  signMessages: boolean;

  @Column({ name: 'ignore_groups', type: 'boolean', default: false })
  ignoreGroups: boolean;

  @Column({ name: 'start_as_pending', type: 'boolean', default: false })
  startAsPending: boolean;

  @Column({ name: 'reopen_resolved', type: 'boolean', default: false })
  reopenResolved: boolean;

  @Column({ type: 'varchar', length: 10 })
  /** The bridge's last reported status. */
  status: IntegrationObject['status'];

  @Column({ name: 'last_error', type: 'text', default: '' })
  lastError: string;

  /** SHA-256 of the callback token the bridge uses to call this server (BRIDGE-API `source.token`). */
  @Index('IDX_chatwoot_integrations_callback_token_hash')
  @Column({ name: 'callback_token_hash', type: 'char', length: 64 })
  callbackTokenHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
