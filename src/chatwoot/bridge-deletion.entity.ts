import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A bridge integration whose deletion failed and is retried in the background until the bridge
 * confirms (SPEC §5 delete step 2). A table, so that a restart does not forget it.
 */
@Entity('chatwoot_bridge_deletions')
export class BridgeDeletion {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'bridge_integration_id', type: 'varchar', length: 200 })
  bridgeIntegrationId: string;

  @Column({ name: 'delete_inbox', type: 'boolean', default: false })
  deleteInbox: boolean;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Index('IDX_chatwoot_bridge_deletions_due')
  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column({ name: 'last_error', type: 'text', default: '' })
  lastError: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
